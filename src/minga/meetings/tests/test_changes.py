"""A meeting moved or cancelled before it starts: the page says what will happen and asks, the
members it was convened to get the change with the same calendar event (a higher sequence) or
its cancellation, and a cancelled meeting takes no attendance or minutes."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from minga.core.access import SYSTEM
from minga.core.models import Event
from minga.meetings import services
from minga.meetings.models import Meeting
from minga.tables.models import Table

BASE = "/t/morona-santiago/meetings"


@pytest.fixture
def meeting(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    return services.create_meeting(
        by=SYSTEM,
        table=Table.objects.get(slug="morona-santiago"),
        title="Sesión ordinaria de enero",
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="Macas, salón de la Prefectura",
    )


def _form(meeting, **changes):
    starts = timezone.localtime(meeting.starts_at)
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": meeting.duration_minutes,
        "place": meeting.place,
        "language": meeting.language,
        "is_public": "on",
    }
    return data | changes


def _invitation(message):
    _name, body, mimetype = message.attachments[0]
    return Calendar.from_ical(body), mimetype


def test_a_convened_meeting_moved_to_thursday_is_sent_again_as_the_same_event(
    client_for, meeting, django_capture_on_commit_callbacks
):
    secretariat = client_for("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        secretariat.post(f"{BASE}/{meeting.public_id}/convene/")
    sent = len(mail.outbox)
    assert sent >= 5
    page = secretariat.get(f"{BASE}/{meeting.public_id}/change/?lang=en").content.decode()
    assert f"{sent} people are sent the change by e-mail" in page
    thursday = timezone.localtime(meeting.starts_at) + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat.post(
            f"{BASE}/{meeting.public_id}/change/?lang=en",
            _form(meeting, starts_at=thursday.strftime("%Y-%m-%dT%H:%M"), place="Sucúa"),
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.place == "Sucúa"
    changed = mail.outbox[sent:]
    assert len(changed) == sent
    assert changed[0].subject == f"Changed: {meeting.title} ({meeting.table.name})"
    assert "What follows replaces what you were sent before." in changed[0].body
    calendar, mimetype = _invitation(changed[0])
    assert mimetype == "text/calendar; method=REQUEST" and calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == f"{meeting.public_id}@minga" and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["LOCATION"]) == "Sucúa"
    logged = Event.objects.get(type="meetings.meeting_changed")
    assert logged.payload["changed"] == ["place", "starts_at"] and logged.payload["sequence"] == 1
    # the download and the feed carry the same sequence
    ics = secretariat.get(f"{BASE}/{meeting.public_id}/meeting.ics").content.decode()
    assert "SEQUENCE:1" in ics
    # a change nobody is told about (the meeting's privacy) keeps the sequence
    with django_capture_on_commit_callbacks(execute=True):
        secretariat.post(
            f"{BASE}/{meeting.public_id}/change/",
            _form(meeting, is_public=""),
        )
    meeting.refresh_from_db()
    assert not meeting.is_public and meeting.sequence == 1 and len(mail.outbox) == 2 * sent


def test_a_draft_is_changed_without_telling_anyone(client_for, meeting):
    response = client_for("secretariat").post(
        f"{BASE}/{meeting.public_id}/change/", _form(meeting, title="Sesión de febrero")
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Sesión de febrero" and meeting.sequence == 0
    assert not mail.outbox


def test_cancelling_asks_why_and_says_who_is_told(
    client_for, meeting, django_capture_on_commit_callbacks
):
    secretariat = client_for("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        secretariat.post(f"{BASE}/{meeting.public_id}/convene/")
    sent = len(mail.outbox)
    page = secretariat.get(f"{BASE}/{meeting.public_id}/cancel/?lang=pt").content.decode()
    assert "será marcada como cancelada" in page
    assert f"{sent} pessoas" in page
    refused = secretariat.post(f"{BASE}/{meeting.public_id}/cancel/?lang=es", {"reason": " "})
    assert refused.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == "convened" and len(mail.outbox) == sent
    with django_capture_on_commit_callbacks(execute=True):
        done = secretariat.post(
            f"{BASE}/{meeting.public_id}/cancel/", {"reason": "Paro de transporte en la vía"}
        )
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.sequence == 1
    cancelled = mail.outbox[sent:]
    assert len(cancelled) == sent and "Paro de transporte en la vía" in cancelled[0].body
    calendar, mimetype = _invitation(cancelled[0])
    assert mimetype == "text/calendar; method=CANCEL" and calendar["METHOD"] == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    shown = secretariat.get(f"{BASE}/{meeting.public_id}/?lang=en").content.decode()
    assert "This meeting was cancelled." in shown and "Paro de transporte en la vía" in shown
    assert f"{meeting.public_id}/change/" not in shown and "/attendance/" not in shown
    # nothing more happens to a cancelled meeting
    assert secretariat.get(f"{BASE}/{meeting.public_id}/cancel/").status_code == 302
    with pytest.raises(ValidationError):
        services.save_minutes(by=SYSTEM, meeting=meeting, minutes="Acta")
    with pytest.raises(ValidationError):
        services.convene_meeting(by=SYSTEM, meeting=meeting, meeting_url=lambda m: "x")
    assert Event.objects.filter(type="meetings.meeting_cancelled").count() == 1


def test_only_before_it_starts_and_only_by_who_manages_meetings(client_for, meeting):
    assert client_for("member").get(f"{BASE}/{meeting.public_id}/change/").status_code == 403
    assert client_for("member").post(f"{BASE}/{meeting.public_id}/cancel/").status_code == 403
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        services.change_meeting(by=SYSTEM, meeting=meeting, meeting_url=str, place="Puyo")
    with pytest.raises(ValidationError):
        services.cancel_meeting(by=SYSTEM, meeting=meeting, reason="x", meeting_url=str)
    secretariat = client_for("secretariat")
    assert secretariat.get(f"{BASE}/{meeting.public_id}/change/").status_code == 302
    page = secretariat.get(f"{BASE}/{meeting.public_id}/").content.decode()
    assert f"{meeting.public_id}/cancel/" not in page
