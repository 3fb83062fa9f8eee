import pytest
from django.db import transaction

from minga.core.access import SYSTEM, Role, Sensitivity, can, level_for, redact
from minga.core.events import record_event
from minga.core.models import AppendOnlyError, Event
from minga.core.testing import declared_event_types


@pytest.fixture(autouse=True)
def _test_types():
    with declared_event_types("test.thing_done", "test.other_done"):
        yield


def test_it_records_inside_a_transaction_only(db, monkeypatch):
    # The test itself runs in a transaction; pretend it does not, as a bare caller would.
    monkeypatch.setattr(transaction.get_connection(), "in_atomic_block", False)
    with pytest.raises(RuntimeError, match="outside a transaction"):
        record_event("test.thing_done", actor=SYSTEM)
    monkeypatch.undo()
    with transaction.atomic():
        event = record_event("test.thing_done", actor=SYSTEM, payload={"n": 1})
    assert Event.objects.get(pk=event.pk).actor_label == "system"


def test_it_never_changes_or_deletes_an_event(db):
    with transaction.atomic():
        event = record_event("test.thing_done", actor=SYSTEM)
    event.type = "test.other_done"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(type="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()


def test_it_denies_by_default():
    assert can({Role.SECRETARIAT}, "table.edit")
    assert not can({Role.MEMBER, Role.OBSERVER, Role.CONVENER}, "table.edit")
    assert not can(set(), "membership.invite")
    with pytest.raises(KeyError):
        can({Role.SECRETARIAT}, "no.such.action")


def test_it_gives_each_viewer_their_level():
    assert level_for(set()) == Sensitivity.PUBLIC
    assert level_for({Role.OBSERVER}) == Sensitivity.TABLE
    assert level_for({Role.SECRETARIAT}) == Sensitivity.TABLE
    assert level_for(set(), owns=True) == Sensitivity.OWNER
    policy = {"name": Sensitivity.PUBLIC, "email": Sensitivity.TABLE}
    values = {"name": "A", "email": "a@x", "secret": "s"}
    assert redact(values, policy, Sensitivity.PUBLIC) == {"name": "A"}
    assert redact(values, policy, Sensitivity.TABLE) == {"name": "A", "email": "a@x"}
    assert redact(values, policy, Sensitivity.OWNER) == values
