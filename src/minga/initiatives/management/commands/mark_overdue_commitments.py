from typing import Any

from django.core.management.base import BaseCommand

from minga.core.access import SYSTEM
from minga.initiatives.services import mark_overdue


class Command(BaseCommand):
    help = "Mark commitments past their date as overdue (run daily from cron or the worker)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{mark_overdue(by=SYSTEM)} commitment(s) marked overdue")
