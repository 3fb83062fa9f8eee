"""Notices follow what happens: a round opened, a meeting convened or changed, a field alert."""

from __future__ import annotations

import logging

from minga.core import hooks
from minga.core.models import Event
from minga.decisions import events as decision_events
from minga.decisions.models import Round
from minga.meetings import events as meeting_events
from minga.meetings.models import Meeting
from minga.monitoring import events as monitoring_events
from minga.monitoring.models import Observation
from minga.notices import producers

log = logging.getLogger("minga.notices")


def _each(events: list[Event], act: object) -> None:
    for event in events:
        try:
            act(event)  # type: ignore[operator]
        except Exception:
            log.exception("no notice for %s %s", event.type, event.subject)


@hooks.register(decision_events.ROUND_OPENED)
def round_opened(events: list[Event]) -> None:

    def act(event: Event) -> None:
        round_ = Round.objects.select_related("proposal__table").get(
            proposal__public_id=event.subject_id, number=event.payload["round"]
        )
        producers.round_opened(round_)

    _each(events, act)


WHAT = {
    meeting_events.MEETING_CONVENED: "convened",
    meeting_events.MEETING_CHANGED: "changed",
    meeting_events.MEETING_CANCELLED: "cancelled",
}


@hooks.register(*WHAT)
def meeting_convened_changed_or_cancelled(events: list[Event]) -> None:
    def act(event: Event) -> None:
        found = Meeting.objects.select_related("table").get(public_id=event.subject_id)
        producers.meeting(found, what=WHAT[event.type])

    _each(events, act)


@hooks.register(monitoring_events.ALERT_RAISED)
def alert_raised(events: list[Event]) -> None:

    def act(event: Event) -> None:
        found = Observation.objects.select_related("table", "agreement").get(
            public_id=event.subject_id
        )
        producers.alert(found)

    _each(events, act)
