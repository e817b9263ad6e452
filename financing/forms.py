"""Forms of the financing pages: bond applications, KYC, subscriptions and the test faucet."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django_countries import countries

from compliance.choices import InvestorType
from financing.choices import Frequency
from financing.models import Application

HUNDRED = Decimal("100")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BondApplicationForm(forms.Form):
    """A bond application; the coupon is typed as a percentage and handed to the service as a fraction."""

    title = forms.CharField(
        max_length=200, label="Title", help_text="For example: Pearl River Robotics 6.5% Notes 2029."
    )
    currency = forms.ChoiceField(
        choices=[("HKD", "HKD (Hong Kong dollar)")],
        label="Currency",
        help_text="Offerings settle in the HKD stablecoin, so only HKD is offered for now.",
    )
    target_amount = forms.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label="Target amount",
        help_text="The most you want to raise; a whole number of units of the face value.",
    )
    minimum_amount = forms.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label="Minimum raise",
        help_text="If investors subscribe less than this, the round is cancelled and nobody pays.",
    )
    face_value = forms.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label="Face value per unit",
        help_text="The price and redemption value of one bond unit.",
    )
    coupon_rate = forms.DecimalField(
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("99.9999"),
        label="Coupon rate (% per year)",
        help_text="Enter a percentage: 6.5 means 6.5% a year.",
    )
    coupon_frequency = forms.ChoiceField(
        choices=Frequency.choices, label="Coupon frequency", initial=Frequency.SEMIANNUAL
    )
    issue_date = forms.DateField(widget=DATE, label="Issue date")
    maturity_date = forms.DateField(widget=DATE, label="Maturity date")
    use_of_proceeds = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Use of proceeds",
        help_text="What the money will pay for.",
    )

    @classmethod
    def initial_from(cls, application: Application) -> dict[str, Any]:
        """The form's values for an existing application (coupon back to a percentage)."""
        terms = application.bond_terms
        return {
            "title": application.title,
            "currency": application.currency,
            "target_amount": application.target_amount,
            "minimum_amount": application.minimum_amount,
            "use_of_proceeds": application.use_of_proceeds,
            "face_value": terms.face_value,
            "coupon_rate": (terms.coupon_rate * HUNDRED).normalize(),
            "coupon_frequency": terms.coupon_frequency,
            "issue_date": terms.issue_date,
            "maturity_date": terms.maturity_date,
        }

    def service_kwargs(self) -> dict[str, Any]:
        """Cleaned data in the service's terms: the coupon as a fraction (6.5 -> 0.065)."""
        data = dict(self.cleaned_data)
        data["coupon_rate"] = data["coupon_rate"] / HUNDRED
        return data


class KycForm(forms.Form):
    """An investor's due-diligence details."""

    investor_type = forms.ChoiceField(
        choices=InvestorType.choices, widget=forms.RadioSelect, label="I invest as"
    )
    legal_name = forms.CharField(
        max_length=200, label="Legal name", help_text="As on your identity document."
    )
    country = forms.ChoiceField(label="Country of residence or incorporation")
    id_document_number = forms.CharField(
        max_length=64,
        label="Identity document number",
        help_text="Passport, HKID or company registration number.",
    )
    declared_portfolio_hkd = forms.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0"),
        label="Portfolio (HKD)",
        help_text="HKD 8,000,000 or more makes you a professional investor (corporations: total assets).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *countries]  # type: ignore[attr-defined]


class SubscribeForm(forms.Form):
    """Units of an offering."""

    units = forms.IntegerField(
        min_value=1, label="Units", widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class FaucetForm(forms.Form):
    """Test HKD for the demo."""

    amount = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100000000"),
        initial=Decimal("1000000"),
        label="Amount of test HKD",
    )
