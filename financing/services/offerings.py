"""Offerings: opening, pausing, cancelling and closing (also when due); token set-up is in token_setup.py."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from compliance.audit import audit_record
from config.errors import ApplicationError, Conflict, ValidationFailed
from config.tasks import enqueue_on_commit
from financing.choices import (
    OfferingStatus,
    SubscriptionStatus,
)
from financing.locks import lock_offering, lock_subscriptions
from financing.models import Application, Offering, OfferingCloseRetry, Subscription
from financing.services.common import (
    offering_move,
    offering_move_cancelled,
    require_staff,
)
from financing.services.subscriptions import refuse_while_funding, subscriptions_end
from financing.trade.services import trade_opening_refusal
from issuers.choices import KybStatus
from tokens import chain
from tokens.chain import ChainUnavailable

logger = logging.getLogger(__name__)


@transaction.atomic
def offering_open(*, actor: User, offering_id: int) -> Offering:
    """Open a ready offering for subscriptions."""
    require_staff(actor)
    offering = lock_offering(offering_id, related=("application__company",))
    if offering.closes_at <= timezone.now():
        raise Conflict(gettext("The offering's closing time has passed; it cannot open."))
    if offering.application.company.kyb_status == KybStatus.BLOCKED:
        raise Conflict(gettext("The issuer is blocked by compliance; its offering cannot open."))
    refusal = trade_opening_refusal(offering.application)
    if refusal:
        raise Conflict(refusal)
    offering_move(offering, OfferingStatus.OPEN, actor=actor, opened_at=timezone.now())
    return offering


@transaction.atomic
def offering_cancel(*, actor: User, offering_id: int, reason: str) -> Offering:
    """Staff call off an offering before it closes, saying why (the issuer and every subscribed investor
    read who, why and when); every subscription's escrow goes back to its investor."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            gettext("Say why the offering is cancelled: the issuer and its investors read it."),
            fields={"reason": gettext("A reason is required to cancel an offering.")},
        )
    offering = lock_offering(offering_id, related=("token",))
    refuse_while_funding(offering)
    offering_move_cancelled(offering, actor=actor, reason=reason, closed_at=timezone.now())
    active = lock_subscriptions(offering=offering, status=SubscriptionStatus.ACTIVE)
    for subscription in active:
        subscription.offering = offering
    subscriptions_end(active, to=SubscriptionStatus.CANCELLED, actor=actor, reason=reason)
    return offering


def _live_offering(offering_id: int) -> Offering:
    offering = lock_offering(offering_id, related=("application__arranger",))
    if offering.status not in (OfferingStatus.PREPARING, OfferingStatus.READY, OfferingStatus.OPEN):
        raise Conflict(
            gettext("This offering is %(lower)s; its arranger no longer changes.")
            % {"lower": offering.get_status_display().lower()}
        )
    return offering


@transaction.atomic
def offering_subscriptions_pause(*, actor: User | None, offering_id: int, reason: str) -> Offering:
    """Refuse new subscriptions, with the reason shown to investors (those placed stay in escrow)."""
    offering = _live_offering(offering_id)
    Offering.objects.filter(pk=offering.pk).update(
        subscriptions_paused_reason=reason, updated_at=timezone.now()
    )
    offering.subscriptions_paused_reason = reason
    audit_record(actor=actor, action="offering_subscriptions_paused", obj=offering, reason=reason)
    return offering


@transaction.atomic
def offering_arranger_replace(*, actor: User, offering_id: int, arranger_id: int, reason: str) -> Offering:
    """Compliance names a new arranger (licence suitable today); paused subscriptions resume."""
    from compliance.licences.services import arranger_choose, require_register_keeper

    require_register_keeper(actor)
    if not reason.strip():
        raise ValidationFailed(
            gettext("Say why the arranger changes."), fields={"reason": gettext("A reason is required.")}
        )
    offering = _live_offering(offering_id)
    arranger, licence = arranger_choose(
        arranger_id=arranger_id,
        on=timezone.localdate(),
        professional_investors_only=offering.professional_investors_only,
    )
    application = offering.application
    previous = application.arranger
    Application.objects.filter(pk=application.pk).update(
        arranger=arranger, arranger_licence=licence, updated_at=timezone.now()
    )
    Offering.objects.filter(pk=offering.pk).update(subscriptions_paused_reason="", updated_at=timezone.now())
    application.arranger, application.arranger_licence = arranger, licence
    offering.subscriptions_paused_reason = ""
    audit_record(
        actor=actor,
        action="offering_arranger_replaced",
        obj=offering,
        reason=reason.strip(),
        data={"arranger": str(arranger), "previous_arranger": str(previous) if previous else ""},
    )
    return offering


