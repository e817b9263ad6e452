"""The Celery application: settings come from Django's (CELERY_ prefix)."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fix-up closes every database connection before and after each task unless
# `db_reuse_max` is set, and then only every that many tasks. A worker keeps its connection instead:
# the fix-up is told to (practically) never close it, and Django's own rules decide around each task
# as they do around each request: a connection older than WORKER_DATABASE_CONN_MAX_AGE, or one that
# fails its health check, or one left in a broken transaction, is closed and reopened.
app.conf["CELERY_DB_REUSE_MAX"] = 2**62  # the fix-up reads this old-style key only
_in_worker = False


@worker_init.connect
def _keep_database_connections(**_: Any) -> None:
    """In a worker process: connections live WORKER_DATABASE_CONN_MAX_AGE seconds, health-checked."""
    global _in_worker
    from django.conf import settings
    from django.db import connections

    _in_worker = True
    for alias in settings.DATABASES:
        connections.settings[alias]["CONN_MAX_AGE"] = settings.WORKER_DATABASE_CONN_MAX_AGE
        connections.settings[alias]["CONN_HEALTH_CHECKS"] = True


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(**_: Any) -> None:
    """What Django does at each request's start and end: drop unusable or expired connections."""
    if not _in_worker:
        return  # an eager task runs inside its caller's request or test: leave its connection alone
    from django.db import close_old_connections

    close_old_connections()


# Sub-packages with their own tasks module.
app.autodiscover_tasks(["tokens.indexer"])
