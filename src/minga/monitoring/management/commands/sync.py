"""`minga sync [--source ID | --table SLUG] [--due]`: fetch field data from the sources' servers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.core.access import SYSTEM
from minga.core.cli import progress_bar
from minga.monitoring import connectors, sync
from minga.monitoring.models import FieldSource


class Command(BaseCommand):
    help = "Sync field data from KoboToolbox, ODK Central, CoMapeo and GFW sources"

    def add_arguments(self, parser: Any) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--source", help="a source's id (shown on the Sources page)")
        which.add_argument("--table", help="every server source of the table with this slug")
        which.add_argument("--due", action="store_true", help="only sources whose time has come")

    def handle(self, *args: Any, **options: Any) -> None:
        found = FieldSource.objects.exclude(server_url="").select_related("table")
        if options["source"]:
            found = found.filter(public_id=options["source"])
            if not found:
                raise CommandError(f"no server source with the id {options['source']!r}")
        elif options["table"]:
            found = found.filter(table__slug=options["table"])
            if not found:
                raise CommandError(f"no server source at the table {options['table']!r}")
        sources = sync.due_sources() if options["due"] else list(found)
        failures = 0
        for source in sources:
            self.stderr.write(f"{source.table.slug} · {source.name} ({source.get_tool_display()})")
            try:
                summary = sync.sync_source(
                    by=SYSTEM, source=source, progress=progress_bar(self.stderr)
                )
            except connectors.SyncError as exc:
                failures += 1
                self.stderr.write(f"  failed: {exc.code}: {exc.detail}")
                continue
            self.stdout.write(f"{source.name}: {summary.line()}")
        if failures:
            raise CommandError(f"{failures} of {len(sources)} sources failed (see above)")
