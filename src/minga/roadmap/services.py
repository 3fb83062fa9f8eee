"""Every state change of the roadmap: axes, objectives, indicators, measurements, results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minga.core.access import Actor, person_user
from minga.core.events import record_event
from minga.roadmap import events
from minga.roadmap.models import (
    Axis,
    Indicator,
    Measurement,
    Milestone,
    Objective,
    Result,
    ResultStatus,
)
from minga.tables.models import Membership, Organization, Table
from minga.tables.queries import may, require, speaks_for


@transaction.atomic
def create_axis(*, by: Actor, table: Table, name: str, description: str = "") -> Axis:
    require(by, table, "roadmap.edit")
    if Axis.objects.filter(table=table, name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("The table already has an axis with this name.")})
    axis = Axis.objects.create(
        table=table,
        name=name.strip(),
        description=description.strip(),
        position=table.axes.count() + 1,
    )
    record_event(
        events.AXIS_CREATED, actor=by, table=table, subject=axis, payload={"name": axis.name}
    )
    return axis


@transaction.atomic
def create_objective(*, by: Actor, axis: Axis, title: str, description: str = "") -> Objective:
    require(by, axis.table, "roadmap.edit")
    objective = Objective.objects.create(
        axis=axis, title=title.strip(), description=description.strip()
    )
    record_event(
        events.OBJECTIVE_CREATED,
        actor=by,
        table=axis.table,
        subject=objective,
        payload={"title": objective.title},
    )
    return objective


@transaction.atomic
def create_indicator(
    *,
    by: Actor,
    objective: Objective,
    name: str,
    unit: str,
    baseline: Decimal,
    target: Decimal,
    responsible: Organization,
    frequency: str = "quarterly",
) -> Indicator:
    table = objective.axis.table
    require(by, table, "roadmap.edit")
    if baseline == target:
        raise ValidationError({"target": _("The target must differ from the baseline.")})
    if not Membership.objects.active().filter(table=table, organization=responsible).exists():
        raise ValidationError(
            {"responsible": _("The responsible organization must be a member of the table.")}
        )
    indicator = Indicator(
        objective=objective,
        name=name.strip(),
        unit=unit.strip(),
        baseline=baseline,
        target=target,
        responsible=responsible,
        frequency=frequency,
    )
    indicator.full_clean()
    indicator.save()
    record_event(
        events.INDICATOR_CREATED,
        actor=by,
        table=table,
        subject=indicator,
        payload={"name": indicator.name},
    )
    return indicator


def may_measure(by: Actor, indicator: Indicator) -> bool:
    table = indicator.objective.axis.table
    return speaks_for(by, table, indicator.responsible) or may(by, table, "roadmap.edit")


@transaction.atomic
def record_measurement(
    *, by: Actor, indicator: Indicator, measured_on: dt.date, value: Decimal, evidence: str = ""
) -> Measurement:
    """Only the organization responsible for the indicator (or the secretariat) measures it."""
    table = indicator.objective.axis.table
    if not may_measure(by, indicator):
        raise PermissionDenied(
            _(
                "Only %(organization)s, responsible for this indicator, or the secretariat may measure it."
            )
            % {"organization": indicator.responsible.name}
        )
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": _("A measurement cannot be dated in the future.")})
    if Measurement.objects.filter(indicator=indicator, measured_on=measured_on).exists():
        raise ValidationError(
            {"measured_on": _("This indicator already has a measurement on that day.")}
        )
    measurement = Measurement.objects.create(
        indicator=indicator,
        measured_on=measured_on,
        value=value,
        evidence=evidence.strip(),
        recorded_by=person_user(by),
    )
    record_event(
        events.MEASUREMENT_RECORDED,
        actor=by,
        table=table,
        subject=indicator,
        payload={"measured_on": measured_on.isoformat(), "value": str(value)},
    )
    return measurement


@transaction.atomic
def create_result(
    *,
    by: Actor,
    objective: Objective,
    title: str,
    parent: Result | None = None,
    weight: Decimal = Decimal(1),
    status: str = ResultStatus.NOT_STARTED,
    progress: Decimal | None = None,
) -> Result:
    table = objective.axis.table
    require(by, table, "roadmap.edit")
    if parent is not None and parent.objective_id != objective.pk:
        raise ValidationError(_("A sub-result belongs to the same objective as its parent."))
    result = Result(
        objective=objective,
        parent=parent,
        title=title.strip(),
        weight=weight,
        status=status,
        progress=progress,
    )
    result.full_clean()
    result.save()
    record_event(
        events.RESULT_CREATED,
        actor=by,
        table=table,
        subject=result,
        payload={"title": result.title},
    )
    return result


@transaction.atomic
def update_result(
    *, by: Actor, result: Result, status: str, progress: Decimal | None = None
) -> Result:
    table = result.objective.axis.table
    require(by, table, "roadmap.edit")
    if status not in ResultStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    result.status, result.progress = status, progress
    result.full_clean()
    result.save(update_fields=["status", "progress", "updated_at"])
    record_event(
        events.RESULT_UPDATED,
        actor=by,
        table=table,
        subject=result,
        payload={"status": status, "progress": str(progress)},
    )
    return result


@transaction.atomic
def add_milestone(
    *,
    by: Actor,
    result: Result,
    title: str,
    reached_on: dt.date,
    evidence: Any = None,
    note: str = "",
) -> Milestone:
    table = result.objective.axis.table
    require(by, table, "roadmap.edit")
    milestone = Milestone(result=result, title=title.strip(), reached_on=reached_on, note=note)
    if evidence is not None:
        milestone.evidence = evidence
    milestone.full_clean()
    milestone.save()
    record_event(
        events.MILESTONE_ADDED,
        actor=by,
        table=table,
        subject=result,
        payload={"title": milestone.title},
    )
    return milestone
