"""Every state change of meetings and the joint agenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minga.core.access import Actor, Sensitivity, SystemActor, person_user
from minga.core.events import record_event
from minga.core.text import is_message, worded
from minga.meetings import events, ranking
from minga.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Ballot,
    Meeting,
    MeetingKind,
    MeetingRules,
    MeetingStatus,
    Priority,
    PriorityStatus,
    RankingMethod,
    RankingRound,
)
from minga.meetings.queries import meeting_recipients, members_at, rules_of
from minga.tables.models import Organization, Table
from minga.tables.queries import require, seats_for


def speaking_for(by: Actor, table: Table) -> Organization:
    """The organization ``by`` represents on this table (observers included)."""
    seat = seats_for(by, table).exclude(role="observer").select_related("organization").first()
    if seat is None:
        raise PermissionDenied(_("You do not speak for a member organization of this table."))
    return seat.organization


def _level(meeting: Meeting) -> Sensitivity:
    """A private meeting's events enter the public log as commitments only."""
    return Sensitivity.PUBLIC if meeting.is_public else Sensitivity.TABLE


@transaction.atomic
def set_meeting_rules(
    *, by: Actor, table: Table, quorum_percent: int, sectors_required: bool
) -> MeetingRules:
    require(by, table, "rules.edit")
    if not 0 <= quorum_percent < 100:
        raise ValidationError({"quorum_percent": _("The quorum is a percentage from 0 to 99.")})
    rules = rules_of(table)
    rules.quorum_percent, rules.sectors_required = quorum_percent, sectors_required
    rules.save()
    record_event(
        events.RULES_SET,
        actor=by,
        table=table,
        payload={"quorum_percent": quorum_percent, "sectors_required": sectors_required},
    )
    return rules


# --- meetings ---------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(
    *,
    by: Actor,
    table: Table,
    title: str | dict[str, Any],
    starts_at: dt.datetime,
    kind: str = MeetingKind.ORDINARY,
    duration_minutes: int = 180,
    place: str = "",
    online_url: str = "",
    language: str = "Español",
    interpretation: str = "",
    is_public: bool = True,
    is_demo: bool = False,
) -> Meeting:
    require(by, table, "meeting.manage")
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("%(value)s is not a kind of meeting.") % {"value": kind}})
    if not place.strip() and not online_url.strip():
        raise ValidationError(_("Give a place, an online link, or both."))
    meeting = Meeting(
        table=table,
        # a title minga writes (a crisis meeting's) is a message, shown in each reader's language
        **(worded(title=title) if is_message(title) else {"title": str(title).strip()}),
        starts_at=starts_at,
        kind=kind,
        duration_minutes=duration_minutes,
        place=place.strip(),
        online_url=online_url.strip(),
        language=language.strip() or "Español",
        interpretation=interpretation.strip(),
        is_public=is_public,
        created_by=person_user(by),
        is_demo=is_demo,
    )
    meeting.full_clean()
    meeting.save()
    record_event(
        events.MEETING_CREATED,
        actor=by,
        table=table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={"title": meeting.title, "kind": kind, "starts_at": starts_at.isoformat()},
    )
    return meeting


@transaction.atomic
def add_agenda_item(
    *,
    by: Actor,
    meeting: Meeting,
    title: str | dict[str, Any],
    duration_minutes: int = 15,
    priority: Priority | None = None,
) -> AgendaItem:
    """Add an item at the end; ``title`` is what people typed, or a message minga words."""
    require(by, meeting.table, "meeting.manage")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.status == MeetingStatus.PUBLISHED:
        raise ValidationError(_("The minutes are published: the agenda can no longer change."))
    if priority is not None and priority.table_id != meeting.table_id:
        raise ValidationError(_("That priority belongs to another table."))
    worded_title = worded(title=title) if is_message(title) else {"title": str(title).strip()}
    if not worded_title["title"]:
        raise ValidationError({"title": _("An agenda item needs a title.")})
    last = meeting.agenda.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=last + 1,
        **worded_title,
        duration_minutes=duration_minutes,
        priority=priority,
    )
    record_event(
        events.AGENDA_ITEM_ADDED,
        actor=by,
        table=meeting.table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={
            "item": item.position,
            "title": item.title,
            "priority": priority.public_id if priority else None,
        },
    )
    return item


