"""A table's Local Contexts labels: what each community uses and where (public, except where a
restricting label guards a record), and, for a community's own people, adopting labels, keeping
a Hub project here and applying labels to its records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minga.core.forms import run_posted
from minga.labels import catalog, forms, hub, queries, services
from minga.labels.models import Applied, Label
from minga.tables import queries as tables
from minga.tables.models import Organization, Table


def _communities(user: Any, table: Table) -> list[Organization]:
    """The organizations this person speaks for on the table: the labels they may handle."""
    seats = tables.seats_for(user, table).select_related("organization")
    return sorted({s.organization for s in seats}, key=lambda o: o.name)


def _forms(
    table: Table, communities: list[Organization], posted: Any = None, files: Any = None
) -> dict[str, Any]:
    labels = [label for label in queries.labels_of(table) if label.community in set(communities)]
    return {
        "adopt": forms.AdoptForm(posted, communities=communities, prefix="adopt"),
        "hub": forms.HubForm(posted, communities=communities, prefix="hub"),
        "hubfile": forms.HubFileForm(posted, files, communities=communities, prefix="hubfile"),
        "apply": forms.ApplyForm(posted, labels=labels, prefix="apply"),
    }


@require_GET
def labels_page(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    communities = _communities(request.user, table)
    mine = {c.pk for c in communities}
    applied = queries.visible_applied(table, mine)
    language = (get_language() or "es").split("-")[0]
    described = queries.described(table, applied)
    for a in applied:
        a.shown_as, a.shown_url = described[a.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "labels/labels.html",
        {
            "table": table,
            "labels": queries.shown(queries.labels_of(table), language),
            "projects": list(queries.hub_projects_of(table)),
            "applied": applied,
            "mine": mine,
            "forms": _forms(table, communities) if communities else {},
            "catalog": catalog.TYPES,
            "restricting": catalog.RESTRICTING,
            "non_commercial": catalog.NON_COMMERCIAL,
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    communities = _communities(request.user, table)
    action = request.POST.get("action", "")
    if action == "remove":
        applied_id = request.POST.get("applied", "")
        found = (
            Applied.objects.filter(pk=int(applied_id), label__table=table).first()
            if applied_id.isdigit()
            else None
        )
        if found is None:
            messages.error(request, _("That label is not on that record any more."))
        else:
            services.remove(by=request.user, applied=found)
            messages.success(request, _("Label taken off."))
        return redirect("labels", slug=table.slug)
    form = _forms(table, communities, request.POST, request.FILES).get(action)
    if form is None:
        messages.error(request, _("Unknown action."))
        return redirect("labels", slug=table.slug)

    def community(d: dict[str, Any]) -> Organization:
        return next(c for c in communities if c.public_id == d["community"])

    def run(d: dict[str, Any]) -> Any:
        try:
            if action == "adopt":
                category, label_type = d["label"].split(":", 1)
                return services.adopt(
                    by=request.user,
                    table=table,
                    community=community(d),
                    category=category,
                    label_type=label_type,
                    text=d["text"],
                )
            if action == "hub":
                return services.fetch_hub_project(
                    by=request.user, table=table, community=community(d), project_id=d["project"]
                )
            if action == "hubfile":
                return services.keep_hub_project(
                    by=request.user,
                    table=table,
                    community=community(d),
                    body=hub.parse(d["upload"].read()),
                )
            return services.apply(
                by=request.user,
                label=Label.objects.get(table=table, public_id=d["label"]),
                target=d["target"],
                target_id=d["target_id"],
            )
        except hub.HubError as exc:
            raise ValidationError(str(exc)) from None

    done = {
        "adopt": _("The label is the community's now: apply it to its records below."),
        "hub": _("The Hub project and its labels are kept here."),
        "hubfile": _("The Hub project and its labels are kept here."),
        "apply": _("Label applied."),
    }[action]
    run_posted(request, form, run, done=done)
    return redirect("labels", slug=table.slug)


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """What each label means and how minga holds to it, for stewards and for data users."""
    return render(
        request,
        "labels/about.html",
        {
            "catalog": catalog.TYPES,
            "restricting": catalog.RESTRICTING,
            "non_commercial": catalog.NON_COMMERCIAL,
        },
    )
