"""Payment dates and day counts: month arithmetic, the loan grid, the bond's backward schedule."""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
from typing import Final

from financing.calendars import adjust

MONTHS_PER_PERIOD: Final[dict[str, int]] = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


def periods_per_year(frequency: str) -> int:
    """How many payment periods of `frequency` make a year (12, 4, 2, 1)."""
    return 12 // MONTHS_PER_PERIOD[frequency]


def is_month_end(day: dt.date) -> bool:
    """Whether `day` is the last calendar day of its month."""
    return day.day == gregorian.monthrange(day.year, day.month)[1]


def add_months(day: dt.date, months: int, *, end_of_month: bool) -> dt.date:
    """`day` moved by `months` calendar months (negative goes back).

    The day of month is kept, clamped to the length of the target month (31 Jan + 1 month is
    28/29 Feb); with `end_of_month` the result is always the last day of the target month.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = gregorian.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, last if end_of_month else min(day.day, last))


def grid_date(start: dt.date, months: int) -> dt.date:
    """The loan/lease grid: `start` plus `months`, end-of-month aware.

    Each date is computed from the start, never from the previous date, so 31 Jan gives
    28 Feb, 31 Mar, 30 Apr... and 30 Jan gives 28 Feb, 30 Mar, 30 Apr... When the start is the last
    day of its month, every date is the last day of its month (the end-of-month rule).
    """
    return add_months(start, months, end_of_month=is_month_end(start))


def whole_periods(start: dt.date, end: dt.date, months_per_period: int) -> int | None:
    """How many periods of the grid from `start` land exactly on `end`; None when none does."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months <= 0 or months % months_per_period:
        return None
    return months // months_per_period if grid_date(start, months) == end else None


def backward_schedule(
    start: dt.date, maturity: dt.date, months_per_period: int, convention: str, calendar: str
) -> list[dt.date]:
    """Bond accrual dates: start, coupon dates..., maturity, all adjusted and strictly increasing.

    Regular dates are rolled back from the (unadjusted) maturity by whole periods, each computed
    from the maturity (end-of-month rule when the maturity is a month end), until the next one
    would fall before the start; a gap left before the first regular date is a short first stub
    (never merged into a long one). Every date, the start and the maturity included, is then
    adjusted by the convention and calendar; dates that adjust onto the same day collapse into one.
    """
    end_of_month = is_month_end(maturity)
    unadjusted = [maturity]
    periods = 1
    while (earlier := add_months(maturity, -periods * months_per_period, end_of_month=end_of_month)) >= start:
        unadjusted.append(earlier)
        periods += 1
    if unadjusted[-1] != start:
        unadjusted.append(start)
    unadjusted.reverse()
    adjusted: list[dt.date] = []
    for day in unadjusted:
        moved = adjust(day, convention, calendar)
        if not adjusted or moved != adjusted[-1]:
            adjusted.append(moved)
    return adjusted


def day_count_fraction(start: dt.date, end: dt.date, day_count: str) -> tuple[int, int]:
    """The accrual fraction of a year between two dates as (numerator days, denominator days).

    act_365f: actual days / 365. act_360: actual days / 360. thirty_360: 30/360 "Bond Basis"
    (ISDA 2006 4.16(f)): a 31st start day counts as the 30th, and a 31st end day counts as the 30th
    when the start day is then the 30th. thirty_e_360: 30E/360 "Eurobond Basis" (ISDA 2006 4.16(g)):
    a 31st counts as the 30th at either end.
    """
    if day_count == "act_365f":
        return (end - start).days, 365
    if day_count == "act_360":
        return (end - start).days, 360
    if day_count == "thirty_360":
        d1 = min(start.day, 30)
        d2 = 30 if end.day == 31 and d1 == 30 else end.day
        return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1), 360
    if day_count == "thirty_e_360":
        d1, d2 = min(start.day, 30), min(end.day, 30)
        return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1), 360
    raise ValueError(f"unknown day count {day_count!r}")


# Each day count's market name (as ISDA 2006 section 4.16 and term sheets write it), by our code.
DAY_COUNT_NAMES: Final[dict[str, str]] = {
    "act_365f": "ACT/365F",
    "act_360": "ACT/360",
    "thirty_360": "30/360",
    "thirty_e_360": "30E/360",
}
# Other names the market uses for the same conventions, written without spaces in capitals.
_DAY_COUNT_ALIASES: Final[dict[str, str]] = {
    "ACT/365FIXED": "act_365f",
    "ACTUAL/365F": "act_365f",
    "ACTUAL/365FIXED": "act_365f",
    "ACTUAL/360": "act_360",
    "360/360": "thirty_360",
    "BONDBASIS": "thirty_360",
    "30/360BONDBASIS": "thirty_360",
    "EUROBONDBASIS": "thirty_e_360",
}
_DAY_COUNT_BY_NAME: Final[dict[str, str]] = {
    **{name.replace(" ", ""): code for code, name in DAY_COUNT_NAMES.items()},
    **_DAY_COUNT_ALIASES,
}


def day_count_code(text: str) -> str | None:
    """Our code for a day count given by its code or a market name ("ACT/365 Fixed", "30e/360"), ignoring
    case and spaces; None when it names no day count we compute."""
    if text in DAY_COUNT_NAMES:
        return text
    key = "".join(text.split()).upper()
    if key.lower() in DAY_COUNT_NAMES:
        return key.lower()
    return _DAY_COUNT_BY_NAME.get(key)
