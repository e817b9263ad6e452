"""The PEP declaration as pages and the API take it: a form mixin and a serializer mixin.

A form that collects a person's details inherits `PepFieldsForm` (its fields render with the partial
`compliance/_pep_fields.html`) and passes `form.service_kwargs()` to its service, which takes the
declaration as `pep=` (`compliance.pep.Pep`); a serializer inherits `PepDeclarationInput` and its view
calls `pep_kwargs(validated_data)`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from rest_framework import serializers

from compliance.pep import PEP_HELP, Pep, PepStatus
from config import api_fields, form_fields
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH

PEP_FIELDS = ("pep_status", "pep_position", "pep_country", "pep_since", "source_of_wealth", "source_of_funds")
DATE = form_fields.DayMonthYearInput()


def pep_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """Cleaned data with the PEP fields folded into one `pep` argument for the services."""
    rest = {name: value for name, value in data.items() if name not in PEP_FIELDS}
    return {**rest, "pep": Pep.of(data)}


class PepFieldsForm(forms.Form):
    """A person's PEP declaration and, for a PEP or associate, the enhanced due diligence."""

    pep_status = forms.ChoiceField(
        choices=PepStatus.choices,
        initial=PepStatus.NOT_PEP,
        required=False,  # not a PEP unless declared
        widget=forms.RadioSelect,
        label=_("Politically exposed person"),
        help_text=PEP_HELP,
    )
    pep_position = form_fields.CharField(
        max_length=NAME_MAX_LENGTH,
        required=False,
        label=_("Public function"),
        help_text=_("For a family member or close associate: the PEP's name, function and relationship."),
    )
    pep_country = forms.ChoiceField(required=False, label=_("Country of the function"))
    pep_since = form_fields.DateField(widget=DATE, required=False, label=_("Held since"))
    source_of_wealth = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Source of wealth"),
        help_text=_("Required for a PEP or associate: how the overall wealth was built."),
    )
    source_of_funds = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Source of funds"),
        help_text=_("Required for a PEP or associate: where the money used here comes from."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pep_country"].choices = [("", "Choose a country"), *countries]  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        return pep_kwargs(dict(self.cleaned_data))


class PepDeclarationInput(serializers.Serializer):
    """The PEP declaration's fields (all optional: not a PEP unless `pep_status` says so)."""

    pep_status = serializers.ChoiceField(choices=PepStatus.values, default=PepStatus.NOT_PEP)
    pep_position = api_fields.CharField(max_length=NAME_MAX_LENGTH, required=False, allow_blank=True)
    pep_country = api_fields.CharField(max_length=2, required=False, allow_blank=True)
    pep_since = api_fields.DateField(required=False, allow_null=True)
    source_of_wealth = api_fields.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)
    source_of_funds = api_fields.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True)


class PepDeclarationOutput(serializers.Serializer):
    pep_status = serializers.ChoiceField(choices=PepStatus.values)
    pep_position = serializers.CharField()
    pep_country = serializers.CharField(source="pep_country.code", allow_blank=True)
    pep_since = serializers.DateField(allow_null=True)
    source_of_wealth = serializers.CharField()
    source_of_funds = serializers.CharField()
