"""Reads of decisions shared by pages, API and reports. Deliberation is public, like the register."""

from __future__ import annotations

import datetime as dt
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
    Answer,
    Consultation,
    Decision,
    DigestPreference,
    Position,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Round,
)
from minga.decisions.services import evaluate, outcome_record
from minga.meetings.models import Meeting
from minga.tables.models import Membership, Table


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


@dataclass
class TableDigest:
    table: Table
    proposals: list[Proposal]
    closing: list[Round]
    outcomes: list[Decision]
    meetings: list[Any]

    def __bool__(self) -> bool:
        return bool(self.proposals or self.closing or self.outcomes or self.meetings)


def digest_for(user: Any, since: Any, now: Any) -> list[TableDigest]:
    """What happened on the person's tables since ``since``: new proposals, rounds closing within
    three days, outcomes recorded, meetings in the next two weeks."""

    tables = Table.objects.filter(
        pk__in=Membership.objects.active().filter(person__user=user).values("table")
    ).order_by("name")
    digests = []
    for table in tables:
        digest = TableDigest(
            table,
            list(
                Proposal.objects.filter(table=table, created_at__gt=since).select_related(
                    "organization"
                )
            ),
            list(
                Round.objects.filter(
                    proposal__table=table,
                    closed_at__isnull=True,
                    closes_at__gt=now,
                    closes_at__lte=now + dt.timedelta(days=3),
                ).select_related("proposal")
            ),
            list(
                Decision.objects.filter(
                    proposal__table=table, recorded_at__gt=since
                ).select_related("proposal", "round")
            ),
            list(
                Meeting.objects.filter(
                    table=table, starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=14)
                )
                .exclude(status__in=["draft", "cancelled"])
                .order_by("starts_at")
            ),
        )
        if digest:
            digests.append(digest)
    return digests


def consultations_of(table: Table) -> QuerySet[Consultation]:
    return Consultation.objects.filter(table=table).select_related("requester")


def get_consultation(table: Table, public_id: str) -> Consultation:
    try:
        return Consultation.objects.select_related("requester", "table").get(
            table=table, public_id=public_id
        )
    except Consultation.DoesNotExist:
        raise Http404 from None


def consultation_open(consultation: Consultation) -> bool:
    return consultation.status == "open" and consultation.deadline >= timezone.localdate()


def answers_of(consultation: Consultation) -> QuerySet[Answer]:
    return Answer.objects.filter(question__consultation=consultation).select_related("organization")


def answers_by_question(consultation: Consultation) -> dict[int, list[Answer]]:
    grouped: dict[int, list[Answer]] = {}
    for answer in answers_of(consultation).order_by("organization__name"):
        grouped.setdefault(answer.question_id, []).append(answer)
    return grouped


def digest_frequency(user: Any) -> str:
    preference = DigestPreference.objects.filter(user=user).first()
    return preference.frequency if preference else "never"
