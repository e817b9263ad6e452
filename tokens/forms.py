"""Forms of the chain side's staff pages: proposing and deciding an accepted stablecoin."""

from __future__ import annotations

from django import forms

from config import form_fields
from config.text import REASON_MAX_LENGTH
from tokens.choices import PaymentCurrency


class PaymentTokenProposeForm(forms.Form):
    """A stablecoin to accept for one currency, by its contract address on the platform's chain."""

    currency = forms.ChoiceField(
        choices=PaymentCurrency.choices,
        label="Currency",
        help_text="Renminbi applications (CNY) settle in an offshore renminbi (CNH) stablecoin.",
    )
    address = form_fields.CharField(
        max_length=42,
        label="Contract address",
        help_text="0x followed by 40 hexadecimal characters, on the platform's chain.",
    )
    note = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        label="Why this stablecoin",
        help_text="The issuer, its licence and reserve attestation: what the approver should check.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PaymentTokenDecisionForm(forms.Form):
    """A second staff member's approval or rejection (a rejection needs a reason)."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")], label="Decision")
    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH, required=False, label="Reason", help_text="Needed to reject."
    )
