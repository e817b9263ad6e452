"""axe-core in a Playwright page: inject the npm package's `axe.min.js` (no network) and read the findings.

Shared by the browser tests and by anyone checking a page by hand:

    findings = axe_findings(page)               # every violation, as axe reports it
    assert blocking(findings) == [], summary(blocking(findings))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# What must never ship: axe's two highest impacts.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# WCAG 2.1 A and AA plus axe's best practices (landmarks, one main, headings, empty table headers).
RUN_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_findings(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (`page` is a Playwright sync Page)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the debugging protocol, not as a <script>: the page's CSP refuses inline code.
        page.evaluate(AXE_SCRIPT.read_text() + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        RUN_ONLY,
    )
    return list(result["violations"])


def blocking(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The serious and critical findings only."""
    return [finding for finding in findings if finding.get("impact") in BLOCKING_IMPACTS]


def summary(findings: list[dict[str, Any]]) -> str:
    """One line per finding and up to three offending elements, for an assertion message."""
    lines = []
    for finding in findings:
        targets = ", ".join(" ".join(node["target"]) for node in finding["nodes"][:3])
        lines.append(f"{finding['impact']}: {finding['id']} ({len(finding['nodes'])}x) {targets}")
    return "\n".join(lines)
