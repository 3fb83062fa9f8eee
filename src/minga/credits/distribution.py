"""Benefit distribution: a sale's income shared by the table's rule, to the cent. Pure.

The rule mixes three bases with weights that add up to 1: **hectares** conserved, **families**,
and **equal** shares. Each recipient's share is ``Σ weight × (its value / the total value)``.
If the communities' shares add up to less than ``minimum_community_share`` (Plan Vivo asks for at
least 60 %), the communities are scaled up to exactly that minimum and the others scaled down in
proportion.

Money is exact: amounts are ``Decimal`` in the currency's minor unit. Each recipient first gets
its exact amount rounded **down** to the cent; the cents left over go one at a time to the
recipients with the largest remainders (ties: the larger share, then the name), so the payouts add
up exactly to the income and no recipient is ever a cent above its exact share plus one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

BASES = ("hectares", "families", "equal")


class DistributionError(ValueError):
    """A rule or a list of recipients that cannot give a fair split."""


@dataclass(frozen=True)
class Recipient:
    name: str
    community: bool
    hectares: Decimal = Decimal(0)
    families: int = 0


@dataclass(frozen=True)
class Payout:
    name: str
    community: bool
    share: Decimal
    amount: Decimal


def shares(
    recipients: list[Recipient], weights: dict[str, Any], minimum_community_share: Decimal
) -> list[Decimal]:
    if not recipients:
        raise DistributionError("no recipients")
    if len({r.name for r in recipients}) != len(recipients):
        raise DistributionError("recipient names must be unique")
    w = {k: Decimal(str(weights.get(k, 0))) for k in BASES}
    if set(weights) - set(BASES):
        raise DistributionError(f"unknown bases: {', '.join(sorted(set(weights) - set(BASES)))}")
    if any(v < 0 for v in w.values()) or sum(w.values()) != 1:
        raise DistributionError("the weights must be non-negative and add up to 1")
    if not Decimal(0) <= minimum_community_share <= 1:
        raise DistributionError("the minimum community share is a proportion from 0 to 1")
    totals = {
        "hectares": sum((r.hectares for r in recipients), Decimal(0)),
        "families": Decimal(sum(r.families for r in recipients)),
        "equal": Decimal(len(recipients)),
    }
    for base in BASES:
        if w[base] > 0 and totals[base] <= 0:
            raise DistributionError(f"the rule weighs {base} but no recipient has any")
    raw = [
        sum((w[b] * _value(r, b) / totals[b] for b in BASES if w[b] > 0), Decimal(0))
        for r in recipients
    ]
    community = sum((s for s, r in zip(raw, recipients, strict=True) if r.community), Decimal(0))
    if community < minimum_community_share:
        others = 1 - community
        if community == 0:
            if any(r.community for r in recipients):
                raise DistributionError("the communities have no share to scale up")
            if minimum_community_share > 0:
                raise DistributionError("a minimum community share needs a community recipient")
        up = minimum_community_share / community if community else Decimal(0)
        down = (1 - minimum_community_share) / others if others else Decimal(0)
        raw = [s * (up if r.community else down) for s, r in zip(raw, recipients, strict=True)]
    return raw


def _value(recipient: Recipient, base: str) -> Decimal:
    if base == "hectares":
        return recipient.hectares
    return Decimal(recipient.families) if base == "families" else Decimal(1)


def distribute(
    total: Decimal,
    recipients: list[Recipient],
    weights: dict[str, Any],
    *,
    minimum_community_share: Decimal = Decimal("0.6"),
    places: int = 2,
) -> list[Payout]:
    """Payouts of ``total`` (adding up to it exactly), in the recipients' order."""
    if total < 0:
        raise DistributionError("the income cannot be negative")
    quantum = Decimal(1).scaleb(-places)
    split = shares(recipients, weights, minimum_community_share)
    exact = [total * s for s in split]
    floors = [e.quantize(quantum, rounding=ROUND_DOWN) for e in exact]
    left = int(((total - sum(floors)) / quantum).to_integral_value())
    order = sorted(
        range(len(recipients)),
        key=lambda i: (-(exact[i] - floors[i]), -split[i], recipients[i].name),
    )
    for i in order[:left]:
        floors[i] += quantum
    return [
        Payout(r.name, r.community, s, a) for r, s, a in zip(recipients, split, floors, strict=True)
    ]
