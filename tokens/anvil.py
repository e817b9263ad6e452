"""Start and stop a local anvil node (used by the demo and the test tooling, never in production)."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ANVIL_CANDIDATES = (
    PROJECT_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil",
    PROJECT_ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-arm64" / "bin" / "anvil",
    PROJECT_ROOT / "node_modules" / ".bin" / "anvil",
)


class AnvilNotFound(RuntimeError):
    """No anvil binary: run `npm ci` first."""


def anvil_binary() -> Path:
    """The anvil binary installed from npm (or on PATH as a fallback)."""
    for candidate in ANVIL_CANDIDATES:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise AnvilNotFound("anvil is not installed: run `npm ci` in the project root.")


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    request = urllib.request.Request(  # noqa: S310 - a fixed http://127.0.0.1 URL
        url,
        data=b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=0.5) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to SIGTERM it when its parent dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Anvil:
    """One anvil process on a loopback port; `stop()` (or the context manager) ends it."""

    port: int = field(default_factory=free_port)
    block_time: float | None = None
    state_file: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    # Where anvil persists old states (by default ~/.foundry/anvil/tmp, left behind by every node that
    # is killed: tens of gigabytes after a day of test runs); removed by `stop()`.
    cache: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> Anvil:
        self.cache = tempfile.TemporaryDirectory(prefix="anvil-states-")
        args = [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(self.port), "--silent"]
        args += ["--cache-path", self.cache.name]
        if self.block_time:
            args += ["--block-time", str(self.block_time)]
        if self.state_file:
            args += ["--state", str(self.state_file)]
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary, fixed arguments
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"anvil exited at start with code {self.process.returncode}")
            if _answers(self.url):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"anvil did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.cache is not None:
            self.cache.cleanup()
            self.cache = None

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
