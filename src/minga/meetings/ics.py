"""iCalendar (RFC 5545) for meetings: one invitation, or a table's feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event

from minga.meetings.models import Meeting


def meeting_calendar(
    meetings: Iterable[Meeting], *, link: str = "", name: str = "", method: str = ""
) -> bytes:
    """``method`` (iTIP, RFC 5546) for an invitation sent by e-mail: ``REQUEST`` for a new or
    changed meeting, ``CANCEL`` for a cancelled one; none for a feed or a download."""
    calendar = Calendar()
    calendar.add("prodid", "-//minga//cooperation tables//ES")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for meeting in meetings:
        event = Event()
        event.add("uid", f"{meeting.public_id}@minga")
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.starts_at + dt.timedelta(minutes=meeting.duration_minutes))
        event.add("dtstamp", meeting.updated_at)
        event.add("location", meeting.place or meeting.online_url)
        description = [meeting.table.name]
        if meeting.online_url:
            description.append(meeting.online_url)
        if link:
            description.append(link)
        event.add("description", "\n".join(description))
        if link:
            event.add("url", link)
        # A change is the same event with a higher sequence: calendars move it, not add one.
        event.add("sequence", meeting.sequence)
        event.add(
            "status",
            {"draft": "TENTATIVE", "cancelled": "CANCELLED"}.get(meeting.status, "CONFIRMED"),
        )
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body
