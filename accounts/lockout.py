"""Log-in guessing limits: failures counted per account and per client address in the shared cache.

The counters live in Django's default cache, which is Redis in every multi-process deployment, so
all web processes see the same counts; Redis `INCR` makes each count atomic. An attempt is counted
*before* its password is checked and given back when the password was right, so concurrent guesses
cannot slip past the limit. Reaching a limit locks that account or address; each lockout lasts
twice the previous one (remembered for a day), up to `LOGIN_LOCKOUT_MAX_SECONDS`.

django-axes was considered: it counts per account and per address, but with one failure limit for
both and a fixed cool-off, so it gives neither a higher per-address threshold nor progressive
lockout, and it checks the password before counting.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import gettext

from config.errors import TooManyAttempts

# Failures are forgotten after this long without another one; lockouts, after a day without one.
FAILURE_MEMORY_SECONDS = 15 * 60
STRIKE_MEMORY_SECONDS = 24 * 60 * 60

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies() -> list[Network]:
    """`TRUSTED_PROXIES` parsed; a value that is not an address or network stops the start."""
    networks = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network."
            ) from None
    return networks


def _is_trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address the request came from: X-Forwarded-For is read only through trusted proxies.

    Walking the header from the right, each hop a trusted proxy added is skipped; the first hop
    no trusted proxy vouches for is the client. Hops further left were written by the client.
    """
    address = request.META.get("REMOTE_ADDR", "")
    networks = trusted_proxies()
    if not networks or not _is_trusted(address, networks):
        return address
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        address = hop
        if not _is_trusted(hop, networks):
            break
    return address


@dataclass(frozen=True)
class _Subject:
    kind: str
    digest: str
    limit: int

    def key(self, what: str) -> str:
        return f"login:{what}:{self.kind}:{self.digest}"


def _subjects(email: str, address: str) -> tuple[_Subject, _Subject]:
    # Keys carry a digest, not the email address itself.
    def digest(value: str) -> str:
        return hashlib.sha256(value.encode()).hexdigest()[:32]

    return (
        _Subject("account", digest(email), settings.LOGIN_FAILURES_PER_ACCOUNT),
        _Subject("address", digest(address), settings.LOGIN_FAILURES_PER_ADDRESS),
    )


def _increment(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # it expired between add and incr
        return _increment(key, timeout)
    # Also restores the expiry should the key have expired inside incr (INCR then creates it anew).
    cache.touch(key, timeout)
    return count


def _locked_for(subject: _Subject, now: float) -> int:
    until = cache.get(subject.key("lock"))
    return max(0, math.ceil(until - now)) if until else 0


@dataclass(frozen=True)
class _Count:
    """An attempt's place in a subject's failures since its last lockout (`strikes` lockouts so far)."""

    subject: _Subject
    strikes: int
    value: int

    @property
    def key(self) -> str:
        return self.subject.key(f"failures:{self.strikes}")


def _lock(count: _Count, now: float) -> int:
    seconds = min(settings.LOGIN_LOCKOUT_SECONDS * 2**count.strikes, settings.LOGIN_LOCKOUT_MAX_SECONDS)
    # Only the request that sets the lock counts a strike, however many fail at once. The strike also
    # starts a fresh failure count (the key names the strike), while attempts already under way keep
    # counting on the old, full one and are refused.
    if cache.add(count.subject.key("lock"), now + seconds, seconds):
        _increment(count.subject.key("strikes"), STRIKE_MEMORY_SECONDS)
        return seconds
    return max(1, _locked_for(count.subject, now))


def _too_many(seconds: int) -> TooManyAttempts:
    minutes = math.ceil(seconds / 60)
    wait = f"{seconds} seconds" if seconds < 60 else f"{minutes} minute{'s' if minutes > 1 else ''}"
    return TooManyAttempts(
        gettext("Too many failed log-ins for this account or from this address. Try again in %(wait)s.")
        % {"wait": wait},
        retry_after=seconds,
    )


@dataclass(frozen=True)
class Attempt:
    """One log-in attempt, counted before its password is checked."""

    account: _Count
    address: _Count

    def failed(self) -> None:
        """Record a wrong password, locking what reached its limit (the next attempt is refused)."""
        now = time.time()
        for count in (self.account, self.address):
            if count.value >= count.subject.limit:
                _lock(count, now)

    def succeeded(self) -> None:
        """The password was right: the account's failures are cleared and the address gets its count back."""
        cache.delete(self.account.key)
        try:
            cache.decr(self.address.key)
        except ValueError:  # already expired
            return
        cache.touch(self.address.key, FAILURE_MEMORY_SECONDS)


def attempt_begin(*, email: str, address: str) -> Attempt:
    """Count a log-in attempt; raises TooManyAttempts while the account or the address is locked."""
    now = time.time()
    subjects = _subjects(email, address)
    # Strikes are read before the lock: a lock set in between is then seen, or the count lands on
    # the old, full failure count.
    strikes = [cache.get(subject.key("strikes"), 0) for subject in subjects]
    wait = max(_locked_for(subject, now) for subject in subjects)
    if wait:
        raise _too_many(wait)
    account, address_count = (
        _Count(subject, n, _increment(subject.key(f"failures:{n}"), FAILURE_MEMORY_SECONDS))
        for subject, n in zip(subjects, strikes, strict=True)
    )
    over = [count for count in (account, address_count) if count.value > count.subject.limit]
    if over:
        # Concurrent guesses beyond the limit: lock without checking the password.
        raise _too_many(max(_lock(count, now) for count in over))
    return Attempt(account, address_count)
