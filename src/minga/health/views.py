"""The table's health page (index, trend, risks, incidents, capacity) and incident pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minga.core import charts, outbox
from minga.core.access import Sensitivity, level_for
from minga.core.forms import run_posted, set_choices
from minga.health import forms, labels, queries, services
from minga.health.models import ResponseTask, Risk
from minga.tables import queries as tables
from minga.tables.models import Membership, Organization, Person


def _meeting_url(request: HttpRequest) -> Any:
    return lambda m: request.build_absolute_uri(
        reverse("meeting", args=[m.table.slug, m.public_id])
    )


def _forms(table: Any, data: Any = None) -> dict[str, Any]:
    def bound(action: str) -> Any:
        return data if data is not None and data.get("action") == action else None

    training = forms.TrainingForm(bound("training"), auto_id="training_%s")
    set_choices(
        training,
        "people",
        [
            (str(p.public_id), f"{p.full_name} · {m.organization.name}")
            for m in Membership.objects.active()
            .filter(table=table, person__isnull=False)
            .select_related("person", "organization")
            .order_by("person__full_name")
            if (p := m.person) is not None
        ],
    )
    return {
        "incident": forms.IncidentForm(bound("incident"), auto_id="incident_%s"),
        "risk": forms.RiskForm(bound("risk"), auto_id="risk_%s"),
        "training": training,
        "funding": forms.FundingForm(bound("funding"), auto_id="funding_%s"),
        "election": forms.ElectionForm(bound("election"), auto_id="election_%s"),
        "handover": forms.HandoverForm(bound("handover"), auto_id="handover_%s"),
    }


def _percent(score: float | None) -> int | None:
    return None if score is None else round(100 * score)


@require_GET
def health(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    as_of = timezone.localdate()
    current = queries.health_of(table, as_of)
    history = list(queries.history_of(table))
    trend = charts.columns(
        [s.as_of.strftime("%m/%y") for s in history] + [_("today")],
        [(_("Health index"), [float(s.score) for s in history] + [current.score], "")],
        title=_("Health index over time"),
        unit="",
    )
    rows = [
        {
            "key": c.key,
            "name": labels.NAMES[c.key],
            "score": _percent(c.score),
            "weight": c.weight,
            "explain": labels.explain(c),
            "before": _percent(history[0].components.get(c.key)) if history else None,
        }
        for c in current.components
    ]
    member = level_for(tables.roles_for(request.user, table)) >= Sensitivity.TABLE or getattr(
        request.user, "is_superuser", False
    )
    may_manage = tables.may(request.user, table, "health.manage")
    may_report = tables.may(request.user, table, "incident.report")
    return render(
        request,
        "health/health.html",
        {
            "table": table,
            "index": current,
            "as_of": as_of,
            "rows": rows,
            "trend": trend,
            "turnover": queries.turnover_warning(table),
            "risks": list(queries.risks_of(table)) if member else [],
            "member": member,
            "incidents": list(queries.incidents_of(table)),
            "trainings": list(queries.trainings_of(table)[:20]),
            "funding": list(queries.funding_of(table)) if member else [],
            "may_manage": may_manage,
            "may_report": may_report,
            "forms": _forms(table) if (may_manage or may_report) else {},
        },
    )


@outbox.once
@login_required
@require_POST
def act(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    action = request.POST.get("action", "")
    if action == "close_risk":
        tables.require(request.user, table, "health.manage")
        risk = get_object_or_404(Risk, table=table, pk=request.POST.get("risk") or 0)
        try:
            services.close_risk(by=request.user, risk=risk)
            messages.success(request, _("Risk closed."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("health", slug=table.slug)
    tables.require(
        request.user, table, "incident.report" if action == "incident" else "health.manage"
    )
    form = _forms(table, request.POST).get(action)
    if form is None:
        messages.error(request, _("Unknown action."))
        return redirect("health", slug=table.slug)
    created: dict[str, Any] = {}

    def run(d: dict[str, Any]) -> Any:
        if action == "incident":
            created["incident"] = services.report_incident(
                by=request.user,
                table=table,
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                occurred_on=d["occurred_on"],
                place=d["place"],
                meeting_url=_meeting_url(request),
            )
        elif action == "risk":
            services.add_risk(
                by=request.user,
                table=table,
                kind=d["kind"],
                title=d["title"],
                likelihood=d["likelihood"],
                impact=d["impact"],
                mitigation=d["mitigation"],
            )
        elif action == "training":
            services.record_training(
                by=request.user,
                table=table,
                title=d["title"],
                topic=d["topic"],
                held_on=d["held_on"],
                people=list(Person.objects.filter(public_id__in=d["people"])),
            )
        elif action == "funding":
            services.record_secretariat_funding(
                by=request.user,
                table=table,
                source=d["source"],
                amount=Decimal(d["amount"]),
                currency=d["currency"].strip().upper(),
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
            )
        elif action == "election":
            services.add_election(by=request.user, table=table, **d)
        else:
            services.record_handover_pack(by=request.user, table=table, summary=d["summary"])
        services.assess_risks(table=table)

    done = {
        "incident": _("Incident recorded: the crisis meeting is convened."),
        "risk": _("Risk added to the register."),
        "training": _("Training session recorded."),
        "funding": _("Secretariat funding recorded."),
        "election": _("Election added."),
        "handover": _("Handover pack recorded."),
    }[action]
    if run_posted(request, form, run, done=done) and "incident" in created:
        return redirect("incident", slug=table.slug, public_id=created["incident"].public_id)
    return redirect("health", slug=table.slug)


@require_GET
def incident(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_incident(table, public_id)
    may_manage = tables.may(request.user, table, "incident.manage") and found.is_open
    task_form = forms.TaskForm(auto_id="task_%s")
    set_choices(task_form, "organization", _organizations(table))
    return render(
        request,
        "health/incident.html",
        {
            "table": table,
            "incident": found,
            "tasks": list(found.tasks.select_related("organization")),
            "may_manage": may_manage,
            "task_form": task_form,
            "note_form": forms.NoteForm(auto_id="note_%s"),
        },
    )


def _organizations(table: Any) -> list[tuple[str, str]]:
    return [
        (str(o.public_id), o.name)
        for o in Organization.objects.filter(memberships__table=table).distinct().order_by("name")
    ]


@login_required
@require_POST
def incident_act(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_incident(table, public_id)
    tables.require(request.user, table, "incident.manage")
    action = request.POST.get("action", "")
    if action == "task":
        form: Any = forms.TaskForm(request.POST)
        set_choices(form, "organization", _organizations(table))

        def run(d: dict[str, Any]) -> Any:
            return services.add_response_task(
                by=request.user,
                incident=found,
                title=d["title"],
                organization=Organization.objects.get(public_id=d["organization"]),
                due_on=d["due_on"],
            )

        run_posted(request, form, run, done=_("Task added."))
    elif action in ("done", "close"):
        form = forms.NoteForm(request.POST)

        def finish(d: dict[str, Any]) -> Any:
            if action == "close":
                return services.close_incident(by=request.user, incident=found, note=d["note"])
            task = get_object_or_404(ResponseTask, incident=found, pk=request.POST.get("task") or 0)
            return services.complete_task(by=request.user, task=task, note=d["note"])

        ok = run_posted(
            request,
            form,
            finish,
            done=_("Incident closed.") if action == "close" else _("Task done."),
        )
        if ok:
            services.assess_risks(table=table)
    else:
        messages.error(request, _("Unknown action."))
    return redirect("incident", slug=table.slug, public_id=found.public_id)
