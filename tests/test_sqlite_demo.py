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


HISTORY_ON_SQLITE = """
import django
django.setup()
from django.core.management import call_command
from accounts.choices import Role
from accounts.models import User
from financing.history import investor_transactions, latest_transactions
call_command("migrate", verbosity=0)
user = User.objects.create(email="history@example.hk", full_name="History", role=Role.INVESTOR)
rows = investor_transactions(user)
print(rows.count(), len(list(rows[:25])), len(latest_transactions(user)[0]))
"""


def test_the_investors_history_union_runs_on_the_demos_sqlite(tmp_path: Path):
    # SQLite refuses ORDER BY inside the parts of a compound SELECT: the demo's portfolio runs it.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "VAR_DIR": str(tmp_path),
    }

    run = subprocess.run(
        [sys.executable, "-c", HISTORY_ON_SQLITE],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1] == "0 0 0"
