"""Sign-up, log-in and API key forms."""

from __future__ import annotations

from django import forms

from accounts.choices import SELF_SIGNUP_ROLES
from config import form_fields
from config.text import NAME_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH


class SignupForm(forms.Form):
    """A new SME representative or investor."""

    role = forms.ChoiceField(
        choices=[(role.value, role.label) for role in SELF_SIGNUP_ROLES],
        widget=forms.RadioSelect,
        label="I am",
    )
    full_name = form_fields.CharField(
        max_length=NAME_MAX_LENGTH, label="Full name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label="Password",
        strip=False,
        help_text="At least 10 characters; not a common or all-numeric password.",
    )
    password_confirm = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label="Confirm password",
        strip=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "The two passwords differ.")
        return data


class LoginForm(forms.Form):
    """Log in with email and password."""

    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ConfirmationResendForm(forms.Form):
    """Ask for a new email-confirmation link."""

    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ApiKeyForm(forms.Form):
    """A new API key: what it is for and how long it lives."""

    name = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        label="Name",
        help_text="What will use it, e.g. the reporting script.",
    )
    expires_in_days = form_fields.IntegerField(
        required=False,
        min_value=1,
        label="Expires in (days)",
        help_text="Empty: the longest allowed.",
    )
