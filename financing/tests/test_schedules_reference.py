"""The schedules agree to the cent with independent references over many generated cases.

References: QuantLib for bonds (schedule rolled backward from maturity, calendar adjustment,
day counts, FixedRateBond coupon amounts), numpy-financial for loans and leases (pmt, ipmt, ppmt,
fv, rate). QuantLib is a test-only dependency; production code never imports it.

How the references' rounding is aligned with ours (ROUND_HALF_UP to cents):

* Both references compute in binary floating point, so their unrounded amount is taken exactly
  (``Decimal(float)``) and rounded half up to the cent. Where that float lies within its own
  rounding noise (1e-13 of the principal, plus 1e-9) of a half cent, the float cannot say which
  way the exact value rounds; there either neighbouring cent is the reference's answer. The
  half-up rule itself is pinned by exact examples in test_schedules.py.
* numpy-financial's ipmt/ppmt describe an unrounded schedule, while a real schedule charges
  interest on the balance actually outstanding, in cents. The to-the-cent reference is therefore
  the spreadsheet construction an accountant would check us with: the level payment is
  ROUND(pmt), each period's interest is ROUND(ipmt) of a one-period loan of the carried balance,
  principal is payment less interest, and the last period settles the balance. The textbook
  ipmt/ppmt/fv of the unrounded schedule are then checked within the drift that cent rounding can
  cause (at most a cent a period, compounded), which is derived, not tuned.
* QuantLib's Schedule, with its end-of-month flag, also moves the issue date to a month end and
  rolls a Following date back to the month's last business day. Our end-of-month rule applies the
  convention to calendar month ends like any other date and keeps the issue date, so when the
  maturity is a month end the reference takes QuantLib's unadjusted backward dates and adjusts
  them with QuantLib's calendar. Otherwise QuantLib's own adjusted schedule is used as is.
* QuantLib's Hong Kong calendar only knows lunar holidays to 2026 and misses some substitute days,
  so the bond reference uses a QuantLib BespokeCalendar loaded with the same HK holidays as ours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import numpy_financial as npf
import pytest
import QuantLib as ql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ValidationFailed
from financing.calendars import hk_holidays
from financing.schedules import ScheduleTerms, build_schedule, implicit_rate, level_payment, to_minor
from financing.schedules.dates import MONTHS_PER_PERIOD

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")
REFERENCE = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

QL_CONVENTIONS = {
    "following": ql.Following,
    "modified_following": ql.ModifiedFollowing,
    "unadjusted": ql.Unadjusted,
}
QL_DAY_COUNTS = {
    "act_365f": ql.Actual365Fixed(),
    "act_360": ql.Actual360(),
    "thirty_360": ql.Thirty360(ql.Thirty360.BondBasis),
    "thirty_e_360": ql.Thirty360(ql.Thirty360.European),
}


@pytest.fixture(autouse=True, scope="module")
def _quiet_numpy_at_zero_rates() -> Iterator[None]:
    # numpy-financial evaluates both branches of np.where, dividing by a zero rate it then discards.
    with np.errstate(divide="ignore", invalid="ignore"):
        yield


def _quantlib_hk_calendar() -> ql.Calendar:
    calendar = ql.BespokeCalendar("HK general holidays (from the holidays package)")
    calendar.addWeekend(ql.Saturday)
    calendar.addWeekend(ql.Sunday)
    for year in range(2015, 2101):
        for day in hk_holidays(year):
            calendar.addHoliday(ql_date(day))
    return calendar


def ql_date(day: dt.date) -> ql.Date:
    return ql.Date(day.day, day.month, day.year)


def py_date(day: ql.Date) -> dt.date:
    return dt.date(day.year(), day.month(), day.dayOfMonth())


HK_QL = _quantlib_hk_calendar()


def reference_cents(value: float, ours: Decimal, scale: Decimal) -> Decimal:
    """A reference's float amount in cents (half up), our cent accepted where the float is a tie."""
    exact = Decimal(value)
    tie = exact.quantize(CENT, rounding=ROUND_DOWN) + HALF_CENT
    noise = scale * Decimal("1e-13") + Decimal("1e-9")
    if abs(exact - tie) <= noise and ours in (tie - HALF_CENT, tie + HALF_CENT):
        return ours
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


