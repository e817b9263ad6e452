"""An instrument's schedule terms: parsing them from API input and checking every rule at once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from django.utils.translation import gettext

from config.errors import ValidationFailed
from config.text import NON_ASCII_DIGITS, has_non_ascii
from financing.calendars import CALENDARS, CONVENTIONS, HK_LAST_YEAR, adjust
from financing.schedules.annuity import TIMINGS
from financing.schedules.dates import MONTHS_PER_PERIOD, grid_date, whole_periods
from financing.schedules.money import CALC, MINOR_UNITS, ZERO, has_at_most_minor_units

INSTRUMENTS: Final = ("equity", "loan", "bond", "lease")
CURRENCIES: Final = tuple(MINOR_UNITS)
FREQUENCIES: Final = tuple(MONTHS_PER_PERIOD)
AMORTIZATIONS: Final = ("annuity", "equal_principal", "bullet")
DAY_COUNTS: Final = ("act_365f", "act_360", "thirty_360")
BUSINESS_DAY_CONVENTIONS: Final = tuple(sorted(CONVENTIONS))
CALENDAR_NAMES: Final = tuple(sorted(CALENDARS))
PAYMENT_TIMINGS: Final = tuple(sorted(TIMINGS))

# What each instrument amortizes by when `amortization` is not given; bonds and leases allow only this.
DEFAULT_AMORTIZATION: Final[dict[str, str]] = {"loan": "annuity", "bond": "bullet", "lease": "annuity"}

# The largest amount a money column of the database holds (18 digits, 2 decimal places).
MAX_PRINCIPAL: Final = Decimal("9999999999999999.99")
MAX_RATE: Final = Decimal(1)  # exclusive: a fraction, 0.05 is 5% a year
RATE_PLACES: Final = 12
MAX_TERM_MONTHS: Final = 600
MAX_GRACE_PERIODS: Final = MAX_TERM_MONTHS
FIRST_DATE: Final = dt.date(1950, 1, 1)
LAST_DATE: Final = dt.date(HK_LAST_YEAR, 12, 31)

REQUIRED: Final = "This field is required."
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d{1,9}")
_MAX_NUMBER_TEXT: Final = 64


@dataclass(frozen=True)
class ScheduleTerms:
    """The terms a schedule is built from; field names are the API's.

    `principal` is the amount lent (loan), the face value (bond), the asset value (lease) or the
    amount raised (equity). `annual_rate` is a decimal fraction a year: Decimal("0.05") is 5%.
    `amortization` None means the instrument's own (see DEFAULT_AMORTIZATION). Equity needs only
    instrument, currency and principal; its other fields are ignored.
    """

    instrument: str
    currency: str
    principal: Decimal
    annual_rate: Decimal | None = None
    start_date: dt.date | None = None
    maturity_date: dt.date | None = None
    term_months: int | None = None
    frequency: str | None = None
    amortization: str | None = None
    grace_periods: int = 0
    day_count: str = "act_365f"
    business_day_convention: str = "modified_following"
    calendar: str = "HK"
    residual_value: Decimal = ZERO
    payment_timing: str = "arrears"

    @property
    def resolved_amortization(self) -> str:
        """`amortization`, or the instrument's default when it is not given."""
        return self.amortization or DEFAULT_AMORTIZATION.get(self.instrument, "bullet")

    @property
    def months_per_period(self) -> int:
        """Calendar months between two payments."""
        return MONTHS_PER_PERIOD[self.frequency or ""]

    @property
    def maturity(self) -> dt.date:
        """The unadjusted end of the term: `maturity_date`, or `term_months` after the start."""
        if self.maturity_date is not None:
            return self.maturity_date
        if self.start_date is None or self.term_months is None:
            raise ValueError("terms without a start or an end; validate them first")
        return grid_date(self.start_date, self.term_months)

    @property
    def periods(self) -> int:
        """Payment periods of a loan or lease (whole periods of its grid)."""
        if self.term_months is not None:
            return self.term_months // self.months_per_period
        if self.start_date is None or self.maturity_date is None:
            raise ValueError("terms without a start or an end; validate them first")
        periods = whole_periods(self.start_date, self.maturity_date, self.months_per_period)
        if periods is None:
            raise ValueError("maturity_date is off the payment grid; validate the terms first")
        return periods


