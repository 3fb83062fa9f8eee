"""Every change to table health and risks: funding of the secretariat, training, elections and
handover packs, the risk register, incidents with their crisis meeting and response, snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from minga.core.access import SYSTEM, Actor, Sensitivity, person_user
from minga.core.events import record_event
from minga.core.money import validate_currency
from minga.core.text import is_message, kept, message, worded
from minga.health import events, index, queries
from minga.health.models import (
    Election,
    HandoverPack,
    HealthSnapshot,
    Incident,
    IncidentKind,
    ResponseTask,
    Risk,
    RiskKind,
    SecretariatFunding,
    TrainingAttendance,
    TrainingSession,
)
from minga.meetings import services as meetings
from minga.meetings.models import Meeting, MeetingKind
from minga.tables.models import Membership, Organization, Person, Table
from minga.tables.queries import require

# a field alert of these kinds opens an incident (unless one of that kind is already open)
ALERT_INCIDENTS = {"fire": IncidentKind.WILDFIRE, "mining": IncidentKind.ILLEGAL_ACTIVITY}
ALERT_FRESH_DAYS = 14  # older alerts are history coming in with an import, not an emergency


def _period(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date comes before the start date.")})


@transaction.atomic
def record_secretariat_funding(
    *,
    by: Actor,
    table: Table,
    source: str,
    amount: Decimal,
    currency: str,
    starts_on: dt.date,
    ends_on: dt.date,
    organization: Organization | None = None,
    reference: str = "",
) -> SecretariatFunding:
    require(by, table, "health.manage")
    validate_currency(currency)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be above zero.")})
    _period(starts_on, ends_on)
    if not source.strip():
        raise ValidationError({"source": _("Say where the money comes from.")})
    funding = SecretariatFunding.objects.create(
        table=table,
        source=source.strip(),
        organization=organization,
        amount=amount,
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
        reference=reference.strip(),
    )
    record_event(
        events.SECRETARIAT_FUNDED,
        actor=by,
        table=table,
        subject=funding,
        sensitivity=Sensitivity.TABLE,  # the funding list is for members
        payload={
            "source": funding.source,
            "amount": str(amount),
            "currency": currency,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return funding


@transaction.atomic
def record_training(
    *,
    by: Actor,
    table: Table,
    title: str,
    held_on: dt.date,
    people: Sequence[Person],
    topic: str = "",
    hours: Decimal = Decimal(4),
) -> TrainingSession:
    """A training session and who attended it, each with the organization they hold a seat for."""
    require(by, table, "health.manage")
    if not title.strip():
        raise ValidationError({"title": _("Give the session a title.")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Record a training session once it has been held.")})
    seats = {
        m.person_id: m.organization_id
        for m in Membership.objects.filter(table=table, person__in=people)
    }
    strangers = [p.full_name for p in people if p.pk not in seats]
    if strangers:
        raise ValidationError(
            _("Not representatives of this table: %(names)s.") % {"names": ", ".join(strangers)}
        )
    session = TrainingSession.objects.create(
        table=table, title=title.strip(), topic=topic.strip(), held_on=held_on, hours=hours
    )
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(session=session, person=p, organization_id=seats[p.pk])
        for p in dict.fromkeys(people)
    )
    record_event(
        events.TRAINING_RECORDED,
        actor=by,
        table=table,
        subject=session,
        payload={"title": session.title, "held_on": held_on.isoformat(), "people": len(seats)},
    )
    return session


@transaction.atomic
def add_election(
    *,
    by: Actor,
    table: Table,
    office: str,
    jurisdiction: str,
    held_on: dt.date,
    takes_office_on: dt.date | None = None,
) -> Election:
    require(by, table, "health.manage")
    if not office.strip() or not jurisdiction.strip():
        raise ValidationError(_("Name the office and the jurisdiction."))
    if takes_office_on is not None and takes_office_on < held_on:
        raise ValidationError(
            {"takes_office_on": _("New authorities take office after the election.")}
        )
    election = Election.objects.create(
        table=table,
        office=office.strip(),
        jurisdiction=jurisdiction.strip(),
        held_on=held_on,
        takes_office_on=takes_office_on,
    )
    record_event(
        events.ELECTION_ADDED,
        actor=by,
        table=table,
        subject=election,
        payload={"office": election.office, "held_on": held_on.isoformat()},
    )
    return election


@transaction.atomic
def record_handover_pack(
    *, by: Actor, table: Table, summary: str, prepared_on: dt.date | None = None
) -> HandoverPack:
    require(by, table, "health.manage")
    if not summary.strip():
        raise ValidationError({"summary": _("Say what the handover pack contains.")})
    pack = HandoverPack.objects.create(
        table=table, summary=summary.strip(), prepared_on=prepared_on or timezone.localdate()
    )
    record_event(
        events.HANDOVER_PACK_SAVED, actor=by, table=table, subject=pack, payload={"id": pack.pk}
    )
    return pack


def _scale(value: int, name: str) -> None:
    if not 1 <= value <= 5:
        raise ValidationError({name: _("Use a value from 1 to 5.")})


@transaction.atomic
def add_risk(
    *,
    by: Actor,
    table: Table,
    kind: str,
    title: str,
    likelihood: int,
    impact: int,
    mitigation: str = "",
) -> Risk:
    require(by, table, "health.manage")
    if kind not in RiskKind.values:
        raise ValidationError({"kind": _("%(value)s is not a kind of risk.") % {"value": kind}})
    _scale(likelihood, "likelihood")
    _scale(impact, "impact")
    if not title.strip():
        raise ValidationError({"title": _("Describe the risk.")})
    risk = Risk.objects.create(
        table=table,
        kind=kind,
        title=title.strip(),
        likelihood=likelihood,
        impact=impact,
        mitigation=mitigation.strip(),
    )
    record_event(events.RISK_ADDED, actor=by, table=table, subject=risk, payload={"kind": kind})
    return risk


@transaction.atomic
def close_risk(*, by: Actor, risk: Risk) -> Risk:
    require(by, risk.table, "health.manage")
    if not risk.open:
        raise ValidationError(_("This risk is already closed."))
    risk.open, risk.closed_at = False, timezone.now()
    risk.save(update_fields=["open", "closed_at", "updated_at"])
    record_event(events.RISK_CLOSED, actor=by, table=risk.table, subject=risk, payload={})
    return risk


def _raised(table: Table, today: dt.date) -> dict[str, tuple[str, Any, int, int, Any]]:
    """The risks the facts show today: key -> (kind, title, likelihood, impact, mitigation)."""
    found: dict[str, tuple[str, Any, int, int, Any]] = {}
    with translation.override("en"):  # English labels are their own msgids
        turnover = queries.turnover_warning(table, today)
    if turnover is not None:
        missing = [message(label) for label, done in turnover.checklist if not done]
        found[f"turnover:{turnover.election.pk}"] = (
            RiskKind.TURNOVER,
            message(
                gettext_noop(
                    "%(office)s election on %(day)s: the authorities who convene the table may "
                    "change."
                ),
                office=turnover.election.office,
                day=turnover.election.held_on.isoformat(),
            ),
            4 if missing else 2,
            4,
            message(gettext_noop("Still missing: %(items)s."), items=missing)
            if missing
            else message(gettext_noop("Continuity checklist complete.")),
        )
    facts = queries.facts_for(table, today)
    health = index.compute(facts)
    leadership = health.component("leadership").score
    if leadership is not None and leadership < 0.5:
        share = round(100 * facts.actions_by_top_person / facts.actions)
        found["leadership"] = (
            RiskKind.LEADERSHIP,
            message(
                gettext_noop("One person recorded %(share)s %% of the table's actions this year."),
                share=share,
            ),
            4,
            3,
            message(gettext_noop("Share the secretariat's work; train alternates.")),
        )
    if facts.secretariat_months_funded < 6:
        found["resources"] = (
            RiskKind.RESOURCES,
            message(
                gettext_noop("The secretariat is funded for %(months)s more months."),
                months=facts.secretariat_months_funded,
            ),
            4,
            4,
            message(
                gettext_noop(
                    "Ask the development banks for the platform budget line: 1 to 2 percent of "
                    "each operation."
                )
            ),
        )
    for incident in Incident.objects.filter(table=table, closed_at__isnull=True):
        found[f"incident:{incident.pk}"] = (
            RiskKind.SHOCK,
            kept(incident, "title"),
            5,
            4,
            message(gettext_noop("Crisis response under way: see the incident's tasks.")),
        )
    return found


@transaction.atomic
def assess_risks(*, table: Table, today: dt.date | None = None) -> list[Risk]:
    """Raise the risks the facts show and close the raised ones whose fact is gone."""
    today = today or timezone.localdate()
    raised = _raised(table, today)
    for risk in Risk.objects.filter(table=table, open=True).exclude(key=""):
        if risk.key not in raised:
            risk.open, risk.closed_at = False, timezone.now()
            risk.save(update_fields=["open", "closed_at", "updated_at"])
    risks = []
    for key, (kind, title, likelihood, impact, mitigation) in raised.items():
        risk, created = Risk.objects.update_or_create(
            table=table,
            key=key,
            defaults={
                "kind": kind,
                **worded(title=title, mitigation=mitigation),
                "likelihood": likelihood,
                "impact": impact,
                "open": True,
                "closed_at": None,
            },
        )
        if created:
            record_event(
                events.RISK_RAISED, actor=SYSTEM, table=table, subject=risk, payload={"key": key}
            )
        risks.append(risk)
    return risks


# --- incidents ---------------------------------------------------------------------------------


def _crisis_meeting(incident: Incident, starts_at: dt.datetime | None, place: str) -> Meeting:
    """The crisis meeting an incident convenes, as a draft the secretariat sends out."""
    table = incident.table
    # Tomorrow at 10:00 where the table meets (not 10:00 UTC, which is 5 a.m. in Ecuador).
    starts_at = starts_at or (timezone.localtime() + dt.timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    prefix = _("Crisis meeting: %(title)s") % {"title": ""}
    title: Any = kept(incident, "title")
    if not incident.title.lower().startswith(prefix.strip().lower()):
        title = message(gettext_noop("Crisis meeting: %(title)s"), title=title)
    meeting = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title=title,
        starts_at=starts_at,
        kind=MeetingKind.CRISIS,
        duration_minutes=120,
        place=place or table.province or table.name,
    )
    for item in (
        gettext_noop("What happened"),
        gettext_noop("Response tasks and who does them"),
    ):
        meetings.add_agenda_item(by=SYSTEM, meeting=meeting, title=message(item))
    return meeting


@transaction.atomic
def report_incident(
    *,
    by: Actor,
    table: Table,
    kind: str,
    title: str | dict[str, Any],
    description: str | dict[str, Any],
    occurred_on: dt.date,
    place: str = "",
    meeting_at: dt.datetime | None = None,
    meeting_url: Callable[[Meeting], str] | None = None,
    from_alert: str = "",
) -> Incident:
    """Record an incident and convene the table's crisis meeting for it."""
    require(by, table, "incident.report")
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": _("%(value)s is not a kind of incident.") % {"value": kind}})
    texts = {"title": title, "description": description}
    said = worded(**{k: v for k, v in texts.items() if is_message(v)})
    said.update({k: str(v).strip() for k, v in texts.items() if not is_message(v)})
    if not said["title"] or not said["description"]:
        raise ValidationError(_("Say what happened, with a title and a description."))
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("An incident cannot happen in the future.")})
    incident = Incident.objects.create(
        table=table,
        kind=kind,
        **said,
        occurred_on=occurred_on,
        place=place.strip(),
        from_alert=from_alert,
        reported_by=person_user(by),
    )
    incident.meeting = _crisis_meeting(incident, meeting_at, place.strip())
    incident.save(update_fields=["meeting"])
    if meeting_url is not None:
        meetings.convene_meeting(by=SYSTEM, meeting=incident.meeting, meeting_url=meeting_url)
    record_event(
        events.INCIDENT_REPORTED,
        actor=by,
        table=table,
        subject=incident,
        payload={"kind": kind, "title": incident.title, "from_alert": from_alert},
    )
    return incident


