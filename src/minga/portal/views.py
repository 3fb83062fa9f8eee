"""The open-data page and its downloads. Reads only; everything here is public."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from minga.portal import iati_records, opendata
from minga.tables import queries as tables

FRESH = dt.timedelta(days=1)  # the daily task rebuilds packages; older ones are rebuilt on demand


def _dataset(name: str) -> opendata.Dataset:
    found = opendata.BY_NAME.get(name)
    if found is None:
        raise Http404
    return found


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/open_data.html",
        {"tables": list(tables.list_tables()), "datasets": opendata.DATASETS},
    )


@require_GET
def iati_file(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ("activities", "organisations"):
        raise Http404
    table = tables.get_table(request.GET["table"]) if request.GET.get("table") else None
    response = HttpResponse(iati_records.export(kind, table), content_type="application/xml")
    suffix = f"-{table.slug}" if table else ""
    response["Content-Disposition"] = f'inline; filename="minga-iati-{kind}{suffix}.xml"'
    return response


@require_GET
def package(request: HttpRequest, slug: str) -> FileResponse:
    table = tables.get_table(slug)
    path = opendata.package_path(table)
    stale = not path.exists() or (
        timezone.now() - dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC) > FRESH
    )
    if stale:
        path = opendata.publish(table)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip"
    )


@require_GET
def dataset_csv(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    table = tables.get_table(slug)
    dataset = _dataset(name)
    response = HttpResponse(opendata.to_csv(dataset, table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="minga-{slug}-{name}.csv"'
    return response


@require_GET
def dataset_geojson(request: HttpRequest, slug: str, name: str) -> JsonResponse:
    table = tables.get_table(slug)
    dataset = _dataset(name)
    if dataset.geometry is None:
        raise Http404
    return JsonResponse(
        opendata.to_geojson(dataset, table),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
