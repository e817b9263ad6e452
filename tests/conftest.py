"""Fixtures for cross-app journeys: a real Celery worker process and an HTTP client for the API."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.worker import CeleryWorker, worker_env


@pytest.fixture
def celery_worker_process(platform, tmp_path: Path) -> Iterator[CeleryWorker]:
    """A running worker on real Redis; tasks from this process go to it instead of running inline."""
    db = connection.settings_dict
    env = worker_env(
        database_url="postgres://{USER}:{password}@{HOST}:{PORT}/{NAME}".format(
            **db, password=db["PASSWORD"] or ""
        ),
        chain_rpc_url=settings.CHAIN_RPC_URL,
    )
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    worker = CeleryWorker(env, tmp_path / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        celery_app.conf.task_always_eager = previous
        if worker.log.exists():
            sys.stdout.write(worker.log.read_text()[-4000:])


class Api:
    """A session against the live server's JSON API (session cookie + CSRF header)."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/") + "/api/v1/"
        self.http = requests.Session()
        # Log-in and sign-up demand the CSRF token too: take the cookie first, as a browser client would.
        self.get("auth/csrf/")

    def _headers(self) -> dict[str, str]:
        token = self.http.cookies.get("csrftoken")
        return {"X-CSRFToken": token} if token else {}

    def get(self, path: str) -> Any:
        response = self.http.get(self.base + path, timeout=30)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return response.json()

    def post(self, path: str, data: dict[str, Any] | None = None, *, expect: int = 200) -> Any:
        response = self.http.post(self.base + path, json=data or {}, headers=self._headers(), timeout=30)
        assert response.status_code == expect, (path, response.status_code, response.text)
        return response.json() if response.content else None

    def upload(self, path: str, data: dict[str, str], document: Any, *, expect: int = 201) -> Any:
        files = {"file": (document.name, document.read(), "application/pdf")}
        response = self.http.post(
            self.base + path, data=data, files=files, headers=self._headers(), timeout=30
        )
        assert response.status_code == expect, (path, response.status_code, response.text)
        return response.json()

    def put(self, path: str, data: dict[str, Any], *, expect: int = 200) -> Any:
        response = self.http.put(self.base + path, json=data, headers=self._headers(), timeout=30)
        assert response.status_code == expect, (path, response.status_code, response.text)
        return response.json()


@pytest.fixture
def api(live_server) -> Callable[[], Api]:
    """A factory of API sessions against the live server."""
    return lambda: Api(live_server.url)


def wait_for(condition: Callable[[], Any], *, timeout: float = 60, what: str = "condition") -> Any:
    """Poll until `condition()` is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
