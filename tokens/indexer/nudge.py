"""Let a confirmed chain write wake the indexer at once instead of waiting for beat's next run."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from config.tasks import enqueue_on_commit
from tokens.indexer.tasks import chain_index


def nudging_indexer(handler: Callable[..., Any]) -> Callable[..., Any]:
    """`handler`, then the indexer queued after the handler's transaction commits (never inside it)."""

    @wraps(handler)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = handler(*args, **kwargs)
        enqueue_on_commit(chain_index)
        return result

    return wrapped
