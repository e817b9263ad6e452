"""Forms of the cross-border record: the SME's separate consent, compliance's assessment and filing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from config import form_fields
from config.text import REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from issuers.choices import FilingAuthority, PiaConclusion
from issuers.models import Person

DATE = form_fields.DayMonthYearInput()


class TransferConsentForm(forms.Form):
    """One person's separate consent: its own tick, never bundled with other terms."""

    person = forms.TypedChoiceField(coerce=int, label=_("Person"))
    consented_on = form_fields.DateField(widget=DATE, label=_("Day the person consented"))
    separate_consent = forms.BooleanField(
        required=False,
        label=_(
            "This person read the separate consent text above and agreed to it themselves, "
            "apart from any other terms"
        ),
    )

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose the person")),
            *((person.pk, person.full_name) for person in people),
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            "person_id": data["person"],
            "consented_on": data["consented_on"],
            "separate_consent": data["separate_consent"],
        }


class TransferAssessmentForm(forms.Form):
    """The personal information protection impact assessment, as the reviewing officer records it."""

    assessed_on = form_fields.DateField(widget=DATE, label=_("Date of the assessment"))
    conclusion = forms.ChoiceField(
        choices=[("", _("Choose the conclusion")), *PiaConclusion.choices], label=_("Conclusion")
    )
    summary = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Summary"),
        help_text=_("The risks found and the measures taken (optional)."),
    )
    document = forms.FileField(
        required=False, label=_("Assessment report"), help_text=_("Optional: PDF, PNG or JPEG, up to 10 MB.")
    )


class TransferFilingForm(forms.Form):
    """The filing of the GBA standard contract."""

    authority = forms.ChoiceField(
        choices=[("", _("Choose the authority")), *FilingAuthority.choices], label=_("Filed with")
    )
    reference = form_fields.CharField(max_length=SHORT_TEXT_MAX_LENGTH, label=_("Filing reference"))
    filed_on = form_fields.DateField(widget=DATE, label=_("Day of filing"))
