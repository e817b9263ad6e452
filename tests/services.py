"""Run a command against PostgreSQL, Redis and an anvil chain, started privately unless given by URL.

    python -m tests.services run -- pytest -x    # exits with the command's exit status
    python -m tests.services env                 # prints `export ...` lines, keeps running until Ctrl-C

DATABASE_URL, REDIS_URL and CHAIN_RPC_URL are used as they are when set. Anything missing is started in
a temporary directory (installed first with apt-get when running as root) and stopped again at the end,
also on Ctrl-C, SIGTERM or failure. Exit status 3 means a service could not be made available.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TypeVar
from urllib.parse import urlsplit

import psycopg
import redis

from tokens.anvil import Anvil, AnvilNotFound, free_port

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
SERVICE_FAILURE = 3
PORT_ATTEMPTS = 3
PG_ROLE = "app"
PG_DATABASE = "app"
PG_OWNER = "postgres"
PG_SETTINGS = (
    # Durability is worthless for throw-away test data and costs seconds on every run.
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "listen_addresses = '127.0.0.1'",
)
APT_LOG = Path(tempfile.gettempdir()) / "tests-services-apt.log"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POSTGRES_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them (Debian/Ubuntu: "
    "`sudo apt-get install postgresql`; macOS: `brew install postgresql@15`) or set DATABASE_URL "
    "to a server where the user may create databases."
)
REDIS_HINT = (
    "redis-server not found. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; "
    "macOS: `brew install redis`) or set REDIS_URL."
)

DESCRIPTION = "Run a command against PostgreSQL, Redis and an anvil chain, started privately unless given."

T = TypeVar("T")


class ServiceError(RuntimeError):
    """A service could not be found, installed, started or reached."""


class Interrupted(BaseException):
    """A stop signal arrived while the services were starting or idle."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def note(message: str) -> None:
    """One line on stderr, so that stdout stays the command's (or the export lines')."""
    print(message, file=sys.stderr, flush=True)


def host_port(url: str) -> str:
    """`host:port` of a service URL, for messages that must not show credentials."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def exit_status(returncode: int) -> int:
    """A shell-style exit status: 128 + N for a process killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file, to explain a failed start."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def signal_group(pgid: int, signum: int) -> None:
    """Signal a process group that may already be gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def stop_process(process: subprocess.Popen[bytes] | None, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM a child started in its own session, then SIGKILL it if it outlives `timeout`."""
    if process is None or process.poll() is not None:
        return
    signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout)


# --- installing --------------------------------------------------------------------------------------


def find_or_install(find: Callable[[], T | None], package: str, hint: str) -> T:
    """What `find` finds, after installing `package` with apt-get if it finds nothing and we may."""
    found = find()
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        apt_install(package)
        found = find()
    if found is None:
        raise ServiceError(hint)
    return found


def apt_install(package: str) -> None:
    """Install a Debian package quietly, refreshing the package lists only when they lack it."""
    note(f"installing {package} with apt-get (log: {APT_LOG})")
    if not apt_knows(package):
        apt_get("update")
    apt_get("install", "-y", "-q", "--no-install-recommends", package)


def apt_knows(package: str) -> bool:
    """Whether the package lists offer a candidate version of `package`."""
    policy = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True, check=False)
    match = re.search(r"Candidate:\s*(\S+)", policy.stdout)
    return match is not None and match.group(1) != "(none)"


def apt_get(*args: str) -> None:
    """One non-interactive apt-get call, its output appended to APT_LOG."""
    # Someone else's apt run may hold the dpkg lock for a while: wait for it rather than fail.
    command = ["apt-get", "-o", "DPkg::Lock::Timeout=300", *args]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with APT_LOG.open("a") as log:
        log.write(f"$ {shlex.join(command)}\n")
        log.flush()
        # Its own session keeps the terminal's Ctrl-C away from dpkg, which must not stop half-way.
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,
        )  # fmt: skip
        returncode = wait_to_the_end(process)
    if returncode != 0:
        raise ServiceError(f"`{shlex.join(command)}` failed (exit status {returncode}): see {APT_LOG}")


