"""Forms of the SME pages."""

from __future__ import annotations

from django import forms

from issuers.choices import Jurisdiction


class CompanyForm(forms.Form):
    """The company profile that compliance reviews for KYB."""

    legal_name_en = forms.CharField(
        max_length=200,
        label="Legal name (English)",
        help_text="Exactly as on the certificate of incorporation.",
    )
    legal_name_zh = forms.CharField(max_length=200, required=False, label="Legal name (Chinese)")
    jurisdiction = forms.ChoiceField(
        choices=[("", "Choose where the company is registered"), *Jurisdiction.choices],
        label="Place of registration",
    )
    registration_number = forms.CharField(
        max_length=32,
        label="Registration number",
        help_text="Hong Kong CR No., Macao registration number or mainland unified social credit code.",
    )
    industry = forms.CharField(
        max_length=100, label="Industry", help_text="For example: industrial automation."
    )


class ActionForm(forms.Form):
    """A button that posts nothing but the CSRF token; carries a refusal back to the page."""
