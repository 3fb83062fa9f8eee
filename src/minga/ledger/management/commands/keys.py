"""`minga keys init [--force]`: create the log's signing key, print its verifier key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minga.ledger import services


class Command(BaseCommand):
    help = "The transparency log's Ed25519 key: minga keys init [--force] | minga keys show"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        init = sub.add_parser("init", help="create the signing key (kept outside the database)")
        init.add_argument("--force", action="store_true", help="replace an existing key")
        sub.add_parser("show", help="print the verifier key")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "init":
            existed = services.key_file().exists()
            verifier = services.init_keys(force=options["force"])
            if existed and not options["force"]:
                self.stderr.write(f"{services.key_file()} exists: keeping it (--force replaces it)")
            else:
                self.stderr.write(f"wrote {services.key_file()} (mode 600); keep a backup offline")
        else:
            verifier = services.verifier_key()
        self.stdout.write(verifier)
