"""Each adapter against a gateway on 127.0.0.1: accepted, refused (4xx, never retried),
failing (5xx, retried with backoff, then failed) and too slow (retried)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from minga.notices import services
from minga.notices.models import Channel, Status

NUMBER = "+593987654321"


def _queued(user, channel):
    return services.queue(user=user, channel=channel, to=NUMBER, text="minga: prueba", kind="")


@pytest.mark.parametrize(
    ("kind", "channel", "path", "provider"),
    [
        ("android", Channel.SMS, "/message", "PyDmBQZZXYmyxMwED8Fzy"),
        ("http", Channel.SMS, "/send", "gw-1"),
        (
            "android",
            Channel.WHATSAPP,
            "/v21.0/106540352242922/messages",
            "wamid.HBgLNTkzOTg3NjU0MzIxFQIAERgS",
        ),
    ],
)
def test_each_contract_is_spoken_as_documented(
    gateway, settings, personas, django_capture_on_commit_callbacks, kind, channel, path, provider
):
    settings.MINGA_SMS_GATEWAY = kind
    if kind == "http":
        settings.MINGA_SMS_GATEWAY_URL = f"{gateway.url}/send"
    with django_capture_on_commit_callbacks(execute=False) as handed:
        message = _queued(personas["member"], channel)
    assert len(handed) == 1  # the worker gets it once the transaction commits
    assert services.deliver(message.pk) == Status.SENT
    message.refresh_from_db()
    assert message.provider_id == provider and message.sent_at is not None
    (request,) = gateway.received
    assert request["path"] == path
    body = request["body"]
    if path == "/message":
        assert body == {"textMessage": {"text": "minga: prueba"}, "phoneNumbers": [NUMBER]}
        assert request["auth"].startswith("Basic ")
    elif path == "/send":
        assert body == {"channel": "sms", "to": NUMBER, "text": "minga: prueba"}
    else:
        assert body == {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": NUMBER.lstrip("+"),
            "type": "text",
            "text": {"preview_url": False, "body": "minga: prueba"},
        }


def test_a_whatsapp_template_carries_the_text_as_its_parameter(gateway, settings, personas):
    settings.MINGA_WHATSAPP_TEMPLATE = "minga_notice"
    message = _queued(personas["member"], Channel.WHATSAPP)
    assert services.deliver(message.pk) == Status.SENT
    body = gateway.received[0]["body"]
    assert body["type"] == "template"
    assert body["template"]["name"] == "minga_notice"
    assert body["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "minga: prueba"}
    ]


@pytest.mark.parametrize(
    ("kind", "channel"),
    [("android", Channel.SMS), ("http", Channel.SMS), ("android", Channel.WHATSAPP)],
)
def test_a_refusal_fails_at_once_with_the_gateways_words(
    gateway, settings, personas, kind, channel
):
    settings.MINGA_SMS_GATEWAY = kind
    if kind == "http":
        settings.MINGA_SMS_GATEWAY_URL = f"{gateway.url}/send"
    gateway.mode = "400"
    message = _queued(personas["member"], channel)
    assert services.deliver(message.pk) == Status.FAILED
    message.refresh_from_db()
    assert message.last_error.startswith(("HTTP 400", "HTTP 422"))
    assert any(
        words in message.last_error
        for words in ("invalid phone number", "allowed list", "no such number")
    )
    assert message.attempts == 1


@pytest.mark.parametrize(
    ("kind", "channel", "mode"),
    [
        ("android", Channel.SMS, "500"),
        ("android", Channel.SMS, "slow"),
        ("http", Channel.SMS, "500"),
        ("http", Channel.SMS, "slow"),
        ("android", Channel.WHATSAPP, "500"),
        ("android", Channel.WHATSAPP, "slow"),
    ],
)
def test_a_failing_or_slow_gateway_is_retried_with_backoff_then_failed(
    gateway, settings, personas, django_capture_on_commit_callbacks, kind, channel, mode
):
    from django.utils import timezone

    settings.MINGA_SMS_GATEWAY = kind
    if kind == "http":
        settings.MINGA_SMS_GATEWAY_URL = f"{gateway.url}/send"
    gateway.mode = mode
    message = _queued(personas["member"], channel)
    before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliver(message.pk) == Status.RETRYING
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert DBTaskResult.objects.count() == before + 1
    assert retry.task_path.endswith("deliver_notice")
    message.refresh_from_db()
    assert message.attempts == 1
    # the first retry a minute later, the next two
    assert abs((retry.run_after - timezone.now()).total_seconds() - 60) < 10
    assert (
        ("HTTP 500" in message.last_error) if mode == "500" else ("timed out" in message.last_error)
    )
    assert services.deliver(message.pk) == Status.RETRYING
    assert services.deliver(message.pk) == Status.FAILED  # MINGA_NOTICE_RETRIES = 2
    assert services.deliver(message.pk) == Status.FAILED  # and stays so
    assert len(gateway.received) == 3


def test_failures_are_shown_to_the_secretariat_who_may_send_again(
    gateway, personas, client_for, django_capture_on_commit_callbacks
):
    from minga.core.testing import DEMO_TABLE
    from minga.tables.models import Table

    table = Table.objects.get(slug=DEMO_TABLE)
    gateway.mode = "400"
    message = services.queue(
        user=personas["member"], channel=Channel.SMS, to=NUMBER, text="x", kind="", table=table
    )
    services.deliver(message.pk)
    page = client_for("secretariat").get(
        f"/t/{DEMO_TABLE}/notices/", headers={"Accept-Language": "en"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "invalid phone number" in text and NUMBER in text
    assert client_for("member").get(f"/t/{DEMO_TABLE}/notices/").status_code == 403
    gateway.mode = "ok"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = client_for("secretariat").post(f"/t/{DEMO_TABLE}/notices/{message.pk}/again/")
    assert answer.status_code == 302 and len(queued) == 1
    assert services.deliver(message.pk) == Status.SENT


def test_a_gateway_that_redirects_is_refused_and_keeps_its_credentials(gateway, settings, personas):
    settings.MINGA_SMS_GATEWAY = "http"
    settings.MINGA_SMS_GATEWAY_URL = f"{gateway.url}/moved"
    gateway.mode = "redirect"
    message = _queued(personas["member"], Channel.SMS)
    assert services.deliver(message.pk) == Status.FAILED
    message.refresh_from_db()
    assert message.last_error.startswith("HTTP 307")
    assert [r["path"] for r in gateway.received] == ["/moved"]  # never followed


def test_too_many_requests_is_tried_again(gateway, settings, personas):
    settings.MINGA_SMS_GATEWAY = "http"
    settings.MINGA_SMS_GATEWAY_URL = f"{gateway.url}/send"
    gateway.mode = "429"
    message = _queued(personas["member"], Channel.SMS)
    assert services.deliver(message.pk) == Status.RETRYING
