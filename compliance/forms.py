"""Forms of the compliance pages: decisions on KYB, KYC and applications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from compliance.audit_text import OBJECT_NOUNS
from compliance.licences.forms import arranger_field, with_arranger_choices
from compliance.selectors import AUDIT_KINDS, AuditFilter
from config import form_fields
from config.text import REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH


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
    arranger_id = arranger_field(required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["closes_at"].initial = _in_two_weeks
        with_arranger_choices(self)


class AuditFilterForm(forms.Form):
    """Narrow the audit trail: by who, which object, what kind of action and which days."""

    actor = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH, required=False, label="Who", help_text="Part of a name or e-mail."
    )
    object_type = forms.ChoiceField(
        choices=[("", "Any object"), *((key, noun.capitalize()) for key, noun in OBJECT_NOUNS.items())],
        required=False,
        label="Object",
    )
    object_id = form_fields.IntegerField(
        required=False, min_value=1, label="Number", help_text="The object's #."
    )
    kind = forms.ChoiceField(choices=[("", "Any action"), *AUDIT_KINDS.items()], required=False, label="Kind")
    date_from = form_fields.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = form_fields.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def audit_filter(self) -> AuditFilter:
        """The filter the valid form describes (no filter while the form is invalid)."""
        if not self.is_valid():
            return AuditFilter()
        return AuditFilter.of(self.cleaned_data)
