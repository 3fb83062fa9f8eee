from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.core.concurrency import EditConflict, version_of
from minga.core.forms import add_errors, status_for
from minga.core.reports import sections
from minga.core.spreadsheet import ImportFailed
from minga.core.svgmap import outline_svg
from minga.tables import queries, services
from minga.tables.forms import (
    AcceptInvitationForm,
    EndMembershipForm,
    ImportForm,
    InstrumentForm,
    InviteForm,
    TableForm,
    TerritoryForm,
)
from minga.tables.models import Instrument, Invitation, Membership, Table
from minga.tables.spreadsheet import read_rows


def _table_for(request: HttpRequest, slug: str, action: str) -> Table:
    """The table, when the viewer may do ``action`` on it: login first, then the role."""
    table = queries.get_table(slug)
    queries.require(request.user, table, action)
    return table


def _invite_url(request: HttpRequest) -> Any:
    return lambda invitation: request.build_absolute_uri(
        reverse("join", kwargs={"token": invitation.token})
    )


NETWORK_CARDS = 12
NETWORK_TERRITORIES = 100


@require_GET
def network(request: HttpRequest) -> HttpResponse:
    """The regions and, where a region has few, its tables' cards (else a link to the region)."""
    regions = list(queries.list_regions(cards_up_to=NETWORK_CARDS))
    shapes = [
        (t.shape, f"{t.table.name}: {t.name}")
        for t in queries.public_territories()[: NETWORK_TERRITORIES + 1]
    ]
    if len(shapes) > NETWORK_TERRITORIES:  # a network this large is drawn by its regions
        shapes = []
    outline = outline_svg(
        shapes,
        context=[(r.shape, r.name) for r in regions],
        title=_("Network of cooperation tables"),
    )
    return render(
        request,
        "tables/network.html",
        {"regions": regions, "outline": outline, "cards": NETWORK_CARDS},
    )


@require_GET
def region(request: HttpRequest, slug: str) -> HttpResponse:
    region = queries.get_region(slug)
    tables = list(queries.list_tables().filter(region=region))
    shapes = []
    for table in tables:
        shapes += [(t.shape, t.name) for t in queries.territories_for(request.user, table)]
    return render(
        request,
        "tables/region.html",
        {
            "region": region,
            "tables": tables,
            "outline": outline_svg(
                shapes, context=[(region.shape, region.name)], title=region.name
            ),
        },
    )


@require_GET
def table_home(request: HttpRequest, slug: str) -> HttpResponse:
    table = queries.get_table(slug)
    territories = queries.territories_for(request.user, table)
    sectors = queries.members_by_sector(table)
    names = queries.Viewer(request.user)
    for row in sectors:
        for entry in row.organizations:
            names.annotate(entry.memberships)
    return render(
        request,
        "tables/table_home.html",
        {
            "table": table,
            "territories": territories,
            "hectares": sum(t.hectares for t in territories),
            "sectors": sectors,
            "organization_count": sum(r.organization_count for r in sectors),
            "instruments": list(queries.instruments_of(table)),
            "roles": sorted(queries.roles_for(request.user, table)),
            "may_edit": queries.may(request.user, table, "table.edit"),
            "may_invite": queries.may(request.user, table, "membership.invite"),
            "may_add_instrument": queries.may(request.user, table, "instrument.add"),
            "outline": outline_svg(
                [(t.shape, t.name) for t in territories],
                title=_("Territory of %(table)s") % {"table": table.name},
            ),
            "sections": sections("table", table=table, user=request.user),
            "pending_guidance": list(queries.pending_guidance(table)),
        },
    )


