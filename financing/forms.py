"""Forms of the financing pages: applications of every instrument, KYC, subscriptions and the test faucet."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from compliance.choices import InvestorDocumentKind, InvestorType, PiEvidenceType
from compliance.pep_inputs import PepFieldsForm
from config import form_fields
from config.errors import ApplicationError
from config.text import LONG_TEXT_MAX_LENGTH, NAME_MAX_LENGTH, REASON_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from financing.choices import (
    Amortization,
    BusinessDayConvention,
    Currency,
    DayCount,
    Frequency,
    HolidayCalendar,
    Instrument,
    MarketplaceStatus,
    OfferingDocumentKind,
    OfferingTag,
    PaymentTiming,
)
from financing.models import Application, Terms
from issuers.choices import DECLARABLE_RESIDENCIES
from issuers.forms import ActionForm, residency_field
from tokens.choices import PaymentCurrency

HUNDRED = Decimal("100")
DATE = form_fields.DayMonthYearInput()
DECIMAL = {"inputmode": "decimal"}
REQUIRED = _("This field is required.")

# --- applications: the common part --------------------------------------------------------------

INSTRUMENT_CHOICES = [
    (Instrument.BOND, _("Bond")),
    (Instrument.LOAN, _("Loan")),
    (Instrument.LEASE, _("Lease")),
    (Instrument.EQUITY, _("Equity")),
    (Instrument.TRADE, _("Trade finance")),
]
INSTRUMENT_BLURB = {
    Instrument.BOND: _("Pay investors a fixed coupon and repay the full amount at maturity."),
    Instrument.LOAN: _("Borrow from investors and repay with interest in regular instalments."),
    Instrument.LEASE: _("Finance an asset: investors fund it and you pay them a rental."),
    Instrument.EQUITY: _("Sell new shares: no repayments, investors own part of the company."),
    Instrument.TRADE: _(
        "Finance invoices you issued or goods shipped under an electronic bill of lading: repaid once, "
        "with interest, when your buyer pays."
    ),
}
CURRENCY_CHOICES = [(c.value, format_lazy("{} ({})", c.value, c.label)) for c in Currency]


def _amount(label: str, help_text: str = "", **kwargs: Any) -> forms.DecimalField:
    return form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(attrs={**DECIMAL, "step": "0.01"}),
        **kwargs,
    )


def _percent(label: str, help_text: str, *, required: bool = True) -> forms.DecimalField:
    """A rate typed as a percentage a year (6.5 means 6.5%); below 100%."""
    return form_fields.DecimalField(
        max_digits=14,
        decimal_places=10,
        min_value=Decimal("0"),
        validators=[MaxValueValidator(Decimal("99.9999999999"), message="Enter a rate below 100% a year.")],
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.NumberInput(attrs={**DECIMAL, "step": "any"}),
    )


def _plain(value: Decimal) -> Decimal:
    """`value` without trailing zeros, never in exponent form (10, not 1E+1)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]


