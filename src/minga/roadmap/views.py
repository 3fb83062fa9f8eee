from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minga.core.forms import add_errors, run_posted
from minga.roadmap import queries, services
from minga.roadmap.forms import (
    AxisForm,
    IndicatorForm,
    MeasurementForm,
    MilestoneForm,
    ObjectiveForm,
    ResultForm,
    ResultStatusForm,
)
from minga.roadmap.models import Axis, Indicator, Objective, Result
from minga.tables import queries as tables
from minga.tables.models import Table


@require_GET
def roadmap(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    return _page(request, table)


def _page(
    request: HttpRequest, table: object, *, status: int = 200, **forms: object
) -> HttpResponse:
    return render(
        request,
        "roadmap/roadmap.html",
        {
            "table": table,
            "axes": queries.roadmap_of(table),  # type: ignore[arg-type]
            "may_edit": tables.may(request.user, table, "roadmap.edit"),  # type: ignore[arg-type]
            "signed_in": request.user.is_authenticated,
            "measurement_form": forms.get("measurement_form") or MeasurementForm(),
            "blank_form": MeasurementForm(),
            "objective_form": ObjectiveForm(),
            "indicator_form": IndicatorForm(),
            "result_form": ResultForm(),
            "status_form": ResultStatusForm(),
            "milestone_form": MilestoneForm(),
            "axis_form": forms.get("axis_form") or AxisForm(),
            "failed_indicator": forms.get("failed_indicator"),
        },
        status=status,
    )


@login_required
@require_POST
def add_axis(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "roadmap.edit")
    form = AxisForm(request.POST)
    if form.is_valid():
        try:
            services.create_axis(by=request.user, table=table, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("roadmap", slug=table.slug)
    return _page(request, table, status=400, axis_form=form)


@login_required
@require_POST
def measure(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    try:
        indicator = Indicator.objects.select_related("objective__axis__table", "responsible").get(
            public_id=public_id, objective__axis__table=table
        )
    except Indicator.DoesNotExist:
        raise Http404 from None
    if not services.may_measure(request.user, indicator):
        raise PermissionDenied(
            _(
                "Only %(organization)s, responsible for this indicator, or the secretariat may measure it."
            )
            % {"organization": indicator.responsible.name}
        )
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            services.record_measurement(by=request.user, indicator=indicator, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The measurement was recorded."))
            return redirect("roadmap", slug=table.slug)
    return _page(request, table, status=400, measurement_form=form, failed_indicator=indicator.pk)


def _roadmap_item(request: HttpRequest, slug: str) -> Table:
    table = tables.get_table(slug)
    tables.require(request.user, table, "roadmap.edit")
    return table


def _done(request: HttpRequest, table: Table, form: Any, action: Any) -> HttpResponse:
    """Run ``action`` with the valid form's data; back to the roadmap, with the error if any."""
    run_posted(request, form, action, done=_("The roadmap was updated."))
    return redirect("roadmap", slug=table.slug)


@login_required
@require_POST
def add_objective(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = _roadmap_item(request, slug)
    axis = get_object_or_404(Axis, table=table, public_id=public_id)
    return _done(
        request,
        table,
        ObjectiveForm(request.POST),
        lambda d: services.create_objective(by=request.user, axis=axis, title=d["title"]),
    )


@login_required
@require_POST
def add_indicator(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = _roadmap_item(request, slug)
    objective = get_object_or_404(Objective, axis__table=table, public_id=public_id)
    return _done(
        request,
        table,
        IndicatorForm(request.POST),
        lambda d: services.create_indicator(by=request.user, objective=objective, **d),
    )


@login_required
@require_POST
def add_result(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = _roadmap_item(request, slug)
    objective = get_object_or_404(Objective, axis__table=table, public_id=public_id)

    def create(d: dict[str, Any]) -> None:
        parent_id = d["parent"] or request.GET.get("parent", "")
        parent = (
            Result.objects.filter(objective=objective, public_id=parent_id).first()
            if parent_id
            else None
        )
        services.create_result(
            by=request.user,
            objective=objective,
            title=d["title"],
            parent=parent,
            weight=d["weight"],
        )

    return _done(request, table, ResultForm(request.POST), create)


@login_required
@require_POST
def update_result(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = _roadmap_item(request, slug)
    result = get_object_or_404(Result, objective__axis__table=table, public_id=public_id)
    return _done(
        request,
        table,
        ResultStatusForm(request.POST),
        lambda d: services.update_result(by=request.user, result=result, **d),
    )


@login_required
@require_POST
def add_milestone(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = _roadmap_item(request, slug)
    result = get_object_or_404(Result, objective__axis__table=table, public_id=public_id)
    return _done(
        request,
        table,
        MilestoneForm(request.POST, request.FILES),
        lambda d: services.add_milestone(by=request.user, result=result, **d),
    )
