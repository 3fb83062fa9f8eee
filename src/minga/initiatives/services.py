"""Every state change of initiatives, commitments and accountability reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from shapely import unary_union
from shapely.geometry.base import BaseGeometry

from minga.core import geo
from minga.core.access import Actor, SystemActor, person_user
from minga.core.concurrency import lock_unchanged
from minga.core.events import record_event
from minga.core.ids import validate_iati_identifier
from minga.core.money import validate_currency
from minga.core.spreadsheet import ImportFailed, messages_of
from minga.core.text import message, worded
from minga.initiatives import events
from minga.initiatives.data import InitiativeData
from minga.initiatives.models import (
    AccountabilityReport,
    Commitment,
    CommitmentStatus,
    ExchangeRate,
    Funding,
    Initiative,
    InitiativeStatus,
    ReportPeriod,
    SourceType,
)
from minga.initiatives.queries import report_figures
from minga.initiatives.sheet import to_data
from minga.meetings.models import Meeting
from minga.tables.models import Membership, Organization, Table
from minga.tables.queries import may, require, seats_for, speaks_for


def may_edit_initiative(by: Actor, table: Table, organization: Organization | None = None) -> bool:
    """The secretariat manages every initiative; a member reports its own organization's."""
    if may(by, table, "initiative.manage"):
        return True
    if not may(by, table, "initiative.report"):
        return False
    return organization is None or speaks_for(by, table, organization)


def _require_for(by: Actor, table: Table, organization: Organization) -> None:
    if may_edit_initiative(by, table, organization):
        return
    raise PermissionDenied(_("You may only report your own organization's initiatives."))


def place_within(table: Table, geometry: Any) -> Any:
    """Parse a GeoJSON point or area and check it lies inside the table's territory."""
    try:
        place = geo.parse_place(geometry)
    except geo.GeometryError as exc:
        raise ValidationError({"geometry": str(exc)}) from None
    territories = [t.shape for t in table.territories.all()]
    if not territories or not geo.covered_by(place, unary_union(territories)):
        raise ValidationError({"geometry": _("The place lies outside the table's territory.")})
    return place


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation:
        raise ValidationError(
            {"amount": _("%(value)s is not an amount.") % {"value": value}}
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("An amount must be more than zero.")})
    return amount


def _currency(code: str) -> str:
    code = (code or "").strip().upper()
    try:
        validate_currency(code)
    except ValidationError as exc:
        raise ValidationError({"currency": exc.messages}) from None
    return code


@transaction.atomic
def save_initiative(
    *,
    by: Actor,
    table: Table,
    data: InitiativeData,
    initiative: Initiative | None = None,
    is_demo: bool = False,
) -> Initiative:
    """Create, or with ``initiative`` replace, an initiative and its funding lines."""
    _require_for(by, table, data.organization)
    if data.ends_on < data.starts_on:
        raise ValidationError({"ends_on": _("An initiative cannot end before it starts.")})
    if data.status not in InitiativeStatus.values or data.status == InitiativeStatus.POOLED:
        raise ValidationError(
            {"status": _("%(value)s is not a status of an initiative.") % {"value": data.status}}
        )
    if not 0 <= data.progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})
    if data.axis is not None and data.axis.table_id != table.pk:
        raise ValidationError({"axis": _("That axis belongs to another table.")})
    if not Membership.objects.filter(table=table, organization=data.organization).exists():
        raise ValidationError(
            {
                "organization": _("%(organization)s is not a member of the table.")
                % {"organization": data.organization.name}
            }
        )
    lines = []
    for line in data.fundings:
        if line.source_type not in SourceType.values:
            raise ValidationError(
                {"source_type": _("%(value)s is not a source type.") % {"value": line.source_type}}
            )
        activity = line.funder_activity.strip()
        try:
            validate_iati_identifier(activity)
        except ValidationError as error:
            raise ValidationError({"funder_activity": error.messages}) from None
        lines.append(
            (
                line.funder,
                _amount(line.amount),
                _currency(line.currency),
                line.source_type,
                activity,
            )
        )
    place = place_within(table, data.geometry) if data.geometry else None
    created = initiative is None
    initiative = initiative or Initiative(table=table, is_demo=is_demo)
    for name in (
        "title",
        "organization",
        "starts_on",
        "ends_on",
        "axis",
        "description",
        "status",
        "progress",
        "place",
        "people",
        "families",
        "communities",
    ):
        setattr(initiative, name, getattr(data, name))
    initiative.title = initiative.title.strip()
    if not initiative.title:
        raise ValidationError({"title": _("An initiative needs a title.")})
    if place is not None:
        initiative.geometry = geo.to_geojson(place)
        initiative.west, initiative.south, initiative.east, initiative.north = place.bounds
    else:
        initiative.geometry = initiative.west = initiative.south = initiative.east = (
            initiative.north
        ) = None
    initiative.save()
    initiative.objectives.set(data.objectives)
    initiative.fundings.all().delete()
    Funding.objects.bulk_create(
        Funding(
            initiative=initiative,
            funder=f,
            amount=a,
            currency=c,
            source_type=s,
            funder_activity=activity,
        )
        for f, a, c, s, activity in lines
    )
    record_event(
        events.INITIATIVE_CREATED if created else events.INITIATIVE_UPDATED,
        actor=by,
        table=table,
        subject=initiative,
        payload={
            "title": initiative.title,
            "organization": data.organization.public_id,
            "fundings": len(lines),
        },
    )
    return initiative