# --- generated terms -------------------------------------------------------------------------------


@st.composite
def days(draw: st.DrawFn, first: dt.date, last: dt.date) -> dt.date:
    """Any day, with month ends (the end-of-month rule) drawn a quarter of the time."""
    day = draw(st.dates(first, last))
    if draw(st.integers(0, 3)) == 0:
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return min(day, last)


amounts = st.integers(1_000_00, 50_000_000_00).map(lambda cents: Decimal(cents) / 100)
rates = st.integers(0, 300_000).map(lambda millionths: Decimal(millionths) / 1_000_000)  # 0%..30%, 6 dp
frequencies = st.sampled_from(tuple(MONTHS_PER_PERIOD))


@st.composite
def bond_terms(draw: st.DrawFn, *, defaults: bool) -> ScheduleTerms:
    start = draw(days(dt.date(2020, 1, 1), dt.date(2045, 12, 31)))
    if draw(st.booleans()):
        term_months, maturity = draw(st.integers(1, 240)), None
    else:
        term_months = None
        maturity = draw(days(start + dt.timedelta(days=1), start + dt.timedelta(days=20 * 365)))
    day_count, convention, calendar = "act_365f", "modified_following", "HK"
    if not defaults:
        day_count = draw(st.sampled_from(tuple(QL_DAY_COUNTS)))
        convention = draw(st.sampled_from(tuple(QL_CONVENTIONS)))
        calendar = draw(st.sampled_from(("HK", "none")))
    return ScheduleTerms(
        instrument="bond",
        currency=draw(st.sampled_from(("HKD", "USD", "CNY", "MOP"))),
        principal=draw(amounts),
        annual_rate=draw(rates),
        start_date=start,
        maturity_date=maturity,
        term_months=term_months,
        frequency=draw(frequencies),
        day_count=day_count,
        business_day_convention=convention,
        calendar=calendar,
    )