class ApplicationForm(forms.Form):
    """What every application has, whatever the instrument."""

    instrument = forms.ChoiceField(
        choices=INSTRUMENT_CHOICES, widget=forms.RadioSelect, label=_("How do you want to raise the money?")
    )
    title = form_fields.CharField(
        max_length=NAME_MAX_LENGTH,
        label=_("Title"),
        help_text=_("What investors will see, e.g. “Pearl River Robotics 6.5% Notes 2029”."),
    )
    currency = forms.ChoiceField(
        choices=CURRENCY_CHOICES,
        initial=Currency.HKD,
        label=_("Currency"),
        help_text=(
            _("The offering settles and pays in a stablecoin of this currency (renminbi in offshore CNH).")
        ),
    )
    target_amount = _amount(
        _("Target raise"),
        _(
            "The most you want to raise, a whole number of units. For a lease, "
            "this is the value of the asset."
        ),
    )
    minimum_amount = _amount(
        _("Minimum raise"),
        _("If investors subscribe less than this, the round is cancelled and nobody pays."),
    )
    use_of_proceeds = form_fields.CharField(
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Use of proceeds"),
        help_text=_("What the money will pay for."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].widget.attrs["class"] = "instrument-choice"

    def instrument_cards(self) -> list[dict[str, Any]]:
        """The instrument radios with their one-line explanations, for the chooser."""
        blurbs = {str(key): text for key, text in INSTRUMENT_BLURB.items()}
        return [{"radio": radio, "blurb": blurbs[str(radio.data["value"])]} for radio in self["instrument"]]


# --- applications: the terms of each instrument -------------------------------------------------

_CONVENTION_LABELS = [
    (
        BusinessDayConvention.MODIFIED_FOLLOWING,
        _("Next business day, unless that is next month (modified following)"),
    ),
    (BusinessDayConvention.FOLLOWING, _("Next business day (following)")),
    (BusinessDayConvention.UNADJUSTED, _("Pay on the date itself, holiday or not (unadjusted)")),
]
_AMORTIZATION_LABELS = [
    (Amortization.ANNUITY, _("The same payment every period (annuity)")),
    (Amortization.EQUAL_PRINCIPAL, _("The same principal every period, interest falling (equal principal)")),
    (Amortization.BULLET, _("Interest only, all principal at the end (bullet)")),
]
_TIMING_LABELS = [
    (PaymentTiming.ADVANCE, _("In advance (start of each period)")),
    (PaymentTiming.ARREARS, _("In arrears (end of each period)")),
]
_DAY_COUNT_LABELS = [
    (DayCount.ACT_365F, _("ACT/365 Fixed (actual days ÷ 365)")),
    (DayCount.ACT_360, _("ACT/360 (actual days ÷ 360)")),
    (DayCount.THIRTY_360, _("30/360 (every month counts 30 days)")),
]


def _convention() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=_CONVENTION_LABELS,
        initial=BusinessDayConvention.MODIFIED_FOLLOWING,
        label=_("When a payment date is a holiday"),
    )


def _calendar() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=HolidayCalendar.choices,
        initial=HolidayCalendar.HONG_KONG,
        label=_("Holidays"),
        help_text=_("Hong Kong public holidays, or weekends only."),
    )


