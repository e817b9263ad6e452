"""Create the platform role wallets, deploy the contracts, hand admin to the timelock (safe to re-run)."""

from typing import Any

from django.core.management.base import BaseCommand

from tokens.services import platform_bootstrap


class Command(BaseCommand):
    help = "Create one wallet per platform role, deploy the platform contracts, wire the roles (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, address in platform_bootstrap().items():
            self.stdout.write(f"{name:>20}  {address}")
