"""`minga audit URL` checks a log from outside; `minga audit --local` recomputes it all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.ledger import audit, witness


class Command(BaseCommand):
    help = "Audit the transparency log: minga audit URL [--state F] [--key VKEY] | --local"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "url", nargs="?", help="a minga's address, e.g. https://minga.example.org"
        )
        parser.add_argument("--local", action="store_true", help="recompute this database's log")
        parser.add_argument(
            "--state",
            default=str(Path.home() / ".minga-audit.json"),
            help="where the last checkpoint seen is kept (default ~/.minga-audit.json)",
        )
        parser.add_argument(
            "--key", help="the verifier key to trust (else the stored or served one)"
        )
        parser.add_argument("--samples", type=int, default=8, help="inclusion proofs to check")
        parser.add_argument(
            "--policy",
            type=Path,
            help="a witness policy file (/log/policy, as agreed by the table): check the quorum",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["local"] == bool(options["url"]):
            raise CommandError("give a URL, or --local", returncode=2)
        if options["local"]:
            report = audit.audit_local(options["key"])
        else:
            try:
                policy = (
                    witness.parse_policy(options["policy"].read_text())
                    if options["policy"]
                    else None
                )
            except (OSError, witness.WitnessError) as exc:
                raise CommandError(str(exc), returncode=2) from None
            report = audit.audit_remote(
                options["url"],
                state_file=Path(options["state"]),
                verifier_key=options["key"],
                samples=options["samples"],
                policy=policy,
            )
        for line in report.checked:
            self.stdout.write(f"ok   {line}")
        for line in report.problems:
            self.stdout.write(f"FAIL {line}")
        if not report.ok:
            raise CommandError(f"{len(report.problems)} problem(s) found", returncode=1)
        self.stdout.write(self.style.SUCCESS("the log checks out"))
