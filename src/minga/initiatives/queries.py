"""Reads of initiatives: lists, the 3W matrix, money in the reporting currency, alignment and
the figures of accountability reports. Every list costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import translation
from shapely import unary_union

from minga.core import geo
from minga.core.reports import sections
from minga.initiatives import alignment
from minga.initiatives.models import (
    AccountabilityReport,
    Commitment,
    CommitmentStatus,
    ExchangeRate,
    Funding,
    Initiative,
    InitiativeStatus,
    ReportingCurrency,
)
from minga.meetings.models import Priority
from minga.roadmap.models import Objective
from minga.roadmap.queries import axis_progress
from minga.tables.models import Table


def initiatives_of(table: Table) -> QuerySet[Initiative]:
    """Every initiative that counts on its own: pooled members are counted through their joint one."""
    return (
        Initiative.objects.filter(table=table)
        .exclude(status=InitiativeStatus.POOLED)
        .select_related("organization", "axis")
        .prefetch_related(
            Prefetch("fundings", queryset=Funding.objects.select_related("funder")),
            Prefetch(
                "members",
                queryset=Initiative.objects.select_related("organization").prefetch_related(
                    Prefetch("fundings", queryset=Funding.objects.select_related("funder"))
                ),
            ),
        )
    )


def get_initiative(table: Table, public_id: str) -> Initiative:
    try:
        return Initiative.objects.select_related("organization", "axis", "pooled_into").get(
            table=table, public_id=public_id
        )
    except Initiative.DoesNotExist:
        raise Http404 from None


def fundings_of(initiative: Initiative) -> list[Funding]:
    """A joint initiative's money is its members' money, each still theirs."""
    if initiative.is_joint:
        return [f for m in initiative.members.all() for f in m.fundings.all()]
    return list(initiative.fundings.all())


class RateBook:
    """The table's exchange rates as of a day: the latest rate on or before it, per currency."""

    def __init__(self, table: Table, on: dt.date) -> None:
        self.currency = reporting_currency(table)
        self.rates: dict[str, ExchangeRate] = {}
        for rate in ExchangeRate.objects.filter(table=table, valid_on__lte=on).order_by(
            "currency", "valid_on"
        ):
            self.rates[rate.currency] = rate
        self.used: dict[str, ExchangeRate] = {}
        self.missing: set[str] = set()

    def convert(self, amount: Decimal, currency: str) -> Decimal | None:
        if currency == self.currency:
            return amount
        rate = self.rates.get(currency)
        if rate is None:
            self.missing.add(currency)
            return None
        self.used[currency] = rate
        return (amount * rate.rate).quantize(Decimal("0.01"))


@dataclass
class ThreeW:
    organizations: list[str]
    axes: list[str]
    cells: dict[tuple[str, str], list[Initiative]] = field(default_factory=dict)
    places: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def cell(self, organization: str, axis: str) -> list[Initiative]:
        return self.cells.get((organization, axis), [])


def three_w(table: Table) -> ThreeW:
    """Who does what where: organization × axis, with the places of each cell."""
    initiatives = list(initiatives_of(table))
    # Every axis of the table is a column, so an axis nobody works on shows as the gap it is.
    axes = [a.name for a in table.axes.all()]
    if any(i.axis is None for i in initiatives):
        axes.append("—")
    matrix = ThreeW(sorted({i.organization.name for i in initiatives}), axes)
    for initiative in initiatives:
        key = (initiative.organization.name, initiative.axis.name if initiative.axis else "—")
        matrix.cells.setdefault(key, []).append(initiative)
        if initiative.place:
            matrix.places.setdefault(key, set()).add(initiative.place)
    return matrix


@dataclass
class Alignment:
    overlaps: list[tuple[Initiative, Initiative]]
    objectives: list[Objective]
    priorities: list[Priority]
    uncovered: list[dict[str, Any]]


def alignment_of(table: Table) -> Alignment:
    initiatives = list(initiatives_of(table).prefetch_related("objectives", "priorities"))
    by_id = {i.public_id: i for i in initiatives}
    items = [
        alignment.Item(
            i.public_id,
            i.axis.public_id if i.axis else None,
            geo.parse_place(i.geometry) if i.geometry else None,
            i.starts_on,
            i.ends_on,
        )
        for i in initiatives
        if i.status != InitiativeStatus.COMPLETED
    ]
    pairs = [(by_id[a], by_id[b]) for a, b in alignment.overlaps(items)]
    objectives = list(Objective.objects.filter(axis__table=table).select_related("axis"))
    priorities = list(
        Priority.objects.filter(table=table, status="selected").select_related("organization")
    )
    missing_objectives = set(
        alignment.unserved(
            [o.public_id for o in objectives],
            [[o.public_id for o in i.objectives.all()] for i in initiatives],
        )
    )
    missing_priorities = set(
        alignment.unserved(
            [p.public_id for p in priorities],
            [[p.public_id for p in i.priorities.all()] for i in initiatives],
        )
    )
    territory = (
        unary_union([t.shape for t in table.territories.all()])
        if table.territories.exists()
        else None
    )
    uncovered = []
    if territory is not None:
        for axis in table.axes.all():
            rest, share = alignment.uncovered(territory, items, axis.public_id)
            uncovered.append(
                {
                    "axis": axis,
                    "share": round(100 * share, 1),
                    "geometry": geo.to_geojson(rest) if not rest.is_empty else None,
                }
            )
    return Alignment(
        pairs,
        [o for o in objectives if o.public_id in missing_objectives],
        [p for p in priorities if p.public_id in missing_priorities],
        uncovered,
    )


