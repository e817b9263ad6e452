"""Read settings from the environment through one helper that fails loudly on bad values."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

from config.public_secrets import PUBLIC_SECRET_VALUES

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """A string; a missing variable without default is a configuration error."""
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    """A boolean written as 1/0, true/false, yes/no or on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """An integer, optionally bounded below."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}.")
    return value


def env_decimal(name: str, default: str) -> Decimal:
    """A decimal number written as a string (never a float)."""
    raw = os.environ.get(name, default)
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a decimal number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blanks are dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    """At most `count` requests per window of `seconds` (config/ratelimit.py)."""

    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """`"30/minute"`, `"5/10minutes"`, `"1000/day"`; anything else is a configuration error."""
    match = _RATE.match(text)
    if not match or int(match.group(1)) < 1 or int(match.group(2) or 1) < 1:
        raise ImproperlyConfigured(
            f"Rate limit {text!r}: write it as N/period, e.g. 30/minute, 5/10minutes or 1000/day "
            "(N at least 1)."
        )
    return Rate(int(match.group(1)), int(match.group(2) or 1) * _PERIODS[match.group(3)])


def env_rate(name: str, default: str) -> str:
    """A rate limit written as N/period (checked here, so a bad value stops the start)."""
    value = env_str(name, default)
    try:
        parse_rate(value)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    return value


def env_secret(name: str, *, min_length: int) -> str:
    """A production secret: required, at least `min_length` characters, never a value published here."""
    value = env_str(name)
    if len(value) < min_length:
        raise ImproperlyConfigured(f"Set {name} to a random value of at least {min_length} characters.")
    _refuse_public(name, [value])
    return value


def env_secret_list(name: str) -> list[str]:
    """A required comma-separated list of production secrets (e.g. keys newest first), none published here."""
    values = env_list(name)
    if not values:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    _refuse_public(name, values)
    return values


def _refuse_public(name: str, values: list[str]) -> None:
    if any(value in PUBLIC_SECRET_VALUES for value in values):
        raise ImproperlyConfigured(
            f"{name} holds a value published in this repository (a demo, test or example secret): "
            "generate a new one."
        )
