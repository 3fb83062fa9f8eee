"""Forms a phone kept while offline arrive once each, however often the link drops, and the
device is told in words what happened to them: accepted, late, a conflict, or refused."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from minga.core.models import Event, Submission
from minga.decisions import services as decisions
from minga.decisions.models import Position, Round
from minga.tables.models import Membership

DEVICE = {"Minga-Outbox": "1", "Accept-Language": "en"}


@pytest.fixture
def open_round(db, personas) -> Round:
    """The demo round the member's organization has not yet spoken in."""
    from minga.work.queries import work_for

    (item,) = work_for(personas["member"]).rounds
    public_id = item.url.split("/proposals/")[1].split("/")[0]
    return Round.objects.get(proposal__public_id=public_id, closed_at__isnull=True)


def _url(round_: Round) -> str:
    proposal = round_.proposal
    return (
        f"/t/{proposal.table.slug}/proposals/{proposal.public_id}/rounds/{round_.number}/position/"
    )


def _organization(user, round_):
    return (
        Membership.objects.active().get(person__user=user, table=round_.proposal.table).organization
    )


def test_a_position_sent_three_times_is_recorded_once(client_for, personas, open_round):
    client = client_for("member")
    key = str(uuid.uuid4())
    body = {"stance": "agree", "reason": "", "idempotency_key": key}
    events = Event.objects.count()
    answers = [client.post(_url(open_round), body, headers=DEVICE) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {a.json()["status"] for a in answers} == {"accepted"}
    assert answers[0].json() == answers[2].json()
    organization = _organization(personas["member"], open_round)
    assert Position.objects.filter(round=open_round, organization=organization).count() == 1
    assert Event.objects.count() == events + 1
    assert Submission.objects.get(key=key).status == "accepted"


def test_the_same_key_from_another_person_is_theirs(client_for, personas, open_round):
    """Keys are per person: another person's key never replays someone else's answer."""
    key = str(uuid.uuid4())
    first = client_for("member").post(
        _url(open_round), {"stance": "agree", "idempotency_key": key}, headers=DEVICE
    )
    assert first.json()["status"] == "accepted"
    other = client_for("ngo").post(
        _url(open_round),
        {"stance": "concerns", "reason": "x", "idempotency_key": key},
        headers=DEVICE,
    )
    assert Submission.objects.filter(key=key).count() == 2
    assert other.json()["status"] == "accepted"  # the NGO's own position, recorded
    assert Position.objects.filter(round=open_round).count() >= 2


def test_a_position_for_a_round_that_closed_meanwhile_is_late_with_the_outcome(
    client_for, personas, open_round
):
    decisions.close_round(by=personas["convener"], round=open_round)
    answer = client_for("member").post(
        _url(open_round),
        {"stance": "block", "reason": "Falta consulta", "idempotency_key": str(uuid.uuid4())},
        headers=DEVICE,
    )
    assert answer.status_code == 409
    said = answer.json()
    assert said["status"] == "late"
    assert "closed on" in said["message"]
    open_round.refresh_from_db()
    assert decisions_describe(open_round.outcome) in said["message"]
    assert said["yours"] == "Block: Falta consulta"


def decisions_describe(outcome):
    from django.utils import translation

    from minga.decisions.queries import describe

    with translation.override("en"):
        return describe(outcome)


def test_a_position_changed_by_someone_else_meanwhile_is_a_conflict_with_both(
    client_for, personas, open_round
):
    member = personas["member"]
    decisions.state_position(by=member, round=open_round, stance="concerns", reason="Plazo corto")
    answer = client_for("member").post(
        _url(open_round),
        {"stance": "agree", "idempotency_key": str(uuid.uuid4())},
        headers=DEVICE,
    )
    assert answer.status_code == 409
    said = answer.json()
    assert said["status"] == "conflict"
    assert said["yours"] == "Agree"
    assert said["theirs"].startswith("Agree with concerns: Plazo corto")
    position = Position.objects.get(
        round=open_round, organization=_organization(member, open_round)
    )
    assert position.stance == "concerns"  # nothing overwritten


def test_an_invalid_position_is_refused_with_the_reason(client_for, open_round):
    answer = client_for("member").post(
        _url(open_round), {"stance": "block", "idempotency_key": str(uuid.uuid4())}, headers=DEVICE
    )
    assert answer.status_code == 422
    assert answer.json()["status"] == "refused"
    assert "A block must give its reason." in answer.json()["message"]


def test_a_device_whose_session_ended_is_asked_to_log_in(open_round):
    answer = Client().post(
        _url(open_round), {"stance": "agree", "idempotency_key": str(uuid.uuid4())}, headers=DEVICE
    )
    assert answer.status_code == 401
    assert answer.json()["status"] == "login"


def test_a_browser_posting_with_a_key_twice_gets_the_page_and_one_position(
    client_for, personas, open_round
):
    client = client_for("member")
    body = {"stance": "agree", "idempotency_key": str(uuid.uuid4())}
    first = client.post(_url(open_round), body)
    second = client.post(_url(open_round), body)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    organization = _organization(personas["member"], open_round)
    assert Position.objects.filter(round=open_round, organization=organization).count() == 1


def test_a_malformed_key_is_refused(client_for, open_round):
    answer = client_for("member").post(
        _url(open_round), {"stance": "agree", "idempotency_key": "<script>"}, headers=DEVICE
    )
    assert answer.status_code == 400
    assert not Submission.objects.exists()


def test_a_sheet_saved_by_someone_else_meanwhile_is_a_conflict_with_both(client_for, personas):
    import datetime as dt
    import re

    from django.utils import timezone

    from minga.core.testing import DEMO_TABLE
    from minga.meetings import services as meetings
    from minga.meetings.models import Attendance, Meeting, MeetingStatus

    meeting = Meeting.objects.get(table__slug=DEMO_TABLE, status=MeetingStatus.DRAFT)
    meetings.convene_meeting(by=personas["secretariat"], meeting=meeting, meeting_url=lambda m: "/")
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    url = f"/t/{DEMO_TABLE}/meetings/{meeting.public_id}/attendance/"
    phone, office = client_for("secretariat"), client_for("convener")
    opened = phone.get(url).content.decode()
    seen = re.search(r'name="seen" value="([^"]+)"', opened)[1]
    first, second = re.findall(r'name="status-([a-z0-9]+)"', opened)[:2]
    saved = office.post(url, {f"status-{first}": "present", f"names-{first}": "Ana Tiwi"})
    assert saved.status_code == 302
    answer = phone.post(
        url,
        {
            "seen": seen,
            f"status-{second}": "absent",
            "idempotency_key": str(uuid.uuid4()),
        },
        headers=DEVICE,
    )
    assert answer.status_code == 409
    said = answer.json()
    assert said["status"] == "conflict"
    assert "Absent" in said["yours"]
    assert "Ana Tiwi" in said["theirs"]
    assert list(
        Attendance.objects.filter(meeting=meeting).values_list("person_name", flat=True)
    ) == ["Ana Tiwi"]


def test_a_key_used_for_another_form_is_refused(client_for, open_round):
    client = client_for("member")
    key = str(uuid.uuid4())
    client.post(_url(open_round), {"stance": "agree", "idempotency_key": key}, headers=DEVICE)
    other = f"/t/{open_round.proposal.table.slug}/health/act/"
    answer = client.post(other, {"action": "incident", "idempotency_key": key}, headers=DEVICE)
    assert answer.status_code == 409
    assert Submission.objects.filter(key=key).count() == 1


def test_a_view_that_fails_leaves_no_key_behind_and_may_be_sent_again(
    client_for, personas, open_round, monkeypatch
):
    from django.test import Client

    from minga.decisions import services as decision_services

    client = Client(raise_request_exception=False)
    client.force_login(personas["member"])
    key = str(uuid.uuid4())
    real = decision_services.state_position

    def broken(**kwargs):
        real(**kwargs)
        raise RuntimeError("the database went away half-way")

    monkeypatch.setattr(decision_services, "state_position", broken)
    failed = client.post(
        _url(open_round), {"stance": "agree", "idempotency_key": key}, headers=DEVICE
    )
    assert failed.status_code == 500
    assert not Submission.objects.filter(key=key).exists()
    organization = _organization(personas["member"], open_round)
    assert not Position.objects.filter(round=open_round, organization=organization).exists()
    monkeypatch.setattr(decision_services, "state_position", real)
    again = client.post(
        _url(open_round), {"stance": "agree", "idempotency_key": key}, headers=DEVICE
    )
    assert again.json()["status"] == "accepted"


def test_a_position_changed_since_the_form_was_opened_is_a_conflict(
    client_for, personas, open_round
):
    import re

    member = personas["member"]
    decisions.state_position(by=member, round=open_round, stance="agree", reason="")
    phone = client_for("member")
    page = phone.get(
        f"/t/{open_round.proposal.table.slug}/proposals/{open_round.proposal.public_id}/"
    ).content.decode()
    seen = re.search(r'name="seen" value="([^"]*)"', page)[1]
    replaces = re.search(r'name="replaces" value="(\d+)"', page)[1]
    position = Position.objects.get(
        round=open_round, organization=_organization(member, open_round)
    )
    decisions.state_position(
        by=member, round=open_round, stance="concerns", reason="Nuevo dato", replaces=position
    )
    answer = phone.post(
        _url(open_round),
        {
            "stance": "block",
            "reason": "No",
            "replaces": replaces,
            "seen": seen,
            "idempotency_key": str(uuid.uuid4()),
        },
        headers=DEVICE,
    )
    said = answer.json()
    assert said["status"] == "conflict"
    assert said["yours"] == "Block: No" and said["theirs"].startswith(
        "Agree with concerns: Nuevo dato"
    )
    assert Position.objects.get(pk=position.pk).stance == "concerns"


def test_an_item_typed_by_someone_else_waits_for_them(client_for, personas, open_round):
    from minga.core.outbox import viewer

    answer = client_for("ngo").post(
        _url(open_round),
        {"stance": "agree", "idempotency_key": str(uuid.uuid4())},
        headers={**DEVICE, "Minga-Viewer": viewer(personas["member"])},
    )
    assert answer.status_code == 401 and answer.json()["status"] == "login"
    assert not Submission.objects.exists()


def test_consultation_answers_land_once_and_a_later_change_is_a_conflict(client_for, personas):
    import datetime as dt
    import re

    from django.utils import timezone

    from minga.core.testing import DEMO_TABLE
    from minga.decisions.models import Answer
    from minga.tables.models import Table

    consultation = decisions.open_consultation(
        by=personas["observer"],
        table=Table.objects.get(slug=DEMO_TABLE),
        title="Consulta sobre el programa de agua",
        body="Texto",
        questions=["¿Qué priorizar?"],
        deadline=timezone.localdate() + dt.timedelta(days=9),
    )
    (question,) = consultation.questions.all()
    page_url = f"/t/{DEMO_TABLE}/consultations/{consultation.public_id}/"
    phone, office = client_for("member"), client_for("member")
    seen = re.search(r'name="seen" value="([^"]+)"', phone.get(page_url).content.decode())[1]
    key = str(uuid.uuid4())
    body = {f"answer-{question.pk}": "Agua para Kusuim", "seen": seen, "idempotency_key": key}
    first = phone.post(f"{page_url}answer/", body, headers=DEVICE)
    again = phone.post(f"{page_url}answer/", body, headers=DEVICE)
    assert first.json()["status"] == again.json()["status"] == "accepted"
    assert Answer.objects.get(question=question).text == "Agua para Kusuim"

    # someone of the same organization changes the answers; the phone's old form then conflicts
    office.post(f"{page_url}answer/", {f"answer-{question.pk}": "Agua y salud"})
    late = phone.post(
        f"{page_url}answer/",
        {f"answer-{question.pk}": "Solo agua", "seen": seen, "idempotency_key": str(uuid.uuid4())},
        headers=DEVICE,
    )
    said = late.json()
    assert said["status"] == "conflict"
    assert "Solo agua" in said["yours"] and "Agua y salud" in said["theirs"]
    assert Answer.objects.get(question=question).text == "Agua y salud"


def test_an_incident_reported_offline_is_recorded_once(client_for, personas):
    from django.utils import timezone

    from minga.core.testing import DEMO_TABLE
    from minga.health.models import Incident, IncidentKind

    url = f"/t/{DEMO_TABLE}/health/act/"
    body = {
        "action": "incident",
        "kind": IncidentKind.OIL_SPILL,
        "title": "Derrame en el río Kusuim",
        "description": "Manchas de crudo en la orilla",
        "occurred_on": timezone.localdate().isoformat(),
        "place": "Kusuim",
        "idempotency_key": str(uuid.uuid4()),
    }
    client = client_for("member")
    before = Incident.objects.count()
    answers = [client.post(url, body, headers=DEVICE) for _ in range(2)]
    assert [a.json()["status"] for a in answers] == ["accepted", "accepted"]
    assert answers[0].json()["url"].startswith(f"/t/{DEMO_TABLE}/incidents/")
    assert Incident.objects.count() == before + 1
