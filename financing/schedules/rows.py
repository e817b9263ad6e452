"""The schedule a builder returns, and its JSON shape for the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from financing.schedules.money import ZERO, minor_unit


@dataclass(frozen=True)
class ScheduleRow:
    """One payment: what it repays, what it pays in interest, and what is owed after it."""

    period: int
    date: dt.date
    principal: Decimal
    interest: Decimal
    payment: Decimal
    outstanding: Decimal

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON-ready values: ISO date, amounts as strings with the currency's decimals."""
        return {
            "period": self.period,
            "date": self.date.isoformat(),
            "principal": _text(self.principal),
            "interest": _text(self.interest),
            "payment": _text(self.payment),
            "outstanding": _text(self.outstanding),
        }


@dataclass(frozen=True)
class ScheduleTotals:
    """Sums of the rows' principal, interest and payment."""

    principal: Decimal
    interest: Decimal
    payment: Decimal

    def as_dict(self) -> dict[str, str]:
        """The totals as strings with the currency's decimals."""
        return {
            "principal": _text(self.principal),
            "interest": _text(self.interest),
            "payment": _text(self.payment),
        }


@dataclass(frozen=True)
class Schedule:
    """The cash flows of one instrument, in the currency of its terms, oldest first."""

    currency: str
    rows: list[ScheduleRow] = field(default_factory=list)

    @property
    def totals(self) -> ScheduleTotals:
        """Column sums; exact, since every row amount is already in minor units."""
        zero = ZERO.quantize(minor_unit(self.currency))
        return ScheduleTotals(
            principal=sum((row.principal for row in self.rows), zero),
            interest=sum((row.interest for row in self.rows), zero),
            payment=sum((row.payment for row in self.rows), zero),
        )

    def as_dict(self) -> dict[str, Any]:
        """The API shape: ``{"rows": [{period, date, principal, interest, payment, outstanding}],
        "totals": {principal, interest, payment}}``."""
        return {"rows": [row.as_dict() for row in self.rows], "totals": self.totals.as_dict()}


def _text(amount: Decimal) -> str:
    return format(amount, "f")
