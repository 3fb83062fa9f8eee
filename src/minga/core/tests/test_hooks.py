"""Event types are declared once and named by the rule; hooks reach only their type's handlers,
in the writer's transaction or after it commits."""

import logging
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction

from minga.core import hooks
from minga.core.access import SYSTEM
from minga.core.events import UndeclaredEventType, declare, declared_types, record_event
from minga.core.models import Event
from minga.core.testing import declared_event_types

# Past participles that do not end in -ed.
IRREGULAR = {"set", "made", "met", "sold", "cast", "held", "sent", "drawn", "done", "withdrawn"}


def test_every_declared_type_follows_the_naming_rule():
    declared = declared_types()
    labels = {config.label for config in apps.get_app_configs()}
    assert len(declared) > 100
    for type, module in declared.items():
        area, _, name = type.partition(".")
        assert area in labels, f"{type}: {area!r} is not an area"
        assert module == f"minga.{area}.events", f"{type} is declared in {module}"
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", name), f"{type}: not noun_participle"
        last = name.rsplit("_", 1)[1]
        assert last.endswith("ed") or last in IRREGULAR, f"{type}: {last!r} is no past participle"


def test_a_type_is_declared_once_and_only_by_its_area():
    with pytest.raises(ValueError, match=r"must be declared in minga\.satellite\.events"):
        declare("satellite.layer_painted")  # from this test module, not the area's events.py
    with pytest.raises(ValueError, match="is not"):
        declare("satellite.Bad Name")


def test_an_undeclared_type_is_refused_and_nothing_written(db):
    before = Event.objects.count()
    with (
        pytest.raises(UndeclaredEventType, match=r"satelite\.layer_registered"),
        transaction.atomic(),
    ):
        record_event("satelite.layer_registered", actor=SYSTEM)  # misspelt
    assert Event.objects.count() == before


def test_handlers_see_only_their_type(db, django_capture_on_commit_callbacks):
    seen: list[str] = []
    with (
        declared_event_types("test.thing_done", "test.other_done"),
        hooks.registered(
            "test.thing_done", lambda e: seen.append(e.type), when=hooks.IN_TRANSACTION
        ),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        record_event("test.other_done", actor=SYSTEM)
        record_event("test.thing_done", actor=SYSTEM)
    assert seen == ["test.thing_done"]


def test_after_commit_handlers_get_one_call_per_transaction(db, django_capture_on_commit_callbacks):
    calls: list[list[int]] = []
    with (
        declared_event_types("test.thing_done"),
        hooks.registered("test.thing_done", lambda events: calls.append([e.pk for e in events])),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        first = record_event("test.thing_done", actor=SYSTEM)
        second = record_event("test.thing_done", actor=SYSTEM)
        assert calls == []  # nothing before the commit
    assert calls == [[first.pk, second.pk]]


def test_a_failing_in_transaction_handler_rolls_the_write_back(db):
    def broken(event):
        raise RuntimeError("broken hook")

    before = Event.objects.count()
    with (
        declared_event_types("test.thing_done"),
        hooks.registered("test.thing_done", broken, when=hooks.IN_TRANSACTION),
        pytest.raises(RuntimeError, match="broken hook"),
        transaction.atomic(),
    ):
        record_event("test.thing_done", actor=SYSTEM)
    assert Event.objects.count() == before


def test_a_failing_after_commit_handler_leaves_the_write_and_is_logged(
    personas, django_capture_on_commit_callbacks, caplog
):
    from minga.core.testing import DEMO_TABLE
    from minga.tables import services
    from minga.tables.models import Organization, Table

    def broken(events):
        raise RuntimeError("health is broken")

    with (
        hooks.registered("tables.organization_created", broken),
        caplog.at_level(logging.ERROR, logger="minga.hooks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        org = services.create_organization(
            by=personas["secretariat"],
            table=Table.objects.get(slug=DEMO_TABLE),
            name="Asociación Arutam",
            sector="indigenous",
        )
    assert Organization.objects.filter(pk=org.pk).exists()
    assert Event.objects.filter(type="tables.organization_created", subject__endswith=org.public_id)
    assert "health is broken" in caplog.text and "tables.organization_created" in caplog.text


def test_the_hand_made_lists_are_gone():
    from minga.agreements import services as agreements
    from minga.core import events
    from minga.ledger import audit

    assert not hasattr(events, "RECORDED_HOOKS")
    assert not hasattr(agreements, "WITHDRAWAL_HANDLERS")
    assert not hasattr(audit, "REGISTRY_AUDITORS")
    assert hooks.get_hooks(audit.REGISTRY_AUDITOR), "the credit registry's auditor is registered"


def test_missing_shared_data_skips_here_and_fails_under_ci(monkeypatch, tmp_path):
    from minga.core import testing

    monkeypatch.setattr(testing, "SHARED", tmp_path / "no-shared")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-shared/iati is absent"):
        testing.require_shared("iati")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-shared/iati is absent"):
        testing.require_shared("iati")


def test_docs_list_every_declared_type():
    formats = (Path(__file__).resolve().parents[4] / "docs" / "formats.md").read_text()
    missing = sorted(t for t in declared_types() if f"`{t}`" not in formats)
    assert missing == [], f"docs/formats.md does not list {missing}"


def test_each_committed_transaction_reaches_its_handlers(db, django_capture_on_commit_callbacks):
    calls: list[list[str]] = []
    with (
        declared_event_types("test.thing_done"),
        hooks.registered("test.thing_done", lambda events: calls.append([e.type for e in events])),
    ):
        for _ in range(2):  # two transactions, one after the other
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                record_event("test.thing_done", actor=SYSTEM)
    assert calls == [["test.thing_done"], ["test.thing_done"]]


def test_events_of_a_rolled_back_savepoint_never_reach_after_commit_handlers(
    db, django_capture_on_commit_callbacks
):
    seen: list[dict] = []
    with (
        declared_event_types("test.thing_done"),
        hooks.registered("test.thing_done", lambda events: seen.extend(e.payload for e in events)),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        record_event("test.thing_done", actor=SYSTEM, payload={"n": "kept"})
        try:
            with transaction.atomic():
                record_event("test.thing_done", actor=SYSTEM, payload={"n": "rolled back"})
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        # On SQLite the next event may take the rolled-back event's id.
        record_event("test.thing_done", actor=SYSTEM, payload={"n": "also kept"})
    assert seen == [{"n": "kept"}, {"n": "also kept"}]


def test_a_hook_keeps_one_way_of_running():
    def handler(events):
        return None

    with (
        hooks.registered("test.thing_done", handler),
        pytest.raises(ValueError, match="registered"),
    ):
        hooks.register("test.thing_done", when=hooks.IN_TRANSACTION)(handler)
    assert handler not in hooks.get_hooks("test.thing_done")
