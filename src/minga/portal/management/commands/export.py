import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minga.credits import cadt
from minga.portal import iati_records, iati_rules
from minga.tables.models import Table


class Command(BaseCommand):
    help = (
        "Export open data. "
        "`minga export iati [--kind activities|organisations] [--table SLUG] [--check] -o FILE`; "
        "`minga export cadt [--table SLUG] -o FILE.json|FILE.xlsx`"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("format", choices=["iati", "cadt"], help="what to export")
        parser.add_argument(
            "--kind",
            choices=["activities", "organisations"],
            default="activities",
            help="IATI activity file (default) or organisation file",
        )
        parser.add_argument("--table", help="only this table (its slug)")
        parser.add_argument(
            "-o",
            "--output",
            help="the file to write (default: standard output); for cadt, a name ending in "
            ".xlsx writes the spreadsheet the CAD Trust application imports, any other JSON",
        )
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
        output = options["output"] if options["output"] != "-" else None
        path = Path(output) if output else None
        if path is not None and not path.parent.is_dir():
            raise CommandError(f"the folder {path.parent} does not exist")
        if options["format"] == "cadt":
            if options["check"] or options["kind"] != "activities":
                raise CommandError("--check and --kind are for iati, not cadt")
            found = cadt.records(table)
            spreadsheet = path is not None and path.suffix.lower() == ".xlsx"
            body = cadt.to_xlsx(found) if spreadsheet else cadt.to_json(found, timezone.now())
            what = (
                f"CAD Trust {cadt.VERSION}: {len(found.projects)} projects, "
                f"{len(found.issuances)} issuances, {len(found.units)} units"
            )
        else:
            body = iati_records.export(options["kind"], table)
            what = options["kind"]
            if options["check"]:
                self._check(body, what)
        if path is not None:
            path.write_bytes(body)
            self.stderr.write(f"{what} written to {path} ({len(body):,} bytes)")
        else:
            sys.stdout.buffer.write(body)

    def _check(self, body: bytes, what: str) -> None:
        findings = iati_rules.check(body)
        for finding in findings:
            self.stderr.write(str(finding))
        if findings:
            raise CommandError(
                f"{len(findings)} findings of the IATI Standard Ruleset: nothing written"
            )
        self.stderr.write(
            f"{what}: every rule of the IATI Standard Ruleset holds ({len(iati_rules.RULES)} rules)"
        )