def offering_close(*, actor: User | None, offering_id: int) -> Offering:
    """Close: below the soft cap cancel (escrow refunded); otherwise record the decision (allotting) and
    queue `offering_settle`, which allots (pro rata when oversubscribed) and settles from escrow.

    A short transaction that asks the chain nothing; returns the offering as this close left it.
    """
    with contextlib.suppress(ChainUnavailable):
        chain.chain_id()  # once per process, before the transaction: a refund below the soft cap records it
    return _offering_close_now(actor=actor, offering_id=offering_id)


@transaction.atomic
def _offering_close_now(*, actor: User | None, offering_id: int) -> Offering:
    from financing.tasks import offering_settle  # the task module imports the services

    if actor is not None:
        require_staff(actor)
    offering = lock_offering(offering_id, related=("token",))
    if offering.status != OfferingStatus.OPEN:
        raise Conflict(
            gettext("The offering is %(lower)s; only an open one can close.")
            % {"lower": offering.get_status_display().lower()}
        )
    refuse_while_funding(offering)
    subscribed = (
        Subscription.objects.filter(offering=offering, status=SubscriptionStatus.ACTIVE).aggregate(
            units=Sum("units")
        )["units"]
        or 0
    )
    now = timezone.now()
    if subscribed < offering.minimum_units:
        # Stored as written (like a reason staff type), not in the language of whoever closed it.
        minimum = offering.minimum_units
        reason = f"Minimum raise not reached: {subscribed} of at least {minimum} units were subscribed."
        offering_move_cancelled(offering, actor=actor, reason=reason, closed_at=now)
        subscriptions = lock_subscriptions(offering=offering, status=SubscriptionStatus.ACTIVE)
        for subscription in subscriptions:
            subscription.offering = offering
        subscriptions_end(subscriptions, to=SubscriptionStatus.CANCELLED, actor=actor, reason=reason)
        return offering
    offering_move(offering, OfferingStatus.ALLOTTING, actor=actor, closed_at=now)
    enqueue_on_commit(offering_settle, offering_id=offering.pk)
    return offering


def offerings_settle_stalled() -> list[int]:
    """Queue `offering_settle` again for offerings allotting for over a minute (its task was lost)."""
    from financing.tasks import offering_settle  # the task module imports the services

    stalled = list(
        Offering.objects.filter(
            status=OfferingStatus.ALLOTTING, updated_at__lte=timezone.now() - SETTLE_STALLED_AFTER
        ).values_list("pk", flat=True)
    )
    for offering_id in stalled:
        enqueue_on_commit(offering_settle, offering_id=offering_id)
    return stalled


SETTLE_STALLED_AFTER = timedelta(minutes=1)

# Back-off of the scheduled close after a failure: 1, 2, 4 ... minutes, at most an hour.
CLOSE_RETRY_FIRST_DELAY = timedelta(minutes=1)

CLOSE_RETRY_MAX_DELAY = timedelta(hours=1)


def offerings_close_due() -> list[int]:
    """Close every open offering past its closing time (a failed one backs off); returns the ids tried."""
    now = timezone.now()
    due = list(
        Offering.objects.filter(status=OfferingStatus.OPEN, closes_at__lte=now)
        .exclude(close_retry__next_attempt_at__gt=now)
        .values_list("pk", flat=True)
    )
    for offering_id in due:
        # One offering's trouble (chain down, missing wallet) must not hold up the others.
        try:
            _offering_close(actor=None, offering_id=offering_id)
        except Exception as exc:
            if not Offering.objects.filter(pk=offering_id, status=OfferingStatus.OPEN).exists():
                continue  # closed meanwhile by staff: nothing to retry
            failed = OfferingCloseRetry.objects.filter(offering_id=offering_id).first()
            attempts = (failed.attempts if failed else 0) + 1
            delay = min(CLOSE_RETRY_FIRST_DELAY * 2 ** min(attempts - 1, 6), CLOSE_RETRY_MAX_DELAY)
            failed_at = timezone.now()
            error = exc.message if isinstance(exc, ApplicationError) else f"{type(exc).__name__}: {exc}"
            OfferingCloseRetry.objects.update_or_create(
                offering_id=offering_id,
                defaults={
                    "attempts": attempts,
                    "next_attempt_at": failed_at + delay,
                    "last_error": error,
                    "last_failed_at": failed_at,
                },
            )
            logger.exception(
                "closing due offering %s failed (attempt %s); next attempt in %s",
                offering_id,
                attempts,
                delay,
            )
    # Closed by this run or by staff, or cancelled: nothing is left to retry.
    OfferingCloseRetry.objects.exclude(offering__status=OfferingStatus.OPEN).delete()
    offerings_settle_stalled()
    return due


def _offering_close(*, actor: User | None, offering_id: int) -> Offering:
    """The close the beat runs (a seam for fault-injection tests)."""
    return offering_close(actor=actor, offering_id=offering_id)
