"""`minga import field FILE [--format F] --table SLUG`: bring in a field tool's export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.core.access import SYSTEM
from minga.core.cli import progress_bar
from minga.monitoring import formats
from minga.monitoring.services import import_field
from minga.tables.models import Table


class Command(BaseCommand):
    help = "Import field data: minga import field FILE [--format F] --table SLUG"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        field = sub.add_parser("field", help="an ODK, Kobo, Mapeo/CoMapeo or SMART export")
        field.add_argument("file")
        field.add_argument(
            "--format", choices=formats.FORMATS, help="detected from the content when left out"
        )
        field.add_argument("--table", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            table = Table.objects.get(slug=options["table"])
        except Table.DoesNotExist:
            raise CommandError(f"no table with the slug {options['table']!r}") from None
        try:
            parsed = formats.parse(path.read_bytes(), options["format"], path.name)
        except formats.FormatError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        summary = import_field(
            by=SYSTEM,
            table=table,
            parsed=parsed,
            filename=path.name,
            progress=progress_bar(self.stderr),
        )
        self.stdout.write(summary.line())
