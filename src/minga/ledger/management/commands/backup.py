"""`minga backup [-o FILE]`: the database and a manifest in one file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from minga.ledger.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's online backup) with a manifest."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "-o",
            "--output",
            help="the file to write (default MINGA_DATA_DIR/backups/minga-YYYYmmdd-HHMMSS.tar)",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="after writing, delete all but the newest N backups in the default folder",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(settings.DATA_DIR) / "backups"
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        target = Path(options["output"] or folder / f"minga-{stamp}.tar")
        try:
            info = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        log = info["log"]
        self.stdout.write(
            f"{target}: {info['engine']}, {sum(info['counts'].values()):,} rows, "
            f"log of {log['size']:,} leaves (root {log['root'][:16] or '-'}…)"
        )
        if options["keep"] > 0 and not options["output"]:
            old = sorted(folder.glob("minga-*.tar"))[: -options["keep"]]
            for path in old:
                path.unlink()
                self.stdout.write(f"deleted {path}")
