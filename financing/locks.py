"""Row locks of financing, in one place, always taken in primary-key order.

Two transactions that lock the same rows in the same order cannot deadlock on them: every service
that locks several subscriptions or allotments goes through these helpers (never its own
`select_for_update`), and locks the offering before its subscriptions and allotments.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from config.errors import NotFound
from financing.models import Allotment, Offering, Subscription


def _with(query: QuerySet[Any], related: tuple[str, ...]) -> QuerySet[Any]:
    """`query` joined with exactly `related`. Never `select_related()` with no names: that joins every
    non-null foreign key, recursively (an allotment's subscription, offering, application, company,
    investor ...), and made each settled batch's 50-row lock cost as much as the rest of its handler."""
    return query.select_related(*related) if related else query


def lock_offering(offering_id: int, *, related: tuple[str, ...] = ()) -> Offering:
    """The offering, locked until the transaction ends (only its own row, not the related ones)."""
    offering = _with(Offering.objects.select_for_update(of=("self",)), related).filter(pk=offering_id).first()
    if offering is None:
        raise NotFound(gettext("No such offering."))
    return offering


def lock_subscriptions(*, related: tuple[str, ...] = (), **filters: Any) -> list[Subscription]:
    """The subscriptions matching `filters`, locked in primary-key order."""
    query = _with(Subscription.objects.select_for_update(of=("self",)), related)
    return list(query.filter(**filters).order_by("pk"))


def lock_allotments(
    *, ids: Iterable[int] | None = None, related: tuple[str, ...] = (), **filters: Any
) -> list[Allotment]:
    """The allotments matching `filters` (and `ids`, when given), locked in primary-key order."""
    query = _with(Allotment.objects.select_for_update(of=("self",)), related).filter(**filters)
    if ids is not None:
        query = query.filter(pk__in=list(ids))
    return list(query.order_by("pk"))
