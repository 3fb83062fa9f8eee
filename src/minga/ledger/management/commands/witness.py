"""`minga witness init|trust|show|serve`: run a witness for a table's log on your own machine.

The witness keeps its key and state in one folder (``--dir``, default ``~/.minga-witness``) and
needs no minga database: any member organization can run it beside, or far from, the log.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.ledger import note, witness

DEFAULT_DIR = Path(os.environ.get("MINGA_WITNESS_DIR", Path.home() / ".minga-witness"))


class Command(BaseCommand):
    help = "A witness of transparency logs: minga witness init NAME | trust VKEY | show | serve"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=DEFAULT_DIR,
            help=f"the witness's key and state (default {DEFAULT_DIR}, or $MINGA_WITNESS_DIR)",
        )
        sub = parser.add_subparsers(dest="what", required=True)
        init = sub.add_parser("init", help="create the witness's Ed25519 key")
        init.add_argument("name", help="its name, e.g. witness.conaie.example/minga")
        trust = sub.add_parser("trust", help="witness a log (its verifier key, /log/key)")
        trust.add_argument("log_key")
        trust.add_argument("--origin", help="the log's origin, if not its key's name")
        sub.add_parser("show", help="print the witness's verifier key and the logs it witnesses")
        serve = sub.add_parser("serve", help="answer add-checkpoint requests")
        serve.add_argument("address", nargs="?", default="127.0.0.1:7380", help="ADDR:PORT")
        serve.add_argument("--prefix", default="", help="the submission prefix's path, e.g. /w")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"]
        try:
            if options["what"] == "init":
                self.stdout.write(witness.init(directory, options["name"]))
                self.stderr.write(f"key in {directory / witness.KEY_FILE} (mode 600)")
                return
            found = witness.Witness(directory)
            if options["what"] == "trust":
                origin = found.trust(options["log_key"], options["origin"])
                self.stdout.write(f"witnessing {origin}")
            elif options["what"] == "show":
                self.stdout.write(found.verifier_key)
                for origin, _, size in found.logs():
                    self.stdout.write(f"log {origin}: cosigned up to size {size}")
            else:
                self._serve(directory, options["address"], options["prefix"])
        except (witness.WitnessError, note.NoteError) as exc:
            raise CommandError(str(exc)) from None

    def _serve(self, directory: Path, address: str, prefix: str) -> None:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"{address!r}: give ADDR:PORT, e.g. 0.0.0.0:7380")
        httpd = witness.server(directory, host, int(port), prefix)
        port_bound = httpd.server_address[1]
        # the first line says where it listens (port 0 picks a free one)
        self.stdout.write(f"listening on http://{host}:{port_bound}{prefix}")
        sys.stdout.flush()
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
