"""The public registry of a table, and retirement certificates (page, PDF, JSON)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minga.core.pdf import pdf_response
from minga.credits import queries
from minga.ledger import services as ledger
from minga.tables import queries as tables


@require_GET
def registry(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    return render(
        request,
        "credits/registry.html",
        {
            "table": table,
            "projects": list(queries.projects_of(table)),
            "batches": list(queries.batches_of(table)),
            "supply": queries.supply(table),
            "sales": list(queries.sales_of(table)),
            "retirements": list(queries.retirements_of(table)[:50]),
            "payouts": list(queries.payouts_of(table)),
        },
    )


def _certificate_context(public_id: str) -> dict[str, object]:
    retirement = queries.get_retirement(public_id)
    try:
        key = ledger.verifier_key()
    except ledger.KeyMissing:
        key = ""
    return {
        "retirement": retirement,
        "table": retirement.batch.project.table,
        "certificate": queries.certificate(retirement),
        "verifier_key": key,
    }


@require_GET
def certificate(request: HttpRequest, public_id: str) -> HttpResponse:
    return render(request, "credits/certificate.html", _certificate_context(public_id))


@require_GET
def certificate_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    return pdf_response(
        request,
        "credits/certificate_pdf.html",
        _certificate_context(public_id),
        filename=f"minga-retirement-{public_id}.pdf",
    )


@require_GET
def certificate_json(request: HttpRequest, public_id: str) -> JsonResponse:
    context = _certificate_context(public_id)
    body = dict(context["certificate"])  # type: ignore[call-overload]
    body["verifier_key"] = context["verifier_key"]
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
