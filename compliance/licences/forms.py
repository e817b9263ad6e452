"""Forms of the licence register pages, and the arranger field the application decision uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.licences.choices import IntermediaryRole, LicenceKind, RegulatedActivity, Suspension
from compliance.licences.selectors import arranger_choices
from config import form_fields
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH


def arranger_field(**kwargs: Any) -> forms.TypedChoiceField:
    """The arranger an approval names (choices filled in by `with_arranger_choices` per request)."""
    return forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        label=_("Arranger"),
        help_text=_(
            "A licensed intermediary from the register: its licence must be in "
            "force today and cover type 1 (dealing in securities) or virtual-asset "
            "trading."
        ),
        **kwargs,
    )


def with_arranger_choices(form: forms.Form, name: str = "arranger_id") -> None:
    form.fields[name].choices = [("", "Choose the arranger"), *arranger_choices()]  # type: ignore[attr-defined]


class IntermediaryForm(forms.Form):
    name = form_fields.CharField(max_length=NAME_MAX_LENGTH, label=_("Name"))
    ce_number = form_fields.CharField(
        max_length=8, label=_("CE number"), help_text=_("The SFC central entity number, e.g. ABC123.")
    )
    roles = forms.MultipleChoiceField(
        choices=IntermediaryRole.choices, widget=forms.CheckboxSelectMultiple, label=_("Roles")
    )


class LicenceForm(forms.Form):
    intermediary = forms.TypedChoiceField(coerce=int, label=_("Intermediary"))
    kind = forms.ChoiceField(choices=LicenceKind.choices, label=_("Kind"))
    activities = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=RegulatedActivity.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Regulated activities"),
        help_text=_("Not needed for a virtual asset trading platform licence."),
    )
    conditions = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Conditions"),
        help_text=_("As the register states them, e.g. “professional investors only”."),
    )
    pi_only = forms.BooleanField(required=False, label=_("Limited to professional investors"))
    valid_from = form_fields.DateField(label=_("Valid from"), widget=form_fields.DayMonthYearInput())
    valid_until = form_fields.DateField(
        required=False,
        label=_("Valid until"),
        widget=form_fields.DayMonthYearInput(),
        help_text=_("Leave empty for an open-ended licence."),
    )

    def __init__(self, *args: Any, intermediaries: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intermediary"].choices = intermediaries  # type: ignore[attr-defined]


class LicenceSuspendForm(forms.Form):
    suspension = forms.ChoiceField(
        choices=Suspension.choices,
        widget=forms.RadioSelect,
        initial=Suspension.SUSPENDED,
        label=_("What happened"),
    )
    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Reason"),
        help_text=_("E.g. the SFC's notice and its date; recorded in the audit trail."),
    )


class OfferingArrangerForm(forms.Form):
    arranger_id = arranger_field()
    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Reason"),
        help_text=_("Why the arranger changes; recorded in the audit trail."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with_arranger_choices(self)
