"""A real `celery worker` child process, shared by the journey tests and the settlement benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def worker_env(*, database_url: str, chain_rpc_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker on the given database and chain (this process's Redis), tasks not eager."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CHAIN_RPC_URL": chain_rpc_url,
        "CELERY_VISIBILITY_TIMEOUT": "10",
        **extra,
    }


class CeleryWorker:
    """A `celery worker` child process (queues `chain` and `default`, one solo pool) with the given env."""

    def __init__(self, env: dict[str, str], log: Path, *, name: str = "journey") -> None:
        self.env = env
        self.log = log
        self.name = name
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
                    f"{self.name}-{time.monotonic_ns()}@%h",
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
