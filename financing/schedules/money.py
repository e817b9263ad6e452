"""Currencies, their minor units, and the one rounding rule of the schedules."""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Final

# Decimal places of each currency's minor unit (cents for all four today).
MINOR_UNITS: Final[dict[str, int]] = {"HKD": 2, "CNY": 2, "MOP": 2, "USD": 2}

# Half a cent rounds away from zero, as a borrower rounds by hand and as bank statements show it.
# All amounts are non-negative, so this is "half up".
MONEY_ROUNDING: Final = ROUND_HALF_UP

# Arithmetic before rounding: 50 significant digits keep every intermediate (a 16-digit principal
# times a 12-digit rate, a 600th power) exact or far below a cent, so only the final rounding counts.
CALC: Final = Context(prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])

ZERO: Final = Decimal(0)


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of `currency`, e.g. Decimal("0.01")."""
    return Decimal(1).scaleb(-MINOR_UNITS[currency])


def to_minor(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded to `currency`'s minor unit with the schedules' rounding rule."""
    return amount.quantize(minor_unit(currency), rounding=MONEY_ROUNDING, context=CALC)


def has_at_most_minor_units(amount: Decimal, currency: str) -> bool:
    """Whether `amount` is already a whole number of the currency's minor units."""
    return amount == amount.quantize(minor_unit(currency), context=CALC)
