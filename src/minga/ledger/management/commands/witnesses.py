"""`minga witnesses add|remove|list|quorum`: the witnesses this log asks to cosign."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.ledger import witnessing


class Command(BaseCommand):
    help = "The log's witness policy: minga witnesses add NAME URL VKEY | remove NAME | list | quorum N"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        add = sub.add_parser("add", help="ask a witness to cosign every new checkpoint")
        add.add_argument("name")
        add.add_argument("url", help="its submission prefix, e.g. https://witness.example/w")
        add.add_argument("key", help="its verifier key (minga witness show)")
        remove = sub.add_parser("remove", help="stop asking a witness")
        remove.add_argument("name")
        sub.add_parser("list", help="the policy, as verifiers read it")
        quorum = sub.add_parser("quorum", help="how many witnesses must cosign")
        quorum.add_argument("n", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        try:
            if what == "add":
                witnessing.add_witness(options["name"], options["url"], options["key"])
            elif what == "remove":
                witnessing.remove_witness(options["name"])
            elif what == "quorum":
                witnessing.set_quorum(options["n"])
        except witnessing.PolicyError as exc:
            raise CommandError(str(exc)) from None
        for w in witnessing.witnesses():
            state = w.last_error or "ok"
            self.stderr.write(f"{w.name}: cosigned up to {w.size} ({state})")
        self.stdout.write(witnessing.policy_text(None), ending="")
