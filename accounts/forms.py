"""Sign-up, log-in and API key forms."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import SELF_SIGNUP_ROLES
from config import form_fields
from config.text import NAME_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH


class SignupForm(forms.Form):
    """A new SME representative or investor."""

    role = forms.ChoiceField(
        choices=[(role.value, role.label) for role in SELF_SIGNUP_ROLES],
        widget=forms.RadioSelect,
        label=_("I am"),
    )
    full_name = form_fields.CharField(
        max_length=NAME_MAX_LENGTH,
        label=_("Full name"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; not a common or all-numeric password."),
    )
    password_confirm = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label=_("Confirm password"),
        strip=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", gettext("The two passwords differ."))
        return data


class LoginForm(forms.Form):
    """Log in with email and password."""

    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ConfirmationResendForm(forms.Form):
    """Ask for a new email-confirmation link."""

    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class ApiKeyForm(forms.Form):
    """A new API key: what it is for and how long it lives."""

    name = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        label=_("Name"),
        help_text=_("What will use it, e.g. the reporting script."),
    )
    expires_in_days = form_fields.IntegerField(
        required=False,
        min_value=1,
        label=_("Expires in (days)"),
        help_text=_("Empty: the longest allowed."),
    )


class LanguageForm(forms.Form):
    """The language switcher on every page: the language, and the page to come back to."""

    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language"))
    next = form_fields.CharField(max_length=2000, required=False)
