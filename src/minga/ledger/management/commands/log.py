"""`minga log sequence|checkpoint|publish`: integrate queued events, sign a checkpoint."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.ledger import queries, services


class Command(BaseCommand):
    help = "The transparency log: minga log sequence | checkpoint | publish"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["sequence", "checkpoint", "publish"])

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what in ("sequence", "publish"):
            added = services.integrate()
            self.stdout.write(f"{added} events integrated; the log holds {queries.size()}")
        if what in ("checkpoint", "publish"):
            try:
                checkpoint = services.sign_checkpoint()
            except services.KeyMissing as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(checkpoint.note, ending="")