@transaction.atomic
def set_rate(
    *, by: Actor, table: Table, currency: str, valid_on: dt.date, rate: Any, source: str = ""
) -> ExchangeRate:
    require(by, table, "initiative.manage")
    code = _currency(currency)
    try:
        value = Decimal(str(rate))
    except InvalidOperation:
        raise ValidationError({"rate": _("%(value)s is not a rate.") % {"value": rate}}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({"rate": _("A rate must be more than zero.")})
    record, _created = ExchangeRate.objects.update_or_create(
        table=table,
        currency=code,
        valid_on=valid_on,
        defaults={"rate": value, "source": source.strip()},
    )
    record_event(
        events.RATE_SET,
        actor=by,
        table=table,
        payload={"currency": code, "valid_on": valid_on.isoformat(), "rate": str(value)},
    )
    return record


@transaction.atomic
def pool_initiatives(
    *, by: Actor, table: Table, initiatives: list[Initiative], title: str
) -> Initiative:
    """Join initiatives into one joint initiative; each keeps its organization and money."""
    require(by, table, "initiative.manage")
    if len(initiatives) < 2:
        raise ValidationError(_("Choose at least two initiatives to pool."))
    if any(i.table_id != table.pk or i.pooled_into_id or i.is_joint for i in initiatives):
        raise ValidationError(
            _("Only this table's initiatives that are not pooled yet can be pooled.")
        )
    if not title.strip():
        raise ValidationError(_("Give the joint initiative a title."))
    lead = initiatives[0]
    joint = Initiative(
        table=table,
        title=title.strip()[:200],
        organization=lead.organization,
        **worded(
            description=message(
                gettext_noop("Joint initiative of: %(names)s"),
                names=", ".join(i.organization.name for i in initiatives),
            )
        ),
        axis=lead.axis,
        status=InitiativeStatus.ONGOING,
        starts_on=min(i.starts_on for i in initiatives),
        ends_on=max(i.ends_on for i in initiatives),
        people=sum(i.people for i in initiatives),
        families=sum(i.families for i in initiatives),
        communities=sum(i.communities for i in initiatives),
        # The parts' progress carries over: their mean, each part counting once.
        progress=round(sum(i.progress for i in initiatives) / len(initiatives)),
        is_joint=True,
    )
    place = _joint_place(initiatives)
    if place is not None:
        joint.geometry = geo.to_geojson(place)
        joint.west, joint.south, joint.east, joint.north = place.bounds
    joint.save()
    for part in initiatives:
        Initiative.objects.filter(pk=part.pk).update(
            pooled_into=joint, status=InitiativeStatus.POOLED, status_before_pooling=part.status
        )
    record_event(
        events.INITIATIVES_POOLED,
        actor=by,
        table=table,
        subject=joint,
        payload={"members": [i.public_id for i in initiatives]},
    )
    return joint


def _joint_place(initiatives: list[Initiative]) -> BaseGeometry | None:
    """Where a joint initiative is: the union of its parts' areas; with only points, the lead
    part's point (each part keeps its own place). Always a Point, Polygon or MultiPolygon, the
    places the rest of minga reads."""
    places = [geo.parse_place(i.geometry) for i in initiatives if i.geometry]
    areas = [p for p in places if p.geom_type in ("Polygon", "MultiPolygon")]
    if areas:
        return unary_union(areas)  # the union of areas is an area
    return places[0] if places else None


@transaction.atomic
def unpool_initiatives(*, by: Actor, table: Table, joint: Initiative) -> list[Initiative]:
    """Undo a pooling: the parts come back with the status they had, and the joint initiative
    goes, unless something was recorded against it since (funding, reports, commitments)."""
    require(by, table, "initiative.manage")
    if joint.table_id != table.pk or not joint.is_joint:
        raise ValidationError(_("Only a joint initiative can be split again."))
    parts = list(Initiative.objects.filter(pooled_into=joint))
    for relation in joint._meta.related_objects:
        if relation.related_model is Initiative and relation.field.name == "pooled_into":
            continue
        accessor = relation.get_accessor_name()
        if accessor and relation.one_to_many and getattr(joint, accessor).exists():
            raise ValidationError(
                _(
                    "Records were made against the joint initiative since it was pooled "
                    "(%(what)s): move them to its parts first."
                )
                % {"what": relation.related_model._meta.verbose_name_plural}
            )
    for part in parts:
        Initiative.objects.filter(pk=part.pk).update(
            pooled_into=None,
            status=part.status_before_pooling or InitiativeStatus.ONGOING,
            status_before_pooling="",
        )
    record_event(
        events.INITIATIVES_UNPOOLED,
        actor=by,
        table=table,
        subject=joint,
        payload={"members": [p.public_id for p in parts], "title": joint.title},
    )
    joint.delete()
    return parts


# --- commitments ------------------------------------------------------------------------------


@transaction.atomic
def make_commitment(
    *,
    by: Actor,
    table: Table,
    organization: Organization,
    what: str,
    to_whom: str,
    due_on: dt.date,
    meeting: Meeting | None = None,
    is_demo: bool = False,
) -> Commitment:
    if not (may(by, table, "commitment.manage") or speaks_for(by, table, organization)):
        raise PermissionDenied(_("You may only record your own organization's commitments."))
    if not what.strip() or not to_whom.strip():
        raise ValidationError(_("Say what was promised and to whom."))
    if meeting is not None and meeting.table_id != table.pk:
        raise ValidationError(_("That meeting belongs to another table."))
    if meeting is not None and due_on < timezone.localdate(meeting.starts_at):
        raise ValidationError(
            {
                "due_on": _(
                    "A commitment made at a meeting falls due after it, not before %(day)s."
                )
                % {"day": formats.date_format(timezone.localdate(meeting.starts_at))}
            }
        )
    commitment = Commitment.objects.create(
        table=table,
        organization=organization,
        what=what.strip(),
        to_whom=to_whom.strip(),
        due_on=due_on,
        meeting=meeting,
        is_demo=is_demo,
    )
    record_event(
        events.COMMITMENT_MADE,
        actor=by,
        table=table,
        subject=commitment,
        payload={"organization": organization.public_id, "due_on": due_on.isoformat()},
    )
    return commitment


def may_update_commitment(by: Actor, commitment: Commitment) -> bool:
    table = commitment.table
    return may(by, table, "commitment.manage") or speaks_for(by, table, commitment.organization)


@transaction.atomic
def update_commitment(
    *,
    by: Actor,
    commitment: Commitment,
    status: str,
    evidence: str = "",
    reason: str = "",
    seen: str | None = None,
) -> Commitment:
    """Record where a commitment stands; ``seen`` is the version the person looked at (an
    ``EditConflict`` if someone updated it since)."""
    table = commitment.table
    if not may_update_commitment(by, commitment):
        raise PermissionDenied(_("You may only record your own organization's commitments."))
    commitment = lock_unchanged(commitment, seen)
    if status not in CommitmentStatus.values:
        raise ValidationError(
            {"status": _("%(value)s is not a status of a commitment.") % {"value": status}}
        )
    if status == CommitmentStatus.DROPPED and not reason.strip():
        raise ValidationError({"reason": _("Say why the commitment was dropped.")})
    if status == CommitmentStatus.FULFILLED and not (evidence.strip() or commitment.evidence):
        raise ValidationError({"evidence": _("A fulfilled commitment needs its evidence.")})
    before = commitment.status
    commitment.status = status
    if evidence.strip():
        commitment.evidence = evidence.strip()
    commitment.dropped_reason = reason.strip() if status == CommitmentStatus.DROPPED else ""
    commitment.fulfilled_on = timezone.localdate() if status == CommitmentStatus.FULFILLED else None
    commitment.save()
    record_event(
        events.COMMITMENT_UPDATED,
        actor=by,
        table=table,
        subject=commitment,
        payload={"before": before, "after": status},
    )
    return commitment


@transaction.atomic
def mark_overdue(*, by: Actor, today: dt.date | None = None) -> int:
    """The daily task: commitments past their date that are neither kept nor dropped."""
    today = today or timezone.localdate()
    late = list(
        Commitment.objects.select_for_update()
        .filter(
            due_on__lt=today, status__in=[CommitmentStatus.PENDING, CommitmentStatus.IN_PROGRESS]
        )
        .select_related("table")
    )
    for commitment in late:
        commitment.status = CommitmentStatus.OVERDUE
        commitment.save(update_fields=["status", "updated_at"])
        record_event(
            events.DUE_DATE_PASSED,
            actor=by,
            table=commitment.table,
            subject=commitment,
            payload={"due_on": commitment.due_on.isoformat()},
        )
    return len(late)


REMINDER_DAYS = 7


def send_reminders(*, by: Actor, today: dt.date | None = None) -> int:
    """E-mail each open commitment's organization a week before its date, once."""

    today = today or timezone.localdate()
    due = Commitment.objects.filter(
        status__in=[CommitmentStatus.PENDING, CommitmentStatus.IN_PROGRESS],
        due_on__gte=today,
        due_on__lte=today + dt.timedelta(days=REMINDER_DAYS),
        reminded_at__isnull=True,
    ).select_related("table", "organization")
    sent = 0
    for commitment in due:
        emails = sorted(
            set(
                Membership.objects.active()
                .filter(table=commitment.table, organization=commitment.organization)
                .exclude(person__email="")
                .values_list("person__email", flat=True)
            )
        )
        with transaction.atomic():
            Commitment.objects.filter(pk=commitment.pk).update(reminded_at=timezone.now())
            record_event(
                events.COMMITMENT_REMINDED,
                actor=by,
                table=commitment.table,
                subject=commitment,
                payload={"recipients": len(emails)},
            )
        if emails:
            subject = _("Reminder: a commitment of %(organization)s is due on %(date)s") % {
                "organization": commitment.organization.name,
                "date": commitment.due_on.isoformat(),
            }
            body = _("%(table)s\n\n%(what)s\n— to %(to_whom)s, by %(date)s.") % {
                "table": commitment.table.name,
                "what": commitment.what,
                "to_whom": commitment.to_whom,
                "date": commitment.due_on.isoformat(),
            }
            send_mail(subject, body, None, emails)
            sent += 1
    return sent


# --- accountability reports -------------------------------------------------------------------


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    if period == ReportPeriod.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + 2
    end = (dt.date(day.year + (end_month == 12), end_month % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


@transaction.atomic
def publish_report(
    *, by: Actor, table: Table, period: str, day: dt.date, early: bool = False
) -> AccountabilityReport:
    """Freeze the period's figures into a published report. A period not yet over is published
    only when asked for in so many words (``early``), and the report says so."""

    require(by, table, "report.publish")
    if period not in ReportPeriod.values:
        raise ValidationError({"period": _("Choose a quarter or a year.")})
    starts_on, ends_on = period_bounds(period, day)
    today = timezone.localdate()
    if ends_on >= today and not early:
        raise ValidationError(
            {
                "early": _(
                    "The period ends on %(date)s: a report published now freezes its figures "
                    "without the rest of the period. Tick the box to publish it anyway."
                )
                % {"date": formats.date_format(ends_on, "DATE_FORMAT")}
            }
        )
    if AccountabilityReport.objects.filter(
        table=table, period=period, starts_on=starts_on
    ).exists():
        raise ValidationError(_("The report for this period is already published."))
    figures = report_figures(table, starts_on, ends_on)
    if ends_on >= today:
        figures["published_early"] = today.isoformat()
    label = (
        f"{starts_on.year}-T{(starts_on.month - 1) // 3 + 1}"
        if period == ReportPeriod.QUARTER
        else str(starts_on.year)
    )
    report = AccountabilityReport.objects.create(
        table=table,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        **worded(title=message(gettext_noop("Accountability report %(period)s"), period=label)),
        figures=figures,
        published_by=person_user(by),
    )
    record_event(
        events.REPORT_PUBLISHED,
        actor=by,
        table=table,
        subject=report,
        payload={
            "period": period,
            "starts_on": starts_on.isoformat(),
            "total": figures["money"]["total"],
        },
    )
    return report


@transaction.atomic
def attest_report(
    *,
    by: Actor,
    report: AccountabilityReport,
    statement: str,
    organization: Organization | None = None,
) -> AccountabilityReport:
    """An independent observer organization attests the report."""
    table = report.table
    require(by, table, "report.attest")
    seat = (
        seats_for(by, table).filter(role="observer").select_related("organization").first()
        if not isinstance(by, SystemActor)
        else None
    )
    attester = (
        organization if isinstance(by, SystemActor) else (seat.organization if seat else None)
    )
    if attester is None:
        raise PermissionDenied(_("Only an observer organization of the table may attest a report."))
    if report.attested_at is not None:
        raise ValidationError(_("This report is already attested."))
    if not statement.strip():
        raise ValidationError({"statement": _("Write the attestation.")})
    report.attested_by, report.attested_at, report.attestation = (
        attester,
        timezone.now(),
        statement.strip(),
    )
    report.save(update_fields=["attested_by", "attested_at", "attestation"])
    record_event(
        events.REPORT_ATTESTED,
        actor=by,
        table=table,
        subject=report,
        payload={"organization": attester.public_id, "statement": report.attestation},
    )
    return report


@transaction.atomic
def import_initiatives(*, by: Actor, table: Table, rows: list[dict[str, str]]) -> list[Initiative]:
    """Create or (by their ``id``) update initiatives from spreadsheet rows, all or nothing.

    Rows with the same ``id`` — or, for new initiatives, the same title and organization — are
    one initiative with several funding lines, as the export writes them.
    """

    require(by, table, "initiative.manage")
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        key = (
            ("id", row["id"].strip())
            if row.get("id", "").strip()
            else ("new", row["title"].strip().lower(), row["organization"].strip().lower())
        )
        groups.setdefault(key, []).append((number, row))
    saved: list[Initiative] = []
    errors: dict[int, list[str]] = {}
    for group_key, members in groups.items():
        parsed: list[InitiativeData] = []
        for number, row in members:
            try:
                parsed.append(to_data(table, row))
            except ValidationError as exc:
                errors[number] = messages_of(exc)
        if len(parsed) != len(members):
            continue
        data = parsed[0]
        data.fundings = [line for item in parsed for line in item.fundings]
        number = members[0][0]
        try:
            with transaction.atomic():
                existing = None
                if group_key[0] == "id":
                    existing = Initiative.objects.filter(
                        table=table, public_id=group_key[1]
                    ).first()
                    if existing is None:
                        raise ValidationError(
                            {
                                "id": _("No initiative of this table has the id %(value)s.")
                                % {"value": group_key[1]}
                            }
                        )
                saved.append(save_initiative(by=by, table=table, data=data, initiative=existing))
        except ValidationError as exc:
            errors[number] = messages_of(exc)
    if errors:
        transaction.set_rollback(True)
        raise ImportFailed(dict(sorted(errors.items())))
    record_event(events.INITIATIVES_IMPORTED, actor=by, table=table, payload={"rows": len(rows)})
    return saved
