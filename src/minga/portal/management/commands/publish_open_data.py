from typing import Any

from django.core.management.base import BaseCommand

from minga.portal.tasks import publish_open_data


class Command(BaseCommand):
    help = (
        "Rebuild each table's open-data package (CSV, GeoJSON, IATI, datapackage.json) where the "
        "open-data page serves it. Run it daily from cron, or --queue it for the worker."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue", action="store_true", help="enqueue for the worker instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            publish_open_data.enqueue()
            self.stdout.write("queued")
            return
        for slug, size in publish_open_data.call().items():
            self.stdout.write(f"{slug}: {size:,} bytes")