def _msgid(label: Any) -> str:
    """The source text of a lazy label (what the catalogs translate)."""
    with translation.override(None):
        return str(label)


def report_from_alert(event: Any, table: Table, kind: str, observed: dt.datetime) -> None:
    # The day where the table is: an alert seen at 20:00 in Macas is already tomorrow in UTC.
    day = timezone.localdate(observed) if timezone.is_aware(observed) else observed.date()
    report_incident(
        by=SYSTEM,
        table=table,
        kind=kind,
        title=message(
            gettext_noop("A field patrol reports: %(kind)s"),
            kind=message(_msgid(IncidentKind(kind).label)),
        ),
        description=message(
            gettext_noop("Raised by the field alert %(subject)s observed on %(day)s."),
            subject=event.subject,
            day=day.isoformat(),
        ),
        occurred_on=day,
        from_alert=event.subject,
    )


@transaction.atomic
def add_response_task(
    *, by: Actor, incident: Incident, title: str, organization: Organization, due_on: dt.date
) -> ResponseTask:
    require(by, incident.table, "incident.manage")
    if not incident.is_open:
        raise ValidationError(_("This incident is closed."))
    if not title.strip():
        raise ValidationError({"title": _("Say what has to be done.")})
    task = ResponseTask.objects.create(
        incident=incident, title=title.strip(), organization=organization, due_on=due_on
    )
    record_event(
        events.RESPONSE_TASK_ADDED,
        actor=by,
        table=incident.table,
        subject=incident,
        payload={"task": task.title, "organization": organization.name, "due_on": str(due_on)},
    )
    return task