@require_GET
def table_geojson(request: HttpRequest, slug: str) -> JsonResponse:
    table = queries.get_table(slug)
    features = [
        {
            "type": "Feature",
            "id": t.public_id,
            "properties": {"label": t.name, "hectares": float(t.hectares)},
            "geometry": t.geometry,
        }
        for t in queries.territories_for(request.user, table)
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Type"] = "application/geo+json"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def table_edit(request: HttpRequest, slug: str) -> HttpResponse:
    table = _table_for(request, slug, "table.edit")
    form = TableForm(request.POST or None, instance=Table.objects.get(pk=table.pk))
    territory_form = TerritoryForm(prefix="territory")
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            services.update_table(
                by=request.user,
                table=table,
                seen=form.cleaned_data["seen"] or None,
                **{f: form.cleaned_data[f] for f in TableForm.Meta.fields},
            )
        except EditConflict as exc:
            current = [
                (TableForm.base_fields[f].label, getattr(exc.current, f) or "—")
                for f in TableForm.Meta.fields
            ]
            data = request.POST.copy()
            data["seen"] = version_of(exc.current)  # saving again, knowingly, is allowed
            form = TableForm(data, instance=exc.current)
            form.is_valid()
            form.add_error(None, exc)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The table was saved."))
            return redirect("table", slug=table.slug)
    return render(
        request,
        "tables/table_edit.html",
        {"table": table, "form": form, "territory_form": territory_form, "current": current},
        status=409 if current else (400 if request.method == "POST" else 200),
    )


@login_required
@require_POST
def territory_set(request: HttpRequest, slug: str) -> HttpResponse:
    table = _table_for(request, slug, "table.edit")
    territory_form = TerritoryForm(request.POST, request.FILES, prefix="territory")
    if territory_form.is_valid():
        try:
            services.set_territory(
                by=request.user,
                table=table,
                name=territory_form.cleaned_data["name"],
                geometry=territory_form.cleaned_data["geojson"],
            )
        except ValidationError as exc:
            add_errors(territory_form, exc)
        else:
            messages.success(request, _("The territory was saved."))
            return redirect("table", slug=table.slug)
    form = TableForm(instance=table)
    return render(
        request,
        "tables/table_edit.html",
        {"table": table, "form": form, "territory_form": territory_form},
        status=400,
    )


@login_required
@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    table = queries.get_table(slug)
    if not queries.roles_for(request.user, table) and not request.user.is_superuser:
        raise PermissionDenied(_("Only the table's members can see its membership history."))
    memberships = list(queries.memberships_of(table))
    queries.Viewer(request.user).annotate(memberships)
    may_invite = queries.may(request.user, table, "membership.invite")
    return render(
        request,
        "tables/members.html",
        {
            "table": table,
            "memberships": memberships,
            "invitations": list(queries.pending_invitations(table)) if may_invite else [],
            "may_invite": may_invite,
            "may_end": queries.may(request.user, table, "membership.end"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    table = _table_for(request, slug, "membership.invite")
    form = InviteForm(request.POST or None, table=table)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = services.NewMember(
            full_name=data["full_name"],
            email=data["email"],
            organization=data["organization"],
            organization_name=data["organization_name"],
            sector=data["sector"],
            role=data["role"],
            seat=data["seat"],
        )
        try:
            invitation = services.invite_member(
                by=request.user, table=table, new=new, invite_url=_invite_url(request)
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was registered for %(organization)s.")
                % {
                    "name": data["full_name"],
                    "organization": invitation.membership.organization.name,
                },
            )
            return redirect("invitation", slug=table.slug, public_id=invitation.public_id)
    status = status_for(request)
    return render(request, "tables/invite.html", {"table": table, "form": form}, status=status)


@login_required
@require_GET
def invitation(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = _table_for(request, slug, "membership.invite")
    invitation = get_object_or_404(
        Invitation.objects.select_related("membership__organization", "membership__person"),
        public_id=public_id,
        membership__table=table,
    )
    link = _invite_url(request)(invitation)
    qr = segno.make(link, error="m").svg_inline(scale=4, title=_("QR code of the invitation link"))
    return render(
        request,
        "tables/invitation.html",
        {"table": table, "invitation": invitation, "link": link, "qr": mark_safe(qr)},  # noqa: S308
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    invitation = queries.get_invitation(token)
    membership = invitation.membership
    form = None if request.user.is_authenticated else AcceptInvitationForm(request.POST or None)
    error = None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if form is None:
                services.accept_invitation(user=request.user, invitation=invitation)
            else:
                user = services.accept_invitation_as_new_user(
                    invitation=invitation,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                add_errors(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Welcome to the %(table)s.") % {"table": membership.table.name}
            )
            return redirect("table", slug=membership.table.slug)
    failed = bool(error or (form is not None and form.errors))
    return render(
        request,
        "tables/join.html",
        {
            "invitation": invitation,
            "membership": membership,
            "form": form,
            "error": error,
            "used": invitation.accepted_at is not None,
        },
        status=400 if failed else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_members(request: HttpRequest, slug: str) -> HttpResponse:
    table = _table_for(request, slug, "membership.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: dict[int, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["spreadsheet"]
        try:
            rows = read_rows(upload, upload.name)
            created = services.import_members(by=request.user, table=table, rows=rows)
        except ImportFailed as exc:
            row_errors = exc.row_errors
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_error("spreadsheet", exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s representative was imported.",
                    "%(count)s representatives were imported.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect("members", slug=table.slug)
    status = status_for(request)
    return render(
        request,
        "tables/import.html",
        {"table": table, "form": form, "row_errors": sorted(row_errors.items())},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def end_membership(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """First a page that says what ending the membership does; the confirmed POST ends it."""
    table = _table_for(request, slug, "membership.end")
    membership = get_object_or_404(
        Membership.objects.select_related("organization", "person"), pk=pk, table=table
    )
    form = EndMembershipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_membership(by=request.user, membership=membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The membership of %(organization)s ended today.")
                % {"organization": membership.organization.name},
            )
        return redirect("members", slug=table.slug)
    context = {
        "table": table,
        "membership": membership,
        "form": form,
    }
    return render(request, "tables/end_membership.html", context, status=status_for(request))


@login_required
@require_http_methods(["GET", "POST"])
def add_instrument(request: HttpRequest, slug: str) -> HttpResponse:
    table = _table_for(request, slug, "instrument.add")
    form = InstrumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_instrument(by=request.user, table=table, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The instrument was added."))
            return redirect("table", slug=table.slug)
    status = status_for(request)
    return render(
        request, "tables/instrument_add.html", {"table": table, "form": form}, status=status
    )


@require_GET
def instrument_document(request: HttpRequest, slug: str, public_id: str) -> FileResponse:
    table = queries.get_table(slug)
    instrument = get_object_or_404(Instrument, table=table, public_id=public_id)
    if not instrument.document:
        raise Http404
    name = (instrument.document.name or "document").rsplit("/", 1)[-1]
    return FileResponse(instrument.document.open("rb"), filename=name)


@require_GET
def organization(request: HttpRequest, public_id: str) -> HttpResponse:
    organization, fields = queries.get_organization_for(request.user, public_id)
    memberships = list(queries.memberships_of_organization(organization))
    queries.Viewer(request.user).annotate(memberships)
    return render(
        request,
        "tables/organization.html",
        {"organization": organization, "fields": fields, "memberships": memberships},
    )


@require_GET
def person(request: HttpRequest, public_id: str) -> HttpResponse:
    person, fields = queries.get_person_for(request.user, public_id)
    return render(
        request,
        "tables/person.html",
        {"fields": fields, "memberships": list(queries.memberships_of_person(person))},
    )
