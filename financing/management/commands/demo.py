"""The embedded demo: start anvil, migrate SQLite, deploy contracts, seed users, serve on 127.0.0.1:8000."""

from __future__ import annotations

import signal
import socket
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from financing.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, demo_sanctions_list, demo_two_factor, seed_demo
from tokens.anvil import Anvil, free_port
from tokens.chain import clear_caches
from tokens.indexer.stream import chain_index_to_head


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Command(BaseCommand):
    help = "Run the embedded demo (SQLite, in-process tasks, a private anvil chain) on 127.0.0.1:8000."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Where to serve (default 127.0.0.1:8000)."
        )
        parser.add_argument("--no-serve", action="store_true", help="Prepare and seed, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_TASK_ALWAYS_EAGER or not settings.CHAIN_IS_DEVELOPMENT:
            raise CommandError(
                "The demo runs with config.settings.dev (in-process tasks, development chain)."
            )
        var = Path(settings.VAR_DIR)
        var.mkdir(parents=True, exist_ok=True)
        state = var / "demo-chain.json"
        database = Path(settings.DATABASES["default"]["NAME"])
        if state.exists() != database.exists():
            # One without the other would leave the database pointing at contracts that do not exist.
            state.unlink(missing_ok=True)
            database.unlink(missing_ok=True)
        # SIGTERM (e.g. `kill`) leaves through the `with` below, so anvil stops and saves its state.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        port = 8545 if _port_free(8545) else free_port()
        with Anvil(port=port, state_file=state) as node:
            settings.CHAIN_RPC_URL = node.url
            clear_caches()
            self.stdout.write(f"anvil chain on {node.url} (state kept in {state})")
            call_command("migrate", interactive=False, verbosity=0)
            call_command("chain_bootstrap")
            self.stdout.write(demo_sanctions_list())
            users = seed_demo()
            chain_index_to_head()  # the demo runs no beat: its pages read holdings from an index at the head
            codes = demo_two_factor()
            self.stdout.write(self.style.SUCCESS(f"\nDemo users (password for all: {DEMO_PASSWORD}):"))
            for user in users:
                self.stdout.write(f"  {user.role.label:<22} {user.email}")
            self.stdout.write(
                "\nStaff log in with a two-factor code too. Add the secret to an authenticator app, or print"
                "\nthe current code with `python manage.py totp_code <email>` (codes change every 30 s):"
            )
            for email, code in codes.items():
                self.stdout.write(f"  {email:<20} secret {DEMO_TOTP_SECRETS[email]}  (code now: {code})")
            if options["no_serve"]:
                return
            self.stdout.write(
                self.style.SUCCESS(f"\nOpen http://{options['addr']}/ (Ctrl-C stops the demo and anvil)\n")
            )
            call_command("runserver", options["addr"], use_reloader=False)
