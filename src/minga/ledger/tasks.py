"""Background work of the ledger, run by `minga worker`."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from minga.core import hooks
from minga.ledger.services import publish


@task()
def integrate_log() -> int:
    """Sequence the queued events and sign a checkpoint of the grown tree."""
    checkpoint = publish()
    return checkpoint.size if checkpoint else 0


@hooks.register(hooks.EVERY_EVENT)
def schedule_sequencer(events: list[Any]) -> None:
    """Once a transaction that recorded events commits, have the worker integrate them (one
    task per transaction, however many events it recorded)."""
    integrate_log.enqueue()
