"""Celery tasks of the indexer: thin and safe to run twice (beat runs them; overlapping runs are harmless)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from tokens.chain import ChainUnavailable
from tokens.indexer import reconcile, stream

logger = logging.getLogger(__name__)


# Set while a nudged run waits in the queue (see nudge.py); it expires in case that run is lost.
NUDGE_QUEUED = "indexer:nudge-queued"
NUDGE_QUEUED_SECONDS = 30


@shared_task(acks_late=True)
def chain_index() -> int:
    """Read the platform's new events into the index; returns how many were stored."""
    cache.delete(NUDGE_QUEUED)  # from here on, a new confirmation queues another run
    try:
        return stream.chain_index().events
    except ChainUnavailable:
        logger.warning("indexer: the chain is not answering; the next run goes on from the cursor")
        return 0


@shared_task(acks_late=True)
def holdings_reconcile() -> int:
    """Compare the indexed holdings and the HKD leg with the books; returns how many alerts were raised."""
    return len(reconcile.holdings_reconcile().raised)
