"""The registry as the event log tells it: replay ``credits.*`` events, compare with the rows.

The leaf check of ``minga audit --local`` already proves each event row is what the log holds;
this replays those events in order and names every batch, balance or retirement row that says
something else — a row edited, deleted or swapped behind the services' back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from minga.core.models import Event
from minga.credits import events
from minga.credits.models import Balance, Batch, Retirement


def replay_registry() -> Iterator[str]:
    supply: dict[str, dict[str, int]] = defaultdict(
        lambda: {"issued": 0, "tradable": 0, "retired": 0, "cancelled": 0}
    )
    held: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"tradable": 0, "retired": 0})
    retirements: dict[str, tuple[str, str, int]] = {}
    for event_id, type_, p in (
        Event.objects.filter(type__startswith="credits.")
        .order_by("id")
        .values_list("id", "type", "payload")
    ):
        try:
            _apply(type_, p, supply, held, retirements)
        except (KeyError, TypeError):
            yield f"event #{event_id} ({type_}) does not carry what the registry needs"
    yield from _compare(supply, held, retirements)


def _apply(type_: str, p: dict[str, Any], supply: Any, held: Any, retirements: Any) -> None:
    if type_ == events.BATCH_ISSUED:
        supply[p["batch"]]["issued"] += p["amount"]
        supply[p["batch"]]["tradable"] += p["amount"]
        held[(p["to"], p["batch"])]["tradable"] += p["amount"]
    elif type_ == events.CREDITS_TRANSFERRED:
        held[(p["from"], p["batch"])]["tradable"] -= p["amount"]
        held[(p["to"], p["batch"])]["tradable"] += p["amount"]
    elif type_ == events.CREDITS_RETIRED:
        supply[p["batch"]]["tradable"] -= p["amount"]
        supply[p["batch"]]["retired"] += p["amount"]
        held[(p["account"], p["batch"])]["tradable"] -= p["amount"]
        held[(p["account"], p["batch"])]["retired"] += p["amount"]
        retirements[p["retirement"]] = (p["batch"], p["account"], p["amount"])
    elif type_ == events.CREDITS_CANCELLED:
        supply[p["batch"]]["tradable"] -= p["amount"]
        supply[p["batch"]]["cancelled"] += p["amount"]
        held[(p["account"], p["batch"])]["tradable"] -= p["amount"]


def _compare(supply: Any, held: Any, retirements: Any) -> Iterator[str]:
    rows = {b.batch_id: b for b in Batch.objects.all()}
    for batch_id, want in supply.items():
        row = rows.pop(batch_id, None)
        if row is None:
            yield f"batch {batch_id} was deleted"
            continue
        got = {k: getattr(row, k) for k in want}
        if got != want:
            yield f"batch {batch_id} says {got} but its events say {want}"
    for batch_id in rows:
        yield f"batch {batch_id} has no issuance event"
    balances = {
        (b.account.public_id, b.batch.batch_id): b
        for b in Balance.objects.select_related("account", "batch")
    }
    for key, holding in held.items():
        balance = balances.pop(key, None)
        now = {"tradable": balance.tradable, "retired": balance.retired} if balance else None
        if now != holding and not (balance is None and holding == {"tradable": 0, "retired": 0}):
            yield f"balance of {key[0]} in {key[1]} says {now} but its events say {holding}"
    for key, balance in balances.items():
        if balance.tradable or balance.retired:
            yield f"balance of {key[0]} in {key[1]} has no events behind it"
    found = {
        r.public_id: (r.batch.batch_id, r.account.public_id, r.amount)
        for r in Retirement.objects.select_related("batch", "account")
    }
    for public_id, expected in retirements.items():
        if found.pop(public_id, None) != expected:
            yield f"retirement {public_id} was changed or deleted"
    for public_id in found:
        yield f"retirement {public_id} has no event behind it"
