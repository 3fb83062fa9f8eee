import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minga.health import services
from minga.tables.models import Table


class Command(BaseCommand):
    help = (
        "Store each table's health snapshot for the day (facts, weights, score) and reassess its "
        "risks. Run it daily from cron."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--table", help="only this table (its slug)")
        parser.add_argument("--as-of", help="the day, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["as_of"]:
            try:
                day = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(
                    f"--as-of {options['as_of']!r} is not a date (YYYY-MM-DD)"
                ) from None
        tables = Table.objects.order_by("slug")
        if options["table"]:
            tables = tables.filter(slug=options["table"])
            if not tables.exists():
                raise CommandError(f"no table with the slug {options['table']!r}")
        for table in tables:
            snapshot = services.take_snapshot(table=table, as_of=day)
            risks = services.assess_risks(table=table, today=day)
            self.stdout.write(
                f"{table.slug}: {snapshot.score} on {snapshot.as_of}, {len(risks)} risk(s) from the facts"
            )
