"""The open-data page and its downloads. Reads only; everything here is public."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minga.core import charts
from minga.core.pages import other_params, page_of
from minga.core.pdf import pdf_response
from minga.core.svgmap import outline_svg
from minga.portal import iati_records, opendata, queries
from minga.tables import queries as tables
from minga.tables.models import SectorGroup

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


# --- the portal's dashboards -------------------------------------------------------------------


def _bars(counts: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    top = max(counts.values(), default=0) or 1
    return [
        {"label": labels.get(k, k), "value": v, "share": 100 * v / top}
        for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
    ]


def _charts(figures: queries.Figures, title: str) -> dict[str, Any]:
    months = list(figures.health_by_month)
    scores = [figures.health_by_month[m] for m in months]
    labels = [m[5:] + "/" + m[2:4] for m in months]
    if figures.health is not None:  # the monthly snapshots, then today's figure shown beside
        labels.append(str(_("today")))
        scores.append(figures.health)
    loss = figures.loss_by_year
    return {
        "health_chart": charts.columns(
            labels,
            [(_("Health index"), scores, "")],
            title=_("Health index over time: %(where)s") % {"where": title},
            unit="",
        ),
        "loss_chart": charts.columns(
            [str(y) for y in loss],
            [(_("Tree cover loss"), list(loss.values()), "loss")],
            title=_("Tree cover loss per year: %(where)s") % {"where": title},
            unit="ha",
            every=4,
        ),
        "sectors": _bars(figures.by_sector_group, {k: str(v) for k, v in SectorGroup.choices}),
    }


def _compared(request: HttpRequest, each: list[Any]) -> dict[str, Any]:
    """One page of the comparison of tables (sorted by name), with its pager."""
    page = page_of(request, each)
    return {"each": page.object_list, "page": page, "params": other_params(request)}


# The network's outline map draws the tables' territories up to this many, else its regions.
MAP_TERRITORIES = 100


@require_GET
def network(request: HttpRequest) -> HttpResponse:
    regions = queries.regions_with_counts()
    total, each = queries.rolled_up_where("network")
    shapes = [
        (t.shape, f"{t.table.name}: {t.name}")
        for t in tables.public_territories()[: MAP_TERRITORIES + 1]
    ]
    if len(shapes) > MAP_TERRITORIES:  # a network this large is drawn by its regions
        shapes = []
    return render(
        request,
        "portal/network.html",
        {
            "regions": regions,
            "figures": total,
            **_compared(request, each),
            "outline": outline_svg(
                shapes,
                context=[(r.shape, r.name) for r in regions],
                title=_("Pan-Amazon network"),
            ),
            **_charts(total, _("the network")),
        },
    )


@require_GET
def region(request: HttpRequest, slug: str) -> HttpResponse:
    found = tables.get_region(slug)
    total, each = queries.rolled_up_where(f"region:{found.pk}", region=found)
    shapes = [
        (t.shape, f"{t.table.name}: {t.name}")
        for t in tables.public_territories().filter(table__region=found)
    ]
    return render(
        request,
        "portal/region.html",
        {
            "region": found,
            "figures": total,
            **_compared(request, each),
            "outline": outline_svg(shapes, context=[(found.shape, found.name)], title=found.name),
            **_charts(total, found.name),
        },
    )


@require_GET
def table(request: HttpRequest, slug: str) -> HttpResponse:
    found = tables.get_table(slug)
    figures = queries.table_figures(found)
    territories = tables.territories_for(queries.PUBLIC, found)
    return render(
        request,
        "portal/table.html",
        {
            "table": found,
            "figures": figures,
            "outline": outline_svg(
                [(t.shape, t.name) for t in territories],
                title=_("Territory of %(table)s") % {"table": found.name},
            ),
            "has_map": bool(territories),
            "axes": queries.axis_rows(found),
            "decisions": queries.latest_decisions(found),
            "retirements": queries.latest_retirements(found),
            "batches": queries.batches_of(found),
            "money": queries.money_rows(figures),
            **_charts(figures, found.name),
        },
    )


@require_GET
def table_map(request: HttpRequest, slug: str) -> JsonResponse:
    """The table's territories and its agreements' areas, as far as the public may see them."""
    found = tables.get_table(slug)
    features = [
        {
            "type": "Feature",
            "id": t.public_id,
            "geometry": t.geometry,
            "properties": {"label": t.name, "kind": "territory"},
        }
        for t in tables.territories_for(queries.PUBLIC, found)
    ]
    features += [
        {
            "type": "Feature",
            "id": key,
            "geometry": geometry,
            "properties": {
                "label": " · ".join(
                    part for part in (row["title"], row["community"], row["labels"]) if part
                ),
                "kind": "agreement",
                "labels": row["labels"],
            },
        }
        for key, geometry, row in opendata.BY_NAME["agreements"].geometry(found)  # type: ignore[misc]
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
    )


@require_GET
def forum_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The region's report for the Amazon Territorial Governance Forum, as a PDF."""
    found = tables.get_region(slug)
    total, each = queries.rolled_up(queries.region_tables(found))
    year = timezone.localdate().year
    return pdf_response(
        request,
        "portal/forum_pdf.html",
        {
            "region": found,
            "figures": total,
            "each": each,
            "year": year,
            **_charts(total, found.name),
        },
        filename=f"minga-forum-{found.slug}-{year}.pdf",
    )


@require_GET
def trace(request: HttpRequest) -> HttpResponse:
    """A funder's IATI activity, followed into the tables' initiatives, funds and awards."""
    activity = request.GET.get("from", "").strip()
    flows = queries.trace(activity) if activity else []
    return render(
        request,
        "portal/trace.html",
        {
            "activity": activity,
            "flows": flows,
            "totals": queries.traced_totals(flows),
            "known": queries.traced_activities(),
        },
    )
