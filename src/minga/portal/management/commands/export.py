import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.portal import iati_records
from minga.tables.models import Table


class Command(BaseCommand):
    help = "Export open data. `minga export iati [--kind activities|organisations] [--table SLUG] -o FILE`"

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

    def handle(self, *args: Any, **options: Any) -> None:
        table = None
        if options["table"]:
            table = Table.objects.filter(slug=options["table"]).first()
            if table is None:
                raise CommandError(f"no table with the slug {options['table']!r}")
        body = iati_records.export(options["kind"], table)
        if options["output"] and options["output"] != "-":
            path = Path(options["output"])
            if not path.parent.is_dir():
                raise CommandError(f"the folder {path.parent} does not exist")
            path.write_bytes(body)
            self.stderr.write(f"{options['kind']} written to {path} ({len(body):,} bytes)")
        else:
            sys.stdout.buffer.write(body)
