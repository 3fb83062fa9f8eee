"""The table health index: a score from 0 to 100 computed only from recorded facts.

Pure: no Django import. ``queries.facts_for(table, as_of)`` gathers the :class:`Facts` from the
database; :func:`compute` turns them into an :class:`Index`. The same facts always give the same
index, so a stored snapshot (its facts and weights) can be recomputed by anyone.

Each component scores from 0 to 1. A component with no facts to judge (no commitment fell due,
too few recorded actions) is left out and its weight shared among the others; a component whose
absence is itself the problem (no meeting held, no instrument in force) scores 0. The formula
and the default weights are documented in docs/health.md; a fund may set its own weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# the parity target for women, the share of young people a table aims for, the attendance of a
# full table, a year of secretariat funding, the share of actions above which one person is
# carrying the table, and the fewest recorded actions worth judging
WOMEN_TARGET = 0.5
YOUTH_TARGET = 0.2
FUNDED_MONTHS_TARGET = 12.0
LEADERSHIP_FAIR_SHARE = 0.25
LEADERSHIP_MIN_ACTIONS = 20
INSTRUMENT_KINDS = ("ordinance", "multi_year_agreement", "statute")
SECTOR_GROUPS = ("indigenous", "government", "civil_society")

COMPONENTS = (
    "meetings",
    "attendance",
    "sector_balance",
    "women",
    "youth",
    "reports",
    "commitments",
    "instruments",
    "secretariat",
    "leadership",
    "training",
)

DEFAULT_WEIGHTS: dict[str, float] = {
    "meetings": 15,
    "attendance": 10,
    "sector_balance": 10,
    "women": 10,
    "youth": 5,
    "reports": 15,
    "commitments": 10,
    "instruments": 10,
    "secretariat": 5,
    "leadership": 5,
    "training": 5,
}


class WeightsError(ValueError):
    """Weights that cannot make an index (unknown component, negative, all zero)."""


def weights_from(raw: Mapping[str, Any] | None) -> dict[str, float]:
    """Check a fund's weights; components it does not name keep their default weight."""
    weights = dict(DEFAULT_WEIGHTS)
    for key, value in (raw or {}).items():
        if key not in DEFAULT_WEIGHTS:
            raise WeightsError(f"unknown component {key!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise WeightsError(f"weight of {key!r} is not a number") from None
        if not math.isfinite(number) or number < 0:
            raise WeightsError(f"weight of {key!r} must be zero or more")
        weights[key] = number
    if sum(weights.values()) <= 0:
        raise WeightsError("at least one weight must be above zero")
    return weights


@dataclass(frozen=True)
class Facts:
    """What was recorded in the twelve months up to ``as_of`` (an ISO date)."""

    as_of: str
    meetings_expected: int = 4
    meetings_held: int = 0
    attendance_expected: int = 0  # member organizations summed over the meetings held
    attendance_present: int = 0  # of them, present
    positions_by_group: dict[str, int] = field(default_factory=dict)
    participants: int = 0  # distinct people present at a meeting or a training
    women: int = 0
    youth: int = 0  # under 30 years old at as_of
    reports_due: int = 0  # quarters that ended (with their grace period) in the window
    reports_on_time: int = 0
    reports_late: int = 0
    commitments_due: int = 0
    commitments_kept: int = 0
    instruments_in_force: tuple[str, ...] = ()
    secretariat_months_funded: float = 0.0
    actions: int = 0  # recorded actions by people on the table
    actions_by_top_person: int = 0
    member_organizations: int = 0
    organizations_trained: int = 0

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["instruments_in_force"] = list(self.instruments_in_force)
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Facts:
        data = dict(values)
        data["instruments_in_force"] = tuple(data.get("instruments_in_force", ()))
        return cls(**data)


@dataclass(frozen=True)
class Component:
    key: str
    score: float | None  # 0..1; None when there is nothing to judge
    weight: float
    facts: dict[str, Any]


@dataclass(frozen=True)
class Index:
    score: float  # 0..100, one decimal
    components: tuple[Component, ...]

    def component(self, key: str) -> Component:
        return next(c for c in self.components if c.key == key)


def _ratio(part: float, whole: float, target: float = 1.0) -> float | None:
    if whole <= 0:
        return None
    return min(1.0, part / whole / target)


def _sector_balance(counts: Mapping[str, int]) -> float | None:
    """Normalised Shannon entropy of positions over the three sector groups: 1 when indigenous,
    government and civil-society organizations spoke equally, 0 when only one of them did."""
    values = [max(0, int(counts.get(g, 0))) for g in SECTOR_GROUPS]
    total = sum(values)
    if total == 0:
        return None
    entropy = -sum(v / total * math.log(v / total) for v in values if v)
    return entropy / math.log(len(SECTOR_GROUPS))


def _leadership(f: Facts) -> float | None:
    """1 while nobody does more than a fair share of the actions, falling to 0 when one person
    does them all."""
    if f.actions < LEADERSHIP_MIN_ACTIONS:
        return None
    share = f.actions_by_top_person / f.actions
    if share <= LEADERSHIP_FAIR_SHARE:
        return 1.0
    return max(0.0, (1.0 - share) / (1.0 - LEADERSHIP_FAIR_SHARE))


def _scores(f: Facts) -> dict[str, tuple[float | None, dict[str, Any]]]:
    reports = (
        None
        if f.reports_due <= 0
        else min(1.0, (f.reports_on_time + 0.5 * f.reports_late) / f.reports_due)
    )
    instruments = sorted(set(f.instruments_in_force) & set(INSTRUMENT_KINDS))
    return {
        "meetings": (
            _ratio(f.meetings_held, f.meetings_expected) or 0.0,
            {"held": f.meetings_held, "expected": f.meetings_expected},
        ),
        "attendance": (
            _ratio(f.attendance_present, f.attendance_expected) or 0.0,
            {"present": f.attendance_present, "expected": f.attendance_expected},
        ),
        "sector_balance": (_sector_balance(f.positions_by_group), dict(f.positions_by_group)),
        "women": (
            _ratio(f.women, f.participants, WOMEN_TARGET),
            {"women": f.women, "participants": f.participants, "target": WOMEN_TARGET},
        ),
        "youth": (
            _ratio(f.youth, f.participants, YOUTH_TARGET),
            {"youth": f.youth, "participants": f.participants, "target": YOUTH_TARGET},
        ),
        "reports": (
            reports,
            {"due": f.reports_due, "on_time": f.reports_on_time, "late": f.reports_late},
        ),
        "commitments": (
            _ratio(f.commitments_kept, f.commitments_due),
            {"due": f.commitments_due, "kept": f.commitments_kept},
        ),
        "instruments": (
            len(instruments) / len(INSTRUMENT_KINDS),
            {"in_force": instruments},
        ),
        "secretariat": (
            min(1.0, max(0.0, f.secretariat_months_funded) / FUNDED_MONTHS_TARGET),
            {"months": round(f.secretariat_months_funded, 1), "target": FUNDED_MONTHS_TARGET},
        ),
        "leadership": (
            _leadership(f),
            {"actions": f.actions, "top": f.actions_by_top_person},
        ),
        "training": (
            _ratio(f.organizations_trained, f.member_organizations) or 0.0,
            {"trained": f.organizations_trained, "organizations": f.member_organizations},
        ),
    }


def compute(facts: Facts, weights: Mapping[str, float] | None = None) -> Index:
    """The index for these facts: the weighted mean of the components that have something to
    judge, times 100, to one decimal."""
    chosen = weights_from(weights)
    components = tuple(
        Component(key, None if s is None else round(s, 4), chosen[key], detail)
        for key, (s, detail) in _scores(facts).items()
    )
    judged = [c for c in components if c.score is not None and c.weight > 0]
    total = sum(c.weight for c in judged)
    score = 0.0 if total == 0 else 100 * sum(c.weight * (c.score or 0) for c in judged) / total
    return Index(round(score, 1), components)
