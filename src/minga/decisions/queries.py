"""Reads of decisions shared by pages, API and reports. Deliberation is public, like the register."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from minga.decisions.consensus import Code
from minga.decisions.models import (
    Decision,
    Position,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Round,
)
from minga.tables.models import Table


def get_proposal(table: Table, public_id: str) -> Proposal:
    try:
        return Proposal.objects.select_related("organization", "table").get(
            table=table, public_id=public_id
        )
    except Proposal.DoesNotExist:
        raise Http404 from None


def get_round(proposal: Proposal, number: int) -> Round:
    try:
        return proposal.rounds.select_related("proposal__table", "version", "meeting").get(
            number=number
        )
    except Round.DoesNotExist:
        raise Http404 from None


def get_version(proposal: Proposal, number: int) -> ProposalVersion:
    try:
        return proposal.versions.select_related("organization").get(number=number)
    except ProposalVersion.DoesNotExist:
        raise Http404 from None


def open_proposals(table: Table) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(table=table, status=ProposalStatus.OPEN)
        .select_related("organization")
        .prefetch_related(Prefetch("rounds", queryset=Round.objects.order_by("number")))
    )


def register(table: Table) -> QuerySet[Decision]:
    """The table's public decision register, newest first, with each decision's rounds."""
    return (
        Decision.objects.filter(proposal__table=table)
        .select_related("proposal__organization", "round", "meeting")
        .prefetch_related(
            Prefetch(
                "proposal__rounds",
                queryset=Round.objects.order_by("number").prefetch_related(
                    Prefetch("positions", queryset=Position.objects.select_related("organization"))
                ),
            )
        )
    )


def latest_version(proposal: Proposal) -> ProposalVersion:
    version = proposal.versions.select_related("organization").order_by("-number").first()
    assert version is not None
    return version


def is_open(round: Round) -> bool:
    return round.closed_at is None and round.closes_at > timezone.now()


@dataclass
class Panel:
    round: Round
    positions: list[Position]
    outcome: dict[str, Any]
    open: bool
    text: str


def panel(round: Round) -> Panel:
    """What the round page shows live: positions so far and the outcome if it closed now."""
    from minga.decisions.services import evaluate, outcome_record

    positions = list(round.positions.select_related("organization").order_by("organization__name"))
    outcome = round.outcome if round.closed_at else outcome_record(evaluate(round))
    return Panel(round, positions, outcome, is_open(round), describe(outcome))


def diff_html(old: str, new: str) -> SafeString:
    """A word-level diff, <del> and <ins>, readable without colour."""
    a, b = old.split(" "), new.split(" ")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            parts.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("replace", "insert"):
            parts.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
        if op == "equal":
            parts.append(escape(" ".join(a[i1:i2])))
    return mark_safe(" ".join(parts).replace("\n", "<br>"))  # noqa: S308 - every part escaped


def describe(outcome: dict[str, Any]) -> str:
    """The outcome in the viewer's language."""
    if not outcome:
        return ""
    code = outcome["code"]
    if code == Code.PASSED_BY_CONSENT:
        return _("Passed by consent: nobody blocked.")
    if code == Code.PASSED_BY_CONSENSUS:
        return _("Passed by full consensus: everyone agreed or stood aside.")
    if code == Code.PASSED_BY_MAJORITY:
        return _(
            "Passed by the statute's fallback: %(support).0f %% support, %(required)s %% required."
        ) % {
            "support": outcome["support_percent"],
            "required": outcome["required_percent"],
        }
    if code == Code.MAJORITY_NOT_REACHED:
        return _(
            "The fallback majority was not reached: %(support).0f %% support, %(required)s %% required."
        ) % {
            "support": outcome["support_percent"],
            "required": outcome["required_percent"],
        }
    if code == Code.BLOCKED:
        return _("Blocked by %(blocks)s.") % {
            "blocks": "; ".join(f"{name}: «{reason}»" for name, reason in outcome["blocks"])
        }
    if code == Code.INCOMPLETE:
        return _("No full consensus yet: no position from %(names)s.") % {
            "names": ", ".join(outcome["missing_members"])
        }
    if code == Code.NO_SECTOR_QUORUM:
        groups = {
            "indigenous": _("indigenous peoples"),
            "government": _("government"),
            "civil_society": _("civil society"),
        }
        return _("No sector quorum: no position yet from %(groups)s.") % {
            "groups": ", ".join(str(groups[g]) for g in outcome["missing_groups"])
        }
    return _("Nobody agreed yet.")
