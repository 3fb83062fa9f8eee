"""The stored log: sequencing, proofs over HTTP, checkpoints, and audits that catch tampering."""

import base64
import json
import random

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from minga.core.events import record_event
from minga.core.models import Event
from minga.core.testing import declared_event_types
from minga.ledger import audit, merkle, note, queries, services
from minga.ledger.models import LogEntry


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"), declared_event_types(*TEST_TYPES):
        yield


TEST_TYPES = ("test.thing_done", "test.secret_kept", "test.more_added")


@pytest.fixture
def log(db):
    services.integrate()
    services.sign_checkpoint()
    return queries.size()


def test_the_demo_is_in_the_log_with_a_signed_checkpoint(log):
    assert log == Event.objects.count()
    body = Client().get("/log/checkpoint")
    assert body.status_code == 200
    key = Client().get("/log/key").content.decode().strip()
    assert note.verify(body.content.decode(), key)
    parsed = note.parse_checkpoint(body.content.decode())
    assert parsed.size == log and parsed.root == queries.root(log)


def test_new_events_are_sequenced_in_order_and_proofs_verify(log):
    with transaction.atomic():
        for i in range(3):
            record_event("test.thing_done", actor=None, payload={"n": i})
    assert services.integrate() == 3
    size = queries.size()
    entries = list(LogEntry.objects.filter(index__gte=size - 3).order_by("index"))
    assert [json.loads(bytes(e.leaf))["payload"]["n"] for e in entries] == [0, 1, 2]
    answer = Client().get(f"/api/v1/log/proof/inclusion?index={size - 2}&size={size}").json()
    assert set(answer) == {"index", "size", "leaf_hash", "proof", "root"}
    leaf = Client().get(f"/log/entries/{size - 2}").content
    assert base64.b64decode(answer["leaf_hash"]) == merkle.leaf_hash(leaf)
    assert merkle.verify_inclusion(
        merkle.leaf_hash(leaf),
        size - 2,
        size,
        [base64.b64decode(p) for p in answer["proof"]],
        base64.b64decode(answer["root"]),
    )
    c = Client().get(f"/api/v1/log/proof/consistency?first={log}&second={size}").json()
    assert set(c) == {"first", "second", "proof", "first_root", "second_root"}
    assert merkle.verify_consistency(
        log,
        size,
        base64.b64decode(c["first_root"]),
        base64.b64decode(c["second_root"]),
        [base64.b64decode(p) for p in c["proof"]],
    )


def test_a_sensitive_payload_enters_as_a_commitment(log):
    with transaction.atomic():
        record_event(
            "test.secret_kept", actor=None, payload={"where": "sacred site"}, sensitivity=2
        )
    services.integrate()
    entry = LogEntry.objects.order_by("-index").first()
    leaf = json.loads(bytes(entry.leaf))
    assert "payload" not in leaf and "sacred" not in bytes(entry.leaf).decode()
    from minga.ledger.leaves import commitment

    assert leaf["payload_commitment"] == commitment({"where": "sacred site"}, bytes(entry.salt))


@pytest.mark.parametrize(
    "query",
    ["index=5&size=2", "index=-1&size=3", "index=0&size=999999999", "index=x&size=2", "index=1"],
)
def test_a_malformed_inclusion_request_is_a_clear_400(log, query):
    response = Client().get(f"/api/v1/log/proof/inclusion?{query}")
    assert response.status_code in (400, 422)
    assert "detail" in response.json()


def test_a_malformed_consistency_request_is_a_clear_400(log):
    for query in ("first=0&second=3", "first=5&second=2", f"first=1&second={log + 10}"):
        response = Client().get(f"/api/v1/log/proof/consistency?{query}&lang=en")
        assert response.status_code == 400
        assert response.json()["detail"].startswith("Malformed proof request: no consistency proof")


def test_the_local_audit_passes_on_an_untouched_log(log):
    report = audit.audit_local()
    assert report.ok, report.problems


def _sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_local_audit_names_an_edited_event(log):
    event = Event.objects.filter(type="credits.credits_retired").first()
    _sql("UPDATE core_event SET payload = %s WHERE id = %s", json.dumps({"amount": 1}), event.pk)
    problems = audit.audit_local().problems
    assert f"event #{event.pk} (leaf {event.log_entry.index}) was changed" in problems


def test_the_local_audit_names_a_deleted_leaf_and_a_deleted_registry_row(log):
    entry = LogEntry.objects.get(index=7)
    _sql("DELETE FROM ledger_logentry WHERE id = %s", entry.pk)
    from minga.credits.models import Retirement

    retirement = Retirement.objects.first()
    _sql("DELETE FROM credits_retirement WHERE id = %s", retirement.pk)
    problems = audit.audit_local().problems
    assert "leaf 7 is missing (deleted from the log)" in problems
    assert f"retirement {retirement.public_id} was changed or deleted" in problems


def test_the_local_audit_names_swapped_rows(log):
    a, b = LogEntry.objects.filter(index__in=[3, 4]).order_by("index")
    _sql('UPDATE ledger_logentry SET "index" = -1 WHERE id = %s', a.pk)
    _sql('UPDATE ledger_logentry SET "index" = 3 WHERE id = %s', b.pk)
    _sql('UPDATE ledger_logentry SET "index" = 4 WHERE id = %s', a.pk)
    problems = audit.audit_local().problems
    assert "leaf 3 does not match the stored tree (changed or reordered)" in problems
    assert "leaf 4 does not match the stored tree (changed or reordered)" in problems
    # and registry rows swapped behind the services' back: two balances exchanged
    from minga.credits.models import Balance

    x, y = Balance.objects.order_by("pk")[:2]
    _sql("UPDATE credits_balance SET tradable = %s WHERE id = %s", y.tradable, x.pk)
    _sql("UPDATE credits_balance SET tradable = %s WHERE id = %s", x.tradable, y.pk)
    problems = audit.audit_local().problems
    assert any(p.startswith(f"balance of {x.account.public_id}") for p in problems)


def _client_fetch(url):
    response = Client().get(url.replace("http://minga.test", ""))
    return response.status_code, response.content


def test_the_remote_audit_checks_signature_consistency_and_proofs(log, tmp_path):
    state = tmp_path / "audit.json"
    first = audit.audit_remote(
        "http://minga.test", state_file=state, fetch=_client_fetch, rng=random.Random(1)
    )
    assert first.ok, first.problems
    assert json.loads(state.read_text())["size"] == log
    with transaction.atomic():
        record_event("test.more_added", actor=None, payload={})
    services.publish()
    second = audit.audit_remote(
        "http://minga.test", state_file=state, fetch=_client_fetch, rng=random.Random(2)
    )
    assert second.ok, second.problems
    assert f"consistency {log} → {log + 1}" in second.checked
    # a log that rewrote history: same size as seen, another root
    saved = json.loads(state.read_text())
    saved["root"] = base64.b64encode(b"\1" * 32).decode()
    state.write_text(json.dumps(saved))
    forked = audit.audit_remote("http://minga.test", state_file=state, fetch=_client_fetch)
    assert "same size as last time but a different root: a fork" in forked.problems
    # a key that is not the log's
    _, other = note.generate("minga.localhost/log")
    wrong = audit.audit_remote(
        "http://minga.test",
        state_file=tmp_path / "new.json",
        verifier_key=other,
        fetch=_client_fetch,
    )
    assert not wrong.ok
