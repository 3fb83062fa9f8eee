"""Event types and the domain-event recorder every service calls inside its transaction.

Every event becomes a permanent leaf of the public transparency log, so its type is declared
once, by its area, in the area's ``events.py``::

    LAYER_REGISTERED = declare("satellite.layer_registered")

A type is ``<area>.<noun>_<past participle>``, where ``<area>`` is the declaring app's label;
``record_event`` refuses a type nobody declared.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from minga.core import hooks
from minga.core.access import Actor, Sensitivity, person_user
from minga.core.models import Event

# type -> the module that declared it
_DECLARED: dict[str, str] = {}
NAME = re.compile(r"^(?P<area>[a-z]+)\.[a-z0-9]+(_[a-z0-9]+)+$")


class UndeclaredEventType(LookupError):
    pass


def declare(type: str) -> str:
    """Declare an event type; only ``minga.<area>.events`` may declare ``<area>.…`` types."""
    found = NAME.match(type)
    if found is None:
        raise ValueError(f"event type {type!r} is not '<area>.<noun>_<past participle>'")
    module = sys._getframe(1).f_globals.get("__name__", "")
    expected = f"minga.{found['area']}.events"
    if module != expected:
        raise ValueError(f"event type {type!r} must be declared in {expected}, not in {module}")
    if type in _DECLARED:
        raise ValueError(f"event type {type!r} is declared twice")
    _DECLARED[type] = module
    return type


def declared_types() -> dict[str, str]:
    """Every declared event type and the module that declares it (all areas loaded)."""

    autodiscover_modules("events")
    return dict(_DECLARED)


def record_event(
    type: str,
    *,
    actor: Actor | None,
    table: Any = None,
    subject: Any = None,
    payload: dict[str, Any] | None = None,
    sensitivity: int = Sensitivity.PUBLIC,
    private: dict[str, Any] | None = None,
) -> Event:
    """Append one event. Must run inside the service's transaction, so both commit or neither;
    then hand it to the hooks registered for its type (see ``core.hooks``).

    ``private`` travels with the event to its hooks, in this process only, and is never stored
    or logged: what a hook needs that the public log must not hold (a link with a secret token,
    the language the sender was using)."""
    if type not in _DECLARED:
        raise UndeclaredEventType(
            f"event type {type!r} is not declared: add it to its area's events.py"
        )
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"record_event({type!r}) outside a transaction")
    user = person_user(actor)
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
    event.private = private or {}
    hooks.dispatch(event)
    return event


# The kernel's own events.
API_TOKEN_CREATED = declare("core.api_token_created")
API_TOKEN_REVOKED = declare("core.api_token_revoked")