@st.composite
def loan_terms(draw: st.DrawFn) -> ScheduleTerms:
    frequency = draw(frequencies)
    months = MONTHS_PER_PERIOD[frequency]
    periods = draw(st.integers(1, 360 // months))
    amortization = draw(st.sampled_from(("annuity", "annuity", "equal_principal", "bullet")))
    grace = 0 if amortization == "bullet" else draw(st.integers(0, min(periods - 1, 6)))
    return ScheduleTerms(
        instrument="loan",
        currency="HKD",
        principal=draw(amounts),
        annual_rate=draw(rates),
        start_date=draw(days(dt.date(2020, 1, 1), dt.date(2045, 12, 31))),
        term_months=periods * months,
        frequency=frequency,
        amortization=amortization,
        grace_periods=grace,
        business_day_convention=draw(st.sampled_from(tuple(QL_CONVENTIONS))),
    )


@st.composite
def lease_terms(draw: st.DrawFn) -> ScheduleTerms:
    frequency = draw(st.sampled_from(("monthly", "quarterly", "semiannual", "annual")))
    months = MONTHS_PER_PERIOD[frequency]
    asset = draw(amounts)
    residual = draw(
        st.one_of(st.just(Decimal("0.00")), st.integers(0, int(asset * 60)).map(lambda c: Decimal(c) / 100))
    )
    return ScheduleTerms(
        instrument="lease",
        currency="USD",
        principal=asset,
        annual_rate=draw(rates),
        start_date=draw(days(dt.date(2020, 1, 1), dt.date(2045, 12, 31))),
        term_months=draw(st.integers(1, 120 // months)) * months,
        frequency=frequency,
        residual_value=residual,
        payment_timing=draw(st.sampled_from(("advance", "arrears"))),
    )


# --- bonds vs QuantLib -----------------------------------------------------------------------------


def quantlib_bond(terms: ScheduleTerms) -> tuple[list[tuple[dt.date, float]], list[tuple[dt.date, float]]]:
    """(coupons, redemptions) of QuantLib's FixedRateBond for the terms, each as (date, amount)."""
    assert terms.start_date is not None
    assert terms.annual_rate is not None
    assert terms.frequency is not None
    start = ql_date(terms.start_date)
    tenor = ql.Period(MONTHS_PER_PERIOD[terms.frequency], ql.Months)
    if terms.term_months is not None:
        maturity = start + ql.Period(terms.term_months, ql.Months)
        if ql.Date.isEndOfMonth(start):
            maturity = ql.Date.endOfMonth(maturity)
    else:
        assert terms.maturity_date is not None
        maturity = ql_date(terms.maturity_date)
    calendar = HK_QL if terms.calendar == "HK" else ql.NullCalendar()
    convention = QL_CONVENTIONS[terms.business_day_convention]
    if ql.Date.isEndOfMonth(maturity):
        unadjusted = ql.Schedule(
            start, maturity, tenor, calendar, ql.Unadjusted, ql.Unadjusted, ql.DateGeneration.Backward, True
        )
        adjusted: list[ql.Date] = []
        for day in unadjusted:
            moved = calendar.adjust(day, convention)
            if not adjusted or moved != adjusted[-1]:
                adjusted.append(moved)
        schedule = ql.Schedule(ql.DateVector(adjusted), calendar, convention)
    else:
        schedule = ql.Schedule(
            start, maturity, tenor, calendar, convention, convention, ql.DateGeneration.Backward, False
        )
    bond = ql.FixedRateBond(
        0,
        float(terms.principal),
        schedule,
        [float(terms.annual_rate)],
        QL_DAY_COUNTS[terms.day_count],
        convention,
    )
    coupons: list[tuple[dt.date, float]] = []
    redemptions: list[tuple[dt.date, float]] = []
    for flow in bond.cashflows():
        target = coupons if ql.as_fixed_rate_coupon(flow) is not None else redemptions
        target.append((py_date(flow.date()), flow.amount()))
    return coupons, redemptions


def assert_bond_matches_quantlib(terms: ScheduleTerms) -> None:
    assert terms.start_date is not None
    calendar = HK_QL if terms.calendar == "HK" else ql.NullCalendar()
    convention = QL_CONVENTIONS[terms.business_day_convention]
    if calendar.adjust(ql_date(terms.maturity), convention) == calendar.adjust(
        ql_date(terms.start_date), convention
    ):
        # QuantLib refuses a schedule whose dates all adjust onto one day; so must we.
        with pytest.raises(ValidationFailed):
            build_schedule(terms)
        return
    schedule = build_schedule(terms)
    coupons, redemptions = quantlib_bond(terms)

    assert [row.date for row in schedule.rows] == [day for day, _ in coupons]
    for row, (_, amount) in zip(schedule.rows, coupons, strict=True):
        assert row.interest == reference_cents(amount, row.interest, terms.principal), row
    [(redemption_date, redemption)] = redemptions
    assert redemption_date == schedule.rows[-1].date
    assert redemption == pytest.approx(float(terms.principal))
    assert [row.principal for row in schedule.rows[:-1]] == [Decimal("0.00")] * (len(schedule.rows) - 1)
    assert schedule.rows[-1].principal == terms.principal


@REFERENCE
@given(bond_terms(defaults=True))
def test_bond_coupons_with_default_conventions_match_quantlib_to_the_cent(terms: ScheduleTerms) -> None:
    assert_bond_matches_quantlib(terms)


@REFERENCE
@given(bond_terms(defaults=False))
def test_bond_coupons_for_every_day_count_convention_and_calendar_match_quantlib(
    terms: ScheduleTerms,
) -> None:
    assert_bond_matches_quantlib(terms)


# --- loans vs numpy-financial ----------------------------------------------------------------------


def reference_payment_dates(terms: ScheduleTerms, count: int, first: int = 1) -> list[dt.date]:
    """start + n periods by QuantLib date arithmetic (month ends kept), adjusted by QuantLib's calendar."""
    assert terms.start_date is not None
    assert terms.frequency is not None
    start, months = ql_date(terms.start_date), MONTHS_PER_PERIOD[terms.frequency]
    dates = []
    for period in range(first, first + count):
        day = start + ql.Period(period * months, ql.Months)
        if ql.Date.isEndOfMonth(start):
            day = ql.Date.endOfMonth(day)
        dates.append(py_date(HK_QL.adjust(day, QL_CONVENTIONS[terms.business_day_convention])))
    return dates


def one_period_interest(balance: Decimal, periodic_rate: float) -> float:
    """numpy-financial's interest for one period on `balance` (ipmt of a one-period loan of it)."""
    return float(npf.ipmt(periodic_rate, 1, 1, -float(balance)))


def drift_bound(periodic_rate: float, periods: int) -> float:
    """How far cent rounding (under a cent a period, compounded) can move a balance off the textbook."""
    if periods <= 0:
        return 0.0
    if periodic_rate == 0:
        return 0.01 * periods
    return 0.01 * ((1 + periodic_rate) ** periods - 1) / periodic_rate


@REFERENCE
@given(loan_terms())
def test_loan_payments_and_interest_split_match_numpy_financial_to_the_cent(terms: ScheduleTerms) -> None:
    schedule = build_schedule(terms)
    assert terms.annual_rate is not None
    assert terms.frequency is not None
    principal, periods, grace = terms.principal, terms.periods, terms.grace_periods
    repayments = periods - grace
    rate = float(terms.annual_rate) / (12 // MONTHS_PER_PERIOD[terms.frequency])
    rows = schedule.rows
    assert len(rows) == periods
    assert [row.date for row in rows] == reference_payment_dates(terms, periods)

    level = float(npf.pmt(rate, repayments, -float(principal)))
    first_repayment = rows[grace] if repayments > 1 else None
    payment = Decimal(0)
    if terms.amortization == "annuity" and first_repayment is not None:
        payment = reference_cents(level, first_repayment.payment, principal)
    equal = reference_cents(float(principal) / repayments, rows[grace].principal, principal)

    balance = principal
    for period, row in enumerate(rows, start=1):
        interest = reference_cents(one_period_interest(balance, rate), row.interest, principal)
        if period == periods:
            paid = balance
        elif period <= grace or terms.amortization == "bullet":
            paid = Decimal("0.00")
        elif terms.amortization == "annuity":
            paid = min(payment - interest, balance)
        else:
            paid = min(equal, balance)
        balance -= paid
        assert (row.principal, row.interest, row.payment, row.outstanding) == (
            paid,
            interest,
            paid + interest,
            balance,
        ), f"period {period}"

    if terms.amortization != "annuity":
        return
    # The unrounded textbook schedule of numpy-financial, within the drift cent rounding can cause.
    per = list(range(1, repayments + 1))
    textbook_interest = npf.ipmt(rate, per, repayments, -float(principal))
    textbook_principal = npf.ppmt(rate, per, repayments, -float(principal))
    textbook_balance = npf.fv(rate, per, level, -float(principal))
    for index, row in enumerate(rows[grace:]):
        drift = drift_bound(rate, index + 1) + 1e-6
        assert abs(float(row.outstanding) - textbook_balance[index]) <= drift
        interest_drift = rate * drift_bound(rate, index) + 0.005 + 1e-6
        assert abs(float(row.interest) - textbook_interest[index]) <= interest_drift
        if index < repayments - 1:
            assert abs(float(row.principal) - textbook_principal[index]) <= interest_drift + 0.005


# --- leases vs numpy-financial ---------------------------------------------------------------------


@REFERENCE
@given(lease_terms())
def test_lease_rentals_and_interest_split_match_numpy_financial_to_the_cent(terms: ScheduleTerms) -> None:
    schedule = build_schedule(terms)
    assert terms.annual_rate is not None
    assert terms.frequency is not None
    asset, residual, periods = terms.principal, terms.residual_value, terms.periods
    advance = terms.payment_timing == "advance"
    when = "begin" if advance else "end"
    rate = float(terms.annual_rate) / (12 // MONTHS_PER_PERIOD[terms.frequency])
    rows = schedule.rows
    residual_row = advance and residual > 0
    assert len(rows) == periods + residual_row
    assert [row.date for row in rows] == reference_payment_dates(terms, len(rows), first=0 if advance else 1)

    level = float(npf.pmt(rate, periods, -float(asset), float(residual), when))
    rental = reference_cents(level, rows[0].payment, asset)
    balance = asset
    for period, row in enumerate(rows, start=1):
        interest = (
            Decimal("0.00")
            if advance and period == 1
            else reference_cents(one_period_interest(balance, rate), row.interest, asset)
        )
        # No rental repays more than is outstanding (a rounded-up rental can overshoot a tiny residual).
        paid = balance if period == len(rows) else min(rental - interest, balance)
        balance -= paid
        assert (row.principal, row.interest, row.payment, row.outstanding) == (
            paid,
            interest,
            paid + interest,
            balance,
        ), f"period {period}"
    assert schedule.totals.principal == asset

    # The unrounded textbook schedule, within the drift cent rounding can cause.
    per = list(range(1, periods + 1))
    textbook_interest = npf.ipmt(rate, per, periods, -float(asset), float(residual), when)
    textbook_principal = npf.ppmt(rate, per, periods, -float(asset), float(residual), when)
    for index, row in enumerate(rows[:periods]):
        interest_drift = rate * drift_bound(rate, index) + 0.005 + 1e-6
        assert abs(float(row.interest) - textbook_interest[index]) <= interest_drift
        if index < len(rows) - 1:
            assert abs(float(row.principal) - textbook_principal[index]) <= interest_drift + 0.005
    # The last row settles: the last rental plus the residual, or the residual alone a period later.
    expected_last = float(residual) if residual_row else level + (0.0 if advance else float(residual))
    assert abs(float(rows[-1].payment) - expected_last) <= drift_bound(rate, periods) * (1 + rate) + 0.01


@REFERENCE
@given(lease_terms())
def test_implicit_rate_matches_numpy_financial_rate(terms: ScheduleTerms) -> None:
    assert terms.frequency is not None
    per_year = 12 // MONTHS_PER_PERIOD[terms.frequency]
    # The rental the SME would enter: the rounded level payment at the generated rate.
    rental = to_minor(
        level_payment(
            (terms.annual_rate or Decimal(0)) / per_year,
            terms.periods,
            terms.principal,
            terms.residual_value,
            terms.payment_timing,
        ),
        terms.currency,
    )
    when = "begin" if terms.payment_timing == "advance" else "end"
    if rental * terms.periods + terms.residual_value < terms.principal:
        # A zero rate's rental rounded down to the cent no longer repays the asset: no rate >= 0 does.
        with pytest.raises(ValidationFailed):
            implicit_rate(
                terms.principal, rental, terms.periods, terms.residual_value, terms.payment_timing, per_year
            )
        return
    if rental * terms.periods + terms.residual_value == terms.principal or (
        when == "begin" and terms.periods == 1 and terms.residual_value == 0
    ):
        # Exactly repaid without interest (or all of it on day one, where any rate fits): zero.
        assert (
            implicit_rate(
                terms.principal, rental, terms.periods, terms.residual_value, terms.payment_timing, per_year
            )
            == 0
        )
        return
    ours = implicit_rate(
        terms.principal, rental, terms.periods, terms.residual_value, terms.payment_timing, per_year
    )
    periodic = ours / per_year

    # At our rate the rentals and the residual, discounted one by one, are worth the asset.
    with localcontext() as context:
        context.prec = 60
        factor = 1 / (1 + periodic)
        first = 0 if terms.payment_timing == "advance" else 1
        worth = sum(rental * factor ** (first + k) for k in range(terms.periods))
        worth += terms.residual_value * factor**terms.periods
    assert abs(worth - terms.principal) <= HALF_CENT

    # numpy-financial agrees where float arithmetic can: below 0.1% a year its pv, pmt and rate lose
    # digits to cancellation ((1 + r)^n - 1 with r ~ 1e-9; e.g. 2 rentals of 10626.26 in advance for
    # 21252.51 cost exactly 12 x 0.01 / 10626.25 = 1.129279e-5 a year, numpy-financial says 1.12948e-5).
    if ours < Decimal("0.001"):
        return
    asset, residual, rate = float(terms.principal), float(terms.residual_value), float(periodic)
    # At our rate the rentals are worth the asset, and the rental rounds back to itself, to the cent.
    assert npf.pv(rate, terms.periods, -float(rental), -residual, when) == pytest.approx(asset, abs=0.005)
    assert (
        reference_cents(npf.pmt(rate, terms.periods, -asset, residual, when), rental, terms.principal)
        == rental
    )
    # Its solver finds our rate to within the change that moves the present value by one cent: the
    # rental's cents pin the rate no closer, and float Newton iterations stop anywhere inside that
    # (ill-conditioned: 1 rental in advance of 331157.84 for 331171.98 with a residual of 14.15 costs
    # exactly 4 x (14.15 / 14.14 - 1) = 0.002828854314 a year; numpy-financial says 0.0028288407).
    reference = float(npf.rate(terms.periods, float(rental), -asset, residual, when, guess=rate, tol=1e-10))
    step = rate * 1e-3
    slope = (
        npf.pv(rate - step, terms.periods, -float(rental), -residual, when)
        - npf.pv(rate + step, terms.periods, -float(rental), -residual, when)
    ) / (2 * step)
    assert rate == pytest.approx(reference, abs=0.01 / slope + 1e-12)


# --- the calendar itself ---------------------------------------------------------------------------


# Substitute days QuantLib's HongKong calendar does not have: the Buddha's Birthday on a Sunday
# (2019), Ching Ming on Easter Sunday (2021), Christmas Day on a Saturday or Sunday (2021, 2022).
QUANTLIB_HK_MISSES = {dt.date(2019, 5, 13), dt.date(2021, 4, 6), dt.date(2021, 12, 27), dt.date(2022, 12, 27)}


def test_hk_calendar_agrees_with_quantlib_hong_kong_calendar_2013_to_2026_but_for_its_known_gaps() -> None:
    quantlib = {
        py_date(day)
        for day in ql.Calendar.holidayList(ql.HongKong(), ql.Date(1, 1, 2013), ql.Date(31, 12, 2026), False)
    }
    ours = {day for year in range(2013, 2027) for day in hk_holidays(year) if day.weekday() < 5}

    assert ours - quantlib == QUANTLIB_HK_MISSES
    assert quantlib - ours == set()


def test_month_end_maturity_reference_path_agrees_with_quantlib_where_its_own_rule_coincides() -> None:
    # Issue date and maturity both month ends, modified following: QuantLib's own end-of-month
    # schedule and the reference's re-adjusted one are the same dates.
    terms = ScheduleTerms(
        instrument="bond",
        currency="HKD",
        principal=Decimal("1000000.00"),
        annual_rate=Decimal("0.05"),
        start_date=dt.date(2025, 1, 31),
        maturity_date=dt.date(2030, 7, 31),
        frequency="quarterly",
    )
    native = ql.Schedule(
        ql_date(dt.date(2025, 1, 31)),
        ql_date(dt.date(2030, 7, 31)),
        ql.Period(3, ql.Months),
        HK_QL,
        ql.ModifiedFollowing,
        ql.ModifiedFollowing,
        ql.DateGeneration.Backward,
        True,
    )
    coupons, _ = quantlib_bond(terms)

    assert [day for day, _ in coupons] == [py_date(day) for day in list(native)[1:]]
    assert_bond_matches_quantlib(terms)
