from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from minga.agreements.models import Agreement
from minga.core.pages import other_params, page_of
from minga.core.svgmap import outline_svg
from minga.core.uploads import check_upload
from minga.monitoring import formats, queries, services
from minga.monitoring.models import FieldImport
from minga.monitoring.xlsform import patrol_xlsform
from minga.tables import queries as tables

# The map on the monitoring page draws the newest observations up to this many.
MAP_OBSERVATIONS = 1000


@require_GET
def observations(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    page = page_of(request, queries.observations_for(request.user, table))
    return render(
        request,
        "monitoring/observations.html",
        {
            "table": table,
            "observations": page.object_list,
            "count": page.paginator.count,
            "page": page,
            "params": other_params(request),
            "map_limit": MAP_OBSERVATIONS,
            "patrols": list(queries.patrols_of(table)[:50])
            if tables.roles_for(request.user, table)
            else [],
            "outline": outline_svg(
                [(t.shape, t.name) for t in tables.territories_for(request.user, table)],
                title=table.name,
            ),
            "may_import": tables.may(request.user, table, "monitoring.import"),
            "alerts": list(queries.alerts_for(request.user, table)[:20]),
        },
    )


@require_GET
def geojson(request: HttpRequest, slug: str) -> JsonResponse:
    """The viewer's observations (newest first) and patrol tracks; ``?limit=N`` keeps the N
    newest observations (the page's map asks for MAP_OBSERVATIONS; the download has all)."""
    table = tables.get_table(slug)
    try:
        limit = max(1, int(request.GET["limit"])) if request.GET.get("limit") else None
    except ValueError:
        return JsonResponse({"detail": _("limit must be a whole number.")}, status=400)
    response = JsonResponse(queries.geojson_for(request.user, table, limit=limit))
    response["Content-Type"] = "application/geo+json"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.import")
    error = None
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        fmt = request.POST.get("format") or None
        if upload_file is None:
            error = _("Choose the file to import.")
        else:
            try:
                check_upload(upload_file, "field")
                content = upload_file.read()
                parsed = formats.parse(content, fmt, upload_file.name or "")
            except ValidationError as exc:
                error = exc.messages[0]
            except formats.FormatError:
                error = _(
                    "%(name)s is not an export of ODK, KoboToolbox, Mapeo/CoMapeo or SMART that minga can read."
                ) % {"name": upload_file.name}
            else:
                rows = len(parsed.tracks) + len(parsed.observations)
                if rows > settings.MINGA_IMPORT_INLINE_ROWS:
                    job = services.queue_field_import(
                        by=request.user,
                        table=table,
                        content=content,
                        filename=upload_file.name or "",
                        fmt=parsed.format,
                        total=rows,
                    )
                    return redirect(
                        "field-import-progress", slug=table.slug, public_id=job.public_id
                    )
                summary = services.import_field(
                    by=request.user, table=table, parsed=parsed, filename=upload_file.name or ""
                )
                messages.success(
                    request,
                    _(
                        "%(new)s new, %(updated)s updated, %(unchanged)s unchanged, %(quarantined)s quarantined"
                    )
                    % summary.__dict__,
                )
                return redirect(
                    "quarantine" if summary.quarantined else "observations", slug=table.slug
                )
    return render(
        request,
        "monitoring/upload.html",
        {"table": table, "formats": formats.FORMATS, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def import_progress(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """A large import in the worker: its progress bar, then its summary."""
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.import")
    job = get_object_or_404(FieldImport.objects.defer("content"), table=table, public_id=public_id)
    return render(request, "monitoring/import_progress.html", {"table": table, "job": job})


@login_required
@require_GET
def quarantine(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "monitoring.import")
    return render(
        request,
        "monitoring/quarantine.html",
        {"table": table, "rows": list(queries.quarantine_of(table))},
    )


@require_GET
def xlsform(request: HttpRequest, slug: str, agreement: str | None = None) -> HttpResponse:
    table = tables.get_table(slug)
    form_id = f"minga_patrol_{table.slug}".replace("-", "_")
    title = _("Patrol of the %(table)s") % {"table": table.name}
    if agreement:
        found = Agreement.objects.filter(table=table, public_id=agreement).first()
        if found is None:
            return redirect("observations", slug=table.slug)
        form_id += f"_{found.public_id}"
        title = f"{title}: {found.title}"
    body = patrol_xlsform(
        form_id=form_id, title=title[:120], version="1", local_language=request.GET.get("local", "")
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{form_id}.xlsx"'
    return response