@transaction.atomic
def complete_task(*, by: Actor, task: ResponseTask, note: str) -> ResponseTask:
    incident = task.incident
    require(by, incident.table, "incident.manage")
    if task.done_on is not None:
        raise ValidationError(_("This task is already done."))
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    task.done_on, task.note = timezone.localdate(), note.strip()
    task.save(update_fields=["done_on", "note"])
    record_event(
        events.RESPONSE_TASK_DONE,
        actor=by,
        table=incident.table,
        subject=incident,
        payload={"task": task.title},
    )
    return task


@transaction.atomic
def close_incident(*, by: Actor, incident: Incident, note: str) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require(by, incident.table, "incident.manage")
    if not incident.is_open:
        raise ValidationError(_("This incident is already closed."))
    pending = incident.tasks.filter(done_on__isnull=True).count()
    if pending:
        raise ValidationError(
            _("%(n)s response tasks are still open: close them first.") % {"n": pending}
        )
    if not incident.tasks.exists():
        raise ValidationError(_("Record at least one response task before closing."))
    if not note.strip():
        raise ValidationError({"note": _("Say how the incident ended.")})
    incident.closed_at, incident.closing_note = timezone.now(), note.strip()
    incident.save(update_fields=["closed_at", "closing_note", "updated_at"])
    record_event(
        events.INCIDENT_CLOSED, actor=by, table=incident.table, subject=incident, payload={}
    )
    return incident


# --- snapshots ---------------------------------------------------------------------------------


@transaction.atomic
def take_snapshot(*, table: Table, as_of: dt.date | None = None) -> HealthSnapshot:
    """Store the index on ``as_of`` with its facts and weights (replacing that day's snapshot)."""
    as_of = as_of or timezone.localdate()
    facts = queries.facts_for(table, as_of)
    weights = index.weights_from(None)
    result = index.compute(facts, weights)
    snapshot, _created = HealthSnapshot.objects.update_or_create(
        table=table,
        as_of=as_of,
        defaults={
            "score": Decimal(str(result.score)),
            "facts": facts.as_dict(),
            "weights": weights,
            "components": {c.key: c.score for c in result.components},
        },
    )
    return snapshot


def month_ends(last: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the ``months`` months up to ``last`` (which closes the list)."""
    days = [last]
    first = last.replace(day=1)
    for _i in range(months - 1):
        first_prev = (first - dt.timedelta(days=1)).replace(day=1)
        days.append(first - dt.timedelta(days=1))
        first = first_prev
    return sorted(days)
