from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.agreements import queries, services
from minga.agreements.forms import (
    AgreementForm,
    ConsentForm,
    ConsultationForm,
    DeliveryForm,
    IncentiveForm,
    ObligationForm,
    SignForm,
    WithdrawForm,
)
from minga.agreements.models import Agreement
from minga.core.forms import run_posted, saved
from minga.core.reports import sections
from minga.core.svgmap import outline_svg
from minga.tables import queries as tables
from minga.tables.models import Table


@require_GET
def agreements(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = list(queries.agreements_of(table))
    return render(
        request,
        "agreements/agreements.html",
        {
            "table": table,
            "agreements": found,
            "outline": outline_svg(
                [(t.shape, t.name) for t in tables.territories_for(request.user, table)],
                title=table.name,
            ),
            "may_manage": tables.may(request.user, table, "agreement.manage"),
        },
    )


@require_GET
def geojson(request: HttpRequest, slug: str) -> JsonResponse:
    table = tables.get_table(slug)
    features = []
    for agreement in queries.agreements_of(table):
        area = queries.visible_area(request.user, agreement)
        if area is not None:
            features.append(
                {
                    "type": "Feature",
                    "id": agreement.public_id,
                    "geometry": area,
                    "properties": {"label": agreement.title},
                }
            )
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Type"] = "application/geo+json"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def new_agreement(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "agreement.manage")
    form = AgreementForm(request.POST or None, table=table)
    agreement = saved(
        request, form, lambda d: services.create_agreement(by=request.user, table=table, **d)
    )
    if agreement is not None:
        return redirect("agreement", slug=table.slug, public_id=agreement.public_id)
    return render(
        request,
        "agreements/agreement_new.html",
        {"table": table, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _since(request: HttpRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        return None


@require_GET
def agreement(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_agreement(table, public_id)
    area = queries.visible_area(request.user, found)
    decisions = list(found.decisions.all())
    consent = decisions[-1] if decisions else None
    return render(
        request,
        "agreements/agreement.html",
        {
            "table": table,
            "agreement": found,
            "consent": consent,
            "decisions": decisions,
            "consultations": list(found.consultations.all()),
            "deliveries": queries.delivery_rows(found),
            "area_shown": area is not None,
            "sections": sections("agreement", agreement=found, since=_since(request)),
            "may_manage": tables.may(request.user, table, "agreement.manage"),
            "may_record": services.may_record(request.user, found),
            "forms": {
                "obligation": ObligationForm(),
                "incentive": IncentiveForm(),
                "consultation": ConsultationForm(),
                "consent": ConsentForm(),
                "sign": SignForm(),
                "delivery": DeliveryForm(),
                "withdraw": WithdrawForm(),
            },
        },
    )


def _act(
    request: HttpRequest,
    slug: str,
    public_id: str,
    form_class: Any,
    action: Callable[[Agreement, dict[str, Any]], Any],
    *,
    manage: bool,
) -> HttpResponse:
    """Check access, validate the posted form, run the service, return to the agreement."""
    table: Table = tables.get_table(slug)
    found = queries.get_agreement(table, public_id)
    allowed = (
        tables.may(request.user, table, "agreement.manage")
        if manage
        else services.may_record(request.user, found)
    )
    if not allowed:
        raise PermissionDenied(_("Only the table's secretariat or the community may record this."))
    run_posted(
        request,
        form_class(request.POST),
        lambda data: action(found, data),
        done=_("The agreement was updated."),
    )
    return redirect("agreement", slug=table.slug, public_id=found.public_id)


@login_required
@require_POST
def add_obligation(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    return _act(
        request,
        slug,
        public_id,
        ObligationForm,
        lambda a, d: services.add_obligation(by=request.user, agreement=a, **d),
        manage=True,
    )


@login_required
@require_POST
def add_incentive(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    return _act(
        request,
        slug,
        public_id,
        IncentiveForm,
        lambda a, d: services.add_incentive(by=request.user, agreement=a, **d),
        manage=True,
    )


@login_required
@require_POST
def add_consultation(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    return _act(
        request,
        slug,
        public_id,
        ConsultationForm,
        lambda a, d: services.record_consultation(by=request.user, agreement=a, **d),
        manage=False,
    )


@login_required
@require_POST
def record_consent(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    return _act(
        request,
        slug,
        public_id,
        ConsentForm,
        lambda a, d: services.record_consent(by=request.user, agreement=a, **d),
        manage=False,
    )


@login_required
@require_POST
def sign(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    return _act(
        request,
        slug,
        public_id,
        SignForm,
        lambda a, d: services.sign_agreement(by=request.user, agreement=a, **d),
        manage=True,
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    return _act(
        request,
        slug,
        public_id,
        WithdrawForm,
        lambda a, d: services.withdraw_consent(by=request.user, agreement=a, **d),
        manage=False,
    )


@login_required
@require_POST
def deliver(request: HttpRequest, slug: str, public_id: str, pk: int) -> HttpResponse:
    def action(found: Agreement, data: dict[str, Any]) -> None:
        incentive = get_object_or_404(found.incentives, pk=pk)
        services.record_delivery(by=request.user, incentive=incentive, **data)

    return _act(request, slug, public_id, DeliveryForm, action, manage=False)
