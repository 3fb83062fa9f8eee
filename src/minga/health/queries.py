"""Reads for table health: the facts behind the index, its history, risks and incidents."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from minga.core.models import Event
from minga.decisions.models import Position
from minga.health import index
from minga.health.models import (
    Election,
    HandoverPack,
    HealthSnapshot,
    Incident,
    Risk,
    SecretariatFunding,
    TrainingAttendance,
    TrainingSession,
)
from minga.initiatives.models import AccountabilityReport, Commitment, CommitmentStatus
from minga.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from minga.tables.models import SECTOR_GROUP, Instrument, Membership, Person, Table

WINDOW_DAYS = 365
REPORT_GRACE_DAYS = 45  # a quarterly report is on time when published within this after the quarter
TURNOVER_WARNING_DAYS = 183  # six months before an election
WOMEN = {"mujer", "woman", "female", "f", "mulher", "femenino", "feminino"}


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def _quarters_due(start: dt.date, as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Quarters that ended inside the window and whose grace period is over by ``as_of``."""
    quarters: list[tuple[dt.date, dt.date]] = []
    year, q = start.year - 1, 0
    while True:
        q += 1
        if q > 4:
            year, q = year + 1, 1
        first = dt.date(year, 3 * q - 2, 1)
        last = (dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)) - dt.timedelta(days=1)
        if last + dt.timedelta(days=REPORT_GRACE_DAYS) > as_of:
            return quarters
        if last >= start:
            quarters.append((first, last))


def _is_woman(gender: str) -> bool:
    return gender.strip().lower() in WOMEN