def wait_to_the_end(process: subprocess.Popen[bytes]) -> int:
    """Wait for `process` even through stop signals, then pass the first of them on."""
    interrupted: Interrupted | None = None
    while True:
        try:
            returncode = process.wait()
            break
        except Interrupted as exc:
            interrupted = interrupted or exc
            note("stopping once apt-get has finished (interrupting it could break dpkg)")
    if interrupted:
        raise interrupted
    return returncode


# --- PostgreSQL --------------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """The directory of initdb and pg_ctl: pg_config's, else the newest Debian one, else PATH's."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates += [Path(bindir.stdout.strip())] if bindir.stdout.strip() else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version_key, reverse=True)
    initdb = shutil.which("initdb")
    candidates += [Path(initdb).parent] if initdb else []
    return next((path for path in candidates if has_server(path)), None)


def version_key(bindir: Path) -> tuple[int, ...]:
    """Sort key of /usr/lib/postgresql/<version>/bin, numeric so that 15 sorts after 9.6."""
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name))


def has_server(bindir: Path) -> bool:
    """Whether `bindir` holds the server tools, not only the client ones."""
    return all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


def postgres_major(url: str) -> int:
    """The server's major version, which also proves that `url` answers."""
    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            return connection.info.server_version // 10000
    except psycopg.Error as exc:
        raise ServiceError(f"PostgreSQL on {host_port(url)} does not answer: {exc}".strip()) from exc


