"""Create the operator wallet and deploy the platform contracts on CHAIN_RPC_URL (safe to re-run)."""

from typing import Any

from django.core.management.base import BaseCommand

from tokens.services import platform_bootstrap


class Command(BaseCommand):
    help = "Create the platform operator wallet and deploy the platform contracts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, address in platform_bootstrap().items():
            self.stdout.write(f"{name:>20}  {address}")
