"""Cash-flow schedules of every instrument, correct to the cent. Pure Python and Decimal.

Usage::

    terms = terms_from_mapping(request_data)    # or ScheduleTerms(...); ValidationFailed on bad terms
    schedule = build_schedule(terms)
    schedule.as_dict()  # {"rows": [{"period", "date", "principal", "interest", "payment", "outstanding"}],
                        #  "totals": {"principal", "interest", "payment"}}, amounts as "1234.56"

Conventions (the same for every instrument unless said otherwise):

* `annual_rate` is a decimal fraction a year: "0.05" is 5%. It must be at least 0 and below 1.
* Money: every amount is rounded to the currency's minor unit (cents for HKD, CNY, MOP, USD) with
  ROUND_HALF_UP (half a cent rounds up), after exact (50-digit) Decimal arithmetic. Each row's
  payment is its principal plus its interest, and the last row pays off what is outstanding, so it
  absorbs every earlier rounding and principal always sums exactly to the principal.
* Loans and leases charge interest per period as outstanding x annual_rate / payments per year
  (a periodic rate, not a day count; `day_count` applies to bonds only). Their payment dates are
  start_date + n periods in calendar months (the day of month clamped to short months, and always
  the month end when start_date is a month end), each adjusted by `business_day_convention` on
  `calendar`; the dates move, the amounts do not.
* Bonds accrue face x annual_rate x day-count fraction between adjusted coupon dates, rolled
  backward from maturity with a short first stub if needed; the face is repaid at maturity.
* Leases: `principal` is the asset value; level rentals in advance or arrears; the residual value
  is repaid in the last row (see `build._lease_rows`).
* Equity has no scheduled cash flows: the schedule has no rows and zero totals.
* Defaults: day_count act_365f, business_day_convention modified_following, calendar HK,
  payment_timing arrears, grace_periods 0, residual_value 0; amortization annuity for loans and
  leases, bullet for bonds. The Hong Kong calendar is `financing.calendars`.
"""

from financing.schedules.annuity import implicit_rate, lease_rate_from_rental, level_payment, present_value
from financing.schedules.build import build_schedule
from financing.schedules.money import MINOR_UNITS, MONEY_ROUNDING, to_minor
from financing.schedules.rows import Schedule, ScheduleRow, ScheduleTotals
from financing.schedules.terms import (
    AMORTIZATIONS,
    BUSINESS_DAY_CONVENTIONS,
    CALENDAR_NAMES,
    CURRENCIES,
    DAY_COUNTS,
    FREQUENCIES,
    INSTRUMENTS,
    PAYMENT_TIMINGS,
    ScheduleTerms,
    terms_from_mapping,
    validate_terms,
)

__all__ = [
    "AMORTIZATIONS",
    "BUSINESS_DAY_CONVENTIONS",
    "CALENDAR_NAMES",
    "CURRENCIES",
    "DAY_COUNTS",
    "FREQUENCIES",
    "INSTRUMENTS",
    "MINOR_UNITS",
    "MONEY_ROUNDING",
    "PAYMENT_TIMINGS",
    "Schedule",
    "ScheduleRow",
    "ScheduleTerms",
    "ScheduleTotals",
    "build_schedule",
    "implicit_rate",
    "lease_rate_from_rental",
    "level_payment",
    "present_value",
    "terms_from_mapping",
    "to_minor",
    "validate_terms",
]
