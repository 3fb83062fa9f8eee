"""`minga send_notices`: notices of rounds closing within a day and commitments coming due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minga.notices.producers import due_now
from minga.notices.services import sweep


class Command(BaseCommand):
    help = (
        "Queue the notices of rounds closing within 24 hours and commitments due within 3 days "
        "(each once) for the people who chose them, and queue again the messages no worker "
        "finished. Run it hourly from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = due_now()
        again = sweep()
        self.stdout.write(
            f"{count} subjects looked at; notices queued for the worker; "
            f"{again} messages left behind queued again."
        )
