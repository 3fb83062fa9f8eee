"""`minga fetch-layers --table SLUG [--product NAME ...] [--whole]`: satellite layers from their
publishers, for the granules that cover the table's zones, registered as the table's layers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, no_translations

from minga.core.access import SYSTEM
from minga.core.cli import progress_bar
from minga.core.models import RunStatus
from minga.satellite import publishers
from minga.satellite import services as satellite
from minga.tables.models import Table


class Command(BaseCommand):
    help = (
        "Fetch satellite layers from their publishers for a table's zones and register them: "
        "minga fetch-layers --table SLUG [--product NAME ...] [--whole]"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--table", required=True, help="the table's slug")
        parser.add_argument(
            "--product",
            action="append",
            default=[],
            metavar="NAME",
            help=f"one of {', '.join(publishers.SOURCES)}; repeat for more (default: "
            f"{', '.join(publishers.DEFAULT_PRODUCTS)})",
        )
        parser.add_argument(
            "--whole",
            action="store_true",
            help="download whole granules (kept for later fetches) even where the server "
            "honours ranges",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            table = Table.objects.get(slug=options["table"])
        except Table.DoesNotExist:
            raise CommandError(f"no table with the slug {options['table']!r}") from None
        for product in options["product"]:
            if product not in publishers.SOURCES:
                raise CommandError(
                    f"unknown product {product!r}; known: {', '.join(publishers.SOURCES)}"
                )
        try:
            fetch = satellite.start_layer_fetch(
                by=SYSTEM,
                table=table,
                products=options["product"],
                whole=options["whole"],
                background=False,
            )
        except satellite.SatelliteError as exc:
            raise CommandError(str(exc)) from None
        fetch = satellite.run_layer_fetch(fetch, progress=progress_bar(self.stderr))
        for product in fetch.products:
            result = fetch.results.get(product)
            if result:
                self.stdout.write(f"{product}: {result['status']} · {result['detail']}")
        if fetch.status != RunStatus.DONE:
            raise CommandError(fetch.error or "the fetch failed")
