"""Participatory ranking of priorities. Pure: no Django.

Dot voting sums the dots each organization placed. Ranked choice uses the modified Borda count
(Emerson): on a ballot that ranks k priorities, the first gets k points, the second k − 1, …,
the last 1, and unranked priorities 0 — so an organization that ranks only its top three gives
less weight than one that ranks all, and nobody gains by truncating. docs/decisions/0002 says
why this count and not instant-runoff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    priority: str
    score: int
    ballots: int  # ballots that gave it anything


class BallotError(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


def check_dots(allocation: Mapping[str, int], *, allowed: set[str], dots: int) -> None:
    if any(not isinstance(n, int) or n < 0 for n in allocation.values()):
        raise BallotError("negative")
    unknown = set(allocation) - allowed
    if unknown:
        raise BallotError("unknown", priorities=sorted(unknown))
    used = sum(allocation.values())
    if used > dots:
        raise BallotError("too_many_dots", used=used, dots=dots)
    if used == 0:
        raise BallotError("empty")


def check_ranking(ranking: Sequence[str], *, allowed: set[str]) -> None:
    if not ranking:
        raise BallotError("empty")
    if len(set(ranking)) != len(ranking):
        raise BallotError("repeated")
    unknown = set(ranking) - allowed
    if unknown:
        raise BallotError("unknown", priorities=sorted(unknown))


def _ordered(scores: dict[str, int], counts: dict[str, int]) -> list[Result]:
    return sorted(
        (Result(p, scores[p], counts[p]) for p in scores),
        key=lambda r: (-r.score, -r.ballots, r.priority),
    )


def count_dots(priorities: Iterable[str], ballots: Iterable[Mapping[str, int]]) -> list[Result]:
    scores = dict.fromkeys(priorities, 0)
    counts = dict.fromkeys(scores, 0)
    for ballot in ballots:
        for priority, n in ballot.items():
            scores[priority] += n
            counts[priority] += 1 if n else 0
    return _ordered(scores, counts)


def count_borda(priorities: Iterable[str], ballots: Iterable[Sequence[str]]) -> list[Result]:
    scores = dict.fromkeys(priorities, 0)
    counts = dict.fromkeys(scores, 0)
    for ranking in ballots:
        k = len(ranking)
        for place, priority in enumerate(ranking):
            scores[priority] += k - place
            counts[priority] += 1
    return _ordered(scores, counts)
