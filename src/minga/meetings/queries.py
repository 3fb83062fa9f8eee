"""Reads of meetings and the joint agenda; private meetings stay within the table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from minga.core.access import DECIDING_ROLES
from minga.meetings import ranking
from minga.meetings.models import (
    AttendanceStatus,
    Meeting,
    MeetingRules,
    Priority,
    RankingMethod,
    RankingRound,
)
from minga.meetings.quorum import Quorum, quorum
from minga.tables.models import SECTOR_GROUP, Membership, Organization, Table
from minga.tables.queries import roles_for


def sees_private(user: Any, table: Table) -> bool:
    return bool(roles_for(user, table)) or getattr(user, "is_superuser", False)


def meetings_for(user: Any, table: Table) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(table=table).select_related("table")
    return meetings if sees_private(user, table) else meetings.filter(is_public=True)


def get_meeting_for(user: Any, table: Table, public_id: str) -> Meeting:
    try:
        return meetings_for(user, table).get(public_id=public_id)
    except Meeting.DoesNotExist:
        raise Http404 from None


def seats_on(table: Table, day: dt.date) -> QuerySet[Membership]:
    """The deciding seats held on that day: joined by then and not yet left."""
    return Membership.objects.filter(table=table, since__lte=day, role__in=DECIDING_ROLES).exclude(
        until__lt=day
    )


def members_at(meeting: Meeting) -> list[Organization]:
    """The member organizations on the meeting's day: the lines of its attendance sheet."""
    day = timezone.localdate(meeting.starts_at)
    return list(
        Organization.objects.filter(
            pk__in=seats_on(meeting.table, day).values("organization_id")
        ).order_by("name")
    )


def quorum_of(meeting: Meeting) -> Quorum:
    rules = rules_of(meeting.table)
    day = timezone.localdate(meeting.starts_at)
    members = seats_on(meeting.table, day).values_list("organization_id", flat=True).distinct()
    present = (
        meeting.attendance.filter(
            status=AttendanceStatus.PRESENT, organization_id__in=list(members)
        )
        .values_list("organization_id", "organization__sector")
        .distinct()
    )
    groups = [SECTOR_GROUP[sector] for _org, sector in dict(present).items()]
    return quorum(
        groups,
        members=len(set(members)),
        percent=rules.quorum_percent,
        sectors_required=rules.sectors_required,
    )


def attendance_by_organization(meeting: Meeting) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for a in meeting.attendance.select_related("organization").order_by(
        "organization__name", "person_name"
    ):
        row = rows.setdefault(
            a.organization_id, {"organization": a.organization, "present": [], "status": a.status}
        )
        if a.status == AttendanceStatus.PRESENT:
            row["status"] = AttendanceStatus.PRESENT
            if a.person_name:
                row["present"].append(a.person_name)
    return list(rows.values())


def priorities_of(table: Table) -> QuerySet[Priority]:
    return (
        Priority.objects.filter(table=table).select_related("organization").order_by("-created_at")
    )


def rankings_of(table: Table) -> QuerySet[RankingRound]:
    return RankingRound.objects.filter(table=table).annotate(ballot_count=Count("ballots"))


def get_ranking(table: Table, public_id: str) -> RankingRound:
    try:
        return RankingRound.objects.get(table=table, public_id=public_id)
    except RankingRound.DoesNotExist:
        raise Http404 from None


@dataclass
class RankingResult:
    priority: Priority
    score: int
    ballots: int
    share: float  # of the top score, for the bar chart


def results(round: RankingRound) -> list[RankingResult]:
    priorities = {p.public_id: p for p in round.priorities.select_related("organization")}
    ballots = [b.choices for b in round.ballots.all()]
    if round.method == RankingMethod.DOTS:
        counted = ranking.count_dots(priorities, ballots)
    else:
        counted = ranking.count_borda(priorities, ballots)
    top = max((r.score for r in counted), default=0) or 1
    return [
        RankingResult(priorities[r.priority], r.score, r.ballots, r.score / top) for r in counted
    ]


def meeting_recipients(meeting: Meeting) -> list[str]:
    emails = (
        Membership.objects.active()
        .filter(table=meeting.table, person__isnull=False)
        .exclude(person__email="")
        .values_list("person__email", flat=True)
        .distinct()
    )
    return sorted(emails)


def rules_of(table: Table) -> MeetingRules:
    return MeetingRules.objects.filter(table=table).first() or MeetingRules(table=table)
