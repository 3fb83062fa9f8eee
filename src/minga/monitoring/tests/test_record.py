"""A monitor records one observation in minga's own form, photo included; sent again by a phone
whose link dropped, it is kept once; mining raises the table's alert."""

from __future__ import annotations

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minga.core.models import Event
from minga.core.testing import DEMO_TABLE
from minga.monitoring import events
from minga.monitoring.models import Observation
from minga.tests.routes import tiny_png

URL = f"/t/{DEMO_TABLE}/monitoring/new/"
DEVICE = {"Minga-Outbox": "1", "Accept-Language": "en"}


def _body(key: str, **extra):
    when = timezone.localtime().replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    return {
        "kind": "mining",
        "observed_at": when,
        "lat": "-2.95",
        "lon": "-78.05",
        "notes": "Balsa de dragado en el río",
        "idempotency_key": key,
        "photo": SimpleUploadedFile("balsa.png", tiny_png(), content_type="image/png"),
        **extra,
    }


def test_an_observation_with_a_photo_sent_twice_is_kept_once_and_alerts(client_for, db):
    client = client_for("monitor")
    key = str(uuid.uuid4())
    alerts = Event.objects.filter(type=events.ALERT_RAISED).count()
    first = client.post(URL, _body(key), headers=DEVICE)
    again = client.post(URL, _body(key), headers=DEVICE)
    assert first.json()["status"] == again.json()["status"] == "accepted"
    (observation,) = Observation.objects.filter(source="minga", source_key=key)
    assert observation.kind == "mining"
    assert observation.notes == "Balsa de dragado en el río"
    assert observation.observer
    assert Event.objects.filter(type=events.ALERT_RAISED).count() == alerts + 1
    photo = client.get(f"/t/{DEMO_TABLE}/monitoring/{observation.public_id}/photo/1/")
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content) == tiny_png()
    assert photo["Content-Type"] == "image/png"
    listing = client.get(f"/t/{DEMO_TABLE}/monitoring/").content.decode()
    assert f"/monitoring/{observation.public_id}/photo/1/" in listing


def test_a_bad_observation_is_refused_with_reasons_and_nothing_kept(client_for, db):
    client = client_for("monitor")
    key = str(uuid.uuid4())
    bad = _body(key, lat="95", photo=SimpleUploadedFile("x.png", b"not a png"))
    answer = client.post(URL, bad, headers=DEVICE)
    assert answer.status_code == 422
    said = answer.json()
    assert said["status"] == "refused"
    assert "90" in said["message"] and "x.png" in said["message"]
    assert not Observation.objects.filter(source_key=key).exists()


def test_only_those_who_bring_field_data_in_record_it(client_for, db):
    assert client_for("member").get(URL).status_code == 403
    page = client_for("monitor").get(URL, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'data-outbox="Field observation"' in page.content.decode()
