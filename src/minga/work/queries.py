"""What waits on a person across their tables: rounds to take a position in, rankings to vote,
consultations to answer, reports to attest, commitments coming due and the next meetings.

Each list is one query over all the person's tables, whatever their number; an item leaves the
list as soon as the person's organization has acted on it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from minga.core.access import can
from minga.decisions.models import Answer, Consultation, Position, Round
from minga.initiatives.models import AccountabilityReport, Commitment, CommitmentStatus
from minga.meetings.models import Ballot, Meeting, MeetingStatus, RankingRound
from minga.tables.models import Membership, Table

COMMITMENTS_AHEAD = dt.timedelta(days=30)
MEETINGS_AHEAD = dt.timedelta(days=30)

# Each kind's heading, on the page and in the digest, in the order they are shown.
KINDS = {
    "rounds": _("Decision rounds waiting for your organization's position"),
    "rankings": _("Priority rankings waiting for your organization's ballot"),
    "consultations": _("Consultations waiting for your organization's answer"),
    "attestations": _("Reports waiting for your organization's attestation"),
    "commitments": _("Your organization's commitments coming due"),
    "meetings": _("Next meetings"),
}


@dataclass
class Item:
    """One thing waiting: what, on which table, where to act, and by when (a datetime or a date)."""

    table: Table
    title: str
    url: str
    due: dt.datetime | dt.date | None
    created: dt.datetime | None = None
    overdue: bool = False

    @property
    def timed(self) -> bool:
        return isinstance(self.due, dt.datetime)

    def deadline(self) -> str:
        """ "until …" or "overdue since …", in the active language (for the digest's text)."""
        if self.due is None:
            return ""
        if isinstance(self.due, dt.datetime):
            when = formats.date_format(timezone.localtime(self.due), "DATETIME_FORMAT")
        else:
            when = formats.date_format(self.due, "DATE_FORMAT")
        if self.overdue:
            return _("overdue since %(when)s") % {"when": when}
        return _("until %(when)s") % {"when": when}

    def moment(self) -> dt.datetime | None:
        """The due moment as an aware datetime (a date counts until the end of its day)."""
        if self.due is None or isinstance(self.due, dt.datetime):
            return self.due
        end = dt.datetime.combine(self.due, dt.time.max)
        return timezone.make_aware(end)


@dataclass
class Work:
    """Everything waiting on one person, by kind, each list soonest first."""

    rounds: list[Item] = field(default_factory=list)
    rankings: list[Item] = field(default_factory=list)
    consultations: list[Item] = field(default_factory=list)
    attestations: list[Item] = field(default_factory=list)
    commitments: list[Item] = field(default_factory=list)
    meetings: list[Item] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(self.kinds().values())

    def kinds(self) -> dict[str, list[Item]]:
        return {kind: getattr(self, kind) for kind in KINDS}

    def sections(self) -> list[tuple[str, Any, list[Item]]]:
        """(kind, heading, items) for each kind that has items."""
        return [(kind, KINDS[kind], items) for kind, items in self.kinds().items() if items]

    def to_do(self) -> dict[str, list[Item]]:
        """The kinds that ask the person to act (the meetings only inform), those not empty."""
        return {kind: items for kind, items in self.kinds().items() if items and kind != "meetings"}

    def news(self, *, since: dt.datetime, now: dt.datetime, period: dt.timedelta) -> bool:
        """Whether a digest sent now tells something the last one did not: an item that appeared
        since, or one that comes due before the next digest and did not before this one."""
        for items in self.to_do().values():
            for item in items:
                if item.created is not None and item.created > since:
                    return True
                due = item.moment()
                if due is not None and since + period < due <= now + period:
                    return True
        return False


class _Seats:
    """The person's active seats: for each table, its organizations and the roles held there."""

    def __init__(self, user: Any) -> None:
        self.organizations: dict[int, set[int]] = defaultdict(set)
        self.by_role: dict[tuple[int, int], set[str]] = defaultdict(set)
        self.tables: dict[int, Table] = {}
        memberships = (
            Membership.objects.active().filter(person__user=user).select_related("table")
            if user.is_authenticated
            else Membership.objects.none()
        )
        for m in memberships.order_by("table__name"):
            self.tables[m.table_id] = m.table
            self.organizations[m.table_id].add(m.organization_id)
            self.by_role[(m.table_id, m.organization_id)].add(m.role)

    def where(self, action: str) -> dict[int, set[int]]:
        """For each table where the person may do ``action``: the organizations they do it for."""
        allowed: dict[int, set[int]] = defaultdict(set)
        for (table_id, organization_id), roles in self.by_role.items():
            if can(roles, action):
                allowed[table_id].add(organization_id)
        return allowed


def _acted(rows: Any) -> set[tuple[int, int]]:
    return {(row[0], row[1]) for row in rows}


def _waiting(allowed: dict[int, set[int]], key: int, table_id: int, done: set[Any]) -> bool:
    """True while some organization the person acts for here has not acted on ``key`` yet."""
    return any((key, organization) not in done for organization in allowed.get(table_id, ()))


def work_for(user: Any, now: dt.datetime | None = None) -> Work:
    now = now or timezone.now()
    today = timezone.localdate(now)
    seats = _Seats(user)
    work = Work(tables=list(seats.tables.values()))
    if not seats.tables:
        return work
    tables = list(seats.tables)

    voters = seats.where("position.state")
    rounds = list(
        Round.objects.filter(
            proposal__table__in=list(voters), closed_at__isnull=True, closes_at__gt=now
        )
        .select_related("proposal", "proposal__table")
        .order_by("closes_at")
    )
    done = _acted(
        Position.objects.filter(round__in=rounds).values_list("round_id", "organization_id")
    )
    for r in rounds:
        if _waiting(voters, r.pk, r.proposal.table_id, done):
            url = reverse(
                "proposal",
                kwargs={"slug": r.proposal.table.slug, "public_id": r.proposal.public_id},
            )
            work.rounds.append(
                Item(r.proposal.table, r.proposal.title, f"{url}#round", r.closes_at, r.opened_at)
            )

    ballots = seats.where("ranking.vote")
    rankings = list(
        RankingRound.objects.filter(
            table__in=list(ballots), closed_at__isnull=True, closes_at__gt=now
        )
        .select_related("table")
        .order_by("closes_at")
    )
    done = _acted(
        Ballot.objects.filter(round__in=rankings).values_list("round_id", "organization_id")
    )
    for k in rankings:
        if _waiting(ballots, k.pk, k.table_id, done):
            url = reverse("ranking", kwargs={"slug": k.table.slug, "public_id": k.public_id})
            work.rankings.append(Item(k.table, k.title, url, k.closes_at, k.created_at))

    answering = seats.where("consultation.answer")
    consultations = list(
        Consultation.objects.filter(table__in=list(answering), status="open", deadline__gte=today)
        .select_related("table")
        .order_by("deadline")
    )
    done = _acted(
        Answer.objects.filter(question__consultation__in=consultations)
        .values_list("question__consultation_id", "organization_id")
        .distinct()
    )
    for c in consultations:
        asked = {c.table_id: answering[c.table_id] - {c.requester_id}}
        if _waiting(asked, c.pk, c.table_id, done):
            url = reverse("consultation", kwargs={"slug": c.table.slug, "public_id": c.public_id})
            work.consultations.append(Item(c.table, c.title, url, c.deadline, c.created_at))

    attesting = seats.where("report.attest")
    for report in (
        AccountabilityReport.objects.filter(table__in=list(attesting), attested_at__isnull=True)
        .select_related("table")
        .order_by("published_at")
    ):
        url = reverse("report", kwargs={"slug": report.table.slug, "public_id": report.public_id})
        work.attestations.append(
            Item(report.table, report.shown_title, url, None, report.published_at)
        )

    own = Q()
    for table_id in tables:
        own |= Q(table_id=table_id, organization_id__in=seats.organizations[table_id])
    for promise in (
        Commitment.objects.filter(
            own,
            # overdue ones too: the daily task stores them as such, and they still wait
            status__in=[
                CommitmentStatus.PENDING,
                CommitmentStatus.IN_PROGRESS,
                CommitmentStatus.OVERDUE,
            ],
            due_on__lte=today + COMMITMENTS_AHEAD,
        )
        .select_related("table")
        .order_by("due_on")
    ):
        url = reverse("commitments", kwargs={"slug": promise.table.slug})
        work.commitments.append(
            Item(
                promise.table,
                promise.what,
                f"{url}#c-{promise.public_id}",
                promise.due_on,
                promise.created_at,
                overdue=promise.due_on < today,
            )
        )

    for m in (
        Meeting.objects.filter(
            table__in=tables, starts_at__gt=now, starts_at__lte=now + MEETINGS_AHEAD
        )
        .exclude(status__in=[MeetingStatus.DRAFT, MeetingStatus.CANCELLED])
        .select_related("table")
        .order_by("starts_at")
    ):
        url = reverse("meeting", kwargs={"slug": m.table.slug, "public_id": m.public_id})
        work.meetings.append(Item(m.table, m.shown_title, url, m.starts_at, m.created_at))
    return work
