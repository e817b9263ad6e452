"""Request rate limits for public endpoints (no log-in): one mechanism for pages and DRF APIs.

A limit is a named scope with a rate in settings (`RATE_LIMITS = {"verify": "30/minute", ...}`,
each overridable by the environment). Counts live in Django's default cache (Redis in every
multi-process deployment), one counter per scope, subject and fixed window: `INCR` makes each count
atomic, and the window's end is known without asking Redis for a TTL, so a refusal says exactly
when to try again (`Retry-After`). The request is counted *before* any work is done, so a refused
request reads nothing (not the chain, not the database).

Two kinds of subject:
- the client address (`client_address`, X-Forwarded-For believed only through `TRUSTED_PROXIES`):
  `check_client(request, scope=...)`;
- distinct things a client asks about (e.g. document fingerprints it guesses):
  `check_distinct(request, scope=..., value=...)` counts each value once per window, so asking
  again about the same document is free while trying many different ones is limited.

Use in a page: `@rate_limited("verify")` on the view function (a refusal is the friendly 429 page
with Retry-After). Use in a DRF view: `throttle_classes = [RateLimitThrottle]` with
`rate_limit_scope = "verify"` on the view, or call `check_client`/`check_distinct` in the view,
which raise `TooManyAttempts` (the API's exception handler answers 429 with Retry-After).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.lockout import client_address
from config.env import Rate, parse_rate
from config.errors import TooManyAttempts


def rate_of(scope: str) -> Rate:
    """The rate configured for `scope`; a scope missing from `RATE_LIMITS` is a configuration error."""
    try:
        return parse_rate(settings.RATE_LIMITS[scope])
    except KeyError:
        raise ImproperlyConfigured(f"RATE_LIMITS has no rate for the scope {scope!r}.") from None


def _digest(value: str) -> str:
    # Keys carry a digest: no client address or guessed value is stored in the cache as such.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _window(rate: Rate, now: float) -> tuple[int, int]:
    """The current window's index and the whole seconds until it ends (at least 1)."""
    index = int(now // rate.seconds)
    return index, max(1, math.ceil((index + 1) * rate.seconds - now))


def _count(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        return _count(key, timeout)


def too_many(seconds: int) -> TooManyAttempts:
    """The refusal of a rate-limited request, saying in plain words when to try again."""
    if seconds < 60:
        wait = ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    else:
        minutes = math.ceil(seconds / 60)
        wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return TooManyAttempts(
        gettext("Too many requests from your address in a short time. Try again in %(wait)s.")
        % {"wait": wait},
        retry_after=seconds,
    )


def hit(*, scope: str, subject: str) -> None:
    """Count one request of `subject` in `scope`; raises TooManyAttempts past the scope's rate."""
    rate = rate_of(scope)
    index, remaining = _window(rate, time.time())
    if _count(f"ratelimit:{scope}:{_digest(subject)}:{index}", remaining + 1) > rate.count:
        raise too_many(remaining)


def check_client(request: HttpRequest, *, scope: str) -> None:
    """Count this request against its client address in `scope` (raises TooManyAttempts past the rate)."""
    hit(scope=scope, subject=client_address(request))


def check_distinct(request: HttpRequest, *, scope: str, value: str) -> None:
    """Count `value` once per window against the client address in `scope`: asking about the same
    value again is free, each new one counts (raises TooManyAttempts past the rate)."""
    rate = rate_of(scope)
    address = client_address(request)
    index, remaining = _window(rate, time.time())
    subject = _digest(address)
    counter = f"ratelimit:{scope}:{subject}:{index}"
    seen = f"ratelimit:{scope}:{subject}:{index}:seen:{_digest(value)}"
    if cache.get(seen):
        return
    if cache.get(counter, 0) >= rate.count:
        raise too_many(remaining)
    if not cache.add(seen, 1, remaining + 1):
        return  # a concurrent request of the same client already counted this value
    if _count(counter, remaining + 1) > rate.count:
        cache.delete(seen)
        raise too_many(remaining)


def refused_response(request: HttpRequest, exc: TooManyAttempts) -> HttpResponse:
    """The friendly 429 page with Retry-After."""
    response = render(request, "429.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def rate_limited(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page view counted per client address in `scope`; past the rate it answers the 429 page
    (the view does not run). A view may raise TooManyAttempts itself (e.g. from `check_distinct`):
    it is answered the same way."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                check_client(request, scope=scope)
                return view(request, *args, **kwargs)
            except TooManyAttempts as exc:
                return refused_response(request, exc)

        return limited

    return decorate


class RateLimitThrottle(BaseThrottle):
    """DRF throttle counting each request per client address in the view's `rate_limit_scope`.

    A refusal raises TooManyAttempts, so the answer is the API's usual error body (`detail`, `code`)
    with status 429 and Retry-After, the same as every other limit of the platform.
    """

    def allow_request(self, request: Request, view: APIView) -> bool:
        scope = getattr(view, "rate_limit_scope", None)
        if not scope:
            raise ImproperlyConfigured(
                f"{type(view).__name__} uses RateLimitThrottle without rate_limit_scope."
            )
        check_client(request, scope=scope)
        return True
