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
transaction: its failure rolls the write back, which is what the deletion of a community's data
on withdrawal needs. An **after-commit** handler is called once the writer's transaction has
committed, once per transaction, with that transaction's events of its types (those a rolled-back
savepoint took away are left out); its failure is logged and cannot undo the write (the log's
sequencer, health, portal figures, background work). No transaction is opened around it: a
handler that writes more than once calls a service (which has its own) or opens one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction

from minga.core.models import Event

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
            same = [r for r in registrations if r.handler is handler]
            if same and same[0].when != when:
                raise ValueError(f"{handler!r} is registered for {name!r} {same[0].when}")
            if not same:
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
    before = list(_HOOKS.get(name, []))
    register(name, when=when)(handler)
    try:
        yield
    finally:
        _HOOKS[name] = before


class _Committed:
    """The events one transaction recorded, and which of them its commit kept."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.events: list[Event] = []
        self._kept: set[tuple[int, Any]] | None = None

    def kept(self) -> set[tuple[int, Any]]:
        """(pk, time) of the events that are in the database (one query per transaction).

        An event recorded inside a savepoint that was rolled back is gone; on SQLite its pk
        may be reused by a later event, so the time is compared too."""
        if self._kept is None:
            self._kept = set(
                Event.objects.using(self.using)
                .filter(pk__in=[e.pk for e in self.events])
                .values_list("pk", "occurred_at")
            )
        return self._kept


class _AfterCommit:
    """One after-commit call of one handler with its events of one transaction."""

    def __init__(self, handler: Handler, committed: _Committed) -> None:
        self.handler = handler
        self.committed = committed
        self.events: list[Event] = []
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        try:
            kept = self.committed.kept()
            events = [e for e in self.events if (e.pk, e.occurred_at) in kept]
            if events:
                # No transaction is opened around the handler: background work it starts (the
                # immediate task backend runs tasks inline) commits as it goes, and a service
                # it calls opens its own.
                self.handler(events)
        except Exception:
            log.exception(
                "after-commit hook %s failed on %s; the write it followed stands",
                getattr(self.handler, "__qualname__", self.handler),
                ", ".join(sorted({e.type for e in self.events})),
            )


def _pending(conn: Any) -> list[_AfterCommit]:
    """The after-commit calls of the transaction under way (not those already run)."""
    return [
        func
        for _sids, func, _robust in conn.run_on_commit
        if isinstance(func, _AfterCommit) and not func.ran
    ]


def dispatch(event: Event, using: str = "default") -> None:
    """Run the in-transaction handlers of ``event`` now; schedule the after-commit ones."""
    conn = transaction.get_connection(using)
    pending = _pending(conn)
    # The calls still pending share what their commit kept; once one of them has asked (its
    # commit came: a test's captured callbacks run while older ones stay queued), new events
    # belong to another commit.
    fresh = [p for p in pending if p.committed._kept is None]
    committed = fresh[0].committed if fresh else _Committed(using)
    committed.events.append(event)
    for registration in _registrations(event.type):
        if registration.when == IN_TRANSACTION:
            registration.handler(event)
            continue
        call = next(
            (p for p in pending if p.handler is registration.handler and p.committed is committed),
            None,
        )
        if call is None:
            call = _AfterCommit(registration.handler, committed)
            transaction.on_commit(call, using=using)
            pending.append(call)
        call.events.append(event)