def _term_months(label: str, help_text: str, *, required: bool) -> forms.IntegerField:
    return form_fields.IntegerField(
        min_value=1,
        max_value=600,
        required=required,
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class TermsForm(forms.Form):
    """The terms of one instrument, named as the service takes them; rates are typed as percentages."""

    instrument: ClassVar[str]
    legend: ClassVar[str]
    percent_fields: ClassVar[tuple[str, ...]] = ("annual_rate",)

    def to_terms(self) -> dict[str, Any]:
        """Cleaned data in the service's terms: blanks left out, percentages as fractions (6.5 -> 0.065)."""
        terms: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            terms[name] = value / HUNDRED if name in self.percent_fields else value
        return terms

    @classmethod
    def initial_from(cls, terms: Terms) -> dict[str, Any]:
        """The form's values for stored terms (rates back to percentages)."""
        initial: dict[str, Any] = {}
        for name in cls.base_fields:
            value = getattr(terms, name, None)
            if name in cls.percent_fields and value is not None:
                value = _plain(value * HUNDRED)
            if value not in (None, ""):
                initial[name] = value
        return initial


class BondTermsForm(TermsForm):
    instrument = Instrument.BOND
    legend = "Bond terms"

    unit_price = _amount(
        _("Face value per unit"), _("The price and redemption value of one bond."), initial=Decimal("1000")
    )
    annual_rate = _percent(_("Coupon"), _("Interest a year on the face value: 6.5 means 6.5%."))
    frequency = forms.ChoiceField(
        choices=Frequency.choices, initial=Frequency.SEMIANNUAL, label=_("Coupons paid")
    )
    start_date = form_fields.DateField(
        widget=DATE, label=_("Issue date"), help_text=_("When investors pay and interest starts.")
    )
    maturity_date = form_fields.DateField(
        widget=DATE, label=_("Maturity date"), help_text=_("When the face value is repaid.")
    )
    day_count = forms.ChoiceField(
        choices=_DAY_COUNT_LABELS,
        initial=DayCount.ACT_365F,
        label=_("Day count"),
        help_text=_("How a coupon is worked out from the days in the period."),
    )
    business_day_convention = _convention()
    calendar = _calendar()


class LoanTermsForm(TermsForm):
    instrument = Instrument.LOAN
    legend = "Loan terms"

    unit_price = _amount(
        _("Participation unit"),
        _("Investors lend in whole units of this size."),
        initial=Decimal("1000"),
    )
    annual_rate = _percent(_("Interest"), _("A year, on what is still owed: 8 means 8%."))
    start_date = form_fields.DateField(
        widget=DATE, label=_("Drawdown date"), help_text=_("When you receive the money.")
    )
    term_months = _term_months(
        _("Term in months"), _("Or leave blank and give a final repayment date."), required=False
    )
    maturity_date = form_fields.DateField(
        widget=DATE,
        required=False,
        label=_("…or final repayment date"),
        help_text=_("Only if you left the term blank."),
    )
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.MONTHLY, label=_("Repayments"))
    amortization = forms.ChoiceField(
        choices=_AMORTIZATION_LABELS,
        initial=Amortization.ANNUITY,
        widget=forms.RadioSelect,
        label=_("How the loan is repaid"),
    )
    grace_periods = form_fields.IntegerField(
        min_value=0,
        max_value=600,
        initial=0,
        required=False,
        label=_("Interest-only periods at the start"),
        help_text=_("Periods in which you pay only interest before repayments begin (grace periods)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    business_day_convention = _convention()
    calendar = _calendar()


class LeaseTermsForm(TermsForm):
    instrument = Instrument.LEASE
    legend = "Lease terms"

    PRICING = [("rate", _("I know the implicit rate")), ("rental", _("I know the rental"))]

    asset_description = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("What is being leased"),
        help_text=_("For example: two CNC machining centres, delivered to Dongguan."),
    )
    unit_price = _amount(
        _("Participation unit"),
        _("Investors fund the asset in whole units of this size."),
        initial=Decimal("1000"),
    )
    start_date = form_fields.DateField(
        widget=DATE, label=_("Lease starts"), help_text=_("The commencement date.")
    )
    term_months = _term_months(
        _("Lease term in months"), _("A whole number of rental periods."), required=True
    )
    frequency = forms.ChoiceField(
        choices=Frequency.choices, initial=Frequency.MONTHLY, label=_("Rentals paid")
    )
    payment_timing = forms.ChoiceField(
        choices=_TIMING_LABELS,
        initial=PaymentTiming.ARREARS,
        widget=forms.RadioSelect,
        label=_("Rentals are paid"),
    )
    residual_value = form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        initial=Decimal("0"),
        label=_("Residual value"),
        help_text=_("What the asset is still worth at the end, paid in the last row; 0 if none."),
        widget=forms.NumberInput(attrs={**DECIMAL, "step": "0.01"}),
    )
    pricing = forms.ChoiceField(
        choices=PRICING, initial="rate", widget=forms.RadioSelect, label=_("Price the lease by")
    )
    annual_rate = _percent(
        _("Implicit rate"),
        _("The rate a year the rentals pay on the asset value: 7.2 means 7.2%."),
        required=False,
    )
    rental = form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        label=_("Rental per period"),
        help_text=_("The implicit rate is worked out from it."),
        widget=forms.NumberInput(attrs={**DECIMAL, "step": "0.01"}),
    )
    business_day_convention = _convention()
    calendar = _calendar()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        pricing = data.get("pricing")
        wanted = "rental" if pricing == "rental" else "annual_rate"
        if pricing and data.get(wanted) is None and wanted not in self.errors:
            self.add_error(wanted, REQUIRED)
        return data

    def to_terms(self) -> dict[str, Any]:
        terms = super().to_terms()
        pricing = terms.pop("pricing", "rate")
        terms.pop("annual_rate" if pricing == "rental" else "rental", None)
        return terms


class EquityTermsForm(TermsForm):
    instrument = Instrument.EQUITY
    legend = "Equity terms"
    percent_fields = ()

    share_class = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        initial="Ordinary",
        label=_("Share class"),
        help_text=_("For example: Ordinary, Preferred A."),
    )
    unit_price = _amount(_("Price per share"), _("What an investor pays for one new share."))
    pre_money_valuation = _amount(
        _("Company value before this raise"),
        _("The pre-money valuation; the shares offered and the dilution follow from it."),
    )


