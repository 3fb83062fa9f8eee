"""The shape of an initiative as the services take it, from a form, the API or a spreadsheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from minga.initiatives.models import InitiativeStatus, SourceType
from minga.roadmap.models import Axis, Objective
from minga.tables.models import Organization


@dataclass
class FundingLine:
    funder: Organization
    amount: Any
    currency: str
    source_type: str = SourceType.GRANT
    funder_activity: str = ""  # the funder's own IATI activity, if it has one


@dataclass
class InitiativeData:
    title: str
    organization: Organization
    starts_on: dt.date
    ends_on: dt.date
    axis: Axis | None = None
    description: str = ""
    status: str = InitiativeStatus.PLANNED
    progress: int = 0
    place: str = ""
    geometry: Any = None
    people: int = 0
    families: int = 0
    communities: int = 0
    objectives: list[Objective] = field(default_factory=list)
    fundings: list[FundingLine] = field(default_factory=list)
