"""The SME's form to grant a consent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config import form_fields
from config.text import REASON_MAX_LENGTH
from issuers.models import Company
from issuers.sharing.choices import Dataset, Purpose

DATE = form_fields.DayMonthYearInput()


class ConsentForm(forms.Form):
    """Who may read what, why and for how long."""

    recipient_email = forms.EmailField(
        label=_("Recipient's email"),
        help_text=_("The email address of the lender's or investor's verified account on the platform."),
    )
    datasets = forms.MultipleChoiceField(
        choices=Dataset.choices, widget=forms.CheckboxSelectMultiple, label=_("Data to share")
    )
    all_documents = forms.BooleanField(
        required=False,
        label=_("All KYB documents"),
        help_text=_("Includes documents you upload later. Otherwise choose them below."),
    )
    document_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Documents to share"),
    )
    purpose = forms.ChoiceField(choices=[("", _("Choose the purpose")), *Purpose.choices], label=_("Purpose"))
    purpose_detail = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        label=_("Purpose in your words"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    valid_from = form_fields.DateField(widget=DATE, label=_("First day"))
    valid_until = form_fields.DateField(
        widget=DATE, label=_("Last day"), help_text=_("At most 12 months after the first day.")
    )

    def __init__(self, *args: Any, company: Company | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = company.documents.order_by("kind", "-uploaded_at") if company else []
        self.fields["document_ids"].choices = [  # type: ignore[attr-defined]
            (document.pk, f"{document.get_kind_display()}: {document.original_name}")
            for document in documents
        ]
