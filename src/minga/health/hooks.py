"""What table health does when areas below it act (see ``core.hooks``)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone, translation

from minga.core import hooks
from minga.core.models import Event
from minga.health.models import Incident
from minga.health.services import ALERT_FRESH_DAYS, ALERT_INCIDENTS, report_from_alert
from minga.monitoring import events as monitoring_events
from minga.tables.models import Table

log = logging.getLogger("minga.hooks")


@hooks.register(monitoring_events.ALERT_RAISED)
def open_incident_from_alert(events: list[Event]) -> None:
    """After a field alert of a serious kind commits, open an incident (one per kind while it
    is open) if the alert is fresh. One alert that cannot open its incident does not keep the
    others from opening theirs."""
    for event in events:
        try:
            _open_incident(event)
        except Exception:
            log.exception("no incident opened from the alert %s", event.subject)


def _open_incident(event: Event) -> None:
    kind = ALERT_INCIDENTS.get(event.payload.get("kind", ""))
    if kind is None or not event.table_slug:
        return
    observed = dt.datetime.fromisoformat(event.payload["observed_at"])
    if observed < timezone.now() - dt.timedelta(days=ALERT_FRESH_DAYS):
        return
    table = Table.objects.get(slug=event.table_slug)
    if Incident.objects.filter(table=table, kind=kind, closed_at__isnull=True).exists():
        return
    with translation.override(settings.LANGUAGE_CODE):
        report_from_alert(event, table, kind, observed)
