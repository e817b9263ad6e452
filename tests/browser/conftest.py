"""Browser tests: pytest-playwright driving the operating system's Chromium against pytest-django's live
server on the real PostgreSQL, Redis and anvil of `make test`.

Chromium (and a CJK font, so Chinese pages render) is found or installed with apt-get like PostgreSQL
(`tests.services.chromium_executable`); when it cannot be, every browser test fails with the reason
rather than being skipped. Screenshots of each journey are kept under `var/browser-artefacts/`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.services import ServiceError, chromium_executable

ARTEFACTS = Path(settings.BASE_DIR) / "var" / "browser-artefacts"
SCREENSHOTS = ARTEFACTS / "screenshots"
# Chromium as the issue asks for it: headless, no sandbox (CI runs as root), nothing fetched in the
# background, no first-run or component-update traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
TAKEN: list[Path] = []  # this session's screenshots, for the summary


@pytest.fixture(scope="session", autouse=True)
def _django_beside_playwright() -> Iterator[None]:
    """Let the test's own thread use the database while Playwright's event loop runs in it.

    Playwright's sync API keeps an asyncio loop running in the main thread, and Django refuses
    synchronous database calls there. Nothing in these tests is asynchronous: the loop only carries
    Playwright's messages. The root conftest runs the browser tests last, so no other test shares this.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig: pytest.Config) -> dict[str, Any]:
    """The OS Chromium (never a browser Playwright downloads), headless unless `--headed`."""
    try:
        executable = chromium_executable()
    except ServiceError as exc:
        pytest.fail(str(exc), pytrace=False)
    return {
        "executable_path": executable,
        "args": CHROMIUM_ARGS,
        "headless": not pytestconfig.getoption("--headed"),
        "slow_mo": pytestconfig.getoption("--slowmo"),
    }


@pytest.fixture(scope="session")
def browser_context_args(live_server) -> dict[str, Any]:
    """Every page is opened on the live server, at a desktop size, in Hong Kong time (in the browser's
    own English unless a test gives `new_context(locale=...)`)."""
    return {"base_url": live_server.url, "viewport": VIEWPORT, "timezone_id": "Asia/Hong_Kong"}


class Screenshots:
    """Numbered full-page screenshots of one test, kept in its own directory under SCREENSHOTS."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    def __call__(self, page, name: str) -> Path:
        self.count += 1
        path = self.directory / f"{self.count:02d}-{name}.png"
        # Once the page has loaded (a form just sent may still be navigating), from the top, so that the
        # sticky header sits where a person sees it.
        page.wait_for_load_state()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        TAKEN.append(path)
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screenshots:
    """`shot(page, "name")` keeps a screenshot of the page as a test artefact (replacing the last run's)."""
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
    directory = SCREENSHOTS / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return Screenshots(directory)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Say where this run's screenshots are, so a person can look at them."""
    if TAKEN:
        where = os.path.relpath(SCREENSHOTS, config.rootpath)
        terminalreporter.write_sep("-", f"browser screenshots: {len(TAKEN)} in {where}/")
        failures = ARTEFACTS / "failures"
        if failures.is_dir():
            terminalreporter.write_line(
                f"screenshots of failed tests: {os.path.relpath(failures, config.rootpath)}/"
            )
