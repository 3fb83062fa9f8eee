"""The domain-event recorder every service calls inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from minga.core.access import Sensitivity
from minga.core.models import Event

# Called inside the transaction after every recorded event (the ledger schedules its sequencer).
RECORDED_HOOKS: list[Any] = []


def record_event(
    type: str,
    *,
    actor: Any,
    table: Any = None,
    subject: Any = None,
    payload: dict[str, Any] | None = None,
    sensitivity: int = Sensitivity.PUBLIC,
) -> Event:
    """Append one event. Must run inside the service's transaction, so both commit or neither."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"record_event({type!r}) outside a transaction")
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = user.get_username() if user is not None else str(actor or "system")
    subject_ref = ""
    if subject is not None:
        subject_ref = f"{subject._meta.label_lower}:{getattr(subject, 'public_id', subject.pk)}"
    event = Event.objects.create(
        type=type,
        actor=user,
        actor_label=label,
        table_slug=getattr(table, "slug", "") or "",
        subject=subject_ref,
        payload=payload or {},
        sensitivity=int(sensitivity),
    )
    for hook in RECORDED_HOOKS:
        hook(event)
    return event
