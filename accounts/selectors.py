"""Reads for accounts, limited to what the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiKey, User


def api_keys_of(user: User) -> QuerySet[ApiKey]:
    """The caller's own API keys, newest first, revoked and expired ones included."""
    return ApiKey.objects.filter(user=user).order_by("-created_at", "-pk")
