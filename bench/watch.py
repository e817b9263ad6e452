"""Watch a large round settle in a browser: one benchmark round, a live server, and you close it.

Run: `make bench-watch` (N = 1,000) or `make bench-watch ARGS="--n 3000 --batch-size 10 --close-after 60"`.
On the PostgreSQL, Redis and anvil of `tests.services` it makes a fresh `bench_watch` database, starts
ONE Celery worker and seeds one round exactly as `make bench-settle` does (`bench/settle_round.py`),
then serves the site (`manage.py runserver`, no reloader) on a free loopback port against the same
database, chain and worker. It sets a fresh password (printed) on the round's staff operator, the
SME and the first investor, and prints the offering page's URL. Close the round there ("Close &
allot"), or let `--close-after S` close it through the API after S seconds; it prints the settlement's
progress until the round has ended, then keeps serving until Enter is pressed or `--linger` seconds
pass. `--batch-size` slows the worker (SETTLEMENT_BATCH_SIZE) so there is more to watch.
"""

from __future__ import annotations

import argparse
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.settle import Worker, drop_database, fresh_database, note  # noqa: E402

if TYPE_CHECKING:
    from bench.settle_round import Round

DATABASE = "bench_watch"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """`manage.py runserver` on 127.0.0.1:port with `env`; returns once it answers."""
    with log.open("ab") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server did not start:\n{log.read_text(errors='replace')[-4000:]}"
                ) from None
            time.sleep(0.2)


def logins(rnd: Round, password: str) -> dict[str, str]:
    """The round's staff operator, SME and first investor, each given `password`; email by role."""
    from accounts.models import User
    from financing.models import Subscription

    offering = rnd.offering
    first = (
        Subscription.objects.filter(pk=rnd.subscription_ids[0]).values_list("investor_id", flat=True).get()
    )
    users = {
        "staff": rnd.staff,
        "sme": offering.application.company.representative,
        "investor": User.objects.get(pk=first),
    }
    for user in users.values():
        user.set_password(password)
        user.save(update_fields=["password"])
    return {role: user.email for role, user in users.items()}


def pressed(timeout: float) -> bool:
    """True once Enter is pressed on a terminal within `timeout` seconds (never without one)."""
    if not sys.stdin.isatty():
        time.sleep(timeout)
        return False
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    if ready:
        sys.stdin.readline()
    return bool(ready)


def watch(rnd: Round, *, close_after: float | None, timeout: float) -> None:
    """Wait for the close (or close through the API after `close_after` s); print progress until it ends."""
    from django.db.models import Count
    from django.test import Client

    from bench.settle_round import _settled
    from financing.models import Allotment, Offering

    offering_id, n = rnd.offering.pk, rnd.n
    waited = time.monotonic()
    while Offering.objects.filter(pk=offering_id, status="open").exists():
        if close_after is not None and time.monotonic() - waited >= close_after:
            client = Client(HTTP_HOST="localhost")
            from accounts.testing import verified_login

            verified_login(client, rnd.staff)  # staff sessions pass two-factor authentication first
            response = client.post(f"/api/v1/offerings/{offering_id}/close/")
            note(f"closed through the API: {response.status_code}")
            break
        time.sleep(0.5)
    started, last = time.monotonic(), ""
    while time.monotonic() - started < timeout:
        ended = _settled(offering_id, n)
        status = Offering.objects.filter(pk=offering_id).values_list("status", flat=True).get()
        counts = dict(
            Allotment.objects.filter(offering_id=offering_id).values_list("status").annotate(n=Count("pk"))
        )
        state = f"{status:<13} {counts}"
        if state != last:
            note(f"{time.monotonic() - started:6.1f} s  {state}")
            last = state
        if ended:
            note(f"the round has ended: {ended}")
            return
        time.sleep(0.5)
    note(f"still not settled after {timeout:.0f} s")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000, help="investors in the round (default 1,000)")
    parser.add_argument(
        "--batch-size", type=int, help="the worker's SETTLEMENT_BATCH_SIZE (smaller is slower)"
    )
    parser.add_argument("--close-after", type=float, help="close it through the API after S seconds")
    parser.add_argument(
        "--linger", type=float, default=600, help="serve S seconds after the end (or until Enter)"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="give up watching after S seconds")
    return parser.parse_args(argv)


def stop_on_sigterm() -> None:
    """SIGTERM (or Ctrl-C) stops the server and the worker and drops the database."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres") or not os.environ.get("CHAIN_RPC_URL"):
        note("Run through `make bench-watch` (it provides PostgreSQL, Redis and a chain).")
        return 2
    database_url = fresh_database(given, DATABASE)
    os.environ.update(
        DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings.test", CELERY_TASK_ALWAYS_EAGER="0"
    )
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from bench.settle_round import in_process_tasks, register_seeding_intents, seed_round
    from tests.services import stop_process
    from tests.worker import worker_env
    from tokens.chain import clear_caches
    from tokens.services import platform_bootstrap

    note("migrating a fresh database ...")
    call_command("migrate", verbosity=0, interactive=False)
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    clear_caches()
    register_seeding_intents()
    with in_process_tasks():
        platform_bootstrap()
    logs = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    worker = Worker(database_url, settings.CHAIN_RPC_URL, logs / "worker.log")
    server = None
    try:
        worker.ensure(args.batch_size)
        note(f"seeding {args.n:,} investors ...")
        rnd = seed_round(n=args.n, tag="W")
        note(f"  seeded in {rnd.seed_seconds:.1f} s {rnd.timings}")
        password = secrets.token_urlsafe(12)
        emails = logins(rnd, password)
        port = free_port()
        server = serve(
            worker_env(database_url=database_url, chain_rpc_url=settings.CHAIN_RPC_URL),
            port,
            logs / "server.log",
        )
        base = f"http://127.0.0.1:{port}"
        print(f"Offering page: {base}/financing/offerings/{rnd.offering.pk}/", flush=True)
        for role, email in emails.items():
            print(f"Log in as {role}: {email} / {password}", flush=True)
        print(f"Logs: {logs}", flush=True)
        when = f"closing it in {args.close_after:.0f} s" if args.close_after is not None else "close it there"
        note(f"{when}; Ctrl-C (or SIGTERM) stops everything.")
        watch(rnd, close_after=args.close_after, timeout=args.timeout)
        note(f"serving for {args.linger:.0f} s more: press Enter to stop.")
        pressed(args.linger)
    except KeyboardInterrupt:
        note("stopped.")
    except Exception:
        note(f"worker log (last lines):\n{worker.tail()}")
        raise
    finally:
        stop_process(server)
        worker.stop()
        connections.close_all()
        drop_database(database_url, DATABASE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
