"""Quorum of a meeting against the table's statute. Pure: no Django."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

REQUIRED_GROUPS = ("indigenous", "government", "civil_society")


@dataclass(frozen=True)
class Quorum:
    met: bool
    present: int
    needed: int
    members: int
    missing_groups: tuple[str, ...]


def quorum(
    present_groups: Iterable[str], *, members: int, percent: int, sectors_required: bool
) -> Quorum:
    """``present_groups`` has one sector group per member organization present.

    The statute's quorum is *more than* ``percent`` % of the member organizations (50 → half
    plus one), and optionally at least one indigenous, one government and one civil-society
    organization present.
    """
    groups = list(present_groups)
    needed = math.floor(members * percent / 100) + 1 if members else 1
    missing = tuple(g for g in REQUIRED_GROUPS if g not in groups) if sectors_required else ()
    return Quorum(len(groups) >= needed and not missing, len(groups), needed, members, missing)
