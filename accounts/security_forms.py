"""Forms of the account's security pages: two-factor codes, password change and reset, name, email."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config import form_fields
from config.text import NAME_MAX_LENGTH

CODE_MAX_LENGTH = 32


def _code_field(label: str, help_text: str = "") -> forms.CharField:
    return form_fields.CharField(
        max_length=CODE_MAX_LENGTH,
        label=label,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


def _password_field(label: str, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginCodeForm(forms.Form):
    """The second step of a log-in."""

    code = _code_field(
        _("Code"), _("The 6 digits your authenticator app shows now, or one of your backup codes.")
    )


class TwoFactorSetupForm(forms.Form):
    """Confirm a new authenticator with a code from it."""

    code = _code_field(_("Code from the app"), _("The 6 digits the app shows for this account."))


class TwoFactorDisableForm(forms.Form):
    """Turning two-factor authentication off takes the password and a current code."""

    password = _password_field(_("Current password"), "current-password")
    code = _code_field(_("Code"), _("From your authenticator app, or a backup code."))
    code.widget.attrs.pop("autofocus")


class ProfileForm(forms.Form):
    """The name shown on the platform."""

    full_name = form_fields.CharField(
        max_length=NAME_MAX_LENGTH,
        label=_("Full name"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class EmailChangeForm(forms.Form):
    """A new email address, confirmed by a link sent to it."""

    email = forms.EmailField(
        label=_("New email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}), max_length=254
    )
    password = _password_field(_("Current password"), "current-password")


class PasswordChangeForm(forms.Form):
    """A new password, after the current one."""

    current_password = _password_field(_("Current password"), "current-password")
    new_password = _password_field(
        _("New password"), "new-password", _("At least 10 characters; not a common or all-numeric password.")
    )
    new_password_confirm = _password_field(_("Confirm the new password"), "new-password")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password_confirm"):
            self.add_error("new_password_confirm", _("The two passwords differ."))
        return data


class ResetRequestForm(PasswordResetForm):
    """Django's reset request, with our field's label and autocomplete; `links` holds the links it emailed."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.links: list[str] = []

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        path = reverse(
            "accounts:password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        self.links.append(f"{context['protocol']}://{context['domain']}{path}")
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class ResetPasswordForm(SetPasswordForm):
    """Django's new-password form after a reset link, with our help text."""

    new_password1 = _password_field(
        _("New password"), "new-password", _("At least 10 characters; not a common or all-numeric password.")
    )
    new_password2 = _password_field(_("Confirm the new password"), "new-password")
