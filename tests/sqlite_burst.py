"""Concurrent clicks on the embedded demo's SQLite database, run by `tests/test_sqlite_demo.py`.

Started with DJANGO_SETTINGS_MODULE=config.settings.dev and DATABASE_URL pointing at a fresh SQLite
file: migrates it, then lets SMEs save their company profiles in threads released together, a few
rounds each (every save reads, then writes the company and two audit rows). Prints one JSON line:
the journal mode, how many saves succeeded and the errors met.
"""

from __future__ import annotations

import json
from functools import partial

import django

THREADS = 16
ROUNDS = 3


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.choices import Role
    from accounts.models import User
    from issuers.services import company_save
    from tests.concurrency import at_once

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    users = [
        User.objects.create(email=f"burst{n}@example.hk", full_name=f"SME {n}", role=Role.SME)
        for n in range(THREADS)
    ]

    def save(user: User, round_: int) -> str:
        try:
            company_save(
                user=user,
                legal_name_en=f"Burst {user.pk} round {round_} Limited",
                legal_name_zh="",
                jurisdiction="HK",
                registration_number=f"{40000000 + user.pk}",
                industry="robotics",
            )
        except Exception as exc:  # every failure is the finding: count it with its message
            return f"{type(exc).__name__}: {exc}"
        return "saved"

    outcomes: list[str] = []
    for round_ in range(ROUNDS):
        outcomes += at_once([partial(save, user, round_) for user in users])
    errors = sorted({outcome for outcome in outcomes if outcome != "saved"})
    print(json.dumps({"journal_mode": journal_mode, "saved": outcomes.count("saved"), "errors": errors}))


if __name__ == "__main__":
    main()
