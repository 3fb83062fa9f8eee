"""Funds, their calls and applications: public pages, with the managers', reviewers' and
applicants' forms folded in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minga.core.access import Sensitivity
from minga.core.forms import run_posted, set_choices
from minga.core.spreadsheet import csv_writer
from minga.funds import forms, queries, services
from minga.funds.models import (
    Application,
    CallKind,
    CallStatus,
    Contribution,
    FundRole,
    FundRoleKind,
    Tranche,
)
from minga.tables import queries as tables
from minga.tables.models import Membership, Organization, Person, Table


@require_GET
def funds(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "funds/funds.html",
        {"funds": list(queries.list_funds()), "lines": list(queries.platform_lines())},
    )


def _fund_forms(fund: Any, data: Any = None) -> dict[str, Any]:
    def bound(action: str) -> Any:
        return data if data is not None and data.get("action") == action else None

    pledge = forms.PledgeForm(bound("pledge"), auto_id="pledge_%s")
    set_choices(
        pledge,
        "donor",
        [
            (str(o.public_id), o.name)
            for o in Organization.objects.filter(sector="funder").order_by("name")
        ],
    )
    receive = forms.ReceiveForm(bound("receive"), auto_id="receive_%s")
    set_choices(
        receive,
        "contribution",
        [
            (c.public_id, f"{c.donor.name} · {c.amount} {c.currency}")
            for c in queries.contributions_of(fund).filter(received_on__isnull=True)
        ],
    )
    return {
        "pledge": pledge,
        "receive": receive,
        "call": forms.CallForm(bound("call"), auto_id="call_%s"),
    }


@require_GET
def fund(request: HttpRequest, slug: str) -> HttpResponse:
    found = queries.get_fund(slug)
    manager = FundRoleKind.MANAGER in services.roles_in(request.user, found)
    return render(
        request,
        "funds/fund.html",
        {
            "fund": found,
            "manager": manager,
            "forms": _fund_forms(found) if manager else {},
            "seats": list(found.seats.select_related("organization")),
            "contributions": list(queries.contributions_of(found)),
            "calls": list(found.calls.all()),
            "transactions": list(queries.transactions_of(found)),
            "roles": list(FundRole.objects.filter(fund=found).select_related("organization")),
        },
    )


@require_GET
def transactions_csv(request: HttpRequest, slug: str) -> HttpResponse:
    found = queries.get_fund(slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="minga-{found.slug}-transactions.csv"'
    out = csv_writer(response)
    out.writerow(
        [
            "day",
            "iati_transaction_type",
            "amount",
            "currency",
            "provider",
            "provider_activity",
            "receiver",
            "receiver_activity",
            "table",
            "description",
        ]
    )
    for t in queries.transactions_of(found):
        out.writerow(
            [
                t.day.isoformat(),
                t.type,
                t.amount,
                t.currency,
                t.provider.name,
                t.provider_activity,
                t.receiver.name if t.receiver else "",
                t.receiver_activity,
                t.table.slug if t.table else "",
                t.description,
            ]
        )
    return response


@login_required
@require_POST
def fund_act(request: HttpRequest, slug: str) -> HttpResponse:
    found = queries.get_fund(slug)
    if FundRoleKind.MANAGER not in services.roles_in(request.user, found):
        raise PermissionDenied(_("Only the fund's managers may do this."))
    action = request.POST.get("action", "")
    form = _fund_forms(found, request.POST).get(action)
    if form is None:
        messages.error(request, _("Unknown action."))
        return redirect("fund", slug=found.slug)
    created: dict[str, Any] = {}

    def run(d: dict[str, Any]) -> Any:
        if action == "pledge":
            return services.pledge(
                by=request.user,
                fund=found,
                donor=Organization.objects.get(public_id=d["donor"]),
                amount=d["amount"],
                currency=d["currency"].strip().upper(),
                pledged_on=d["pledged_on"],
                rate=d["rate"],
                rate_source=d["rate_source"],
                donor_activity=d["donor_activity"],
            )
        if action == "receive":
            return services.receive(
                by=request.user,
                contribution=Contribution.objects.get(fund=found, public_id=d["contribution"]),
                received_on=d["received_on"],
            )
        created["call"] = services.open_call(by=request.user, fund=found, **d)
        return created["call"]

    done = {
        "pledge": _("Pledge recorded."),
        "receive": _("Contribution received: the money is available to award."),
        "call": _("Call opened."),
    }[action]
    if run_posted(request, form, run, done=done) and "call" in created:
        return redirect("call", public_id=created["call"].public_id)
    return redirect("fund", slug=found.slug)


def _applicant_tables(user: Any) -> list[Table]:
    if not getattr(user, "is_authenticated", False):
        return []
    ids = Membership.objects.active().filter(person__user=user).values("table_id")
    return [t for t in Table.objects.filter(pk__in=ids) if tables.may(user, t, "fund.apply")]


def _apply_form(call: Any, user: Any, data: Any = None) -> forms.ApplyForm:
    form = forms.ApplyForm(data, auto_id="apply_%s")
    mine = _applicant_tables(user)
    set_choices(form, "table", [(t.slug, t.name) for t in mine])
    fellows = Person.objects.filter(memberships__table__in=mine).distinct().order_by("full_name")
    set_choices(form, "fellow", [("", "—")] + [(p.public_id, p.full_name) for p in fellows])
    return form


@require_GET
def call(request: HttpRequest, public_id: str) -> HttpResponse:
    found = queries.get_call(public_id)
    mine = _applicant_tables(request.user)
    return render(
        request,
        "funds/call.html",
        {
            "call": found,
            "fund": found.fund,
            "rubric": [(queries.criterion_label(c), c["weight"]) for c in found.rubric],
            "gates": [
                (t, services.shown_gates(services.eligibility(found, t)))
                for t in mine
                if found.kind != CallKind.FELLOWSHIP
            ],
            "open": found.status == CallStatus.OPEN,
            "apply_form": _apply_form(found, request.user) if mine else None,
            "applications": list(queries.applications_of(found)),
        },
    )


@login_required
@require_POST
def apply(request: HttpRequest, public_id: str) -> HttpResponse:
    found = queries.get_call(public_id)
    form = _apply_form(found, request.user, request.POST)
    if not _applicant_tables(request.user):
        raise PermissionDenied(_("Your role on this table does not allow this."))
    created: dict[str, Application] = {}

    def run(d: dict[str, Any]) -> Any:
        table = tables.get_table(d["table"])
        fellow = Person.objects.filter(public_id=d["fellow"]).first() if d["fellow"] else None
        created["application"] = services.apply(
            by=request.user,
            call=found,
            table=table,
            title=d["title"],
            summary=d["summary"],
            amount=d["amount"],
            fellow=fellow,
        )

    if run_posted(request, form, run, done=_("Application submitted.")):
        return redirect("application", public_id=created["application"].public_id)
    return redirect("call", public_id=found.public_id)


def _application_context(request: HttpRequest, found: Application) -> dict[str, Any]:
    fund = found.call.fund
    roles = services.roles_in(request.user, fund)
    reviewed = (
        request.user.is_authenticated and found.reviews.filter(reviewer=request.user).exists()
    )
    award = getattr(found, "award", None)
    tranches = []
    if award is not None:
        for t in award.tranches.all():
            tranches.append(
                {
                    "tranche": t,
                    "gates": services.shown_gates(services.release_conditions(t))
                    if t.released_on is None
                    else [],
                    "refused": services.shown_gates(t.last_check.get("gates", []))
                    if t.last_check and not t.last_check.get("released")
                    else [],
                    "checked_on": dt.date.fromisoformat(t.last_check["day"])
                    if t.last_check.get("day")
                    else None,
                }
            )
    fellow = found.fellow
    show_fellow = fellow is not None and (
        fellow.visibility == Sensitivity.PUBLIC
        or bool(roles)
        or bool(tables.roles_for(request.user, found.table))
    )
    return {
        "application": found,
        "show_fellow": show_fellow,
        "call": found.call,
        "fund": fund,
        "reviews": list(found.reviews.select_related("organization")),
        "review_form": forms.ReviewForm(rubric=found.call.rubric, auto_id="review_%s")
        if FundRoleKind.REVIEWER in roles and not reviewed and found.status == "submitted"
        else None,
        "award_form": forms.AwardForm(
            initial={"amount": found.amount, "first": found.amount}, auto_id="award_%s"
        )
        if FundRoleKind.MANAGER in roles and found.status == "submitted"
        else None,
        "manager": FundRoleKind.MANAGER in roles,
        "award": award,
        "tranches": tranches,
        "may_spend": award is not None and tables.may(request.user, found.table, "fund.apply"),
        "spend_form": forms.ExpenditureForm(auto_id="spend_%s"),
        "gates": services.shown_gates(found.eligibility.get("gates", [])),
        "transactions": list(award.transactions.select_related("provider", "receiver"))
        if award
        else [],
    }


@require_GET
def application(request: HttpRequest, public_id: str) -> HttpResponse:
    found = queries.get_application(public_id)
    return render(request, "funds/application.html", _application_context(request, found))


@login_required
@require_POST
def application_act(request: HttpRequest, public_id: str) -> HttpResponse:
    found = queries.get_application(public_id)
    if not services.roles_in(request.user, found.call.fund) and not tables.may(
        request.user, found.table, "fund.apply"
    ):
        raise PermissionDenied(
            _("Only the fund's managers and reviewers, and the applicant table, may act here.")
        )
    action = request.POST.get("action", "")
    again = redirect("application", public_id=found.public_id)
    if action == "review":
        form: Any = forms.ReviewForm(request.POST, rubric=found.call.rubric)
        run_posted(
            request,
            form,
            lambda d: services.review(
                by=request.user,
                application=found,
                conflict=d["conflict"],
                conflict_note=d["conflict_note"],
                scores=form.scores(),
            ),
            done=_("Review recorded."),
        )
    elif action == "award":
        form = forms.AwardForm(request.POST)

        def give(d: dict[str, Any]) -> Any:
            plans = [services.TranchePlan(d["first"], d["first_milestone"])]
            if d["second"]:
                plans.append(services.TranchePlan(d["second"], d["second_milestone"]))
            return services.award(
                by=request.user, application=found, amount=d["amount"], tranches=plans
            )

        run_posted(request, form, give, done=_("Award made."))
    elif action in ("release", "milestone"):
        tranche = get_object_or_404(
            Tranche, award__application=found, number=request.POST.get("tranche") or 0
        )
        try:
            if action == "release":
                services.release_tranche(by=request.user, tranche=tranche)
                messages.success(request, _("Tranche released."))
            else:
                services.mark_milestone(
                    by=request.user, tranche=tranche, met_on=timezone.localdate()
                )
                messages.success(request, _("Milestone marked as met."))
        except services.FundsError as exc:
            messages.error(request, str(exc))
    elif action == "spend":
        form = forms.ExpenditureForm(request.POST)
        run_posted(
            request,
            form,
            lambda d: services.record_expenditure(
                by=request.user,
                award=found.award,
                amount=Decimal(d["amount"]),
                description=d["description"],
            ),
            done=_("Expenditure recorded."),
        )
    else:
        messages.error(request, _("Unknown action."))
    return again
