"""Daily work of the initiatives area, run by `minga worker` or `minga daily`."""

from __future__ import annotations

from django.tasks import task

from minga.core.access import SYSTEM
from minga.initiatives.services import mark_overdue, send_reminders


@task()
def daily_commitments() -> dict[str, int]:
    """Remind commitments due within a week, then mark the late ones overdue."""
    return {"reminded": send_reminders(by=SYSTEM), "overdue": mark_overdue(by=SYSTEM)}
