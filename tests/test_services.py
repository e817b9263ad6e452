"""Fast checks of the test-services runner's pure parts and of how it stops processes."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests import services


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://app:secret@127.0.0.1:5433/app", "127.0.0.1:5433"),
        ("redis://:password@cache.internal:6379/0", "cache.internal:6379"),
        ("http://[::1]:8545", "[::1]:8545"),
        ("postgres://db.example.com/app", "db.example.com"),
        ("postgres:///app?host=/var/run/postgresql", "localhost"),
        ("redis://host:notaport/0", "host"),
    ],
)
def test_host_port_never_shows_credentials(url: str, expected: str) -> None:
    assert services.host_port(url) == expected


@pytest.mark.parametrize(("returncode", "status"), [(0, 0), (1, 1), (7, 7), (-2, 130), (-15, 143), (-9, 137)])
def test_exit_status_is_shell_style(returncode: int, status: int) -> None:
    assert services.exit_status(returncode) == status


def test_run_takes_the_command_after_the_separator() -> None:
    args = services.parse_args(["run", "--", "pytest", "-x", "--", "-k", "name"])
    assert args.command == ["pytest", "-x", "--", "-k", "name"]


def test_run_takes_a_command_without_separator() -> None:
    assert services.parse_args(["run", "false"]).command == ["false"]


def test_run_needs_a_command() -> None:
    with pytest.raises(SystemExit):
        services.parse_args(["run", "--"])


def test_newest_postgres_version_sorts_first() -> None:
    dirs = [Path(f"/usr/lib/postgresql/{version}/bin") for version in ("9.6", "15", "13", "16")]
    ordered = sorted(dirs, key=services.version_key, reverse=True)
    assert [path.parent.name for path in ordered] == ["16", "15", "13", "9.6"]


def spawn(script: str) -> subprocess.Popen[bytes]:
    """A shell in its own session, like the runner's services."""
    return subprocess.Popen(["sh", "-c", script], start_new_session=True)


def test_stop_process_terminates_a_service() -> None:
    process = spawn("exec sleep 30")
    services.stop_process(process, timeout=5)
    assert process.returncode == -signal.SIGTERM


def test_stop_process_kills_a_service_that_ignores_sigterm() -> None:
    process = spawn("trap '' TERM; sleep 30 & wait; sleep 30")
    time.sleep(0.1)  # let the shell install its trap before it is signalled
    started = time.monotonic()
    services.stop_process(process, timeout=0.3)
    assert process.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 3


def live_members(pgid: int) -> list[int]:
    """Processes of a group that are still running (exited ones may wait a while for init to reap them)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_relay_stops_the_commands_whole_group() -> None:
    child = spawn("sleep 30 & wait")
    time.sleep(0.1)  # let the shell start its background sleep
    relay = services.SignalRelay(child, shared_group=False)
    relay.handle(signal.SIGTERM, None)
    assert services.exit_status(relay.wait()) == 143
    deadline = time.monotonic() + 5
    while live_members(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live_members(child.pid) == []


def test_the_browser_tests_use_the_chromium_given_by_chromium(tmp_path: Path, monkeypatch) -> None:
    given = tmp_path / "chrome"
    given.write_text("#!/bin/sh\n")
    given.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(given))
    assert services.chromium_executable() == str(given)


def test_a_chromium_that_cannot_run_is_refused_rather_than_skipped(tmp_path: Path, monkeypatch) -> None:
    given = tmp_path / "chrome"
    given.write_text("not a program")
    monkeypatch.setenv("CHROMIUM", str(given))
    with pytest.raises(services.ServiceError, match="not an executable"):
        services.chromium_executable()


def test_without_chromium_and_without_apt_the_browser_tests_are_told_how_to_get_it(monkeypatch) -> None:
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    with pytest.raises(services.ServiceError, match="apt-get install chromium"):
        services.chromium_executable()
