"""A user's signed-in sessions: recorded per session, listed on the account page, ended one by one or all.

Django's database sessions say nothing about who they belong to without decoding each one, so each
signed-in session gets a `UserSession` row keyed by its session (deleted with it). A library was
considered: django-user-sessions replaces the session engine itself and its admin, more than a list
needs. Ending a session deletes Django's session row: the cookie that carried it no longer signs
anyone in, and the `UserSession` row goes with it.
"""

from __future__ import annotations

import ipaddress
import re
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.lockout import client_address
from accounts.models import User, UserSession
from compliance.audit import audit_record
from config.errors import NotFound, ValidationFailed

# The session remembers for which of its keys, and when, its row was last written.
RECORDED_KEY = "accounts.session_recorded"
RECORD_INTERVAL_SECONDS = 60
USER_AGENT_MAX_LENGTH = UserSession._meta.get_field("user_agent").max_length or 300

_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def device_label(user_agent: str) -> str:
    """'Chrome on Windows' from a user agent; a program's own name (e.g. python-requests) as it is."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    program = user_agent.split(" ", 1)[0].split("/", 1)[0].strip()
    return program[:40] or _("Unknown device")


def ip_prefix(address: str) -> str:
    """The network of an address, never the address itself: 203.0.113.0/24, or a /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def session_record(request: HttpRequest) -> None:
    """Write (or refresh, at most once a minute) the row of the signed-in session of `request`."""
    session = request.session
    key = session.session_key
    if not key:
        return
    now = time.time()
    recorded = session.get(RECORDED_KEY)
    if recorded and recorded[0] == key and now - recorded[1] < RECORD_INTERVAL_SECONDS:
        return
    if not Session.objects.filter(session_key=key).exists():
        return  # ended a moment ago (log-out, or "log out" from another session)
    moment = timezone.now()
    UserSession.objects.update_or_create(
        session_id=key,
        defaults={"user_id": request.user.pk, "last_seen_at": moment},
        create_defaults={
            "user_id": request.user.pk,
            "user_agent": request.headers.get("User-Agent", "")[:USER_AGENT_MAX_LENGTH],
            "ip_prefix": ip_prefix(client_address(request)),
            "created_at": moment,
            "last_seen_at": moment,
        },
    )
    session[RECORDED_KEY] = [key, now]


def sessions_of(user: User) -> QuerySet[UserSession]:
    """The caller's live sessions, the most recently active first.

    A session idle past SESSION_IDLE_TIMEOUT_SECONDS ends at its next request (config.middleware), so
    it is no longer listed even while its row waits for that request or for the expiry clean-up.
    """
    now = timezone.now()
    idle_since = now - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS)
    return UserSession.objects.filter(
        user=user, session__expire_date__gt=now, last_seen_at__gt=idle_since
    ).order_by("-last_seen_at", "-created_at")


def _end(user: User, rows: QuerySet[UserSession]) -> int:
    """Delete Django's sessions (and with them their rows) of `rows`, of `user` only."""
    keys = list(rows.filter(user=user).values_list("session_id", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_session_end(*, user: User, pk: int, current_key: str | None) -> None:
    """Log out one of the user's other sessions; this one ends with the log-out button instead."""
    row = UserSession.objects.filter(user=user, pk=pk).first()
    if row is None:
        raise NotFound(_("No such session among yours: it may have ended already."))
    if row.session_id == current_key:
        raise ValidationFailed(
            _("This is the session you are using: log out with the button at the top of the page."),
            code="CurrentSession",
        )
    _end(user, UserSession.objects.filter(pk=row.pk))
    audit_record(actor=user, action="session_ended", obj=user, data={"sessions": 1})


@transaction.atomic
def user_sessions_end_others(*, user: User, current_key: str | None, reason: str = "log_out_others") -> int:
    """End every session of `user` but `current_key` (None: all of them); returns how many ended."""
    others = UserSession.objects.filter(user=user)
    if current_key:
        others = others.exclude(session_id=current_key)
    ended = _end(user, others)
    audit_record(actor=user, action="sessions_ended", obj=user, data={"sessions": ended, "why": reason})
    return ended
