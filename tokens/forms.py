"""Forms of the chain side's staff pages: token operations, and proposing and deciding an accepted
stablecoin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config import form_fields
from config.text import REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from tokens.choices import ContractStatus, LegalBasis, PaymentCurrency, TokenOperationKind


class PaymentTokenProposeForm(forms.Form):
    """A stablecoin to accept for one currency, by its contract address on the platform's chain."""

    currency = forms.ChoiceField(
        choices=PaymentCurrency.choices,
        label=_("Currency"),
        help_text=_("Renminbi applications (CNY) settle in an offshore renminbi (CNH) stablecoin."),
    )
    address = form_fields.CharField(
        max_length=42,
        label=_("Contract address"),
        help_text=_("0x followed by 40 hexadecimal characters, on the platform's chain."),
    )
    note = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        label=_("Why this stablecoin"),
        help_text=_("The issuer, its licence and reserve attestation: what the approver should check."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PaymentTokenDecisionForm(forms.Form):
    """A second staff member's approval or rejection (a rejection needs a reason)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], label=_("Decision")
    )
    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH, required=False, label=_("Reason"), help_text=_("Needed to reject.")
    )


ADDRESS_LENGTH = 42


class TokenOperationForm(forms.Form):
    """Request a token operation; which fields count depends on the kind (the service says which)."""

    kind = forms.ChoiceField(choices=TokenOperationKind.choices, label=_("Operation"))
    offering = forms.TypedChoiceField(
        coerce=int,
        required=False,
        label=_("Offering (its token)"),
        help_text=_("Not needed for a wallet recovery."),
    )
    wallet = form_fields.CharField(
        max_length=ADDRESS_LENGTH,
        required=False,
        label=_("Investor's wallet"),
        help_text=_("The wallet acted on (for a recovery: the lost wallet). Not needed to pause or resume."),
    )
    counterparty = form_fields.CharField(
        max_length=ADDRESS_LENGTH, required=False, label=_("Receiving wallet (forced transfer only)")
    )
    amount = form_fields.IntegerField(
        min_value=1,
        required=False,
        label=_("Units"),
        help_text=_("For a partial freeze or release and a forced transfer."),
    )
    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason"),
        help_text=_("The investor concerned sees it beside their holding."),
    )
    legal_basis = forms.ChoiceField(
        choices=[("", "—"), *LegalBasis.choices],
        required=False,
        label=_("Legal basis (forced transfer only)"),
    )
    legal_reference = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        label=_("Reference of the order or direction"),
        help_text=_("E.g. the court's case number."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from financing.models import Offering

        offerings = (
            Offering.objects.filter(token__status=ContractStatus.DEPLOYED)
            .select_related("application")
            .order_by("-pk")
        )
        self.fields["offering"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (offering.pk, f"#{offering.pk} {offering.application.title}") for offering in offerings
        ]


class TokenOperationRejectForm(forms.Form):
    """Reject a request: the requester and the audit trail see why."""

    reason = form_fields.CharField(max_length=REASON_MAX_LENGTH, label=_("Why it is rejected"))