def facts_for(table: Table, as_of: dt.date | None = None) -> index.Facts:
    """Everything the index reads, as recorded in the twelve months up to ``as_of``."""
    as_of = as_of or timezone.localdate()
    start = as_of - dt.timedelta(days=WINDOW_DAYS - 1)
    since, until = _end_of(start - dt.timedelta(days=1)), _end_of(as_of)

    held = Meeting.objects.filter(
        table=table,
        starts_at__gt=since,
        starts_at__lte=until,
        status__in=[MeetingStatus.HELD, MeetingStatus.PUBLISHED],
    )
    member_orgs = set(
        Membership.objects.filter(table=table, since__lte=as_of)
        .filter(Q(until__isnull=True) | Q(until__gte=as_of))
        .values_list("organization_id", flat=True)
    )
    attendance_expected = held.count() * len(member_orgs)
    present = (
        Attendance.objects.filter(meeting__in=held, status=AttendanceStatus.PRESENT)
        .values("meeting_id", "organization_id")
        .distinct()
        .count()
    )

    groups: Counter[str] = Counter()
    for sector in Position.objects.filter(
        round__proposal__table=table, round__opened_at__gt=since, round__opened_at__lte=until
    ).values_list("organization__sector", flat=True):
        groups[str(SECTOR_GROUP.get(sector, "other"))] += 1

    seated = Person.objects.filter(memberships__table=table, memberships__since__lte=as_of).filter(
        Q(memberships__until__isnull=True) | Q(memberships__until__gte=as_of)
    )
    sessions = TrainingSession.objects.filter(table=table, held_on__gte=start, held_on__lte=as_of)
    trained = TrainingAttendance.objects.filter(session__in=sessions)
    people = {
        p.pk: p
        for p in Person.objects.filter(
            Q(pk__in=seated.values("pk")) | Q(pk__in=trained.values("person_id"))
        ).only("gender", "birth_year")
    }
    women = sum(1 for p in people.values() if _is_woman(p.gender))
    youth = sum(1 for p in people.values() if p.birth_year and as_of.year - p.birth_year < 30)

    reports = {
        r.starts_on: r.published_at.date()
        for r in AccountabilityReport.objects.filter(
            table=table, period="quarter", published_at__lte=until
        )
    }
    due = _quarters_due(start, as_of)
    on_time = sum(
        1
        for first, last in due
        if first in reports and reports[first] <= last + dt.timedelta(days=REPORT_GRACE_DAYS)
    )
    late = sum(1 for first, _last in due if first in reports) - on_time

    commitments = Commitment.objects.filter(
        table=table, due_on__gte=start, due_on__lte=as_of
    ).exclude(status=CommitmentStatus.DROPPED)
    kept = commitments.filter(status=CommitmentStatus.FULFILLED, fulfilled_on__lte=as_of).count()

    instruments = tuple(sorted(set(instruments_in_force(table, as_of))))

    funded_until = max(
        (
            f.ends_on
            for f in SecretariatFunding.objects.filter(
                table=table, starts_on__lte=as_of, ends_on__gte=as_of
            )
        ),
        default=None,
    )
    months = 0.0 if funded_until is None else round((funded_until - as_of).days / 30.4375, 1)

    actions = (
        Event.objects.filter(
            table_slug=table.slug,
            actor__isnull=False,
            occurred_at__gt=since,
            occurred_at__lte=until,
        )
        .values("actor_id")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    counts = [a["n"] for a in actions]

    return index.Facts(
        as_of=as_of.isoformat(),
        meetings_held=held.count(),
        attendance_expected=attendance_expected,
        attendance_present=min(present, attendance_expected),
        positions_by_group=dict(sorted(groups.items())),
        participants=len(people),
        women=women,
        youth=youth,
        reports_due=len(due),
        reports_on_time=on_time,
        reports_late=late,
        commitments_due=commitments.count(),
        commitments_kept=kept,
        instruments_in_force=instruments,
        secretariat_months_funded=months,
        actions=sum(counts),
        actions_by_top_person=counts[0] if counts else 0,
        member_organizations=len(member_orgs),
        organizations_trained=len(
            set(trained.values_list("organization_id", flat=True)) & member_orgs
        ),
    )


def health_of(table: Table, as_of: dt.date | None = None, weights: Any = None) -> index.Index:
    return index.compute(facts_for(table, as_of), weights)


def history_of(table: Table) -> QuerySet[HealthSnapshot]:
    return HealthSnapshot.objects.filter(table=table).order_by("as_of")


def risks_of(table: Table) -> QuerySet[Risk]:
    return Risk.objects.filter(table=table)


def incidents_of(table: Table) -> QuerySet[Incident]:
    return Incident.objects.filter(table=table).select_related("meeting")


def get_incident(table: Table, public_id: str) -> Incident:
    return get_object_or_404(
        Incident.objects.select_related("meeting"), table=table, public_id=public_id
    )


def trainings_of(table: Table) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(table=table).annotate(people=Count("attendees"))


def funding_of(table: Table) -> QuerySet[SecretariatFunding]:
    return SecretariatFunding.objects.filter(table=table).select_related("organization")


@dataclass
class Turnover:
    election: Election
    days_left: int
    checklist: list[tuple[str, bool]]

    @property
    def ready(self) -> bool:
        return all(done for _, done in self.checklist)


def turnover_warning(table: Table, today: dt.date | None = None) -> Turnover | None:
    """The next election within six months, with the continuity checklist the paper asks for."""

    today = today or timezone.localdate()
    election = (
        Election.objects.filter(
            table=table,
            held_on__gte=today,
            held_on__lte=today + dt.timedelta(days=TURNOVER_WARNING_DAYS),
        )
        .order_by("held_on")
        .first()
    )
    if election is None:
        return None
    in_force = set(instruments_in_force(table, today))
    pack = HandoverPack.objects.filter(
        table=table, prepared_on__gte=today - dt.timedelta(days=TURNOVER_WARNING_DAYS)
    ).exists()
    return Turnover(
        election=election,
        days_left=(election.held_on - today).days,
        checklist=[
            (_("An ordinance that creates the table, in force"), "ordinance" in in_force),
            (
                _("A multi-year agreement that outlasts the term of office"),
                "multi_year_agreement" in in_force,
            ),
            (_("A handover pack for the incoming authorities"), pack),
        ],
    )


def instruments_in_force(table: Table, day: dt.date) -> list[str]:
    return list(
        Instrument.objects.filter(table=table, signed_on__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .values_list("kind", flat=True)
    )
