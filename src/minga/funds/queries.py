"""Reads for funds: lists, a call's eligible tables, an award's tranches and their conditions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from minga.funds.models import (
    Application,
    Call,
    Contribution,
    Fund,
    PlatformLine,
    Transaction,
)

RUBRIC_LABELS = {
    "alignment": _("Alignment with the goal"),
    "participation": _("Participation of indigenous peoples, women and youth"),
    "feasibility": _("Feasibility and budget"),
    "continuity": _("Continuity after the grant"),
}


def criterion_label(criterion: dict[str, Any]) -> Any:
    return RUBRIC_LABELS.get(criterion["key"], criterion.get("label", criterion["key"]))


def list_funds() -> QuerySet[Fund]:
    return Fund.objects.select_related("administrator")


def get_fund(slug: str) -> Fund:
    return get_object_or_404(Fund.objects.select_related("administrator"), slug=slug)


def get_call(public_id: str) -> Call:
    return get_object_or_404(Call.objects.select_related("fund"), public_id=public_id)


def get_application(public_id: str) -> Application:
    return get_object_or_404(
        Application.objects.select_related("call__fund", "table", "organization", "fellow"),
        public_id=public_id,
    )


def contributions_of(fund: Fund) -> QuerySet[Contribution]:
    return fund.contributions.select_related("donor")


def transactions_of(fund: Fund) -> QuerySet[Transaction]:
    return fund.transactions.select_related("provider", "receiver", "table")


def applications_of(call: Call) -> QuerySet[Application]:
    return call.applications.select_related("table", "organization").prefetch_related("reviews")


def platform_lines() -> QuerySet[PlatformLine]:
    return PlatformLine.objects.select_related("table", "bank")
