"""`minga refresh_portal`: compute and keep every table's public figures (run it nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minga.core.cli import progress_bar
from minga.portal.queries import store_figures
from minga.tables.models import Table


class Command(BaseCommand):
    help = (
        "Compute and store every table's portal figures, so that the network and region pages "
        "read one row per table. Any event on a table forgets its row; run this nightly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        tables = list(Table.objects.order_by("pk"))
        progress = progress_bar(self.stderr)
        for n, table in enumerate(tables, 1):
            store_figures(table)
            progress(n, len(tables))
        self.stdout.write(f"figures stored for {len(tables)} tables")
