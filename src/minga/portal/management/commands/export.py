import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.portal import iati_records, iati_rules
from minga.tables.models import Table


class Command(BaseCommand):
    help = (
        "Export open data. "
        "`minga export iati [--kind activities|organisations] [--table SLUG] [--check] -o FILE`"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("format", choices=["iati"], help="what to export")
        parser.add_argument(
            "--kind",
            choices=["activities", "organisations"],
            default="activities",
            help="IATI activity file (default) or organisation file",
        )
        parser.add_argument("--table", help="only this table (its slug)")
        parser.add_argument("-o", "--output", help="the file to write (default: standard output)")
        parser.add_argument(
            "--check",
            action="store_true",
            help="check the file against the IATI Standard Ruleset; exit 1 on any finding, "
            "without writing it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        table = None
        if options["table"]:
            table = Table.objects.filter(slug=options["table"]).first()
            if table is None:
                raise CommandError(f"no table with the slug {options['table']!r}")
        body = iati_records.export(options["kind"], table)
        if options["check"]:
            findings = iati_rules.check(body)
            for finding in findings:
                self.stderr.write(str(finding))
            if findings:
                raise CommandError(
                    f"{len(findings)} findings of the IATI Standard Ruleset: nothing written"
                )
            self.stderr.write(
                f"{options['kind']}: every rule of the IATI Standard Ruleset holds "
                f"({len(iati_rules.RULES)} rules)"
            )
        if options["output"] and options["output"] != "-":
            path = Path(options["output"])
            if not path.parent.is_dir():
                raise CommandError(f"the folder {path.parent} does not exist")
            path.write_bytes(body)
            self.stderr.write(f"{options['kind']} written to {path} ({len(body):,} bytes)")
        else:
            sys.stdout.buffer.write(body)
