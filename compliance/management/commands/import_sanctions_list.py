"""`manage.py import_sanctions_list PATH`: import an OFAC SDN file as a new list version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.screening.services import sanctions_list_import
from config.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Import an OFAC SDN CSV (the list's own layout, no header) as a new list version and queue "
        "re-screening every party; the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The SDN CSV file.")
        parser.add_argument(
            "--no-rescreen", action="store_true", help="Import only; do not queue re-screening every party."
        )

    def handle(self, *args: Any, path: Path, no_rescreen: bool, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            version, created = sanctions_list_import(path=path, rescreen=not no_rescreen)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if not created:
            self.stdout.write(f"Already imported as version {version.pk} ({version}); nothing changed.")
            return
        self.stdout.write(
            f"Imported version {version.pk} ({version}): {version.entry_count} entries, "
            f"{version.alias_count} aliases, {version.wallet_count} digital currency addresses."
            + ("" if no_rescreen else " Re-screening of every party is queued.")
        )