def geojson_of(table: Table) -> dict[str, Any]:
    found = alignment_of(table)
    flagged = {i.public_id for pair in found.overlaps for i in pair}
    features = [
        {
            "type": "Feature",
            "id": i.public_id,
            "geometry": i.geometry,
            "properties": {
                "label": f"{i.title} · {i.organization.name}",
                "axis": i.axis.name if i.axis else "",
                "overlap": i.public_id in flagged,
            },
        }
        for i in initiatives_of(table)
        if i.geometry
    ]
    return {"type": "FeatureCollection", "features": features}


def report_figures(table: Table, starts_on: dt.date, ends_on: dt.date) -> dict[str, Any]:
    """The figures a report freezes: progress, money by funder and axis, commitments, decisions."""
    rates = RateBook(table, ends_on)
    active = [i for i in initiatives_of(table) if i.starts_on <= ends_on and i.ends_on >= starts_on]
    by_funder: dict[str, Decimal] = defaultdict(Decimal)
    by_axis: dict[str, Decimal] = defaultdict(Decimal)
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    for initiative in active:
        for funding in fundings_of(initiative):
            value = rates.convert(funding.amount, funding.currency)
            if value is None:
                continue
            by_funder[funding.funder.name] += value
            by_axis[initiative.axis.name if initiative.axis else "—"] += value
            by_source[funding.source_type] += value
    due = Commitment.objects.filter(table=table, due_on__gte=starts_on, due_on__lte=ends_on)
    counts = dict.fromkeys(CommitmentStatus.values, 0)
    for status, due_on in due.values_list("status", "due_on"):
        counts[CommitmentStatus.on(status, due_on)] += 1
    closed = counts["fulfilled"] + counts["overdue"] + counts["dropped"]
    # Section titles are frozen in every language, so the report reads right in each of them.
    from django.conf import settings

    titled: dict[str, list[Any]] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titled[code] = sections(
                "accountability", table=table, starts_on=starts_on, ends_on=ends_on
            )
    extra = titled[settings.LANGUAGE_CODE]
    return {
        "currency": rates.currency,
        "initiatives": len(active),
        "organizations": len({i.organization_id for i in active}),
        "people": sum(i.people for i in active),
        "communities": sum(i.communities for i in active),
        "axes": [{"name": r["axis"].name, "progress": r["progress"]} for r in axis_progress(table)],
        "money": {
            "total": str(sum(by_funder.values(), Decimal(0))),
            "by_funder": sorted(
                ([k, str(v)] for k, v in by_funder.items()), key=lambda kv: -Decimal(kv[1])
            ),
            "by_axis": sorted(
                ([k, str(v)] for k, v in by_axis.items()), key=lambda kv: -Decimal(kv[1])
            ),
            "by_source": sorted(
                ([k, str(v)] for k, v in by_source.items()), key=lambda kv: -Decimal(kv[1])
            ),
            "rates": [
                [c, str(r.rate), r.valid_on.isoformat(), r.source]
                for c, r in sorted(rates.used.items())
            ],
            "missing_rates": sorted(rates.missing),
        },
        "commitments": {
            "counts": counts,
            "kept_percent": round(100 * counts["fulfilled"] / closed, 1) if closed else None,
        },
        "sections": [
            {"titles": {code: found[i].title for code, found in titled.items()}, "items": s.items}
            for i, s in enumerate(extra)
        ],
    }


def reports_of(table: Table) -> QuerySet[AccountabilityReport]:
    return AccountabilityReport.objects.filter(table=table).select_related("attested_by")


def get_report(table: Table, public_id: str) -> AccountabilityReport:
    try:
        return AccountabilityReport.objects.select_related("attested_by").get(
            table=table, public_id=public_id
        )
    except AccountabilityReport.DoesNotExist:
        raise Http404 from None


def commitments_of(table: Table) -> QuerySet[Commitment]:
    return Commitment.objects.filter(table=table).select_related("organization", "meeting")


def chart_rows(pairs: list[list[str]]) -> list[dict[str, Any]]:
    """Rows for a server-rendered bar chart: label, value, share of the largest."""
    values = [Decimal(v) for _label, v in pairs]
    top = max(values, default=Decimal(0)) or Decimal(1)
    return [
        {"label": label, "value": Decimal(v), "share": float(Decimal(v) / top * 100)}
        for label, v in pairs
    ]


def reporting_currency(table: Table) -> str:
    record = ReportingCurrency.objects.filter(table=table).first()
    return record.currency if record else "USD"
