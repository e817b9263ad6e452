"""Let a confirmed chain write wake the indexer at once instead of waiting for beat's next run."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.db import transaction

from tokens.indexer.tasks import NUDGE_QUEUED, NUDGE_QUEUED_SECONDS, chain_index

logger = logging.getLogger(__name__)


def _nudge() -> None:
    # Best effort: the write is committed and beat runs the indexer anyway. Where tasks run in-process
    # (the demo), an indexer failure is logged here rather than failing the confirmation that nudged it.
    # One queued run at a time: a run reads up to the head it finds when it starts (and clears the mark
    # first), so it covers every write confirmed before; a settlement's 200 batch confirmations queue a
    # handful of runs, not 200 that each pay the fixed cost of a run on the same worker.
    try:
        if not cache.add(NUDGE_QUEUED, True, timeout=NUDGE_QUEUED_SECONDS):
            return
        chain_index.apply_async()
    except Exception:
        logger.exception("could not nudge the indexer; beat's next run reads the new blocks")


def nudging_indexer(handler: Callable[..., Any]) -> Callable[..., Any]:
    """`handler`, then the indexer queued after the handler's transaction commits (never inside it)."""

    @wraps(handler)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = handler(*args, **kwargs)
        transaction.on_commit(_nudge)
        return result

    return wrapped
