"""Forms of the compliance pages: decisions on KYB, KYC and applications."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from config import form_fields
from config.text import REASON_MAX_LENGTH


class KybDecisionForm(forms.Form):
    """Verify or reject a company."""

    decision = forms.ChoiceField(
        choices=[("approve", "Verify the company"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        label="Decision",
    )
    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason",
        help_text="Required when rejecting; recorded in the audit trail and shown to the SME.",
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class KycDecisionForm(KybDecisionForm):
    """Approve or reject an investor."""

    decision = forms.ChoiceField(
        choices=[("approve", "Approve the investor"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        label="Decision",
    )


def _in_two_weeks() -> str:
    return timezone.localtime(timezone.now() + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")


class ApplicationDecisionForm(forms.Form):
    """Approve an application into an offering, ask for changes, or reject it."""

    decision = forms.ChoiceField(
        choices=[
            ("approve", "Approve and create the offering"),
            ("request_changes", "Request changes"),
            ("reject", "Reject"),
        ],
        widget=forms.RadioSelect,
        label="Decision",
    )
    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason",
        help_text="Required to reject or request changes; the SME sees it.",
    )
    closes_at = form_fields.DateTimeField(
        required=False,
        label="Offering closes at (Hong Kong time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Used on approval. Defaults to 14 days from now.",
    )
    professional_investors_only = forms.BooleanField(
        required=False, initial=True, label="Professional investors only (the token enforces it on chain)"
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["closes_at"].initial = _in_two_weeks
