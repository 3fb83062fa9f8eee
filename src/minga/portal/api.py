"""The public read API: the portal's figures, every open dataset, funds, guidance and health.

Everything here is what the public pages show; no token is needed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from minga.funds.models import Fund
from minga.health import queries as health
from minga.health.models import HealthSnapshot
from minga.portal import opendata, queries
from minga.tables import queries as tables

router = Router(tags=["portal"])


class FiguresOut(Schema):
    tables: int
    organizations: int
    organizations_by_sector_group: dict[str, int]
    meetings_last_year: int
    decisions: int
    roadmap_progress_percent: float
    initiatives: int
    money_by_currency: dict[str, str]
    agreements_signed: int
    agreement_hectares_public: str
    incentives_delivered_percent: int
    tree_cover_loss_ha_by_year: dict[str, float]
    credits_issued: int
    credits_retired: int
    funds_committed_by_currency: dict[str, str]
    funds_disbursed_by_currency: dict[str, str]
    health: float | None
    health_by_month: dict[str, float]


class TableFiguresOut(Schema):
    slug: str
    name: str
    figures: FiguresOut


class RollUpOut(Schema):
    name: str
    figures: FiguresOut
    tables: list[TableFiguresOut]


class DatasetOut(Schema):
    name: str
    title: str
    fields: list[dict[str, str]]
    geojson: bool


class RowsOut(Schema):
    table: str
    dataset: str
    fields: list[dict[str, str]]
    rows: list[dict[str, Any]]


class FundOut(Schema):
    slug: str
    name: str
    currency: str
    administered_by: str
    received: Decimal
    awarded: Decimal
    disbursed: Decimal
    available: Decimal
    iati_activity: str


class TransactionOut(Schema):
    day: dt.date
    iati_transaction_type: str
    amount: Decimal
    currency: str
    provider: str
    provider_activity: str
    receiver: str
    receiver_activity: str
    table: str
    description: str


class AnswerOut(Schema):
    table: str
    acknowledged_on: dt.date
    answer: str


class GuidanceOut(Schema):
    public_id: str
    kind: str
    title: str
    body: str
    published_by: str
    published_on: dt.date
    answer_by: dt.date | None
    answers: list[AnswerOut]


class ComponentOut(Schema):
    key: str
    score: float | None
    weight: float
    facts: dict[str, Any]


class HealthOut(Schema):
    table: str
    score: float
    as_of: dt.date
    components: list[ComponentOut]
    history: dict[str, float]


def _rollup(name: str, key: str, **where: Any) -> dict[str, Any]:
    total, each = queries.rolled_up_where(key, **where)
    return {
        "name": name,
        "figures": total.as_dict(),
        "tables": [{"slug": t.slug, "name": t.name, "figures": f.as_dict()} for t, f in each],
    }


@router.get("/portal/network", response=RollUpOut, auth=None, summary="The whole network")
def network(request: HttpRequest) -> Any:
    return _rollup("network", "network")


@router.get("/portal/regions/{slug}", response=RollUpOut, auth=None, summary="A region")
def region(request: HttpRequest, slug: str) -> Any:
    found = tables.get_region(slug)
    return _rollup(found.name, f"region:{found.pk}", region=found)


@router.get(
    "/portal/tables/{slug}", response=TableFiguresOut, auth=None, summary="A table's figures"
)
def table(request: HttpRequest, slug: str) -> Any:
    found = tables.get_table(slug)
    return {
        "slug": found.slug,
        "name": found.name,
        "figures": queries.table_figures(found).as_dict(),
    }


def _fields(dataset: opendata.Dataset) -> list[dict[str, str]]:
    return [{"name": n, "type": t} for n, t in dataset.fields]


@router.get("/open-data/datasets", response=list[DatasetOut], auth=None, summary="Open datasets")
def datasets(request: HttpRequest) -> Any:
    return [
        {
            "name": d.name,
            "title": str(d.title),
            "fields": _fields(d),
            "geojson": d.geometry is not None,
        }
        for d in opendata.DATASETS
    ]


@router.get(
    "/open-data/{slug}/{dataset}",
    response=RowsOut,
    auth=None,
    summary="One table's open dataset, as rows",
)
def rows(request: HttpRequest, slug: str, dataset: str) -> Any:
    found = tables.get_table(slug)
    chosen = opendata.BY_NAME.get(dataset)
    if chosen is None:
        raise Http404
    return {
        "table": found.slug,
        "dataset": chosen.name,
        "fields": _fields(chosen),
        "rows": [{k: opendata.json_value(v) for k, v in row.items()} for row in chosen.rows(found)],
    }


def _fund(fund: Fund) -> dict[str, Any]:
    return {
        "slug": fund.slug,
        "name": fund.name,
        "currency": fund.currency,
        "administered_by": fund.administrator.name,
        "received": fund.received,
        "awarded": fund.awarded,
        "disbursed": fund.disbursed,
        "available": fund.available,
        "iati_activity": fund.activity_id(),
    }


@router.get("/funds", response=list[FundOut], auth=None, summary="Funds and their balances")
def funds(request: HttpRequest) -> Any:
    return [_fund(f) for f in Fund.objects.select_related("administrator").order_by("slug")]


@router.get(
    "/funds/{slug}/transactions",
    response=list[TransactionOut],
    auth=None,
    summary="Every money movement of a fund, with its IATI transaction type",
)
def transactions(request: HttpRequest, slug: str) -> Any:
    fund = get_object_or_404(Fund, slug=slug)
    return [
        {
            "day": t.day,
            "iati_transaction_type": t.type,
            "amount": t.amount,
            "currency": t.currency,
            "provider": t.provider.name,
            "provider_activity": t.provider_activity,
            "receiver": t.receiver.name if t.receiver else "",
            "receiver_activity": t.receiver_activity,
            "table": t.table.slug if t.table else "",
            "description": t.description,
        }
        for t in fund.transactions.select_related("provider", "receiver", "table")
    ]


@router.get(
    "/regions/{slug}/guidance",
    response=list[GuidanceOut],
    auth=None,
    summary="Guidance and priorities a region's task force sent to its tables, with answers",
)
def guidance(request: HttpRequest, slug: str) -> Any:
    found = tables.get_region(slug)
    return [
        {
            "public_id": g.public_id,
            "kind": g.kind,
            "title": g.title,
            "body": g.body,
            "published_by": g.organization.name,
            "published_on": g.created_at.date(),
            "answer_by": g.answer_by,
            "answers": [
                {"table": a.table.slug, "acknowledged_on": a.created_at.date(), "answer": a.answer}
                for a in g.answers.all()
            ],
        }
        for g in tables.guidance_of(found)
    ]


@router.get(
    "/tables/{slug}/health",
    response=HealthOut,
    auth=None,
    summary="A table's health index, its components and their facts, and its history",
)
def table_health(request: HttpRequest, slug: str) -> Any:
    found = tables.get_table(slug)
    as_of = timezone.localdate()
    index = health.health_of(found, as_of)
    return {
        "table": found.slug,
        "score": index.score,
        "as_of": as_of,
        "components": [
            {"key": c.key, "score": c.score, "weight": c.weight, "facts": c.facts}
            for c in index.components
        ],
        "history": {
            s.as_of.isoformat(): float(s.score)
            for s in HealthSnapshot.objects.filter(table=found).order_by("as_of")
        },
    }
