"""The one way to enqueue a task: after the surrounding transaction commits."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Send `task(**kwargs)` once the current transaction commits (at once outside one).

    Only for work a sweep re-drives (the outbox sweep re-sends rows left pending): a broker outage at
    that moment is logged, not raised, because the user's action has already committed.
    """
    transaction.on_commit(partial(_send, task, kwargs))


def _send(task: Task, kwargs: dict[str, Any]) -> None:
    try:
        task.apply_async(kwargs=kwargs)
    except OperationalError as exc:
        logger.warning("The broker did not take %s%s (%s); the sweep sends it later.", task.name, kwargs, exc)
