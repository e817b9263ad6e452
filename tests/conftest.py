"""Fixtures for cross-app journeys: a real Celery worker process and an HTTP client for the API."""

from __future__ import annotations

import os
import signal
import subprocess
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

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CeleryWorker:
    """A `celery worker` child process on the test database, queue `chain` and `default`."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-Q",
                    "chain,default",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"journey-{time.monotonic_ns()}@%h",
                ],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement of the task in hand."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_process(platform, tmp_path: Path) -> Iterator[CeleryWorker]:
    """A running worker on real Redis; tasks from this process go to it instead of running inline."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://{USER}:{password}@{HOST}:{PORT}/{NAME}".format(
            **db, password=db["PASSWORD"] or ""
        ),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CHAIN_RPC_URL": settings.CHAIN_RPC_URL,
        "CELERY_VISIBILITY_TIMEOUT": "10",
    }
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
