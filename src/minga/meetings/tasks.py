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


@task()
def send_convening_notice(*, meeting_id: int, link: str, language: str) -> int:
    """E-mail the convening notice with the meeting as an ICS invitation; returns recipients."""
    meeting = Meeting.objects.select_related("table").get(pk=meeting_id)
    recipients = meeting_recipients(meeting)
    starts = timezone.localtime(meeting.starts_at)  # where the table meets, not UTC
    with translation.override(language):
        subject = _("Convened: %(title)s (%(table)s)") % {
            "title": meeting.shown_title,
            "table": meeting.table.name,
        }
        lines = [
            _("The %(table)s convenes you to: %(title)s.")
            % {"table": meeting.table.name, "title": meeting.shown_title},
            "",
            f"{_('When')}: {date_format(starts, 'DATETIME_FORMAT')} ({starts.tzinfo})",
        ]
        if meeting.place:
            lines.append(f"{_('Where')}: {meeting.place}")
        if meeting.online_url:
            lines.append(f"{_('Online')}: {meeting.online_url}")
        lines.append(f"{_('Working language')}: {meeting.language}")
        if meeting.interpretation:
            lines.append(f"{_('Interpretation')}: {meeting.interpretation}")
        agenda = list(meeting.agenda.all())
        if agenda:
            lines += ["", _("Agenda") + ":"] + [
                f"{i.position}. {i.shown_title} ({i.duration_minutes} min)" for i in agenda
            ]
        lines += ["", link]
    for address in recipients:
        message = EmailMessage(subject, "\n".join(lines), to=[address])
        message.attach(
            "meeting.ics", meeting_calendar([meeting], link=link), "text/calendar; method=REQUEST"
        )
        message.send()
    return len(recipients)


@hooks.register(events.MEETING_CONVENED)
def enqueue_convening_notices(recorded: list[Event]) -> None:
    """Once a convened meeting commits, the worker sends its notice (if anyone has e-mail)."""
    for event in recorded:
        if not event.private.get("link"):
            continue
        meeting = Meeting.objects.only("pk").filter(public_id=event.subject_id).first()
        if meeting is not None:
            send_convening_notice.enqueue(
                meeting_id=meeting.pk,
                link=event.private["link"],
                language=event.private["language"],
            )
