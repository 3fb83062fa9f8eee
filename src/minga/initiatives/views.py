from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.core.forms import add_errors
from minga.core.pages import other_params, page_of
from minga.core.pdf import pdf_response
from minga.core.spreadsheet import ImportFailed, read_rows, write_csv, write_xlsx
from minga.core.svgmap import outline_svg
from minga.initiatives import data as initiative_data
from minga.initiatives import queries, services, sheet
from minga.initiatives.forms import (
    AttestForm,
    CommitmentForm,
    CommitmentStatusForm,
    ImportForm,
    InitiativeForm,
    RateForm,
    ReportForm,
)
from minga.initiatives.models import ExchangeRate, Initiative, SourceType
from minga.tables import queries as tables
from minga.tables.models import Organization, Table


def _territory_outline(request: HttpRequest, table: Table) -> Any:
    return outline_svg(
        [(t.shape, t.name) for t in tables.territories_for(request.user, table)], title=table.name
    )


@require_GET
def initiatives(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    page = page_of(request, queries.initiatives_of(table))
    for initiative in page.object_list:
        initiative.money = queries.fundings_of(initiative)
    return render(
        request,
        "initiatives/initiatives.html",
        {
            "table": table,
            "initiatives": page.object_list,
            "page": page,
            "params": other_params(request),
            "outline": _territory_outline(request, table),
            "may_manage": tables.may(request.user, table, "initiative.manage"),
            "may_report": services.may_edit_initiative(request.user, table),
        },
    )


@require_GET
def geojson(request: HttpRequest, slug: str) -> JsonResponse:
    table = tables.get_table(slug)
    response = JsonResponse(queries.geojson_of(table))
    response["Content-Type"] = "application/geo+json"
    return response


@require_GET
def initiative(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_initiative(table, public_id)
    return render(
        request,
        "initiatives/initiative.html",
        {
            "table": table,
            "initiative": found,
            "fundings": queries.fundings_of(found),
            "members": list(found.members.select_related("organization")),
            "may_manage": tables.may(request.user, table, "initiative.manage"),
            # A pooled or joint initiative is edited through its members (see edit_initiative).
            "may_edit": not (found.is_joint or found.pooled_into_id)
            and services.may_edit_initiative(request.user, table, found.organization),
        },
    )


def _initial(found: Initiative) -> dict[str, Any]:
    point = (
        found.geometry["coordinates"]
        if found.geometry and found.geometry.get("type") == "Point"
        else [None, None]
    )
    funding = found.fundings.first()
    return {
        "title": found.title,
        "organization": found.organization,
        "axis": found.axis,
        "objectives": list(found.objectives.all()),
        "status": found.status,
        "progress": found.progress,
        "starts_on": found.starts_on,
        "ends_on": found.ends_on,
        "place": found.place,
        "longitude": point[0],
        "latitude": point[1],
        "people": found.people,
        "families": found.families,
        "communities": found.communities,
        "description": found.description,
        "funder": funding.funder if funding else None,
        "amount": funding.amount if funding else "",
        "currency": funding.currency if funding else "USD",
        "source_type": funding.source_type if funding else "grant",
        "funder_activity": funding.funder_activity if funding else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def edit_initiative(request: HttpRequest, slug: str, public_id: str | None = None) -> HttpResponse:
    """Create or edit one initiative; the secretariat any, a member its own organization's."""
    table = tables.get_table(slug)
    found = queries.get_initiative(table, public_id) if public_id else None
    if found is not None and (found.is_joint or found.pooled_into_id):
        raise PermissionDenied(_("A pooled or joint initiative is edited through its members."))
    if not services.may_edit_initiative(request.user, table, found.organization if found else None):
        raise PermissionDenied(_("You may only report your own organization's initiatives."))
    form = InitiativeForm(
        request.POST or None, table=table, initial=_initial(found) if found else None
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        geometry = None
        if d["longitude"] is not None and d["latitude"] is not None:
            geometry = {"type": "Point", "coordinates": [d["longitude"], d["latitude"]]}
        fundings = []
        if d["funder"] or d["amount"]:
            if not d["funder"]:
                form.add_error("funder", _("Choose the funder of this amount."))
            fundings = [
                initiative_data.FundingLine(
                    d["funder"], d["amount"], d["currency"], d["source_type"], d["funder_activity"]
                )
            ]
        data = initiative_data.InitiativeData(
            title=d["title"],
            organization=d["organization"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            axis=d["axis"],
            description=d["description"],
            status=d["status"],
            progress=d["progress"],
            place=d["place"],
            geometry=geometry,
            people=d["people"],
            families=d["families"],
            communities=d["communities"],
            objectives=list(d["objectives"]),
            fundings=fundings,
        )
        if not form.errors:
            try:
                saved = services.save_initiative(
                    by=request.user, table=table, data=data, initiative=found
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The initiative was saved."))
                return redirect("initiative", slug=table.slug, public_id=saved.public_id)
    return render(
        request,
        "initiatives/initiative_form.html",
        {"table": table, "form": form, "initiative": found},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def three_w(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    matrix = queries.three_w(table)
    rows = [
        {
            "organization": organization,
            "cells": [
                {
                    "initiatives": matrix.cell(organization, axis),
                    "places": sorted(matrix.places.get((organization, axis), set())),
                }
                for axis in matrix.axes
            ],
        }
        for organization in matrix.organizations
    ]
    return render(
        request, "initiatives/three_w.html", {"table": table, "axes": matrix.axes, "rows": rows}
    )


@require_GET
def alignment(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.alignment_of(table)
    return render(
        request,
        "initiatives/alignment.html",
        {
            "table": table,
            "found": found,
            "outline": _territory_outline(request, table),
            "may_manage": tables.may(request.user, table, "initiative.manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_initiatives(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "initiative.manage")
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["spreadsheet"]
        try:
            rows = read_rows(upload, upload.name, columns=sheet.COLUMNS, required=sheet.REQUIRED)
            saved = services.import_initiatives(by=request.user, table=table, rows=rows)
        except ImportFailed as exc:
            row_errors = exc.row_errors
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_error("spreadsheet", exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s initiative was imported.",
                    "%(count)s initiatives were imported.",
                    len(saved),
                )
                % {"count": len(saved)},
            )
            return redirect("alignment", slug=table.slug)
    return render(
        request,
        "initiatives/import.html",
        {"table": table, "form": form, "row_errors": sorted(row_errors.items())},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    table = tables.get_table(slug)
    rows = sheet.to_rows(list(queries.initiatives_of(table)))
    if fmt == "csv":
        response = HttpResponse(
            write_csv(sheet.COLUMNS, rows), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            write_xlsx(sheet.COLUMNS, rows, title="initiatives"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="initiatives-{table.slug}.{fmt}"'
    return response


@login_required
@require_POST
def pool(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "initiative.manage")
    chosen = list(
        Initiative.objects.filter(
            table=table, public_id__in=request.POST.getlist("initiatives")
        ).select_related("organization")
    )
    if len(chosen) < 2:
        messages.error(request, _("Choose at least two initiatives to pool."))
        return redirect("alignment", slug=table.slug)
    title = request.POST.get("title", "").strip()
    error = None
    if "confirm" in request.POST:
        try:
            joint = services.pool_initiatives(
                by=request.user, table=table, initiatives=chosen, title=title
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The initiatives are pooled into one joint initiative."))
            return redirect("initiative", slug=table.slug, public_id=joint.public_id)
    # First the person sees what pooling does, and names the joint initiative.
    return render(
        request,
        "initiatives/pool.html",
        {
            "table": table,
            "chosen": chosen,
            "title": title or chosen[0].title,
            "progress": round(sum(i.progress for i in chosen) / len(chosen)),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def unpool(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "initiative.manage")
    joint = get_object_or_404(Initiative, table=table, public_id=public_id, is_joint=True)
    try:
        parts = services.unpool_initiatives(by=request.user, table=table, joint=joint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("initiative", slug=table.slug, public_id=joint.public_id)
    messages.success(
        request,
        _("The pooling is undone: %(count)s initiatives are separate again.")
        % {"count": len(parts)},
    )
    return redirect("alignment", slug=table.slug)


@require_http_methods(["GET", "POST"])
def rates(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        tables.require(request.user, table, "initiative.manage")
        if form.is_valid():
            try:
                services.set_rate(by=request.user, table=table, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The exchange rate was saved."))
                return redirect("rates", slug=table.slug)
    return render(
        request,
        "initiatives/rates.html",
        {
            "table": table,
            "currency": queries.reporting_currency(table),
            "rates": list(ExchangeRate.objects.filter(table=table)),
            "form": form,
            "may_manage": tables.may(request.user, table, "initiative.manage"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _members(table: Table) -> Any:
    return Organization.objects.filter(
        memberships__table=table, memberships__until__isnull=True
    ).distinct()


@require_http_methods(["GET", "POST"])
def commitments(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    form = CommitmentForm(request.POST or None, organizations=_members(table))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            try:
                services.make_commitment(by=request.user, table=table, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The commitment was recorded."))
                return redirect("commitments", slug=table.slug)
    page = page_of(request, queries.commitments_of(table))
    return render(
        request,
        "initiatives/commitments.html",
        {
            "table": table,
            "commitments": page.object_list,
            "page": page,
            "params": other_params(request),
            "form": form,
            "status_form": CommitmentStatusForm(),
            "may_record": bool(tables.roles_for(request.user, table)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def commitment_status(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    commitment = queries.commitments_of(table).filter(public_id=public_id).first()
    if commitment is None:
        raise Http404
    if not services.may_update_commitment(request.user, commitment):
        raise PermissionDenied(_("You may only record your own organization's commitments."))
    form = CommitmentStatusForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            reason = data["reason"] or (data["evidence"] if data["status"] == "dropped" else "")
            evidence = "" if data["status"] == "dropped" else data["evidence"]
            services.update_commitment(
                by=request.user,
                commitment=commitment,
                status=data["status"],
                evidence=evidence,
                reason=reason,
                seen=data["seen"] or None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The commitment was updated."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect("commitments", slug=table.slug)


@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        tables.require(request.user, table, "report.publish")
        if form.is_valid():
            try:
                report = services.publish_report(by=request.user, table=table, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The report is published."))
                return redirect("report", slug=table.slug, public_id=report.public_id)
    return render(
        request,
        "initiatives/reports.html",
        {
            "table": table,
            "reports": list(queries.reports_of(table)),
            "form": form,
            "may_publish": tables.may(request.user, table, "report.publish"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _report_context(request: HttpRequest, slug: str, public_id: str) -> dict[str, Any]:
    table = tables.get_table(slug)
    found = queries.get_report(table, public_id)
    money = found.figures["money"]
    language = translation.get_language() or "es"
    for section in found.figures.get("sections", []):
        titles = section.get("titles", {})
        section["title"] = titles.get(language) or titles.get("es", "")
    return {
        "table": table,
        "report": found,
        "f": found.figures,
        "by_funder": queries.chart_rows(money["by_funder"]),
        "by_axis": queries.chart_rows(money["by_axis"]),
        "by_source": queries.chart_rows(
            [[str(SourceType(code).label), v] for code, v in money["by_source"]]
        ),
    }


@require_GET
def report(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    context = _report_context(request, slug, public_id)
    context["may_attest"] = (
        tables.may(request.user, context["table"], "report.attest")
        and not context["report"].attested_at
    )
    context["attest_form"] = AttestForm()
    return render(request, "initiatives/report.html", context)


@require_GET
def report_pdf(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    context = _report_context(request, slug, public_id)
    return pdf_response(
        request, "initiatives/report_pdf.html", context, filename=f"report-{public_id}.pdf"
    )


@login_required
@require_POST
def attest(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_report(table, public_id)
    tables.require(request.user, table, "report.attest")
    form = AttestForm(request.POST)
    if form.is_valid():
        try:
            services.attest_report(
                by=request.user, report=found, statement=form.cleaned_data["statement"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your attestation is recorded."))
    else:
        messages.error(request, _("Write the attestation."))
    return redirect("report", slug=table.slug, public_id=found.public_id)
