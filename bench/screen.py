"""Screening throughput against the whole OFAC SDN list, in one process on one core.

Run: `make bench-screen` (or `.venv/bin/python bench/screen.py`). Builds the matching index from the
shipped list (`../shared/data/sanctions/...`), screens a few thousand names (variants of real entries
and ordinary Greater Bay Area names, the quality suite's cases), writes the "Sanctions screening"
section of docs/benchmarks.md and prints one JSON line with `screenings_per_second` last.

What is timed is the matching a screening does (tokenise, find candidates, score, birth-year filter);
loading the index (once per process and list version) is reported apart. The database read of the
latest version's id and the recording of an API screening are not included.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.sections import write_section  # noqa: E402
from compliance.tests.screening_cases import (  # noqa: E402
    ordinary_cases,
    sdn_entries,
    sdn_file,
    sdn_index,
    variant_cases,
)

SECTION = "Sanctions screening"
THRESHOLD = 85  # the default of SANCTIONS_MATCH_THRESHOLD
GOAL = 200
ROUNDS = 1  # each distinct name once: a repeated name would meet the tokeniser's cache


def pin_to_one_core() -> str:
    """Run on one CPU where the OS allows it, so the figure is a one-core figure."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity here)"


def main() -> int:
    pinned = pin_to_one_core()
    started = time.perf_counter()
    entries = sdn_entries()
    index = sdn_index(entries)
    load_seconds = time.perf_counter() - started
    cases = [case for kind in variant_cases(entries, per_kind=300).values() for case in kind]
    cases += ordinary_cases(people=600, companies=600)
    hits = 0
    timed_start = time.perf_counter()
    for _ in range(ROUNDS):
        for case in cases:
            matches = index.search(
                case.name, entity_type=case.entity_type, birth_year=case.birth_year, threshold=THRESHOLD
            )
            hits += bool(matches)
    seconds = time.perf_counter() - timed_start
    screenings = len(cases) * ROUNDS
    rate = screenings / seconds
    result = {
        "screenings": screenings,
        "distinct_names": len(cases),
        "potential_matches": hits,
        "seconds": round(seconds, 3),
        "index_load_seconds": round(load_seconds, 2),
        "list_entries": len(entries),
        "screenings_per_second": round(rate, 1),
        "goal_met": rate >= GOAL,
    }
    section = "\n".join(
        [
            f"## {SECTION}",
            "",
            f"Measured by `bench/screen.py` (`make bench-screen`) against the whole OFAC SDN list "
            f"({sdn_file().name}, {len(entries):,} entries), one process {pinned}, Python "
            f"{platform.python_version()}, threshold {THRESHOLD}.",
            f"{len(cases):,} distinct names, each screened {ROUNDS} time(s): variants of real entries of "
            "every kind the quality suite measures (word order, case, punctuation, diacritics, Cyrillic "
            "transliteration, missing middle name, alias) and ordinary Hong Kong, mainland and Macao "
            "person and company names.",
            "Timed: tokenising, finding candidates in the token index, scoring them with rapidfuzz and the "
            "birth-year filter; building the index from the list is reported apart (once per process and "
            "list version); the API's database writes are not included.",
            "",
            "| Figure | Value |",
            "| --- | ---: |",
            f"| Screenings per second (one core) | {rate:,.0f} |",
            f"| Goal | {GOAL} ({'met' if rate >= GOAL else 'NOT met'}) |",
            f"| Screenings timed | {screenings:,} in {seconds:.2f} s |",
            f"| Index build from the parsed list | {load_seconds:.2f} s |",
            "",
            "For scale: yente, the best open screening server, does 4-30 screenings per second per vCPU.",
            "",
        ]
    )
    write_section(SECTION, section)
    print(section)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
