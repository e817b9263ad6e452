"""What screening at submission costs: importing the whole OFAC list, and a KYB submission with and without.

Run on the test stack (PostgreSQL, Redis and anvil started for it):
`.venv/bin/python -m tests.services run -- .venv/bin/python bench/screen_submission.py`.
Migrates a fresh database, imports the shipped list (no re-screening), builds the index with a first
screening, then times `company_submit_for_kyb` for complete companies (three names each: the company
and two people) with the screening, without it (the call replaced by a no-op), and with it again.
Writes the "Screening at submission" section of docs/benchmarks.md and prints one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

import issuers.services as issuer_services  # noqa: E402
from bench.sections import write_section  # noqa: E402
from compliance.screening.services import sanctions_list_import, screen_party  # noqa: E402
from compliance.tests.screening_cases import sdn_file  # noqa: E402
from financing.demo import complete_company_onboarding  # noqa: E402
from tests.flows import draft_company  # noqa: E402

SECTION = "Screening at submission"
SUBMISSIONS = 30  # per round


def _submit(count: int, tag: str) -> list[float]:
    times = []
    for number in range(count):
        sme = draft_company(name=f"Peak View {tag} {number} Logistics Limited").representative
        complete_company_onboarding(sme, director="Chan Tai Man", owner="Grace Chan")
        start = time.perf_counter()
        issuer_services.company_submit_for_kyb(user=sme)
        times.append(time.perf_counter() - start)
    return times


def _ms(times: list[float]) -> str:
    return (
        f"{statistics.median(times) * 1000:.1f} ms (p90 {sorted(times)[int(len(times) * 0.9)] * 1000:.1f} ms)"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    version, _ = sanctions_list_import(path=sdn_file(), rescreen=False)
    imported = time.perf_counter() - start
    start = time.perf_counter()
    screen_party(name="index warm-up", entity_type="organization")
    index = time.perf_counter() - start
    screened = _submit(SUBMISSIONS, "A")
    real = issuer_services.screen_submission
    issuer_services.screen_submission = lambda **_: []  # type: ignore[assignment]
    unscreened = _submit(SUBMISSIONS, "B")
    issuer_services.screen_submission = real
    screened += _submit(SUBMISSIONS, "C")
    extra = statistics.median(screened) - statistics.median(unscreened)
    write_section(
        SECTION,
        f"## {SECTION}\n\n"
        "Measured by `bench/screen_submission.py` on the test stack (PostgreSQL 15, one process): a KYB "
        "submission screens the company's names and every director and owner in-process against the "
        "latest list version (the index is built once per process and list version) and records a "
        "`Screening` row per name.\n\n"
        "| Figure | Value |\n| --- | ---: |\n"
        f"| Importing {sdn_file().name} ({version.entry_count:,} entries, no re-screening) "
        f"| {imported:.1f} s |\n"
        f"| Index build on the first screening after start or import | {index:.2f} s |\n"
        f"| KYB submission, 3 names screened (median of {len(screened)}) | {_ms(screened)} |\n"
        f"| KYB submission, screening switched off (median of {len(unscreened)}) | {_ms(unscreened)} |\n"
        f"| Added by screening (median) | {extra * 1000:.1f} ms |\n",
    )
    print(
        json.dumps(
            {
                "import_seconds": round(imported, 2),
                "index_seconds": round(index, 2),
                "submission_ms_screened": round(statistics.median(screened) * 1000, 1),
                "submission_ms_unscreened": round(statistics.median(unscreened) * 1000, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
