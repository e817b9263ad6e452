"""Building the rows of a schedule for each instrument from validated terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, localcontext
from itertools import pairwise

from financing.calendars import adjust
from financing.schedules.annuity import level_payment
from financing.schedules.dates import backward_schedule, day_count_fraction, grid_date, periods_per_year
from financing.schedules.money import CALC, ZERO, to_minor
from financing.schedules.rows import Schedule, ScheduleRow
from financing.schedules.terms import ScheduleTerms, validate_terms


def build_schedule(terms: ScheduleTerms) -> Schedule:
    """The cash-flow schedule of `terms`, every amount in the currency's minor unit.

    Equity has no scheduled cash flows: its schedule has no rows and zero totals.
    Raises ValidationFailed (field-keyed) when the terms break a rule.
    """
    validate_terms(terms)
    builders: dict[str, Callable[[ScheduleTerms], list[ScheduleRow]]] = {
        "loan": _loan_rows,
        "bond": _bond_rows,
        "lease": _lease_rows,
    }
    if terms.instrument not in builders:
        return Schedule(currency=terms.currency, rows=[])
    with localcontext(CALC):
        return Schedule(currency=terms.currency, rows=builders[terms.instrument](terms))


class _Ledger:
    """Appends rows while tracking what is outstanding, so the columns always reconcile."""

    def __init__(self, terms: ScheduleTerms, opening: Decimal) -> None:
        self.terms = terms
        self.outstanding = to_minor(opening, terms.currency)
        self.rows: list[ScheduleRow] = []
        self._per_year = periods_per_year(terms.frequency or "")
        self._rate = terms.annual_rate or ZERO

    def interest_for_one_period(self) -> Decimal:
        """A period's interest on what is outstanding: balance x annual rate / periods per year, rounded."""
        return to_minor(self.outstanding * self._rate / self._per_year, self.terms.currency)

    def pay(self, day: dt.date, principal: Decimal, interest: Decimal) -> None:
        """Record a payment of `principal` (never more than is outstanding) plus `interest`."""
        principal = to_minor(min(max(principal, ZERO), self.outstanding), self.terms.currency)
        interest = to_minor(interest, self.terms.currency)
        self.outstanding -= principal
        self.rows.append(
            ScheduleRow(
                period=len(self.rows) + 1,
                date=day,
                principal=principal,
                interest=interest,
                payment=principal + interest,
                outstanding=self.outstanding,
            )
        )

    def settle(self, day: dt.date, interest: Decimal) -> None:
        """The last payment: whatever is outstanding, so principal sums exactly to the opening balance."""
        self.pay(day, self.outstanding, interest)

    def grid_payment_date(self, months: int) -> dt.date:
        """`months` after the start on the payment grid, adjusted to a business day."""
        assert self.terms.start_date is not None
        return adjust(
            grid_date(self.terms.start_date, months), self.terms.business_day_convention, self.terms.calendar
        )


def _loan_rows(terms: ScheduleTerms) -> list[ScheduleRow]:
    """Loan: interest each period on the outstanding balance; principal by the amortization method.

    Annuity: a level payment (numpy_financial.pmt at annual_rate / periods per year over the
    periods after the grace periods), rounded to the minor unit; interest first, the rest repays
    principal. Equal principal: principal / repayment periods each period, rounded. Bullet:
    interest only, principal at maturity. Grace periods pay interest only. The last row pays off
    whatever is outstanding, which absorbs the rounding of the earlier rows.
    """
    ledger = _Ledger(terms, terms.principal)
    periods, grace, months = terms.periods, terms.grace_periods, terms.months_per_period
    repayments = periods - grace
    rate = (terms.annual_rate or ZERO) / periods_per_year(terms.frequency or "")
    method = terms.resolved_amortization
    installment = ZERO
    if method == "annuity":
        installment = to_minor(
            level_payment(rate, repayments, terms.principal, ZERO, "arrears"), terms.currency
        )
    elif method == "equal_principal":
        installment = to_minor(terms.principal / repayments, terms.currency)
    for period in range(1, periods + 1):
        day = ledger.grid_payment_date(period * months)
        interest = ledger.interest_for_one_period()
        if period == periods:
            ledger.settle(day, interest)
        elif period <= grace or method == "bullet":
            ledger.pay(day, ZERO, interest)
        elif method == "annuity":
            ledger.pay(day, installment - interest, interest)
        else:
            ledger.pay(day, installment, interest)
    return ledger.rows


def _bond_rows(terms: ScheduleTerms) -> list[ScheduleRow]:
    """Bond: a fixed coupon per accrual period (face x rate x day-count fraction), face at maturity.

    Accrual periods run between the adjusted dates of `backward_schedule` (a short first stub when
    the term is not a whole number of periods); each coupon is paid on its period's adjusted end.
    """
    assert terms.start_date is not None
    dates = backward_schedule(
        terms.start_date,
        terms.maturity,
        terms.months_per_period,
        terms.business_day_convention,
        terms.calendar,
    )
    ledger = _Ledger(terms, terms.principal)
    rate = terms.annual_rate or ZERO
    for begin, end in pairwise(dates):
        days, basis = day_count_fraction(begin, end, terms.day_count)
        # Multiply before dividing so a coupon that is an exact half cent stays exact before rounding.
        coupon = to_minor(terms.principal * rate * days / basis, terms.currency)
        if end == dates[-1]:
            ledger.settle(end, coupon)
        else:
            ledger.pay(end, ZERO, coupon)
    return ledger.rows


def _lease_rows(terms: ScheduleTerms) -> list[ScheduleRow]:
    """Lease: level rentals that repay the asset value down to the residual value.

    The rental is numpy_financial.pmt(rate / periods per year, periods, -asset value, residual,
    when="begin" in advance, "end" in arrears), rounded to the minor unit. Each rental pays the
    interest accrued on the outstanding balance since the previous rental (none for the first
    rental in advance, paid the day the lease starts), the rest repays principal, so the balance
    falls towards the residual. The residual is paid in the last row's principal: in arrears the
    last row is the last rental plus the residual; in advance the residual falls due at the end of
    the term, one period after the last rental, so it is a row of its own (period n + 1) that also
    pays that period's interest. The last row pays off whatever is outstanding, so it absorbs the
    rounding of the earlier rows.
    """
    ledger = _Ledger(terms, terms.principal)
    periods, months = terms.periods, terms.months_per_period
    advance = terms.payment_timing == "advance"
    rate = (terms.annual_rate or ZERO) / periods_per_year(terms.frequency or "")
    rental = to_minor(
        level_payment(rate, periods, terms.principal, terms.residual_value, terms.payment_timing),
        terms.currency,
    )
    residual_row = advance and terms.residual_value > ZERO
    for period in range(1, periods + 1):
        day = ledger.grid_payment_date((period - 1 if advance else period) * months)
        interest = ZERO if advance and period == 1 else ledger.interest_for_one_period()
        if period == periods and not residual_row:
            ledger.settle(day, interest)
        else:
            ledger.pay(day, rental - interest, interest)
    if residual_row:
        ledger.settle(ledger.grid_payment_date(periods * months), ledger.interest_for_one_period())
    return ledger.rows
