"""The one way to enqueue a task: after the surrounding transaction commits."""

from __future__ import annotations

from functools import partial
from typing import Any

from celery import Task
from django.db import transaction


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Send `task(**kwargs)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(task.apply_async, kwargs=kwargs))