class PrivatePostgres:
    """A throw-away cluster under `root`, run by the `postgres` user when we are root (initdb refuses)."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = 0
        self.owner = pg_owner()
        self.launched = False

    @property
    def url(self) -> str:
        return f"postgres://{PG_ROLE}@127.0.0.1:{self.port}/{PG_DATABASE}"

    def start(self) -> str:
        """Create, start and fill the cluster; return its DATABASE_URL."""
        self.prepare_root()
        self.initdb()
        for _ in range(PORT_ATTEMPTS):
            self.port = free_port()
            if self.pg_ctl_start():
                break
        else:
            raise ServiceError(f"PostgreSQL found no free port:\n{tail(self.root / 'postgres.log')}")
        self.create_database()
        return self.url

    def stop(self) -> None:
        """Stop the server at once (its data is thrown away), by force if pg_ctl cannot."""
        if not self.has_postmaster():
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        with contextlib.suppress(OSError, ValueError):
            # Only if pg_ctl failed: its backends exit by themselves once they see the postmaster gone.
            os.kill(int((self.data / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)

    def has_postmaster(self) -> bool:
        """Whether a server may be running, waiting a little for one that an interrupted pg_ctl launched."""
        deadline = time.monotonic() + (1.0 if self.launched else 0.0)
        while not (self.data / "postmaster.pid").exists():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def prepare_root(self) -> None:
        """Create the directories, owned by the user that will run the server."""
        (self.root / "sockets").mkdir(parents=True)
        if self.owner is not None:
            os.chmod(self.root.parent, 0o711)  # noqa: S103 - lets `postgres` traverse to its own directory
            for path in (self.root, self.root / "sockets"):
                os.chown(path, self.owner.pw_uid, self.owner.pw_gid)

    def initdb(self) -> None:
        """A new cluster whose superuser is PG_ROLE, trusted on loopback (test data only)."""
        returncode = self.run(
            "initdb", "-D", str(self.data), "-U", PG_ROLE, "--auth=trust", "--no-locale", "-E", "UTF8", "-N"
        )
        if returncode != 0:
            raise ServiceError(f"initdb failed:\n{tail(self.root / 'pg_tools.log')}")
        settings = [*PG_SETTINGS, f"unix_socket_directories = '{self.root / 'sockets'}'"]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")

    def pg_ctl_start(self) -> bool:
        """Start the server on self.port; False if that port was taken meanwhile."""
        log = self.root / "postgres.log"
        self.launched = True
        returncode = self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(log), "-o", f"-p {self.port}",
            "-w", "-t", str(int(START_TIMEOUT)), "start",
        )  # fmt: skip
        if returncode == 0:
            return True
        if "already in use" in tail(log, 5):
            return False
        raise ServiceError(f"PostgreSQL did not start:\n{tail(log)}")

    def create_database(self) -> None:
        """The database the project's settings point at (Django's test runner creates its own beside it)."""
        admin = f"postgres://{PG_ROLE}@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')

    def run(self, tool: str, *args: str) -> int:
        """Run a PostgreSQL tool as the cluster's owner, its output appended to pg_tools.log."""
        owner = self.owner
        with (self.root / "pg_tools.log").open("a") as log:
            process = subprocess.Popen(
                [str(self.bindir / tool), *args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.root,
                env={**os.environ, "HOME": str(self.root)}, start_new_session=True,
                user=owner.pw_uid if owner else None, group=owner.pw_gid if owner else None,
                extra_groups=[] if owner else None,
            )  # fmt: skip
        try:
            return process.wait(START_TIMEOUT + 30)
        except BaseException:
            # Killing the tool alone would leave its helpers (initdb's bootstrap backend) writing into root.
            signal_group(process.pid, signal.SIGKILL)
            process.wait()
            raise


def pg_owner() -> pwd.struct_passwd | None:
    """The account that runs the cluster when we are root; None when we run it ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(PG_OWNER)
    except KeyError:
        raise ServiceError(
            f"initdb refuses to run as root and there is no `{PG_OWNER}` user: create one "
            "(the Debian `postgresql` package does) or set DATABASE_URL."
        ) from None


def start_postgres(stack: contextlib.ExitStack, workdir: Path) -> str:
    """DATABASE_URL as given, or that of a private server stopped when `stack` closes."""
    given = os.environ.get("DATABASE_URL")
    if given:
        note(f"postgres {postgres_major(given)} on {host_port(given)} (from DATABASE_URL)")
        return given
    bindir = find_or_install(postgres_bindir, "postgresql", POSTGRES_HINT)
    server = PrivatePostgres(bindir, workdir / "postgres")
    stack.callback(server.stop)
    url = server.start()
    note(f"postgres {postgres_major(url)} on 127.0.0.1:{server.port} (private)")
    return url


# --- Redis -------------------------------------------------------------------------------------------


def redis_version(url: str, timeout: float = 5.0) -> str:
    """The server's version, which also proves that `url` answers."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        with client:
            return str(client.info("server")["redis_version"])
    except redis.RedisError as exc:
        raise ServiceError(f"Redis on {host_port(url)} does not answer: {exc}") from exc


class PrivateRedis:
    """A redis-server in the foreground as our child, in its own session, persisting nothing."""

    def __init__(self, binary: str, root: Path) -> None:
        self.binary = binary
        self.root = root
        self.log = root / "redis.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        """Start the server on a free port and wait for its PING; return its REDIS_URL."""
        self.root.mkdir(parents=True)
        for _ in range(PORT_ATTEMPTS):
            self.port = free_port()
            if self.try_start():
                return self.url
        raise ServiceError(f"redis-server found no free port:\n{tail(self.log)}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a while."""
        stop_process(self.process)

    def try_start(self) -> bool:
        """Start on self.port; False if that port was taken meanwhile."""
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*args, "--save", "", "--appendonly", "no"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        if self.wait_ready():
            return True
        if "already in use" in tail(self.log, 5):
            return False
        raise ServiceError(f"redis-server did not start:\n{tail(self.log)}")

    def wait_ready(self) -> bool:
        """Poll with PING until the server answers (True) or exits or times out (False)."""
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + START_TIMEOUT
        with client:
            while self.process is not None and self.process.poll() is None and time.monotonic() < deadline:
                with contextlib.suppress(redis.RedisError):
                    if client.ping():
                        return True
                time.sleep(0.05)
        self.stop()
        return False


def start_redis(stack: contextlib.ExitStack, workdir: Path) -> str:
    """REDIS_URL as given, or that of a private server stopped when `stack` closes."""
    given = os.environ.get("REDIS_URL")
    if given:
        note(f"redis {redis_version(given)} on {host_port(given)} (from REDIS_URL)")
        return given
    binary = find_or_install(lambda: shutil.which("redis-server"), "redis-server", REDIS_HINT)
    server = PrivateRedis(binary, workdir / "redis")
    stack.callback(server.stop)
    url = server.start()
    note(f"redis {redis_version(url)} on 127.0.0.1:{server.port} (private)")
    return url


# --- chain -------------------------------------------------------------------------------------------


def chain_id(url: str) -> int:
    """The chain's id, which also proves that `url` answers JSON-RPC."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ServiceError(f"CHAIN_RPC_URL must be an http(s) URL, not {urlsplit(url).scheme}://...")
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - http(s) checked above
            return int(json.load(response)["result"], 16)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ServiceError(f"no chain answers JSON-RPC on {host_port(url)}: {exc}") from exc


def start_chain(stack: contextlib.ExitStack) -> tuple[str, int | None]:
    """CHAIN_RPC_URL as given, or that of a private anvil stopped when `stack` closes; and its pid if ours."""
    given = os.environ.get("CHAIN_RPC_URL")
    if given:
        note(f"chain {chain_id(given)} on {host_port(given)} (from CHAIN_RPC_URL)")
        return given, None
    node = Anvil()
    stack.callback(node.stop)
    try:
        node.start()
    except (AnvilNotFound, RuntimeError) as exc:
        raise ServiceError(str(exc)) from exc
    assert node.process is not None
    note(f"anvil chain {chain_id(node.url)} on 127.0.0.1:{node.port} (private)")
    return node.url, node.process.pid


# --- browser -----------------------------------------------------------------------------------------

CHROMIUM_HINT = (
    "Chromium not found for the browser tests. Install it (Debian/Ubuntu: `sudo apt-get install chromium`) "
    "or set CHROMIUM to a Chromium or Chrome executable; deselect them with `-m 'not browser'`."
)
CJK_FONT_HINT = (
    "No Chinese font for the browser tests' zh-Hant and zh-Hans screenshots. Install one (Debian/Ubuntu: "
    "`sudo apt-get install fonts-wqy-zenhei`)."
)


def chromium_executable() -> str:
    """The operating system's Chromium for the browser tests (CHROMIUM when set), installed with apt-get
    when missing and we may, together with a CJK font; never a browser downloaded by Playwright."""
    given = os.environ.get("CHROMIUM")
    if given:
        if not os.access(given, os.X_OK):
            raise ServiceError(f"CHROMIUM={given} is not an executable file")
        return given
    executable = find_or_install(
        lambda: shutil.which("chromium") or shutil.which("chromium-browser"), "chromium", CHROMIUM_HINT
    )
    find_or_install(cjk_font, "fonts-wqy-zenhei", CJK_FONT_HINT)
    return executable


def cjk_font() -> str | None:
    """The name of an installed font that covers Traditional Chinese, if fontconfig knows one."""
    if not shutil.which("fc-list"):
        return None
    listing = subprocess.run(
        ["fc-list", ":lang=zh-tw", "family"], capture_output=True, text=True, check=False
    )  # fmt: skip
    return listing.stdout.strip().splitlines()[0] if listing.stdout.strip() else None


# --- running -----------------------------------------------------------------------------------------


def start_services(stack: contextlib.ExitStack) -> dict[str, str]:
    """Make every service available, each stopped when `stack` closes; return the variables to export."""
    workdir = Path(tempfile.mkdtemp(prefix="tests-services-"))
    stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    env = {
        "DATABASE_URL": start_postgres(stack, workdir),
        "REDIS_URL": start_redis(stack, workdir),
    }
    env["CHAIN_RPC_URL"], chain_pid = start_chain(stack)
    env["TEST_CHAIN_RPC_URL"] = env["CHAIN_RPC_URL"]
    if chain_pid is not None:  # the fault tests freeze the node (SIGSTOP / SIGCONT)
        env["TEST_CHAIN_PID"] = str(chain_pid)
    return env


def shares_terminal() -> bool:
    """Whether we are in the terminal's foreground group, so that its Ctrl-C reaches our children too."""
    try:
        tty = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(tty) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(tty)


class SignalRelay:
    """Passes our stop signals on to the command; kills it if it outlives a SIGTERM or a third signal."""

    def __init__(self, child: subprocess.Popen[bytes], shared_group: bool) -> None:
        self.child = child
        self.shared_group = shared_group
        self.received = 0
        self.deadline: float | None = None

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        """Signal handler for STOP_SIGNALS while the command runs."""
        self.received += 1
        if self.received >= 3:
            self.send(signal.SIGKILL)
        elif signum != signal.SIGINT or not self.shared_group:
            # In a shared group the terminal's Ctrl-C already reached the command: a second one could cut
            # its own clean-up short, so only other signals (or ours from outside) are passed on.
            self.send(signum)
        if signum != signal.SIGINT and self.deadline is None:
            self.deadline = time.monotonic() + STOP_TIMEOUT

    def send(self, signum: int) -> None:
        """Signal the command: its whole process group when it has its own."""
        if self.shared_group:
            with contextlib.suppress(ProcessLookupError):
                self.child.send_signal(signum)
        else:
            signal_group(self.child.pid, signum)

    def wait(self) -> int:
        """The command's return code, once it has exited (or been killed after the deadline)."""
        while True:
            try:
                return self.child.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                if self.deadline is not None and time.monotonic() > self.deadline:
                    self.send(signal.SIGKILL)


def run_command(command: list[str], env: dict[str, str]) -> int:
    """Run `command` with `env` exported, relaying stop signals; return its exit status."""
    # With a terminal, the command stays in our group so that it can read it (pdb) and gets Ctrl-C
    # directly; without one, its own group lets a relayed signal reach its children too.
    shared = shares_terminal()
    try:
        child = subprocess.Popen(command, env={**os.environ, **env}, process_group=None if shared else 0)
    except OSError as exc:
        note(f"tests.services: cannot run {command[0]}: {exc.strerror}")
        return 127
    relay = SignalRelay(child, shared)
    handle_stop_signals(relay.handle)
    return exit_status(relay.wait())


def serve(env: dict[str, str]) -> int:
    """Print the variables as shell exports, then keep the services up until a stop signal."""
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}", flush=True)
    note("services are up; stop them with Ctrl-C")
    try:
        while True:
            signal.pause()
    except Interrupted:
        return 0


