"""Reads of trade documents, scoped to the caller (SMEs their own; staff those of submitted applications)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.choices import STAFF_ROLES, Role
from accounts.models import User
from financing.choices import ApplicationStatus
from financing.models import TradeDocument


def trade_documents_visible_to(user: User) -> QuerySet[TradeDocument]:
    """The trade documents `user` may read, in the order they were added."""
    base = TradeDocument.objects.select_related("application", "registration_transaction").order_by(
        "application_id", "pk"
    )
    if user.role == Role.SME:
        return base.filter(application__company__representative=user)
    if user.role in STAFF_ROLES:
        return base.exclude(application__status=ApplicationStatus.DRAFT)
    return base.none()


def trade_documents_of(user: User, application_id: int) -> QuerySet[TradeDocument]:
    """The documents of one application `user` may read (empty when it may not)."""
    return trade_documents_visible_to(user).filter(application_id=application_id)
