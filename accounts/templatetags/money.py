"""Template filters for money, rates, dates, progress and status badges (Decimal in, text out).

Money, numbers and dates are written the way the active language's readers expect (config/i18n.py:
en -> Hong Kong English, zh-hant -> Hong Kong Chinese, zh-hans -> mainland Chinese).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal, format_percent
from django import template

from config.i18n import babel_locale, day_text, moment_text

register = template.Library()

# Colour of a status badge by status value; anything unknown is neutral.
TONES = {
    "success": {
        "verified",
        "approved",
        "settled",
        "confirmed",
        "allotted",
        "deployed",
        "funded",
        "paid",
        "redeemed",
        "executed",
        "closed",
        "completed",
        "registered",
    },
    "accent": {"open", "ready"},
    "info": {
        "submitted",
        "under_review",
        "pending",
        "sent",
        "active",
        "awaiting_funding",
        "funding",
        "paying",
        "awaiting_buyer",
        "sending",
        "registering",
        "unlinking",
    },
    "warning": {
        "changes_requested",
        "preparing",
        "deploying",
        "allotting",
        "settling",
        "written_off",
        "released",
        "requested",
        "expired",
    },
    "danger": {
        "rejected",
        "failed",
        "cancelled",
        "not_allotted",
        "partly_failed",
        "late",
        "in_arrears",
        "refused",
    },
}
TONE_OF = {status: tone for tone, statuses in TONES.items() for status in statuses}


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value: object, currency: str = "HKD") -> str:
    """`Decimal("1234.5")|money` -> "HK$1,234.50"; `|money:"USD"` for another currency."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return format_currency(amount, currency or "HKD", locale=babel_locale())


@register.filter
def units(value: object) -> str:
    """A whole number with thousands separators."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return format_decimal(amount, locale=babel_locale())


@register.filter
def percent(value: object, places: int = 2) -> str:
    """A fraction as a percentage: `Decimal("0.065")|percent` -> "6.5%"."""
    fraction = _decimal(value)
    if fraction is None:
        return "—"
    pattern = "#,##0." + "#" * int(places) + "%"
    return format_percent(fraction, format=pattern, locale=babel_locale())


@register.filter
def share(part: object, whole: object) -> int:
    """`part` as a whole percentage of `whole` (0-100), for progress bars."""
    top, bottom = _decimal(part), _decimal(whole)
    if top is None or not bottom:
        return 0
    return max(0, min(100, int(top * 100 / bottom)))


@register.filter
def tone(status: object) -> str:
    """The badge colour of a status value."""
    return TONE_OF.get(str(status), "neutral")


@register.filter
def cents(value: object) -> str:
    """An amount in whole cents, for scripts that must not do money in floating point."""
    amount = _decimal(value)
    if amount is None:
        return "0"
    return str(int((amount * 100).to_integral_value()))


@register.filter(expects_localtime=True)
def day(value: object, style: str = "medium") -> str:
    """A date the local way: "5 Dec 2026" / "2026年12月5日"; `|day:"long"`, `|day:"month"` (Dec 2026)."""
    if not isinstance(value, date):
        return "—" if value in (None, "") else str(value)
    return day_text(value.date() if isinstance(value, datetime) else value, style)


@register.filter(expects_localtime=True)
def moment(value: object) -> str:
    """A moment in Hong Kong time to the minute, the local way: "5 Dec 2026 14:30" / "2026年12月5日 14:30"."""
    if not isinstance(value, datetime):
        return day(value)
    return moment_text(value)
