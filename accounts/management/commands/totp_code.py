"""Print a demo account's current two-factor code (development and demo settings only)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.testing import code_now
from accounts.two_factor import authenticator_of


class Command(BaseCommand):
    help = "Print the code an account's authenticator app shows now (demo and development settings only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="The account's email address, e.g. officer@demo.hk.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CHAIN_IS_DEVELOPMENT:
            raise CommandError("totp_code works with the demo and development settings only.")
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account has the address {options['email']}.")
        device = authenticator_of(user)
        if device is None:
            raise CommandError(f"{user.email} has no authenticator app set up.")
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{code_now(device)}  ({user.email}; valid for {left} more seconds)")
