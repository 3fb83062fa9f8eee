"""Reads of the registry (all public: supply, sales, retirements and payouts are open)."""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404

from minga.credits.models import Batch, Payout, Project, Retirement, Sale
from minga.ledger import queries as log
from minga.ledger import witnessing
from minga.tables.models import Table


def projects_of(table: Table) -> QuerySet[Project]:
    return Project.objects.filter(table=table).select_related("credit_class", "steward")


def batches_of(table: Table) -> QuerySet[Batch]:
    return Batch.objects.filter(project__table=table).select_related("project", "verification")


def supply(table: Table) -> dict[str, int]:
    totals = batches_of(table).aggregate(
        issued=Sum("issued"),
        tradable=Sum("tradable"),
        retired=Sum("retired"),
        cancelled=Sum("cancelled"),
    )
    return {k: v or 0 for k, v in totals.items()}


def sales_of(table: Table) -> QuerySet[Sale]:
    return Sale.objects.filter(project__table=table).select_related("project", "buyer")


def retirements_of(table: Table) -> QuerySet[Retirement]:
    return Retirement.objects.filter(batch__project__table=table).select_related("batch", "account")


def payouts_of(table: Table) -> QuerySet[Payout]:
    return Payout.objects.filter(sale__project__table=table).select_related("sale")


def get_retirement(public_id: str) -> Retirement:
    return get_object_or_404(
        Retirement.objects.select_related("batch__project__table", "account"), public_id=public_id
    )


def certificate(retirement: Retirement) -> dict[str, Any]:
    """Everything a third party needs to check the retirement without minga: the leaf, its
    index, an inclusion proof to a published checkpoint, the checkpoint with the witnesses'
    cosignatures, and the witnesses and quorum of the policy now. While the checkpoint that
    covers the retirement still lacks its witness quorum, the status says
    ``awaiting-witnesses``."""
    entry = log.entry_for_event(retirement.event_id) if retirement.event_id else None
    if entry is None:
        return {"status": "pending"}
    checkpoint = log.latest_checkpoint()  # the newest published one carries the cosignatures
    if checkpoint is None or checkpoint.size <= entry.index:
        signed = log.latest_signed()
        if signed is not None and signed.size > entry.index:
            return {
                "status": "awaiting-witnesses",
                "index": entry.index,
                "cosigned": signed.cosigned,
            }
        return {"status": "pending", "index": entry.index}
    proof = log.inclusion(entry.index, checkpoint.size)
    return {
        "status": "included",
        "retirement": retirement.public_id,
        "leaf": bytes(entry.leaf).decode(),
        "index": entry.index,
        "size": checkpoint.size,
        "proof": [base64.b64encode(p).decode() for p in proof["proof"]],
        "checkpoint": checkpoint.signed_note,
        "cosigned": checkpoint.cosigned,
        "witnesses": [
            {"name": w.name, "verifier_key": w.verifier_key} for w in witnessing.witnesses()
        ],
        "quorum": witnessing.quorum(),
    }
