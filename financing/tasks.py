"""Periodic and background financing work."""

import logging

from celery import shared_task

from config.errors import ServiceUnavailable
from financing import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def offerings_close_due() -> list[int]:
    """Close offerings whose closing time has passed; one that failed waits out its back-off."""
    return services.offerings_close_due()


@shared_task(acks_late=True)
def offering_settle(*, offering_id: int) -> str | None:
    """Allot a closed offering and queue its settlement; safe to run twice or after a kill."""
    try:
        offering = services.offering_settle(offering_id=offering_id)
    except ServiceUnavailable as exc:  # the node is away: the close sweep runs this again (stalled offering)
        logger.warning("settling offering %s waits for the chain: %s", offering_id, exc)
        return None
    return offering.status if offering else None


@shared_task(acks_late=True)
def servicing_run() -> dict[str, int]:
    """Servicing by the date: funding notices, late payments, record-date snapshots, payouts, redemptions."""
    from financing.services.servicing import servicing_run as run

    try:
        done = run()
    except ServiceUnavailable as exc:  # the node is away: the next beat runs it again (each step re-runs)
        logger.warning("servicing waits for the chain: %s", exc)
        return {}
    return {
        "notices": done.notices,
        "late": done.late,
        "snapshots": done.snapshots,
        "payouts": done.payouts,
        "redemptions": done.redemptions,
    }


def transfers_expire() -> int:
    """Sales between investors that the buyer did not accept in time expire."""
    return services.transfers_expire()
