"""One way for an upper area to act on what happens below it, in the shape of Wagtail's hooks.

A hook is a name: an event type (``"monitoring.alert_raised"``) or a named extension point
(``"ledger.registry_auditor"``, ``"report_section.agreement"``). Areas register handlers in their
``hooks.py`` (or ``tasks.py``), which the kernel imports when the apps are ready::

    @hooks.register(monitoring_events.ALERT_RAISED)              # after commit (the default)
    def open_incident(events: list[Event]) -> None: ...

    @hooks.register(agreements_events.CONSENT_WITHDRAWN, when=hooks.IN_TRANSACTION)
    def forget_owner_observations(event: Event) -> None: ...

``record_event`` dispatches an event only to the handlers of its type (and those registered for
``EVERY_EVENT``). An **in-transaction** handler is called with each event, inside the writer's
transaction: its failure rolls the write back, which is what the log's queue and the deletion of a
community's data on withdrawal need. An **after-commit** handler is called once the writer's
transaction has committed, once per transaction, with that transaction's events of its types, in
a transaction of its own; its failure is logged and cannot undo the write (health, portal
figures, background work).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction

log = logging.getLogger("minga.hooks")

IN_TRANSACTION: Literal["in_transaction"] = "in_transaction"
AFTER_COMMIT: Literal["after_commit"] = "after_commit"
When = Literal["in_transaction", "after_commit"]
EVERY_EVENT = "*"

Handler = Callable[..., Any]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    when: When


_HOOKS: dict[str, list[Registration]] = {}


def register(*names: str, when: When = AFTER_COMMIT) -> Callable[[Handler], Handler]:
    """Register the decorated function for each hook name (event types or extension points)."""
    if not names:
        raise TypeError("hooks.register needs at least one hook name")
    if when not in (IN_TRANSACTION, AFTER_COMMIT):
        raise ValueError(f"when={when!r}: use hooks.IN_TRANSACTION or hooks.AFTER_COMMIT")

    def decorate(handler: Handler) -> Handler:
        for name in names:
            registrations = _HOOKS.setdefault(name, [])
            if all(r.handler is not handler for r in registrations):
                registrations.append(Registration(handler, when))
        return handler

    return decorate


def get_hooks(name: str) -> list[Handler]:
    """The handlers registered for ``name``, in registration order."""
    return [r.handler for r in _HOOKS.get(name, [])]


def _registrations(event_type: str) -> list[Registration]:
    return [*_HOOKS.get(event_type, []), *_HOOKS.get(EVERY_EVENT, [])]


@contextmanager
def registered(name: str, handler: Handler, *, when: When = AFTER_COMMIT) -> Iterator[None]:
    """For tests: ``handler`` is registered for ``name`` inside the block only."""
    register(name, when=when)(handler)
    try:
        yield
    finally:
        _HOOKS[name] = [r for r in _HOOKS[name] if r.handler is not handler]


class _AfterCommit:
    """One after-commit call of one handler, collecting the events of one transaction."""

    def __init__(self, handler: Handler, using: str) -> None:
        self.handler = handler
        self.using = using
        self.events: list[Any] = []

    def __call__(self) -> None:
        from minga.core.models import Event  # the kernel's models load after this module

        # Events recorded inside a savepoint that was later rolled back are gone: skip them.
        kept = set(
            Event.objects.using(self.using)
            .filter(pk__in=[e.pk for e in self.events])
            .values_list("pk", flat=True)
        )
        events = [e for e in self.events if e.pk in kept]
        if not events:
            return
        try:
            with transaction.atomic(using=self.using):
                self.handler(events)
        except Exception:
            log.exception(
                "after-commit hook %s failed on %s; the write it followed stands",
                getattr(self.handler, "__qualname__", self.handler),
                ", ".join(sorted({e.type for e in events})),
            )


def dispatch(event: Any, using: str = "default") -> None:
    """Run the in-transaction handlers of ``event`` now; schedule the after-commit ones."""
    conn = transaction.get_connection(using)
    for registration in _registrations(event.type):
        if registration.when == IN_TRANSACTION:
            registration.handler(event)
            continue
        pending = next(
            (
                func
                for _sids, func, _robust in conn.run_on_commit
                if isinstance(func, _AfterCommit) and func.handler is registration.handler
            ),
            None,
        )
        if pending is None:
            pending = _AfterCommit(registration.handler, using)
            transaction.on_commit(pending, using=using)
        pending.events.append(event)
