from typing import Any

from django.core.management.base import BaseCommand

from minga.decisions.models import Digest
from minga.work.tasks import send_digests


class Command(BaseCommand):
    help = (
        "Send the e-mail digests now (daily or weekly); run it from cron, or let the worker do it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("frequency", choices=[Digest.DAILY, Digest.WEEKLY])
        parser.add_argument(
            "--site-url", default="", help="e.g. https://minga.example.org, for links"
        )
        parser.add_argument("--queue", action="store_true", help="enqueue for the worker instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            send_digests.enqueue(frequency=options["frequency"], site_url=options["site_url"])
            self.stdout.write("queued")
            return
        sent = send_digests.call(frequency=options["frequency"], site_url=options["site_url"])
        self.stdout.write(f"{sent} digest(s) sent")
