"""Reads of agreements, honouring who may see an agreement's area."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from minga.agreements.models import Agreement, Incentive
from minga.core.access import Sensitivity, level_for
from minga.tables.models import Membership, Table
from minga.tables.queries import roles_for


def agreements_of(table: Table) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(table=table)
        .select_related("community", "counterpart")
        .prefetch_related(
            "decisions",
            "obligations",
            Prefetch(
                "incentives",
                queryset=Incentive.objects.annotate(delivered=Sum("deliveries__quantity")),
            ),
        )
    )


def get_agreement(table: Table, public_id: str) -> Agreement:
    try:
        return agreements_of(table).get(public_id=public_id)
    except Agreement.DoesNotExist:
        raise Http404 from None


def area_level(user: Any, agreement: Agreement) -> Sensitivity:
    """How much of the agreement's area this viewer may see."""
    owns = (
        user is not None
        and user.is_authenticated
        and Membership.objects.active()
        .filter(organization=agreement.community, person__user=user)
        .exists()
    )
    return level_for(roles_for(user, agreement.table), owns=owns)


def visible_area(user: Any, agreement: Agreement) -> dict[str, Any] | None:
    if agreement.geometry is None or agreement.area_sensitivity > area_level(user, agreement):
        return None
    area: dict[str, Any] = agreement.geometry
    return area


def delivery_rows(agreement: Agreement) -> list[dict[str, Any]]:
    rows = []
    for incentive in agreement.incentives.all():
        delivered = getattr(incentive, "delivered", None) or Decimal(0)
        rows.append(
            {
                "incentive": incentive,
                "delivered": delivered,
                "share": float(delivered / incentive.planned * 100) if incentive.planned else 0.0,
                "deliveries": list(incentive.deliveries.all()),
            }
        )
    return rows