@transaction.atomic
def move_agenda_item(*, by: Actor, item: AgendaItem, up: bool) -> None:
    meeting = item.meeting
    require(by, meeting.table, "meeting.manage")
    items = list(meeting.agenda.select_for_update().order_by("position"))
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    # Two passes, so the unique (meeting, position) constraint never sees a duplicate.
    for offset, agenda_item in enumerate(items, start=1000):
        AgendaItem.objects.filter(pk=agenda_item.pk).update(position=offset)
    for position, agenda_item in enumerate(items, start=1):
        AgendaItem.objects.filter(pk=agenda_item.pk).update(position=position)
    record_event(
        events.AGENDA_REORDERED,
        actor=by,
        table=meeting.table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={"order": [x.title for x in items]},
    )


@transaction.atomic
def convene_meeting(
    *, by: Actor, meeting: Meeting, meeting_url: Callable[[Meeting], str]
) -> Meeting:
    """Send the convening notice (with the ICS invitation) to every representative with e-mail."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(by, meeting.table, "meeting.manage")
    if meeting.status != MeetingStatus.DRAFT:
        raise ValidationError(_("This meeting has already been convened."))
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("A meeting can only be convened before it starts."))
    meeting.status = MeetingStatus.CONVENED
    meeting.convened_at = timezone.now()
    meeting.save(update_fields=["status", "convened_at", "updated_at"])
    recipients = meeting_recipients(meeting)
    record_event(
        events.MEETING_CONVENED,
        actor=by,
        table=meeting.table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={"recipients": len(recipients)},
        # ``meetings.tasks`` sends the notice once this commits, with the page's link.
        private={
            "link": meeting_url(meeting) if recipients else None,
            "language": translation.get_language() or "es",
        },
    )
    return meeting


# What a convened meeting's members are told again about when it changes.
NOTICE_FIELDS = ("title", "starts_at", "duration_minutes", "place", "online_url", "language",
                 "interpretation")  # fmt: skip


def _notice(meeting: Meeting, meeting_url: Callable[[Meeting], str], **more: Any) -> dict[str, Any]:
    """What ``meetings.tasks`` needs to send a notice once the change commits (nothing to send
    for a meeting never convened, or a table with no e-mail addresses)."""
    send = meeting.convened_at is not None and bool(meeting_recipients(meeting))
    return {
        "link": meeting_url(meeting) if send else None,
        "language": translation.get_language() or "es",
        **more,
    }


@transaction.atomic
def change_meeting(
    *, by: Actor, meeting: Meeting, meeting_url: Callable[[Meeting], str], **fields: Any
) -> Meeting:
    """Change a meeting that has not started: its title, time, place, language… When it was
    convened, the members receive the change with the updated calendar invitation (the same
    event, its sequence one higher, so calendars move it rather than add another)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(by, meeting.table, "meeting.manage")
    if not meeting.may_change:
        raise ValidationError(_("A meeting can only be changed before it starts."))
    starts_at = fields.get("starts_at", meeting.starts_at)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time that has not passed.")})
    if "kind" in fields and fields["kind"] not in MeetingKind.values:
        raise ValidationError(
            {"kind": _("%(value)s is not a kind of meeting.") % {"value": fields["kind"]}}
        )
    allowed = (*NOTICE_FIELDS, "kind", "is_public")
    changed: dict[str, Any] = {}
    for name in allowed:
        if name not in fields:
            continue
        value = fields[name].strip() if isinstance(fields[name], str) else fields[name]
        if name == "title" and value == meeting.shown_title:
            continue  # the worded title shown to this person, left as it was
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed[name] = value
    if "title" in changed:
        meeting.system_text.pop("title", None)  # a person's words now, not minga's message
    if not changed:
        return meeting
    if not meeting.place and not meeting.online_url:
        raise ValidationError(_("Give a place, an online link, or both."))
    told = meeting.convened_at is not None and any(name in NOTICE_FIELDS for name in changed)
    if told:
        meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    record_event(
        events.MEETING_CHANGED,
        actor=by,
        table=meeting.table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={
            "changed": sorted(changed),
            "starts_at": meeting.starts_at.isoformat(),
            "sequence": meeting.sequence,
        },
        private=_notice(meeting, meeting_url) if told else {"link": None},
    )
    return meeting


