"""`minga log sequence|checkpoint|publish`: integrate queued events, sign a checkpoint, and (publish)
collect the witnesses' cosignatures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.ledger import queries, services, witnessing


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
            if what == "publish" and witnessing.witnesses():
                witnessing.collect(checkpoint)
                for w in witnessing.witnesses():
                    self.stderr.write(
                        f"{w.name}: {w.last_error or 'cosigned up to ' + str(w.size)}"
                    )
                if not checkpoint.published:
                    self.stderr.write(
                        f"awaiting witnesses: {checkpoint.cosigned} cosigned, "
                        f"{witnessing.quorum()} needed"
                    )
            self.stdout.write(checkpoint.signed_note, ending="")
