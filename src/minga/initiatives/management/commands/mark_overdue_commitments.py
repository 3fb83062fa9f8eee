from typing import Any

from django.core.management.base import BaseCommand

from minga.initiatives.tasks import daily_commitments


class Command(BaseCommand):
    help = (
        "The daily commitments run: e-mail reminders a week before the date, then mark late "
        "ones overdue. Run it daily from cron, or --queue it for the worker."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue", action="store_true", help="enqueue for the worker instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            daily_commitments.enqueue()
            self.stdout.write("queued")
            return
        result = daily_commitments.call()
        self.stdout.write(
            f"{result['reminded']} reminder(s) sent, {result['overdue']} commitment(s) marked overdue"
        )