class TradeTermsForm(TermsForm):
    instrument = Instrument.TRADE
    legend = "Trade finance terms"

    unit_price = _amount(
        _("Participation unit"),
        _("Investors fund in whole units of this size."),
        initial=Decimal("1000"),
    )
    annual_rate = _percent(
        _("Interest"), _("A year, paid once at maturity with the amount raised: 8 means 8%.")
    )
    start_date = form_fields.DateField(
        widget=DATE, label=_("Drawdown date"), help_text=_("When you receive the money.")
    )
    maturity_date = form_fields.DateField(
        widget=DATE,
        label=_("Repayment date"),
        help_text=_("Within a year, and on or after the latest due date of your invoices."),
    )
    business_day_convention = _convention()
    calendar = _calendar()


TERMS_FORMS: dict[str, type[TermsForm]] = {
    form.instrument: form
    for form in (BondTermsForm, LoanTermsForm, LeaseTermsForm, EquityTermsForm, TradeTermsForm)
}


# Service and schedule messages name fields as the API does (start_date); say them as the form does.
_API_WORDS = {
    "principal (the asset value)": "the asset value",
    "maturity_date": "the maturity date",
    "term_months": "the term in months",
    "annual_rate": "the rate",
    "residual_value": "the residual value",
    "grace_periods": "the interest-only periods",
}
_START_WORDS = {
    Instrument.BOND: "the issue date",
    Instrument.LOAN: "the drawdown date",
    Instrument.LEASE: "the lease start",
    Instrument.TRADE: "the drawdown date",
}
_API_PATTERN = re.compile("|".join(re.escape(word) for word in (*_API_WORDS, "start_date")))


