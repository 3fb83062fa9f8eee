"""`minga import field FILE... [--format F] --table SLUG`: bring in a field tool's export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.core.access import SYSTEM
from minga.core.cli import progress_bar
from minga.monitoring import formats, mapping, services
from minga.tables.models import Table


class Command(BaseCommand):
    help = "Import field data: minga import field FILE... [--format F] --table SLUG"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        field = sub.add_parser(
            "field", help="a KoboToolbox, ODK, CoMapeo, Mapeo, SMART or GFW export"
        )
        field.add_argument(
            "file", nargs="+", help="the export; the CSVs of one ODK export may be given together"
        )
        field.add_argument(
            "--format",
            choices=[*formats.FORMATS, *formats.FORMAT_ALIASES],
            help="detected from the content when left out",
        )
        field.add_argument("--table", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["file"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        try:
            table = Table.objects.get(slug=options["table"])
        except Table.DoesNotExist:
            raise CommandError(f"no table with the slug {options['table']!r}") from None
        content, name = paths[0].read_bytes(), paths[0].name
        if len(paths) > 1:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for path in paths:
                    archive.writestr(path.name, path.read_bytes())
            content, name = buffer.getvalue(), f"{paths[0].stem}.zip"
        try:
            export = formats.read(content, options["format"], name)
        except formats.FormatError as exc:
            raise CommandError(f"{name}: {exc}") from None
        source = services.source_for(by=SYSTEM, table=table, export=export, filename=name)
        if source.mapping is None:
            # The operator imports on the command line: the proposal is confirmed as printed;
            # change it on the source's page and import again to classify differently.
            proposed = mapping.propose(export)
            source = services.confirm_mapping(by=SYSTEM, source=source, chosen=proposed)
            self.stderr.write(f"source {source.name}: mapping proposed and used")
        for target, value in (source.mapping or {}).items():
            if value:
                self.stderr.write(f"  {target}: {value}")
        summary = services.import_field(
            by=SYSTEM,
            table=table,
            export=export,
            source=source,
            filename=name,
            progress=progress_bar(self.stderr),
        )
        self.stdout.write(summary.line())
