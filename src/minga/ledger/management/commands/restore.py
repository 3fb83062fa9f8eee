"""`minga restore FILE`: a backup into an empty database, its log checked against the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.ledger.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a `minga backup` file into an empty database (same engine)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        try:
            done = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        info = done.manifest
        self.stdout.write(
            f"restored the backup of {info['created_at']} ({info['engine']}): log of "
            f"{done.log_size:,} leaves, root {done.log_root[:16] or '-'}… as recorded"
        )
        key = info["log"].get("verifier_key")
        self.stdout.write("next: minga audit --local" + (f" --key {key}" if key else ""))
