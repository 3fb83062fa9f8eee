from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background-task worker (django-tasks-db). --batch drains the queue and exits."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--queue-name", default="*", help="queue(s) to serve, default all")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--queue-name", options["queue_name"], "--interval", str(options["interval"])]
        argv += ["--no-reload", "--no-startup-delay"]
        if options["batch"]:
            argv.append("--batch")
        call_command("db_worker", *argv)
