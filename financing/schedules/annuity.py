"""Level payments and the rate implicit in them (time value of money, in Decimal)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Final

from django.utils.translation import gettext

from config.errors import ValidationFailed
from financing.schedules.dates import MONTHS_PER_PERIOD
from financing.schedules.money import CALC, ZERO

TIMINGS: Final[frozenset[str]] = frozenset({"advance", "arrears"})

# The implicit annual rate is returned to 12 decimal places (1e-12, i.e. 1e-10 of a percent): fine
# enough that the level payment recomputed from it rounds back to the cent it was solved from.
RATE_QUANTUM: Final = Decimal("1e-12")
MAX_ANNUAL_RATE: Final = Decimal(1)
_BISECTIONS: Final = 90


def level_payment(
    periodic_rate: Decimal, periods: int, present_value: Decimal, final_value: Decimal, timing: str
) -> Decimal:
    """The unrounded level payment that repays `present_value` down to `final_value`.

    Same as ``numpy_financial.pmt(periodic_rate, periods, -present_value, final_value, when)``,
    with `timing` "arrears" for when="end" (payments at the end of each period) and "advance" for
    when="begin"; `final_value` is paid one period after the last payment in advance, at the last
    payment in arrears.
    """
    with localcontext(CALC):
        if periodic_rate == ZERO:
            return (present_value - final_value) / periods
        growth = (1 + periodic_rate) ** periods
        due = 1 + periodic_rate if timing == "advance" else Decimal(1)
        return (present_value * growth - final_value) * periodic_rate / ((growth - 1) * due)


def present_value(
    periodic_rate: Decimal, periods: int, payment: Decimal, final_value: Decimal, timing: str
) -> Decimal:
    """The value today of `periods` level payments plus `final_value` at the end of the term."""
    with localcontext(CALC):
        if periodic_rate == ZERO:
            return payment * periods + final_value
        discount = (1 + periodic_rate) ** -periods
        due = 1 + periodic_rate if timing == "advance" else Decimal(1)
        return payment * (1 - discount) / periodic_rate * due + final_value * discount


def implicit_rate(
    asset_value: Decimal, rental: Decimal, periods: int, residual: Decimal, timing: str, periods_per_year: int
) -> Decimal:
    """The annual rate (a fraction, 0.05 = 5%) at which the rentals and residual repay the asset.

    Solves ``present_value(rate / periods_per_year, ...) == asset_value`` by bisection on
    [0, 100% a year], where the present value falls strictly as the rate rises, so the root is
    unique; the result is rounded to 1e-12. Refuses (ValidationFailed on "rental") cash flows
    that imply a negative rate or one above 100% a year.
    """
    if asset_value <= ZERO or rental <= ZERO or residual < ZERO or periods < 1 or periods_per_year < 1:
        raise ValueError("implicit_rate needs a positive asset value, rental and term, and a residual >= 0")
    if timing not in TIMINGS:
        raise ValueError(f"unknown payment timing {timing!r}")
    with localcontext(CALC):
        undiscounted = present_value(ZERO, periods, rental, residual, timing)
        if undiscounted < asset_value:
            raise ValidationFailed(
                gettext("The rentals cannot repay the asset."),
                fields={
                    "rental": gettext(
                        "The rentals and the residual value add up to less than the asset value."
                    )
                },
            )
        if undiscounted == asset_value:
            return ZERO.quantize(RATE_QUANTUM)
        low, high = ZERO, MAX_ANNUAL_RATE / periods_per_year
        if present_value(high, periods, rental, residual, timing) > asset_value:
            raise ValidationFailed(
                gettext("The rentals imply too high a rate."),
                fields={"rental": gettext("The rentals imply an annual rate above 100%.")},
            )
        for _ in range(_BISECTIONS):
            middle = (low + high) / 2
            if present_value(middle, periods, rental, residual, timing) > asset_value:
                low = middle
            else:
                high = middle
        return ((low + high) / 2 * periods_per_year).quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN)


def lease_rate_from_rental(asset_value: Decimal, terms: Mapping[str, object]) -> Decimal:
    """The implicit annual rate of a lease priced by its rental (`rental`, `frequency`, `term_months`,
    optional `residual_value` and `payment_timing` in `terms`, as the API takes them).

    Refuses with ValidationFailed on "rental" when the rental, frequency or term is missing or the
    cash flows imply a rate below 0 or above 100% a year.
    """
    try:
        months = MONTHS_PER_PERIOD[str(terms["frequency"])]
        periods_per_year = 12 // months
        periods = int(str(terms["term_months"])) // months
        rental = Decimal(str(terms["rental"]))
        residual = Decimal(str(terms.get("residual_value") or "0"))
        timing = str(terms.get("payment_timing") or "arrears")
        return implicit_rate(asset_value, rental, periods, residual, timing, periods_per_year)
    except (KeyError, ValueError, TypeError, ArithmeticError):
        raise ValidationFailed(
            gettext("The implicit rate cannot be worked out from this rental."),
            fields={
                "rental": gettext(
                    "Give a positive rental, the rental frequency and the term in whole periods."
                )
            },
        ) from None
