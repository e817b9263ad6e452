"""The embedded demo's SQLite database takes concurrent clicks without "database is locked"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.sqlite_burst import ROUNDS, THREADS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_saves_on_the_demo_database_all_succeed(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "VAR_DIR": str(tmp_path),
    }

    run = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_burst"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary == {"journal_mode": "wal", "saved": THREADS * ROUNDS, "errors": []}
