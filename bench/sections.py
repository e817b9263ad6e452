"""docs/benchmarks.md is written by the benchmarks, each its own "## ..." section."""

from __future__ import annotations

import re
from pathlib import Path

BENCHMARKS_DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(title: str, section: str) -> None:
    """Replace the "## <title>" section of docs/benchmarks.md (or append it), keeping the others."""
    text = BENCHMARKS_DOC.read_text() if BENCHMARKS_DOC.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}[ \t]*\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    BENCHMARKS_DOC.parent.mkdir(parents=True, exist_ok=True)
    BENCHMARKS_DOC.write_text(text.rstrip("\n") + "\n")
