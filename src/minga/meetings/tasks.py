"""Background work of meetings, run by `minga worker`."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from minga.core import hooks
from minga.core.models import Event
from minga.meetings import events
from minga.meetings.ics import meeting_calendar
from minga.meetings.models import Meeting
from minga.meetings.queries import meeting_recipients


def _first_lines(meeting: Meeting, kind: str) -> tuple[str, list[str]]:
    names = {"table": meeting.table.name, "title": meeting.shown_title}
    if kind == "changed":
        return _("Changed: %(title)s (%(table)s)") % names, [
            _("The %(table)s changed the meeting %(title)s.") % names,
            _("What follows replaces what you were sent before."),
        ]
    if kind == "cancelled":
        return _("Cancelled: %(title)s (%(table)s)") % names, [
            _("The %(table)s cancelled the meeting %(title)s.") % names,
            f"{_('Reason')}: {meeting.cancelled_reason}",
        ]
    return _("Convened: %(title)s (%(table)s)") % names, [
        _("The %(table)s convenes you to: %(title)s.") % names
    ]


@task()
def send_convening_notice(
    *, meeting_id: int, link: str, language: str, kind: str = "convened"
) -> int:
    """E-mail the notice that a meeting was convened, changed or cancelled, with the meeting as
    a calendar invitation (or its cancellation); returns how many were sent."""
    meeting = Meeting.objects.select_related("table").get(pk=meeting_id)
    recipients = meeting_recipients(meeting)
    starts = timezone.localtime(meeting.starts_at)  # where the table meets, not UTC
    with translation.override(language):
        subject, lines = _first_lines(meeting, kind)
        lines += ["", f"{_('When')}: {date_format(starts, 'DATETIME_FORMAT')} ({starts.tzinfo})"]
        if meeting.place:
            lines.append(f"{_('Where')}: {meeting.place}")
        if meeting.online_url:
            lines.append(f"{_('Online')}: {meeting.online_url}")
        if kind != "cancelled":
            lines.append(f"{_('Working language')}: {meeting.language}")
            if meeting.interpretation:
                lines.append(f"{_('Interpretation')}: {meeting.interpretation}")
            agenda = list(meeting.agenda.all())
            if agenda:
                lines += ["", _("Agenda") + ":"] + [
                    f"{i.position}. {i.shown_title} ({i.duration_minutes} min)" for i in agenda
                ]
        lines += ["", link]
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    invitation = meeting_calendar([meeting], link=link, method=method)
    for address in recipients:
        message = EmailMessage(subject, "\n".join(lines), to=[address])
        message.attach("meeting.ics", invitation, f"text/calendar; method={method}")
        message.send()
    return len(recipients)


@hooks.register(events.MEETING_CONVENED, events.MEETING_CHANGED, events.MEETING_CANCELLED)
def enqueue_meeting_notices(recorded: list[Event]) -> None:
    """Once a meeting convened, changed or cancelled commits, the worker tells its members (if
    it was convened and anyone has e-mail)."""
    kinds = {
        events.MEETING_CONVENED: "convened",
        events.MEETING_CHANGED: "changed",
        events.MEETING_CANCELLED: "cancelled",
    }
    for event in recorded:
        if not event.private.get("link"):
            continue
        meeting = Meeting.objects.only("pk").filter(public_id=event.subject_id).first()
        if meeting is not None:
            send_convening_notice.enqueue(
                meeting_id=meeting.pk,
                link=event.private["link"],
                language=event.private["language"],
                kind=kinds[event.type],
            )
