"""The decision rules of a cooperation table, as a pure function: rule + positions + attendance
→ outcome with a human explanation. No Django here; the decisions area stores and translates.

A table's rule has a *base* — consent (passes unless someone blocks) or full consensus
(everyone present agrees or stands aside) — and two options its statute may add: a *sector
quorum* (positions from at least one indigenous, one government and one civil-society
organization) and a *fallback* (after N blocked rounds, a qualified majority of X % of the
positions, stand-asides not counted, decides).

"Concerns" is agreement with reservations put on record: it counts as agreement under both bases.
A block must give its reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Stance(StrEnum):
    AGREE = "agree"
    CONCERNS = "concerns"
    STAND_ASIDE = "stand_aside"
    BLOCK = "block"


class Base(StrEnum):
    CONSENT = "consent"
    FULL_CONSENSUS = "full_consensus"


REQUIRED_GROUPS = ("indigenous", "government", "civil_society")
SUPPORT = frozenset({Stance.AGREE, Stance.CONCERNS})


class Code(StrEnum):
    PASSED_BY_CONSENT = "passed_by_consent"
    PASSED_BY_CONSENSUS = "passed_by_consensus"
    PASSED_BY_MAJORITY = "passed_by_majority"
    BLOCKED = "blocked"
    MAJORITY_NOT_REACHED = "majority_not_reached"
    INCOMPLETE = "incomplete"
    NO_SUPPORT = "no_support"
    NO_SECTOR_QUORUM = "no_sector_quorum"


PASSING = frozenset({Code.PASSED_BY_CONSENT, Code.PASSED_BY_CONSENSUS, Code.PASSED_BY_MAJORITY})


@dataclass(frozen=True)
class Rule:
    base: Base = Base.CONSENT
    sector_quorum: bool = False
    fallback_after: int | None = None  # blocked rounds before the fallback may apply
    fallback_percent: int | None = None  # qualified majority, in percent

    def __post_init__(self) -> None:
        if (self.fallback_after is None) != (self.fallback_percent is None):
            raise ValueError("a fallback needs both a number of rounds and a percentage")
        if self.fallback_after is not None and self.fallback_after < 1:
            raise ValueError("the fallback needs at least one blocked round")
        if self.fallback_percent is not None and not 50 < self.fallback_percent <= 100:
            raise ValueError("a qualified majority is more than 50 % and at most 100 %")


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    group: str  # indigenous, government, civil_society or other


@dataclass(frozen=True)
class Position:
    member: str
    stance: Stance
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    code: Code
    tally: dict[str, int]
    blocks: tuple[tuple[str, str], ...] = ()  # (member name, reason)
    concerns: tuple[tuple[str, str], ...] = ()
    missing_members: tuple[str, ...] = ()
    missing_groups: tuple[str, ...] = ()
    support_percent: float | None = None
    required_percent: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.code in PASSING

    def explain(self) -> str:
        """The outcome in plain English (the decisions area renders a translated one)."""
        code = self.code
        if code is Code.PASSED_BY_CONSENT:
            return "Passed by consent: nobody blocked."
        if code is Code.PASSED_BY_CONSENSUS:
            return "Passed by full consensus: everyone agreed or stood aside."
        if code in (Code.PASSED_BY_MAJORITY, Code.MAJORITY_NOT_REACHED):
            verdict = (
                "Passed by the statute's fallback"
                if code is Code.PASSED_BY_MAJORITY
                else "The fallback majority was not reached"
            )
            return f"{verdict}: {self.support_percent:.0f} % support, {self.required_percent} % required."
        if code is Code.BLOCKED:
            return "Blocked by " + "; ".join(f"{n}: {r}" for n, r in self.blocks) + "."
        if code is Code.INCOMPLETE:
            return (
                "No full consensus yet: no position from " + ", ".join(self.missing_members) + "."
            )
        if code is Code.NO_SECTOR_QUORUM:
            groups = ", ".join(self.missing_groups)
            return f"No sector quorum: no position from the {groups} sector."
        return "Nobody agreed."


def _tally(positions: Iterable[Position]) -> dict[str, int]:
    counts = {stance.value: 0 for stance in Stance}
    for position in positions:
        counts[position.stance.value] += 1
    return counts


def decide(
    rule: Rule,
    members: Sequence[Member],
    positions: Sequence[Position],
    *,
    present: Iterable[str] | None = None,
    blocked_rounds_before: int = 0,
) -> Outcome:
    """Apply ``rule`` to one round.

    ``members`` are the table's member organizations; ``positions`` at most one per member;
    ``present`` the members at the deciding meeting (None for a round held in writing, where
    every member is expected); ``blocked_rounds_before`` how many earlier rounds of the same
    proposal ended blocked.
    """
    by_id = {m.id: m for m in members}
    seen: set[str] = set()
    for position in positions:
        if position.member not in by_id:
            raise ValueError(f"{position.member} is not a member of the table")
        if position.member in seen:
            raise ValueError(f"{by_id[position.member].name} has two positions")
        if position.stance is Stance.BLOCK and not position.reason.strip():
            raise ValueError("a block needs its reason")
        seen.add(position.member)
    tally = _tally(positions)
    blocks = tuple((by_id[p.member].name, p.reason) for p in positions if p.stance is Stance.BLOCK)
    concerns = tuple(
        (by_id[p.member].name, p.reason) for p in positions if p.stance is Stance.CONCERNS
    )

    if rule.sector_quorum:
        groups = {by_id[p.member].group for p in positions}
        missing = tuple(g for g in REQUIRED_GROUPS if g not in groups)
        if missing:
            return Outcome(Code.NO_SECTOR_QUORUM, tally, blocks, concerns, missing_groups=missing)

    if blocks:
        fallback = rule.fallback_after is not None and blocked_rounds_before >= rule.fallback_after
        if not fallback:
            return Outcome(Code.BLOCKED, tally, blocks, concerns)
        counted = [p for p in positions if p.stance is not Stance.STAND_ASIDE]
        support = sum(1 for p in counted if p.stance in SUPPORT)
        percent = 100 * support / len(counted)
        required = rule.fallback_percent
        assert required is not None
        code = Code.PASSED_BY_MAJORITY if percent >= required else Code.MAJORITY_NOT_REACHED
        return Outcome(
            code, tally, blocks, concerns, support_percent=percent, required_percent=required
        )

    if not any(p.stance in SUPPORT for p in positions):
        return Outcome(Code.NO_SUPPORT, tally, blocks, concerns)

    if rule.base is Base.FULL_CONSENSUS:
        expected = set(by_id) if present is None else set(present) & set(by_id)
        missing_members = tuple(sorted(by_id[m].name for m in expected - seen))
        if missing_members:
            return Outcome(
                Code.INCOMPLETE, tally, blocks, concerns, missing_members=missing_members
            )
        return Outcome(Code.PASSED_BY_CONSENSUS, tally, blocks, concerns)
    return Outcome(Code.PASSED_BY_CONSENT, tally, blocks, concerns)
