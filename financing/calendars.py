"""Business-day calendars and date-adjustment conventions for payment schedules.

Two calendars exist:

* ``"HK"`` -- Hong Kong banking days: Monday to Friday, except the general holidays of the General
  Holidays Ordinance (Cap. 149), which are the days banks close. The holiday list comes from the
  ``holidays`` package's ``HongKong`` class with the ``optional`` category: that package files the
  *general* holidays under ``optional`` and the (narrower) *statutory* labour holidays under
  ``public``, its default. The general holidays already contain the Ordinance's substitute days
  (e.g. "the day following" a holiday that falls on a Sunday, the fourth day of Lunar New Year when
  one of the first three is a Sunday). Saturdays are not business days either: interbank payments
  do not settle on them. The list is computed once per year and cached; the lunar holidays are
  known to 2099. Ad-hoc closures (typhoon signal 8, black rainstorm) cannot be known in advance and
  are not modelled.
* ``"none"`` -- every day is a business day, so no date ever moves.

Conventions, as ISDA defines them: ``following`` moves a non-business day to the next business
day; ``modified_following`` does the same unless that crosses into the next month, in which case
it moves to the previous business day; ``unadjusted`` never moves a date.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Final, Literal

from holidays.constants import OPTIONAL
from holidays.countries.hongkong import HongKong

CalendarName = Literal["HK", "none"]
Convention = Literal["following", "modified_following", "unadjusted"]

CALENDARS: Final[frozenset[str]] = frozenset({"HK", "none"})
CONVENTIONS: Final[frozenset[str]] = frozenset({"following", "modified_following", "unadjusted"})

# The lunar holidays of the `holidays` package are tabulated to 2100; beyond that the HK calendar
# would silently miss Lunar New Year, so the schedules refuse dates past this year.
HK_LAST_YEAR: Final = 2099

_ONE_DAY = dt.timedelta(days=1)
_SATURDAY: Final = 5


@cache
def hk_holidays(year: int) -> frozenset[dt.date]:
    """Hong Kong general holidays (bank holidays) of one year, including those falling on a Saturday."""
    return frozenset(HongKong(years=year, categories=(OPTIONAL,)).keys())


def is_business_day(day: dt.date, calendar: str) -> bool:
    """Whether payments settle on `day` in `calendar` ("HK" or "none")."""
    if calendar == "none":
        return True
    if calendar == "HK":
        return day.weekday() < _SATURDAY and day not in hk_holidays(day.year)
    raise ValueError(f"unknown calendar {calendar!r}")


def adjust(day: dt.date, convention: str, calendar: str) -> dt.date:
    """Move `day` to a business day of `calendar` by `convention` (see the module docstring)."""
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown business day convention {convention!r}")
    if convention == "unadjusted" or is_business_day(day, calendar):
        return day
    following = day + _ONE_DAY
    while not is_business_day(following, calendar):
        following += _ONE_DAY
    if convention == "following" or following.month == day.month:
        return following
    preceding = day - _ONE_DAY
    while not is_business_day(preceding, calendar):
        preceding -= _ONE_DAY
    return preceding