def handle_stop_signals(handler: Callable[[int, FrameType | None], None]) -> None:
    """Install `handler` for the stop signals we were not told to ignore (nohup, background jobs)."""
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) != signal.SIG_IGN:
            signal.signal(signum, handler)


def raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    """Signal handler that unwinds the stack, so that every started service gets stopped."""
    raise Interrupted(signum)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """`run -- COMMAND [ARGS...]` or `env`."""
    parser = argparse.ArgumentParser(prog="python -m tests.services", description=DESCRIPTION)
    modes = parser.add_subparsers(dest="mode", required=True)
    run = modes.add_parser("run", help="run COMMAND with DATABASE_URL, REDIS_URL and CHAIN_RPC_URL exported")
    run.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")
    modes.add_parser("env", help="print `export` lines and keep the services up until Ctrl-C")
    args = parser.parse_args(argv)
    if args.mode == "run":
        args.command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not args.command:
            parser.error("run needs a command: run -- COMMAND [ARGS...]")
    return args


def main(argv: list[str] | None = None) -> int:
    """Start the services, run the mode, and always stop what was started."""
    args = parse_args(argv)
    handle_stop_signals(raise_interrupted)
    stack = contextlib.ExitStack()
    try:
        env = start_services(stack)
        return run_command(args.command, env) if args.mode == "run" else serve(env)
    except ServiceError as exc:
        note(f"tests.services: {exc}")
        return SERVICE_FAILURE
    except Interrupted as exc:
        return 128 + exc.signum
    finally:
        # Another Ctrl-C must not cut the clean-up short and leave servers behind; every step is bounded.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        stack.close()


if __name__ == "__main__":
    sys.exit(main())
