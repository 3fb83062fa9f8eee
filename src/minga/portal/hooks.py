"""What the portal does when anything is recorded (see ``core.hooks``)."""

from __future__ import annotations

from minga.core import hooks
from minga.core.models import Event
from minga.portal.models import TableFigures


@hooks.register(hooks.EVERY_EVENT)
def forget_figures(events: list[Event]) -> None:
    """A table's kept figures are stale once it changes: one DELETE per committed
    transaction, for the tables its events touched."""
    slugs = {e.table_slug for e in events if e.table_slug}
    if slugs:
        TableFigures.objects.filter(table__slug__in=slugs).delete()
