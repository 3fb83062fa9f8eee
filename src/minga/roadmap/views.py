from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minga.core.forms import add_errors
from minga.roadmap import queries, services
from minga.roadmap.forms import AxisForm, MeasurementForm
from minga.roadmap.models import Indicator
from minga.tables import queries as tables


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