@transaction.atomic
def cancel_meeting(
    *, by: Actor, meeting: Meeting, reason: str, meeting_url: Callable[[Meeting], str]
) -> Meeting:
    """Cancel a meeting that has not started, saying why; the members it was convened to are
    told, with a calendar cancellation that takes it off their calendars."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(by, meeting.table, "meeting.manage")
    if not meeting.may_change:
        raise ValidationError(_("A meeting can only be cancelled before it starts."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_reason = reason[:300]
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_reason", "sequence", "updated_at"])
    record_event(
        events.MEETING_CANCELLED,
        actor=by,
        table=meeting.table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={"reason": meeting.cancelled_reason, "sequence": meeting.sequence},
        private=_notice(meeting, meeting_url),
    )
    return meeting


@dataclass
class AttendanceRow:
    organization: Organization
    status: str
    person_name: str = ""


@transaction.atomic
def record_attendance(
    *, by: Actor, meeting: Meeting, rows: Sequence[AttendanceRow], from_paper: bool = False
) -> list[Attendance]:
    """Record (or correct) who came: one row per person and organization, all or nothing."""
    require(by, meeting.table, "meeting.manage")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.status == MeetingStatus.PUBLISHED:
        raise ValidationError(_("The minutes are published: attendance can no longer change."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Attendance is recorded once the meeting has started."))
    members = {o.pk for o in members_at(meeting)}
    refused: dict[str, list[str]] = {}
    for row in rows:
        if row.status not in AttendanceStatus.values:
            refused.setdefault(row.organization.public_id, []).append(
                _("%(value)s is not an attendance status.") % {"value": row.status}
            )
        elif row.organization.pk not in members:
            refused.setdefault(row.organization.public_id, []).append(
                _("%(organization)s was not a member of the table on the day of the meeting.")
                % {"organization": row.organization.name}
            )
    if refused:
        raise ValidationError(refused)
    saved = []
    for row in rows:
        attendance, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            organization=row.organization,
            person_name=row.person_name.strip(),
            defaults={
                "status": row.status,
                "from_paper": from_paper,
                "recorded_by": person_user(by),
            },
        )
        saved.append(attendance)
    if meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED):
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated_at"])
    record_event(
        events.ATTENDANCE_RECORDED,
        actor=by,
        table=meeting.table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={
            "rows": len(saved),
            "from_paper": from_paper,
            "present": sum(1 for a in saved if a.status == AttendanceStatus.PRESENT),
        },
    )
    return saved


@transaction.atomic
def save_minutes(*, by: Actor, meeting: Meeting, minutes: str) -> Meeting:
    require(by, meeting.table, "meeting.manage")
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.status == MeetingStatus.PUBLISHED:
        raise ValidationError(_("The minutes are already published."))
    if not minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes.")})
    meeting.minutes = minutes.strip()
    meeting.save(update_fields=["minutes", "updated_at"])
    record_event(
        events.MINUTES_SAVED,
        actor=by,
        table=meeting.table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={},
    )
    return meeting


@transaction.atomic
def publish_minutes(*, by: Actor, meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(by, meeting.table, "meeting.manage")
    if meeting.status == MeetingStatus.PUBLISHED:
        raise ValidationError(_("The minutes are already published."))
    if not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before publishing them."))
    if not meeting.attendance.exists():
        raise ValidationError(_("Record the attendance before publishing the minutes."))
    meeting.status = MeetingStatus.PUBLISHED
    meeting.published_at = timezone.now()
    meeting.save(update_fields=["status", "published_at", "updated_at"])
    record_event(
        events.MINUTES_PUBLISHED,
        actor=by,
        table=meeting.table,
        subject=meeting,
        sensitivity=_level(meeting),
        payload={"title": meeting.title},
    )
    return meeting


# --- joint agenda -----------------------------------------------------------------------------


@transaction.atomic
def submit_priority(
    *,
    by: Actor,
    table: Table,
    title: str,
    description: str,
    axis: str = "",
    place: str = "",
    evidence: str = "",
    organization: Organization | None = None,
) -> Priority:
    require(by, table, "priority.submit")
    speaker = (
        organization if organization and isinstance(by, SystemActor) else speaking_for(by, table)
    )
    if not title.strip() or not description.strip():
        raise ValidationError(_("A priority needs a title and a description."))
    priority = Priority.objects.create(
        table=table,
        organization=speaker,
        title=title.strip(),
        description=description.strip(),
        axis=axis.strip(),
        place=place.strip(),
        evidence=evidence.strip(),
        submitted_by=person_user(by),
    )
    record_event(
        events.PRIORITY_SUBMITTED,
        actor=by,
        table=table,
        subject=priority,
        payload={"title": priority.title, "organization": speaker.public_id},
    )
    return priority


@transaction.atomic
def select_priority(*, by: Actor, priority: Priority, meeting: Meeting | None = None) -> Priority:
    """Put a ranked priority on the table's agenda, optionally as an item of a meeting."""
    require(by, priority.table, "ranking.manage")
    priority.status = PriorityStatus.SELECTED
    priority.save(update_fields=["status", "updated_at"])
    if meeting is not None:
        add_agenda_item(by=by, meeting=meeting, title=priority.title, priority=priority)
    record_event(
        events.PRIORITY_SELECTED,
        actor=by,
        table=priority.table,
        subject=priority,
        payload={"meeting": meeting.public_id if meeting else None},
    )
    return priority


