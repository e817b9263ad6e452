"""Forms of the wallets page: ask for a message to sign, link with its signature, move units."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config import form_fields

MESSAGE_MAX_LENGTH = 2000
SIGNATURE_MAX_LENGTH = 200


class SiweChallengeForm(forms.Form):
    """The address of the wallet to link."""

    address = form_fields.CharField(
        max_length=64,
        label=_("Your wallet's address"),
        help_text=_("Starts with 0x, 42 characters. Copy it from your wallet app."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )


class WalletLinkForm(forms.Form):
    """The signed message and its signature."""

    message = form_fields.CharField(
        max_length=MESSAGE_MAX_LENGTH,
        label=_("The message you signed"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "mono"}),
        strip=False,
    )
    signature = form_fields.CharField(
        max_length=SIGNATURE_MAX_LENGTH,
        label=_("The signature your wallet made"),
        help_text=_("Starts with 0x, 132 characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )

    def clean_message(self) -> str:
        # Browsers send a textarea's lines with CR LF; the wallet signed them with LF.
        return str(self.cleaned_data["message"]).replace("\r\n", "\n").strip()


class MoveUnitsForm(forms.Form):
    """Units of a holding in the account wallet to one of the investor's registered linked wallets."""

    offering = forms.TypedChoiceField(coerce=int, label=_("Holding"))
    wallet = forms.TypedChoiceField(coerce=int, label=_("To your wallet"))
    units = form_fields.IntegerField(
        min_value=1,
        max_value=10**12,
        label=_("Units"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(
        self, *args: Any, holdings: list[tuple[int, str]], wallets: list[tuple[int, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["offering"].choices = holdings  # type: ignore[attr-defined]
        self.fields["wallet"].choices = wallets  # type: ignore[attr-defined]
