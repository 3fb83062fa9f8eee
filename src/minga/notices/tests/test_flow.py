"""A representative verifies their number, chooses SMS for rounds closing and e-mail for new
rounds, gets both, and replies to the SMS with a stance that is recorded for them; a reply from
an unknown number, with a used code or a bad signature records nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

from django.core import mail
from django.utils import timezone

from minga.core.testing import DEMO_TABLE
from minga.decisions import services as decisions
from minga.decisions.models import Position, Proposal, Round
from minga.notices import producers, services
from minga.notices.models import Message, Phone, Status
from minga.tables.models import Membership

NUMBER = "+593987654321"


def _deliver_all() -> None:
    for message in Message.objects.filter(status=Status.QUEUED).order_by("pk"):
        services.deliver(message.pk)


KEY = "webhook-key"  # the fixture's MINGA_SMS_WEBHOOK_SECRET


def _signed_post(client, body: dict, secret: str = KEY, age: int = 0):
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()) - age)
    signature = hmac.new(secret.encode(), raw + stamp.encode(), hashlib.sha256).hexdigest()
    return client.post(
        "/hooks/sms/",
        raw,
        content_type="application/json",
        headers={"X-Timestamp": stamp, "X-Signature": signature},
    )


def _verified(client, gateway) -> None:
    page = client.post("/accounts/notices/", {"action": "phone", "number": "+593 98 765 4321"})
    assert page.status_code == 302
    _deliver_all()
    text = gateway.received[-1]["body"]["textMessage"]["text"]
    code = re.search(r"\b(\d{6})\b", text)[1]
    wrong = "000000" if code != "000000" else "111111"
    assert client.post("/accounts/notices/", {"action": "verify", "code": wrong}).status_code == 400
    assert client.post("/accounts/notices/", {"action": "verify", "code": code}).status_code == 302


def test_a_member_hears_by_sms_and_replies_with_a_stance(gateway, client_for, personas, client):
    member = personas["member"]
    phone_client = client_for("member")
    _verified(phone_client, gateway)
    assert Phone.objects.get(user=member).verified_at is not None
    saved = phone_client.post(
        "/accounts/notices/",
        {"action": "choose", "kind-round_closing": "sms", "kind-round_opened": "email"},
        headers={"Accept-Language": "pt"},
    )
    assert saved.status_code == 302

    # a round closing within the day: the SMS carries a code and how to reply, in Portuguese
    seat = Membership.objects.active().get(person__user=member, table__slug=DEMO_TABLE)
    round_ = (
        Round.objects.filter(proposal__table__slug=DEMO_TABLE, closed_at__isnull=True)
        .exclude(positions__organization=seat.organization)
        .first()
    )
    Round.objects.filter(pk=round_.pk).update(
        closes_at=timezone.now() + timezone.timedelta(hours=5)
    )
    assert producers.due_now() >= 1
    assert producers.due_now() >= 1  # looked at again: noticed once
    (notice,) = Message.objects.filter(kind="round_closing", user=member)
    assert "Responda A" in notice.text and "/s/" in notice.text
    code = re.search(r"Responda A (\d{6})", notice.text)[1]
    link = re.search(r"/s/([A-Z0-9]+)", notice.text)[1]
    assert client.get(f"/s/{link}")["Location"] == (
        f"/t/{DEMO_TABLE}/proposals/{round_.proposal.public_id}/"
    )
    _deliver_all()
    assert gateway.received[-1]["body"]["phoneNumbers"] == [NUMBER]

    # the reply, through SMS Gateway for Android's signed webhook
    answer = _signed_post(
        client,
        {
            "event": "sms:received",
            "deviceId": "ffffffffceb0b1db",
            "payload": {
                "messageId": "abc",
                "phoneNumber": NUMBER,
                "message": f"b {code} Falta consulta previa",
            },
        },
    )
    assert answer.status_code == 200 and answer.json()["recorded"]
    position = Position.objects.get(round=round_, organization=seat.organization)
    assert (position.stance, position.reason, position.author) == (
        "block",
        "Falta consulta previa",
        member,
    )
    confirmation = Message.objects.filter(user=member, kind="").order_by("-pk").first()
    assert confirmation.to == NUMBER and "bloqueio" in confirmation.text.lower()

    # the same code again: refused, nothing changed
    again = _signed_post(client, {"from": NUMBER, "text": f"A {code}"})
    assert "não é válido" in again.json()["answer"]
    assert Position.objects.get(pk=position.pk).stance == "block"


def test_replies_that_are_not_signed_or_not_known_record_nothing(gateway, client, db):
    assert (
        _signed_post(client, {"from": NUMBER, "text": "A 1234"}, secret="wrong").status_code == 403
    )
    assert _signed_post(client, {"from": NUMBER, "text": "A 1234"}, age=3600).status_code == 403
    unknown = _signed_post(client, {"from": "+593911111111", "text": "A 123456"})
    assert unknown.json() == {"recorded": False, "answer": ""}
    assert not Message.objects.exists()


def test_a_new_round_reaches_those_who_chose_it_by_email(
    personas, client_for, django_capture_on_commit_callbacks
):
    member = personas["member"]
    member.email = member.email or "member@demo.minga.invalid"
    member.save()
    assert (
        client_for("member")
        .post("/accounts/notices/", {"action": "choose", "kind-round_opened": "email"})
        .status_code
        == 302
    )
    proposal = Proposal.objects.filter(table__slug=DEMO_TABLE, status="open").first()
    for open_round in proposal.rounds.filter(closed_at__isnull=True):
        decisions.close_round(by=personas["convener"], round=open_round)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.open_round(
            by=personas["convener"],
            proposal=proposal,
            closes_at=timezone.now() + timezone.timedelta(days=2),
        )
    (notice,) = Message.objects.filter(kind="round_opened")
    assert notice.user == member and notice.channel == "email"
    _deliver_all()
    assert any(proposal.title in m.body for m in mail.outbox)


def test_sms_is_offered_only_with_a_verified_number_and_a_gateway(client_for, personas):
    page = client_for("member").get("/accounts/notices/", headers={"Accept-Language": "en"})
    text = page.content.decode()
    assert 'value="sms"' not in text and 'value="whatsapp"' not in text
    refused = client_for("member").post(
        "/accounts/notices/",
        {"action": "choose", "kind-alert": "sms"},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 400
    assert "SMS is not available to you yet." in refused.content.decode()


def test_a_message_the_phone_could_not_deliver_shows_as_failed(gateway, client, personas):
    from minga.notices.models import Channel

    message = services.queue(
        user=personas["member"], channel=Channel.SMS, to=NUMBER, text="minga: x", kind=""
    )
    assert services.deliver(message.pk) == Status.SENT
    answer = _signed_post(
        client,
        {
            "event": "sms:failed",
            "payload": {
                "messageId": "PyDmBQZZXYmyxMwED8Fzy",
                "phoneNumber": NUMBER,
                "reason": "RESULT_ERROR_NO_SERVICE",
            },
        },
    )
    assert answer.json() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.last_error == "RESULT_ERROR_NO_SERVICE"


def test_guessing_a_code_stops_after_five_tries(gateway, client_for, personas, client):
    from minga.notices.models import Choice

    phone_client = client_for("member")
    phone_client.post("/accounts/notices/", {"action": "phone", "number": NUMBER})
    _deliver_all()
    code = re.search(r"\b(\d{6})\b", gateway.received[-1]["body"]["textMessage"]["text"])[1]
    wrong = "000000" if code != "000000" else "111111"
    for _try in range(5):
        assert (
            phone_client.post("/accounts/notices/", {"action": "verify", "code": wrong}).status_code
            == 400
        )
    assert Phone.objects.get(user=personas["member"]).tries == 5
    assert (
        phone_client.post("/accounts/notices/", {"action": "verify", "code": code}).status_code
        == 400
    )
    assert Phone.objects.get(user=personas["member"]).verified_at is None

    # a verified number: five wrong reply codes in a day, and its replies are ignored
    Phone.objects.filter(user=personas["member"]).update(
        number=NUMBER, verified_at=timezone.now(), pending=""
    )
    Choice.objects.create(
        user=personas["member"], kind="round_closing", channel="sms", language="en"
    )
    answers = [
        _signed_post(client, {"from": NUMBER, "text": f"A {n:06d}"}).json() for n in range(6)
    ]
    assert answers[0]["recorded"] and "not valid" in answers[0]["answer"]
    assert "too many wrong codes" in answers[4]["answer"]
    assert answers[5] == {"recorded": False, "answer": ""}


def test_one_number_is_verified_by_one_person_only(gateway, client_for, personas):
    first, second = client_for("member"), client_for("ngo")
    for client in (first, second):
        client.post("/accounts/notices/", {"action": "phone", "number": NUMBER})
    _deliver_all()
    codes = [
        re.search(r"\b(\d{6})\b", r["body"]["textMessage"]["text"])[1] for r in gateway.received
    ]
    assert (
        first.post("/accounts/notices/", {"action": "verify", "code": codes[0]}).status_code == 302
    )
    refused = second.post(
        "/accounts/notices/",
        {"action": "verify", "code": codes[1]},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 400
    assert "This number cannot be used." in refused.content.decode()
    assert Phone.objects.filter(number=NUMBER, verified_at__isnull=False).count() == 1


def test_sms_chosen_without_a_gateway_any_more_goes_by_email(personas, settings):
    from minga.notices.models import Choice

    member = personas["member"]
    member.email = "member@demo.minga.invalid"
    member.save()
    Phone.objects.create(user=member, number=NUMBER, verified_at=timezone.now())
    Choice.objects.create(user=member, kind="meeting", channel="sms", language="es")
    settings.MINGA_SMS_GATEWAY = ""
    (message,) = services.notify(
        kind="meeting", users=[member], table=None, about="x", text=lambda u, c: f"hola {c}"
    )
    assert (message.channel, message.to, message.text) == ("email", member.email, "hola email")


def test_meetings_are_told_once_convened_changed_or_cancelled(
    personas, django_capture_on_commit_callbacks
):
    import datetime as dt

    from minga.meetings import services as meetings
    from minga.meetings.models import Meeting, MeetingStatus
    from minga.notices.models import Choice

    member = personas["member"]
    member.email = "member@demo.minga.invalid"
    member.save()
    Choice.objects.create(user=member, kind="meeting", channel="email", language="es")
    meeting = Meeting.objects.get(table__slug=DEMO_TABLE, status=MeetingStatus.DRAFT)
    secretariat = personas["secretariat"]
    with django_capture_on_commit_callbacks(execute=True):
        meetings.change_meeting(
            by=secretariat, meeting=meeting, meeting_url=lambda m: "/", place="Macas"
        )
    assert not Message.objects.filter(kind="meeting").exists()  # a draft tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        meetings.convene_meeting(by=secretariat, meeting=meeting, meeting_url=lambda m: "/")
    with django_capture_on_commit_callbacks(execute=True):
        meetings.change_meeting(
            by=secretariat,
            meeting=Meeting.objects.get(pk=meeting.pk),
            meeting_url=lambda m: "/",
            starts_at=meeting.starts_at + dt.timedelta(hours=2),
        )
    texts = list(
        Message.objects.filter(kind="meeting", user=member)
        .order_by("pk")
        .values_list("text", flat=True)
    )
    assert len(texts) == 2
    assert "convocada" in texts[0] and "cambió" in texts[1]
    assert all("/s/" in text for text in texts)