@transaction.atomic
def open_ranking(
    *,
    by: Actor,
    table: Table,
    title: str,
    method: str,
    priorities: Sequence[Priority],
    closes_at: dt.datetime,
    dots: int = 5,
) -> RankingRound:
    require(by, table, "ranking.manage")
    if method not in RankingMethod.values:
        raise ValidationError({"method": _("Choose dot voting or ranked choice.")})
    if len(priorities) < 2:
        raise ValidationError({"priorities": _("A ranking needs at least two priorities.")})
    if any(p.table_id != table.pk for p in priorities):
        raise ValidationError(_("That priority belongs to another table."))
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("A round must close in the future.")})
    if method == RankingMethod.DOTS and dots < 1:
        raise ValidationError({"dots": _("Give each organization at least one dot.")})
    round_ = RankingRound.objects.create(
        table=table,
        title=title.strip(),
        method=method,
        dots=dots,
        closes_at=closes_at,
        created_by=person_user(by),
    )
    round_.priorities.set(priorities)
    record_event(
        events.RANKING_OPENED,
        actor=by,
        table=table,
        subject=round_,
        payload={"method": method, "priorities": [p.public_id for p in priorities], "dots": dots},
    )
    return round_


@transaction.atomic
def close_ranking(*, by: Actor, round: RankingRound) -> RankingRound:
    require(by, round.table, "ranking.manage")
    if round.closed_at is not None:
        raise ValidationError(_("This ranking round is closed."))
    round.closed_at = timezone.now()
    round.save(update_fields=["closed_at", "updated_at"])
    record_event(
        events.RANKING_CLOSED,
        actor=by,
        table=round.table,
        subject=round,
        payload={"ballots": round.ballots.count()},
    )
    return round


def _ballot_error(exc: ranking.BallotError) -> ValidationError:
    messages = {
        "too_many_dots": _("This ballot uses %(used)s dots; each organization has %(dots)s."),
        "negative": _("Dots are whole numbers, zero or more."),
        "unknown": _("The ballot names priorities that are not in this round."),
        "empty": _("The ballot is empty."),
        "repeated": _("Each priority can be ranked only once."),
    }
    return ValidationError(messages[exc.code] % exc.params, code=exc.code)


@transaction.atomic
def cast_ballot(
    *,
    by: Actor,
    round: RankingRound,
    choices: dict[str, int] | list[str],
    organization: Organization | None = None,
) -> Ballot:
    """One ballot per organization, replaceable until the round closes."""
    table = round.table
    require(by, table, "ranking.vote")
    speaker = (
        organization if organization and isinstance(by, SystemActor) else speaking_for(by, table)
    )
    if round.closed_at is not None or round.closes_at <= timezone.now():
        raise ValidationError(_("This ranking round is closed."))
    allowed = set(round.priorities.values_list("public_id", flat=True))
    try:
        if round.method == RankingMethod.DOTS:
            if not isinstance(choices, dict):
                raise ranking.BallotError("empty")
            choices = {k: v for k, v in choices.items() if v}
            ranking.check_dots(choices, allowed=allowed, dots=round.dots)
        else:
            if not isinstance(choices, list):
                raise ranking.BallotError("empty")
            ranking.check_ranking(choices, allowed=allowed)
    except ranking.BallotError as exc:
        raise _ballot_error(exc) from None
    ballot, created = Ballot.objects.update_or_create(
        round=round, organization=speaker, defaults={"choices": choices, "cast_by": person_user(by)}
    )
    record_event(
        events.BALLOT_CAST if created else events.BALLOT_CHANGED,
        actor=by,
        table=table,
        subject=round,
        payload={"organization": speaker.public_id},
    )
    return ballot
