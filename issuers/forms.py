"""Forms of the SME onboarding pages: identity, profile, people and KYB documents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from compliance.pep_inputs import PepFieldsForm
from config import form_fields
from config.text import NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from issuers.choices import DECLARABLE_RESIDENCIES, DocumentKind, Industry, Jurisdiction, SrdiTier, TrustRole
from issuers.validators import REGISTRATION_NUMBER_INPUT_MAX_LENGTH

DATE = form_fields.DayMonthYearInput()


class CompanyForm(forms.Form):
    """Step 1: who the company is."""

    legal_name_en = form_fields.CharField(
        max_length=NAME_MAX_LENGTH,
        label=_("Legal name (English)"),
        help_text=_("Exactly as on the certificate of incorporation."),
    )
    legal_name_zh = form_fields.CharField(
        max_length=NAME_MAX_LENGTH, required=False, label=_("Legal name (Chinese)")
    )
    jurisdiction = forms.ChoiceField(
        choices=[("", _("Choose where the company is registered")), *Jurisdiction.choices],
        label=_("Place of registration"),
    )
    registration_number = form_fields.CharField(
        max_length=REGISTRATION_NUMBER_INPUT_MAX_LENGTH,
        label=_("Registration number"),
        help_text=_(
            "Hong Kong: 8-digit business registration number. Mainland: "
            "18-character unified social credit code. Macao: commercial "
            "registration number."
        ),
    )
    industry = forms.ChoiceField(
        choices=[("", _("Choose the industry")), *Industry.choices], label=_("Industry")
    )


class CompanyProfileForm(forms.Form):
    """Step 2: recognition, tags and the latest full-year financial snapshot."""

    annual_revenue = form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        label=_("Annual revenue (HKD)"),
    )
    employees = form_fields.IntegerField(min_value=0, required=False, label=_("Employees"))
    years_trading = form_fields.IntegerField(
        min_value=0, max_value=300, required=False, label=_("Years trading")
    )
    founded_year = form_fields.IntegerField(
        min_value=1800, max_value=9999, required=False, label=_("Year founded")
    )
    description = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        label=_("Short description"),
        help_text=_("What the company does, in a few sentences; investors read it on your offerings."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_technology = forms.BooleanField(required=False, label=_("Technology company"))
    is_green = forms.BooleanField(required=False, label=_("Green business (environmental benefit)"))
    srdi_tier = forms.ChoiceField(
        choices=SrdiTier.choices,
        required=False,
        label=_("SRDI recognition"),
        help_text=_("'Specialized, refined, distinctive and innovative' SME recognition, if any."),
    )
    srdi_authority = form_fields.CharField(max_length=NAME_MAX_LENGTH, required=False, label=_("Granted by"))
    srdi_batch = form_fields.CharField(max_length=SHORT_TEXT_MAX_LENGTH, required=False, label=_("Batch"))
    srdi_valid_from = form_fields.DateField(widget=DATE, required=False, label=_("Valid from"))
    srdi_valid_until = form_fields.DateField(widget=DATE, required=False, label=_("Valid until"))

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["srdi_tier"] = data.get("srdi_tier") or ""
        return data


def residency_field() -> forms.ChoiceField:
    """Where a director or owner lives: required, "not stated" is never offered."""
    return forms.ChoiceField(
        choices=[("", _("Choose where the person lives")), *DECLARABLE_RESIDENCIES],
        label=_("Lives in"),
        help_text=_("A mainland resident's record crosses to Hong Kong only with their separate consent."),
    )


class PersonForm(PepFieldsForm):
    """Step 3: a director or ultimate beneficial owner."""

    full_name = form_fields.CharField(max_length=NAME_MAX_LENGTH, label=_("Full name"))
    nationality = forms.ChoiceField(label=_("Nationality"))
    residency = residency_field()
    birth_date = form_fields.DateField(widget=DATE, label=_("Date of birth"))
    is_director = forms.BooleanField(required=False, label=_("Director"))
    is_beneficial_owner = forms.BooleanField(required=False, label=_("Ultimate beneficial owner"))
    ownership_percent = form_fields.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        initial=Decimal("0"),
        label=_("Ownership (%)"),
        help_text=_("Shares or control held, 0 to 100."),
    )
    trust_role = forms.ChoiceField(
        required=False,
        choices=[("", _("Not through a trust")), *TrustRole.choices],
        label=_("Trust"),
        help_text=_("Every trustee and beneficiary of a trust holding shares is a beneficial owner."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", "Choose a nationality"), *countries]  # type: ignore[attr-defined]


class DocumentForm(forms.Form):
    """Step 4: one KYB document."""

    kind = forms.ChoiceField(
        choices=[("", _("Choose the document type")), *DocumentKind.choices], label=_("Document")
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG or JPEG, up to 10 MB."))


class ActionForm(forms.Form):
    """A button that posts nothing but the CSRF token; carries a refusal back to the page."""