def terms_from_mapping(data: Mapping[str, object]) -> ScheduleTerms:
    """Parse API input (decimals as strings, ISO dates) into terms, or refuse with every field error.

    Missing fields, None and blank strings mean "not given". Unknown keys are ignored. Raises one
    ValidationFailed whose `fields` holds a message list for every field that is wrong.
    """
    parser = _Parser(data)
    terms = ScheduleTerms(
        instrument=parser.text("instrument", default=""),
        currency=parser.text("currency", default=""),
        principal=parser.decimal("principal", default=ZERO),
        annual_rate=parser.optional_decimal("annual_rate"),
        start_date=parser.date("start_date"),
        maturity_date=parser.date("maturity_date"),
        term_months=parser.optional_integer("term_months"),
        frequency=parser.optional_text("frequency"),
        amortization=parser.optional_text("amortization"),
        grace_periods=parser.integer("grace_periods", default=0),
        day_count=parser.text("day_count", default="act_365f"),
        business_day_convention=parser.text("business_day_convention", default="modified_following"),
        calendar=parser.text("calendar", default="HK"),
        residual_value=parser.decimal("residual_value", default=ZERO),
        payment_timing=parser.text("payment_timing", default="arrears"),
    )
    for name in ("instrument", "currency", "principal"):
        if name not in parser.errors and _missing(data.get(name)):
            parser.errors[name] = [REQUIRED]
    errors = parser.errors
    for name, messages in _rule_errors(terms, skip=frozenset(errors)).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationFailed(gettext("The financing terms are not valid."), fields=errors)
    return terms


def validate_terms(terms: ScheduleTerms) -> None:
    """Refuse terms that break a rule (terms built in code, not parsed, pass through here too)."""
    errors = _rule_errors(terms, skip=frozenset())
    if errors:
        raise ValidationFailed(gettext("The financing terms are not valid."), fields=errors)


