"""The region's guidance page: the task force publishes, the tables acknowledge and answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minga.core.forms import Confirmed, run_posted
from minga.tables import queries, regional
from minga.tables.models import Guidance, GuidanceKind, Table


class GuidanceForm(Confirmed):
    confirm_label = gettext_lazy(
        "I confirm: the guidance is published to every table of the region and written in the"
        " public log, where it cannot be undone."
    )

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=GuidanceKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=250)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea)
    answer_by = forms.DateField(label=gettext_lazy("Answer by"), required=False)


class AnswerForm(forms.Form):
    table = forms.ChoiceField(label=gettext_lazy("Table"))
    answer = forms.CharField(label=gettext_lazy("Answer"), widget=forms.Textarea, required=False)


def _answering_tables(user: Any, region: Any) -> list[Table]:
    return [
        t
        for t in queries.list_tables().filter(region=region)
        if queries.may(user, t, "guidance.answer") and getattr(user, "is_authenticated", False)
    ]


def _answer_form(user: Any, region: Any, data: Any = None) -> AnswerForm:
    form = AnswerForm(data)
    field: Any = form.fields["table"]
    field.choices = [(t.slug, t.name) for t in _answering_tables(user, region)]
    return form


@require_GET
def guidance(request: HttpRequest, slug: str) -> HttpResponse:
    region = queries.get_region(slug)
    answering = _answering_tables(request.user, region)
    tables = list(queries.list_tables().filter(region=region))
    items = [
        (g, [(t, next((a for a in g.answers.all() if a.table_id == t.pk), None)) for t in tables])
        for g in queries.guidance_of(region)
    ]
    return render(
        request,
        "tables/guidance.html",
        {
            "region": region,
            "items": items,
            "publish_form": GuidanceForm(auto_id="guidance_%s")
            if queries.task_force_organization(request.user, region)
            else None,
            "answering": answering,
            "answer_form": _answer_form(request.user, region) if answering else None,
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    region = queries.get_region(slug)
    if queries.task_force_organization(request.user, region) is None:
        raise PermissionDenied(_("Only the region's task force may publish guidance."))
    run_posted(
        request,
        GuidanceForm(request.POST),
        lambda d: regional.publish_guidance(by=request.user, region=region, **d),
        done=_("Guidance published to the region's tables."),
    )
    return redirect("region-guidance", slug=region.slug)


@login_required
@require_POST
def answer(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    region = queries.get_region(slug)
    item = get_object_or_404(Guidance, region=region, public_id=public_id)
    if not _answering_tables(request.user, region):
        raise PermissionDenied(_("Your role on this table does not allow this."))
    run_posted(
        request,
        _answer_form(request.user, region, request.POST),
        lambda d: regional.answer_guidance(
            by=request.user,
            guidance=item,
            table=queries.get_table(d["table"]),
            answer=d["answer"],
        ),
        done=_("Answer recorded."),
    )
    return redirect("region-guidance", slug=region.slug)