def humanize(message: str, instrument: str | None) -> str:
    """A service message with the API's field names replaced by words an SME uses."""

    def word(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "start_date":
            return _START_WORDS.get(instrument or "", "the start date")  # type: ignore[call-overload]
        return _API_WORDS[text]

    return _API_PATTERN.sub(word, message)


@dataclass
class Problems:
    """Why a preview cannot be drawn yet: fields still empty, and messages by field label."""

    missing: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    general: list[str] = field(default_factory=list)

    def add(self, label: str, message: str) -> None:
        if message == REQUIRED:
            if label not in self.missing:
                self.missing.append(label)
        else:
            self.errors.append((label, message))

    def __bool__(self) -> bool:
        return bool(self.missing or self.errors or self.general)


class ApplicationForms:
    """The common form and one terms form per instrument, shown together.

    Only the chosen instrument's terms form is bound and validated, so the page works without
    JavaScript (every instrument's fields shown, the others ignored on submit).
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        initial: Mapping[str, Any] | None = None,
        terms_initial: Mapping[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        self.form = ApplicationForm(data, initial=initial)
        chosen = data.get("instrument") if data is not None else initial.get("instrument")
        self.instrument: str | None = chosen if chosen in TERMS_FORMS else None
        self.terms: dict[str, TermsForm] = {
            name: form_class(
                data if data is not None and name == self.instrument else None,
                prefix=name,
                initial=(terms_initial or {}).get(name),
            )
            for name, form_class in TERMS_FORMS.items()
        }

    @classmethod
    def for_application(
        cls, application: Application, data: Mapping[str, Any] | None = None
    ) -> ApplicationForms:
        """The forms filled in with an existing application (rates back to percentages)."""
        initial = {
            name: getattr(application, name)
            for name in (
                "instrument",
                "title",
                "currency",
                "target_amount",
                "minimum_amount",
                "use_of_proceeds",
            )
        }
        terms_form = TERMS_FORMS[application.instrument]
        return cls(
            data,
            initial=initial,
            terms_initial={application.instrument: terms_form.initial_from(application.terms)},
        )

    @property
    def chosen(self) -> TermsForm | None:
        """The terms form of the chosen instrument (None until one is chosen)."""
        return self.terms.get(self.instrument or "")

    @property
    def currency(self) -> str:
        """The currency to label amounts with while the form is filled in."""
        value = self.form.data.get("currency") if self.form.is_bound else self.form.initial.get("currency")
        return value if value in Currency.values else Currency.HKD

    def terms_forms(self) -> list[TermsForm]:
        return list(self.terms.values())

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        chosen = self.chosen
        if chosen is None:
            return False
        return chosen.is_valid() and valid

    @property
    def errors(self) -> dict[str, list[str]]:
        """Every error shown: the common fields' and the chosen terms' (by the service's field names)."""
        errors = {name: list(messages) for name, messages in self.form.errors.items()}
        if self.chosen is not None and self.chosen.is_bound:
            for name, messages in self.chosen.errors.items():
                errors.setdefault(name, []).extend(messages)
        return errors

    def service_kwargs(self) -> dict[str, Any]:
        """The service's arguments: the common fields, and the chosen instrument's terms."""
        assert self.chosen is not None
        data = dict(self.form.cleaned_data)
        return {**data, "terms": self.chosen.to_terms()}

    def _field_of(self, name: str) -> tuple[forms.Form, str | None]:
        """Which form shows a service message about `name`, and under which field (None: the whole form)."""
        chosen = self.chosen
        if name == "principal":
            name = "target_amount"
        if (
            chosen is not None
            and name == "annual_rate"
            and chosen.data.get(f"{chosen.prefix}-pricing") == "rental"
        ):
            name = "rental"
        if chosen is not None and name in chosen.fields:
            return chosen, name
        if name in self.form.fields:
            return self.form, name
        return self.form, None

    def apply_errors(self, exc: ApplicationError) -> None:
        """Show a service refusal on the fields it names (unknown fields on the whole form)."""
        for name, messages in exc.fields.items():
            form, target = self._field_of(name)
            for message in messages:
                form.add_error(target, humanize(message, self.instrument))
        if not exc.fields:
            self.form.add_error(None, exc.message)

    def label_of(self, name: str) -> str:
        form, target = self._field_of(name)
        if target is None:
            return name.replace("_", " ").capitalize()
        if target == "target_amount" and self.instrument == Instrument.LEASE:
            return gettext("Asset value (the target raise)")
        return str(form.fields[target].label)

    def preview_input(self) -> tuple[dict[str, Any] | None, Problems]:
        """What the schedule preview needs (instrument, currency, target, terms), or why it cannot run yet.

        Only the fields a schedule depends on count: the title or the minimum raise may still be empty.
        """
        problems = Problems()
        chosen = self.chosen
        if chosen is None:
            problems.general.append(gettext("Choose how you want to raise the money to see a preview."))
            return None, problems
        self.form.is_valid()
        chosen.is_valid()
        for name in ("currency", "target_amount"):
            for message in self.form.errors.get(name, []):
                problems.add(self.label_of(name), message)
        for name, messages in chosen.errors.items():
            for message in messages:
                problems.add(self.label_of(name), message)
        if problems:
            return None, problems
        data = self.form.cleaned_data
        kwargs = {
            "instrument": self.instrument,
            "currency": data["currency"],
            "target_amount": data["target_amount"],
            "terms": chosen.to_terms(),
        }
        return kwargs, problems

    def problems_from(self, exc: ApplicationError) -> Problems:
        """A refusal of the preview, by field label, in the form's words."""
        problems = Problems()
        for name, messages in exc.fields.items():
            for message in messages:
                problems.add(self.label_of(name), humanize(message, self.instrument))
        if not exc.fields:
            problems.general.append(exc.message)
        return problems


# --- investors ------------------------------------------------------------------------------------


class KycForm(PepFieldsForm):
    """An investor's due-diligence details (the people and evidence files have their own forms)."""

    investor_type = forms.ChoiceField(
        choices=InvestorType.choices, widget=forms.RadioSelect, label=_("I invest as")
    )
    legal_name = form_fields.CharField(
        max_length=NAME_MAX_LENGTH, label=_("Legal name"), help_text=_("As on your identity document.")
    )
    country = forms.ChoiceField(label=_("Country of residence or incorporation"))
    residency = forms.ChoiceField(
        choices=[("", _("Choose where you live or are established")), *DECLARABLE_RESIDENCIES],
        label=_("Where you live or are established"),
        help_text=_(
            "Hong Kong, Macao, a mainland city of the Greater Bay Area, elsewhere on the mainland, or "
            "abroad: it decides which companies' personal records may be shared with you."
        ),
    )
    birth_date = form_fields.DateField(
        widget=form_fields.DayMonthYearInput(),
        required=False,
        label=_("Date of birth"),
        help_text=_("Individuals: as on your identity document."),
    )
    id_document_number = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        label=_("Identity document number"),
        help_text=_("Passport, HKID or company registration number."),
    )
    declared_portfolio_hkd = form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0"),
        label=_("Portfolio (HKD)"),
        help_text=_("Securities and cash held, as your evidence shows."),
    )
    total_assets_hkd = form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0"),
        required=False,
        label=_("Total assets (HKD)"),
        help_text=_("Corporations, partnerships and trust corporations: as in the latest audited accounts."),
    )
    claims_professional = forms.BooleanField(
        required=False,
        label=_("I claim professional-investor status (Cap. 571D) and upload the evidence"),
        help_text=_(
            "Individual: portfolio of HK$8,000,000 or more. Corporation or "
            "partnership: portfolio of HK$8,000,000 or total assets of "
            "HK$40,000,000 or more. Trust corporation: total assets of "
            "HK$40,000,000 or more. Compliance verifies it against your dated "
            "evidence."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *countries]  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["total_assets_hkd"] = data.get("total_assets_hkd") or Decimal("0")
        return data


class InvestorPersonForm(PepFieldsForm):
    """A director or beneficial owner of a corporate or trust investor."""

    full_name = form_fields.CharField(max_length=NAME_MAX_LENGTH, label=_("Full name"))
    nationality = forms.ChoiceField(label=_("Nationality"))
    residency = residency_field()
    birth_date = form_fields.DateField(widget=form_fields.DayMonthYearInput(), label=_("Date of birth"))
    is_director = forms.BooleanField(required=False, label=_("Director"))
    is_beneficial_owner = forms.BooleanField(required=False, label=_("Beneficial owner"))
    ownership_percent = form_fields.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        initial=Decimal("0"),
        label=_("Ownership (%)"),
        help_text=_("Shares or control held, 0 to 100."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nationality"].choices = [("", "Choose a nationality"), *countries]  # type: ignore[attr-defined]


class InvestorDocumentForm(forms.Form):
    """One KYC evidence file; professional-investor evidence also says what it is and its own date."""

    kind = forms.ChoiceField(
        choices=[("", _("Choose the document")), *InvestorDocumentKind.choices], label=_("Document")
    )
    evidence_type = forms.ChoiceField(
        choices=[("", _("Not PI evidence")), *PiEvidenceType.choices],
        required=False,
        label=_("Evidence type"),
        help_text=_("Professional-investor evidence only."),
    )
    document_date = form_fields.DateField(
        widget=form_fields.DayMonthYearInput(),
        required=False,
        label=_("Document date"),
        help_text=_("The date the statement, certificate or accounts carry (PI evidence only)."),
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG or JPEG, up to 10 MB."))


class SubscribeForm(forms.Form):
    """Units of an offering."""

    units = form_fields.IntegerField(
        min_value=1, label=_("Units"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class FaucetForm(forms.Form):
    """A test stablecoin (one per currency) for the demo."""

    amount = form_fields.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100000000"),
        initial=Decimal("1000000"),
        label=_("Amount"),
    )
    currency = forms.ChoiceField(
        choices=PaymentCurrency.choices, initial=PaymentCurrency.HKD, label=_("Test stablecoin")
    )


class OfferingCancelForm(ActionForm):
    """Call off an offering: the reason is required; the issuer, every subscribed investor and the audit
    trail read it."""

    reason = form_fields.CharField(
        max_length=REASON_MAX_LENGTH,
        label=_("Why is the offering cancelled?"),
        help_text=_("The issuer and every investor who subscribed read this, with your name and the date."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AllotmentWriteOffForm(ActionForm):
    """Write off a failed allotment: the reason is required; the investor and the audit trail see it."""

    reason = form_fields.CharField(max_length=REASON_MAX_LENGTH, label=_("Reason for the write-off"))


class PaymentFundForm(forms.Form):
    """Fund one payment: exactly the amount due, from the company's wallet."""

    amount = form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label=_("Amount to fund"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class DividendForm(forms.Form):
    """Declare a dividend on shares: total amount, record date and payment date."""

    amount = form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label=_("Dividend, total for all shares"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    record_date = form_fields.DateField(label=_("Record date"), widget=form_fields.DayMonthYearInput())
    payment_date = form_fields.DateField(label=_("Payment date"), widget=form_fields.DayMonthYearInput())


class TransferForm(forms.Form):
    """Units of a holding to another investor, free or at a price."""

    units = form_fields.IntegerField(
        min_value=1,
        max_value=10**12,
        label=_("Units"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    recipient_reference = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH,
        label=_("The recipient's investor reference"),
        help_text=_(
            "They find it on their portfolio's Transfers page (e.g. "
            "INV-12-3F9A0C7D21). We do not look people up by email, so nobody can "
            "find out who invests here."
        ),
    )
    price = form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        label=_("Price for all the units (empty for a gift)"),
        help_text=_(
            "A sale waits for the buyer to accept; then the units and the money move together, once."
        ),
    )


# The longest period one statement covers.
STATEMENT_MAX_DAYS = 366 * 10


class StatementPeriodForm(forms.Form):
    """The period of a statement: from and to, both days included, not in the future."""

    date_from = form_fields.DateField(label=_("From"), widget=DATE)
    date_to = form_fields.DateField(label=_("To"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", gettext("The end must be on or after the start."))
            elif end > timezone.localdate():
                self.add_error("date_to", gettext("The period ends today at the latest."))
            elif (end - start).days > STATEMENT_MAX_DAYS:
                self.add_error("date_from", gettext("A statement covers at most ten years."))
        return data


def statement_form_initial() -> StatementPeriodForm:
    """The statement form as the transactions page first shows it: the year to date."""
    today = timezone.localdate()
    return StatementPeriodForm(initial={"date_from": today.replace(month=1, day=1), "date_to": today})


class SubscriptionConfirmForm(forms.Form):
    """The review step's confirmation: the units reviewed, and the texts accepted by ticking."""

    units = form_fields.IntegerField(min_value=1, max_value=10**12, widget=forms.HiddenInput)
    risk_disclosure_version = form_fields.CharField(
        max_length=SHORT_TEXT_MAX_LENGTH, widget=forms.HiddenInput
    )
    agreement_version = form_fields.CharField(max_length=SHORT_TEXT_MAX_LENGTH, widget=forms.HiddenInput)
    accept_risk = forms.BooleanField(
        label=_("I have read and understood the risk disclosure."),
        error_messages={"required": _("Tick to confirm you read the risk disclosure.")},
    )
    accept_agreement = forms.BooleanField(
        label=_("I accept the subscription agreement."),
        error_messages={"required": _("Tick to accept the subscription agreement.")},
    )

    HIDDEN = ("units", "risk_disclosure_version", "agreement_version")

    def add_error(self, field: str | None, error: Any) -> None:
        """A message about a hidden field (a changed text's version, the units) is shown above the form."""
        super().add_error(None if field in self.HIDDEN else field, error)

    def service_kwargs(self) -> dict[str, Any]:
        """The versions count only when their box is ticked (the form requires both)."""
        data = self.cleaned_data
        return {
            "units": data["units"],
            "risk_disclosure_version": data["risk_disclosure_version"] if data.get("accept_risk") else "",
            "agreement_version": data["agreement_version"] if data.get("accept_agreement") else "",
        }


class MarketplaceFilterForm(forms.Form):
    """The marketplace's filters, read from the query string (bookmarkable); unknown values are ignored."""

    instrument = forms.ChoiceField(
        choices=[("", _("Any instrument")), *Instrument.choices], required=False, label=_("Instrument")
    )
    currency = forms.ChoiceField(
        choices=[("", _("Any currency")), *Currency.choices], required=False, label=_("Currency")
    )
    tag = forms.MultipleChoiceField(
        choices=OfferingTag.choices,
        required=False,
        label=_("Issuer tags"),
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(
        choices=MarketplaceStatus.choices, required=False, label=_("Status"), initial=MarketplaceStatus.OPEN
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is dropped rather than refusing the page); open by default."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "instrument": data.get("instrument") or "",
            "currency": data.get("currency") or "",
            "tags": [t for t in data.get("tag") or [] if t in OfferingTag.values],
            "status": data.get("status") or MarketplaceStatus.OPEN,
        }


class OfferingDocumentForm(forms.Form):
    """A document investors read before subscribing."""

    kind = forms.ChoiceField(
        choices=[("", _("Choose the document")), *OfferingDocumentKind.choices], label=_("Document")
    )
    title = form_fields.CharField(
        max_length=NAME_MAX_LENGTH,
        label=_("Title"),
        help_text=_("As investors should see it, e.g. 'Term sheet, November 2026'."),
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG or JPEG, up to 10 MB."))