def _rule_errors(t: ScheduleTerms, *, skip: frozenset[str]) -> dict[str, list[str]]:
    """Every broken rule, keyed by field; rules involving a field in `skip` (unparseable) are not checked."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    def usable(*names: str) -> bool:
        return not any(name in skip or name in errors for name in names)

    _choose(t.instrument, "instrument", INSTRUMENTS, usable, add)
    _choose(t.currency, "currency", CURRENCIES, usable, add)
    if usable("principal"):
        if t.principal <= ZERO:
            add("principal", "Must be more than zero.")
        elif t.principal > MAX_PRINCIPAL:
            add("principal", f"Must be at most {MAX_PRINCIPAL:,}.")
        elif usable("currency") and not has_at_most_minor_units(t.principal, t.currency):
            add("principal", f"Use at most {MINOR_UNITS[t.currency]} decimal places for {t.currency}.")
    if usable("instrument") and t.instrument == "equity":
        return errors  # equity pays no scheduled cash flows; nothing else applies
    instrument = t.instrument if usable("instrument") else None

    _choose(t.frequency, "frequency", FREQUENCIES, usable, add)
    _choose(t.day_count, "day_count", DAY_COUNTS, usable, add)
    _choose(t.business_day_convention, "business_day_convention", BUSINESS_DAY_CONVENTIONS, usable, add)
    _choose(t.calendar, "calendar", CALENDAR_NAMES, usable, add)
    _choose(t.payment_timing, "payment_timing", PAYMENT_TIMINGS, usable, add)
    if t.amortization is not None:
        _choose(t.amortization, "amortization", AMORTIZATIONS, usable, add)

    if usable("annual_rate"):
        if t.annual_rate is None:
            add("annual_rate", REQUIRED)
        elif not ZERO <= t.annual_rate < MAX_RATE:
            add(
                "annual_rate",
                "Give the annual rate as a fraction from 0 up to (not including) 1: 0.05 is 5%.",
            )
        elif not _has_at_most_places(t.annual_rate, RATE_PLACES):
            add("annual_rate", f"Use at most {RATE_PLACES} decimal places.")

    for name, day in (("start_date", t.start_date), ("maturity_date", t.maturity_date)):
        if usable(name) and day is not None and not FIRST_DATE <= day <= LAST_DATE:
            add(name, f"Must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}.")
    if usable("start_date") and t.start_date is None:
        add("start_date", REQUIRED)
    if usable("term_months") and t.term_months is not None and not 1 <= t.term_months <= MAX_TERM_MONTHS:
        add("term_months", f"Must be between 1 and {MAX_TERM_MONTHS} months.")
    if usable("maturity_date", "term_months"):
        if t.maturity_date is not None and t.term_months is not None:
            for name in ("maturity_date", "term_months"):
                add(name, "Give either maturity_date or term_months, not both.")
        elif t.maturity_date is None and t.term_months is None:
            for name in ("maturity_date", "term_months"):
                add(name, "Give maturity_date or term_months.")
    if usable("start_date", "maturity_date") and t.start_date and t.maturity_date:
        if t.maturity_date <= t.start_date:
            add("maturity_date", "Must be after start_date.")
        elif t.maturity_date > grid_date(t.start_date, MAX_TERM_MONTHS):
            add("maturity_date", f"Must be at most {MAX_TERM_MONTHS} months after start_date.")
    if (
        usable("start_date", "term_months")
        and t.start_date
        and t.term_months is not None
        and grid_date(t.start_date, t.term_months) > LAST_DATE
    ):
        add("term_months", f"The term must end by {LAST_DATE.isoformat()}.")

    if usable("grace_periods") and not 0 <= t.grace_periods <= MAX_GRACE_PERIODS:
        add("grace_periods", f"Must be between 0 and {MAX_GRACE_PERIODS}.")
    if usable("residual_value"):
        if t.residual_value < ZERO:
            add("residual_value", "Must not be negative.")
        elif t.residual_value > MAX_PRINCIPAL:
            add("residual_value", f"Must be at most {MAX_PRINCIPAL:,}.")
        elif usable("currency") and not has_at_most_minor_units(t.residual_value, t.currency):
            add("residual_value", f"Use at most {MINOR_UNITS[t.currency]} decimal places for {t.currency}.")

    if instrument is not None:
        _instrument_rules(t, instrument, usable, add)
    return errors


def _instrument_rules(
    t: ScheduleTerms, instrument: str, usable: Callable[..., bool], add: Callable[[str, str], None]
) -> None:
    """The rules that depend on which instrument the terms describe."""
    amortization = t.resolved_amortization
    if usable("amortization") and t.amortization is not None:
        if instrument == "bond" and t.amortization != "bullet":
            add("amortization", "A bond repays its face value at maturity: use bullet.")
        elif instrument == "lease" and t.amortization != "annuity":
            add("amortization", "Lease rentals are level: use annuity.")
    if usable("day_count") and instrument != "bond" and t.day_count != "act_365f":
        add(
            "day_count",
            "Only bonds accrue by day count; loans and leases charge the annual rate divided by "
            "the payments per year.",
        )
    if usable("payment_timing") and instrument != "lease" and t.payment_timing != "arrears":
        add("payment_timing", "Only lease rentals can be paid in advance.")
    if usable("residual_value") and instrument != "lease" and t.residual_value != ZERO:
        add("residual_value", "Only leases have a residual value.")
    if usable("residual_value", "principal") and instrument == "lease" and t.residual_value >= t.principal:
        add("residual_value", "Must be less than principal (the asset value).")
    if usable("grace_periods") and t.grace_periods:
        if instrument != "loan":
            add("grace_periods", "Only loans have grace periods.")
        elif usable("amortization") and amortization == "bullet":
            add(
                "grace_periods",
                "A bullet loan pays only interest until maturity; grace periods do not apply.",
            )

    if instrument == "bond":
        _bond_term_rules(t, usable, add)
    if instrument not in ("loan", "lease") or not usable("start_date", "frequency") or t.start_date is None:
        return
    months = t.months_per_period
    if usable("term_months") and t.term_months is not None and t.maturity_date is None:
        if t.term_months % months:
            add("term_months", f"Must be a whole number of {t.frequency} periods (a multiple of {months}).")
            return
    elif usable("maturity_date") and t.maturity_date is not None and t.term_months is None:
        if t.maturity_date <= t.start_date:
            return
        if whole_periods(t.start_date, t.maturity_date, months) is None:
            add(
                "maturity_date",
                f"Must fall a whole number of {t.frequency} periods after start_date, "
                f"e.g. {_next_grid_date(t.start_date, t.maturity_date, months).isoformat()}.",
            )
            return
    else:
        return
    if (
        usable("grace_periods", "amortization")
        and instrument == "loan"
        and amortization != "bullet"
        and t.grace_periods >= t.periods
    ):
        add("grace_periods", f"Must leave at least one repayment: at most {t.periods - 1} for this term.")


def _bond_term_rules(t: ScheduleTerms, usable: Callable[..., bool], add: Callable[[str, str], None]) -> None:
    """A bond must accrue for at least one day between its adjusted issue and maturity dates."""
    term_field = "term_months" if t.maturity_date is None else "maturity_date"
    if not usable("start_date", "maturity_date", "term_months", "business_day_convention", "calendar"):
        return
    if t.start_date is None or t.start_date >= t.maturity:
        return
    convention, calendar = t.business_day_convention, t.calendar
    if adjust(t.maturity, convention, calendar) <= adjust(t.start_date, convention, calendar):
        add(term_field, "The term must end on a later business day than start_date.")


def _choose(
    value: str | None,
    name: str,
    choices: tuple[str, ...],
    usable: Callable[..., bool],
    add: Callable[[str, str], None],
) -> None:
    if not usable(name):
        return
    if value is None:
        add(name, REQUIRED)
    elif value not in choices:
        add(name, f"Choose one of: {', '.join(choices)}.")


def _next_grid_date(start: dt.date, after: dt.date, months_per_period: int) -> dt.date:
    """The first date of the payment grid on or after `after`."""
    months = (
        ((after.year - start.year) * 12 + after.month - start.month) // months_per_period * months_per_period
    )
    while grid_date(start, months) < after:
        months += months_per_period
    return grid_date(start, months)


def _has_at_most_places(value: Decimal, places: int) -> bool:
    try:
        return value == value.quantize(Decimal(1).scaleb(-places), context=CALC)
    except InvalidOperation:
        return False


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Parser:
    """Reads typed values out of API input, recording one message per unparseable field."""

    def __init__(self, data: Mapping[str, object]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def _fail(self, name: str, message: str) -> None:
        self.errors[name] = [message]

    def optional_text(self, name: str) -> str | None:
        value = self.data.get(name)
        if _missing(value):
            return None
        if not isinstance(value, str):
            self._fail(name, "Must be a string.")
            return None
        return value.strip()

    def text(self, name: str, *, default: str) -> str:
        value = self.optional_text(name)
        return default if value is None else value

    def _non_ascii(self, name: str, value: object) -> bool:
        """Refuse a number or date typed in another script's digits (`Decimal` and `\\d` would read them)."""
        if isinstance(value, str) and has_non_ascii(value):
            self._fail(name, str(NON_ASCII_DIGITS))
            return True
        return False

    def optional_decimal(self, name: str) -> Decimal | None:
        value = self.data.get(name)
        if _missing(value) or self._non_ascii(name, value):
            return None
        if isinstance(value, Decimal):
            parsed = value
        elif isinstance(value, int) and not isinstance(value, bool):
            parsed = Decimal(value)
        elif isinstance(value, str) and len(value) <= _MAX_NUMBER_TEXT:
            try:
                parsed = Decimal(value.strip())
            except InvalidOperation:
                self._fail(name, 'Enter a number, e.g. "1000.00".')
                return None
        elif isinstance(value, float):
            # Binary floats cannot hold most decimal amounts exactly; accepting one would hide a cent error.
            self._fail(name, 'Send the number as a string, e.g. "1000.00", not as a float.')
            return None
        else:
            self._fail(name, 'Enter a number, e.g. "1000.00".')
            return None
        if not parsed.is_finite():
            self._fail(name, "Enter a finite number.")
            return None
        return parsed

    def decimal(self, name: str, *, default: Decimal) -> Decimal:
        value = self.optional_decimal(name)
        return default if value is None else value

    def optional_integer(self, name: str) -> int | None:
        value = self.data.get(name)
        if _missing(value) or self._non_ascii(name, value):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return int(value.strip())
        self._fail(name, "Enter a whole number.")
        return None

    def integer(self, name: str, *, default: int) -> int:
        value = self.optional_integer(name)
        return default if value is None else value

    def date(self, name: str) -> dt.date | None:
        value = self.data.get(name)
        if _missing(value) or self._non_ascii(name, value):
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self._fail(name, "Enter a date as YYYY-MM-DD.")
        return None
