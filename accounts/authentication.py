"""API keys on the wire: how a key is made, read back and checked, as a DRF authentication class.

A key is `bacc_<lookup_id>.<secret>`: 12 hex characters that find the row and 43 random URL-safe
characters (256 bits). Only SHA-256 of the whole key is stored and compared in constant time; a
slow password hash adds nothing for a random secret this long and would cost every request.

The class is listed before the session one: a request carrying `Authorization: Bearer <key>` (or
`Token <key>`) is judged by its key alone and needs no CSRF token (a browser never adds that header
to a cross-site request by itself); any other request falls through to the session and its CSRF
check. Pages never read the header: they know sessions only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from accounts.models import API_KEY_PREFIX, ApiKey, User

KEYWORDS = ("bearer", "token")
LOOKUP_ID_BYTES = 6
SECRET_BYTES = 32
# Using a key records when, at most once per this interval, to spare a write per request.
LAST_USED_INTERVAL = timedelta(minutes=1)
_NOT_A_KEY = "This is not an API key of this platform: send `Authorization: Bearer <key>`."
_UNKNOWN = "This API key is not valid: it was never issued, or it was mistyped."


def api_key_new() -> tuple[str, str, str]:
    """A new key as (the whole key to show once, its lookup id, its digest to store)."""
    lookup_id = secrets.token_hex(LOOKUP_ID_BYTES)
    key = f"{API_KEY_PREFIX}{lookup_id}.{secrets.token_urlsafe(SECRET_BYTES)}"
    return key, lookup_id, api_key_digest(key)


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _refuse(message: str, code: str) -> exceptions.AuthenticationFailed:
    # A dict detail gives the body every refusal has: `detail` and `code`.
    return exceptions.AuthenticationFailed({"detail": message, "code": code})


def _presented_key(request: Request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    keyword, _, credential = header.strip().partition(" ")
    if keyword.lower() not in KEYWORDS:
        return None  # no key (or another scheme): the session decides
    return credential.strip()


def api_key_user(key: str) -> tuple[User, ApiKey]:
    """The user a presented key acts as, or AuthenticationFailed saying why not."""
    lookup_id, dot, _ = key.removeprefix(API_KEY_PREFIX).partition(".")
    if not key.startswith(API_KEY_PREFIX) or not dot or len(lookup_id) != LOOKUP_ID_BYTES * 2:
        raise _refuse(_NOT_A_KEY, "ApiKeyMalformed")
    api_key = ApiKey.objects.select_related("user").filter(lookup_id=lookup_id).first()
    # A digest is compared even when no row matched, so the answer's timing does not tell which.
    expected = api_key.digest if api_key else api_key_digest("")
    if not hmac.compare_digest(expected, api_key_digest(key)) or api_key is None:
        raise _refuse(_UNKNOWN, "ApiKeyUnknown")
    now = timezone.now()
    if api_key.revoked_at is not None:
        raise _refuse(
            f"This API key was revoked on {api_key.revoked_at:%Y-%m-%d %H:%M} UTC; create a new one.",
            "ApiKeyRevoked",
        )
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise _refuse(
            f"This API key expired on {api_key.expires_at:%Y-%m-%d %H:%M} UTC; create a new one.",
            "ApiKeyExpired",
        )
    if not api_key.user.is_active:
        raise _refuse("The account this API key belongs to is disabled.", "AccountDisabled")
    # At most one write a minute per key: the conditional update is a no-op within the interval.
    ApiKey.objects.filter(pk=api_key.pk).exclude(last_used_at__gt=now - LAST_USED_INTERVAL).update(
        last_used_at=now
    )
    return api_key.user, api_key


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`): the request acts as the key's user."""

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        key = _presented_key(request)
        if key is None:
            return None
        return api_key_user(key)

    def authenticate_header(self, request: Request) -> str | None:
        # 401 with a challenge only for a request that presented a key; a request without one keeps
        # the 403 that sessions have always answered (DRF asks the first class for this header).
        if _presented_key(request) is None:
            return None
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """The schema's `bearerAuth` security scheme."""

    target_class = ApiKeyAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "bacc_<lookup>.<secret>",
            "description": "A personal API key, created on the account page or at /api/v1/auth/keys/.",
        }
