"""The public registry of a table, and retirement certificates (page, PDF, JSON)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minga.core.forms import run_posted
from minga.core.pdf import pdf_response
from minga.credits import cadt, forms, queries, services
from minga.credits.models import Account, Batch, Project
from minga.ledger import services as ledger
from minga.satellite.models import VerificationReport
from minga.tables import queries as tables


def _forms(table: Any, data: Any = None) -> dict[str, Any]:
    accounts = [(a.public_id, a.name) for a in Account.objects.filter(table=table)]
    batches = [(b.batch_id, b.batch_id) for b in queries.batches_of(table)]
    key = secrets.token_urlsafe(12)
    # three forms on one page: ids of their own, so every label points at its field
    issue = forms.IssueForm(
        data if data and data.get("action") == "issue" else None, auto_id="issue_%s"
    )
    forms._choices(
        issue.fields["project"], [(p.project_id, str(p)) for p in queries.projects_of(table)]
    )
    forms._choices(
        issue.fields["verification"],
        [
            (v.public_id, f"{v.zone_name} {v.start_year}–{v.end_year} · {v.verified_ha} ha")
            for v in VerificationReport.objects.filter(table=table)
        ],
    )
    forms._choices(issue.fields["recipient"], accounts)
    retire = forms.RetireForm(
        data if data and data.get("action") == "retire" else None,
        initial={"idempotency_key": key},
        auto_id="retire_%s",
    )
    forms._choices(retire.fields["batch"], batches)
    forms._choices(retire.fields["account"], accounts)
    move = forms.TransferForm(
        data if data and data.get("action") == "transfer" else None,
        initial={"idempotency_key": key},
        auto_id="transfer_%s",
    )
    forms._choices(move.fields["batch"], batches)
    forms._choices(move.fields["sender"], accounts)
    forms._choices(move.fields["recipient"], accounts)
    return {"issue": issue, "retire": retire, "transfer": move}


@login_required
@require_POST
def act(request: HttpRequest, slug: str) -> HttpResponse:
    """The secretariat's issue, transfer and retire forms on the registry page."""
    table = tables.get_table(slug)
    tables.require(request.user, table, "credits.manage")
    action = request.POST.get("action", "")
    form = _forms(table, request.POST).get(action)
    if form is None:
        messages.error(request, _("Unknown action."))
        return redirect("credit-registry", slug=table.slug)

    def account(public_id: str) -> Account:
        return Account.objects.get(table=table, public_id=public_id)

    def batch(batch_id: str) -> Batch:
        return Batch.objects.get(project__table=table, batch_id=batch_id)

    def run(d: dict[str, Any]) -> Any:
        if action == "issue":
            return services.issue_batch(
                by=request.user,
                project=Project.objects.get(table=table, project_id=d["project"]),
                verification=VerificationReport.objects.get(
                    table=table, public_id=d["verification"]
                ),
                start_date=d["start_date"],
                end_date=d["end_date"],
                amount=d["amount"],
                recipient=account(d["recipient"]),
            )
        if action == "transfer":
            return services.transfer(
                by=request.user,
                batch=batch(d["batch"]),
                sender=account(d["sender"]),
                recipient=account(d["recipient"]),
                amount=d["amount"],
                idempotency_key=d["idempotency_key"],
            )
        return services.retire(
            by=request.user,
            batch=batch(d["batch"]),
            account=account(d["account"]),
            amount=d["amount"],
            beneficiary=d["beneficiary"],
            reason=d["reason"],
            jurisdiction=d["jurisdiction"],
            idempotency_key=d["idempotency_key"],
        )

    done = {
        "issue": _("Credits issued."),
        "transfer": _("Credits transferred."),
        "retire": _("Credits retired: the certificate is below."),
    }[action]
    run_posted(request, form, run, done=done)
    return redirect("credit-registry", slug=table.slug)


@require_GET
def registry(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    may_manage = tables.may(request.user, table, "credits.manage")
    return render(
        request,
        "credits/registry.html",
        {
            "table": table,
            "may_manage": may_manage,
            "forms": _forms(table) if may_manage else {},
            "projects": list(queries.projects_of(table)),
            "batches": list(queries.batches_of(table)),
            "supply": queries.supply(table),
            "sales": list(queries.sales_of(table)),
            "retirements": list(queries.retirements_of(table)[:50]),
            "payouts": list(queries.payouts_of(table)),
        },
    )


@require_GET
def cadt_export(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The table's registry as Climate Action Data Trust records, JSON or the import sheet."""
    table = tables.get_table(slug)
    if kind not in ("json", "xlsx"):
        raise Http404
    found = cadt.records(table)
    if kind == "xlsx":
        response = HttpResponse(
            cadt.to_xlsx(found),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            cadt.to_json(found, timezone.now()), content_type="application/json"
        )
    response["Content-Disposition"] = f'inline; filename="minga-cadt-{table.slug}.{kind}"'
    return response


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
