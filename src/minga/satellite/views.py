"""Pages of the satellite half of monitoring: layers and runs, zones, samples, verifications."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.core import clusters
from minga.core.forms import run_posted
from minga.core.pdf import pdf_response
from minga.core.svgmap import outline_svg
from minga.monitoring.xlsform import points_xlsform
from minga.satellite import forms, queries
from minga.satellite import services as satellite
from minga.satellite.charts import CONF_CLASSES, alerts_chart, loss_chart
from minga.satellite.models import (
    CONFIDENCE_CHOICES,
    STRATUM_LABELS,
    SampleDesign,
    VerificationReport,
)
from minga.satellite.sampling import STRATA
from minga.tables import queries as tables
from minga.tables.models import Table

MAP_HOTSPOTS = 150  # the page's map shows the highest-ranked; the download holds them all


def _table_and_manage(request: HttpRequest, slug: str) -> tuple[Table, bool, bool, bool]:
    table = tables.get_table(slug)
    return (
        table,
        tables.may(request.user, table, "satellite.manage"),
        tables.may(request.user, table, "verification.sample"),
        tables.may(request.user, table, "verification.issue"),
    )


@require_http_methods(["GET", "POST"])
def satellite_page(request: HttpRequest, slug: str) -> HttpResponse:
    table, may_manage, may_sample, _issue = _table_and_manage(request, slug)
    layer_form = forms.LayerForm(files_available=satellite.available_files())
    analysis_form = forms.AnalysisForm()
    fetch_form = forms.FetchForm(available=satellite.fetchable_products())
    if request.method == "POST":
        if not request.user.is_authenticated or not may_manage:
            raise PermissionDenied
        if "fetch" in request.POST:
            fetch_form = forms.FetchForm(request.POST, available=satellite.fetchable_products())
            run_posted(
                request,
                fetch_form,
                lambda d: satellite.start_layer_fetch(
                    by=request.user, table=table, products=d["products"]
                ),
                done=_("Fetch queued: the worker brings the layers in the background."),
            )
        elif "path" in request.POST:
            layer_form = forms.LayerForm(request.POST, files_available=satellite.available_files())
            run_posted(
                request,
                layer_form,
                lambda d: satellite.register_layer(
                    by=request.user,
                    table=table,
                    path=d["path"],
                    product=d["product"],
                    name=d["name"],
                ),
                done=_("Layer registered."),
            )
        else:
            analysis_form = forms.AnalysisForm(request.POST)
            run_posted(
                request,
                analysis_form,
                lambda d: satellite.start_analysis(
                    by=request.user, table=table, threshold=d["threshold"]
                ),
                done=_("Analysis queued: the worker runs it in the background."),
            )
        return redirect("satellite", slug=table.slug)
    run = queries.latest_run(table)
    zones = []
    for zone in queries.zones_for(request.user, table):
        s = queries.series(run, zone)
        recent = list(s.loss.items())[-5:]
        zones.append(
            {
                "zone": zone,
                "kind": queries.zone_kind_of(zone),
                "public_id": zone.owner.public_id,
                "series": s,
                "recent": sum(ha for _, ha in recent),
                "anomalies": queries.loss_anomalies(s.loss),
            }
        )
    loss = queries.table_loss(run, request.user, table)
    return render(
        request,
        "satellite/overview.html",
        {
            "table": table,
            "run": run,
            "running": queries.running_analysis(table),
            "layers": list(queries.layers_of(table)),
            "zones": zones,
            "chart": loss_chart(loss, title=_("Tree cover loss per year, territories (ha)"))
            if loss
            else "",
            "hotspots": queries.hotspots_for(request.user, table)[:25],
            "map_hotspots": MAP_HOTSPOTS,
            # the map's first paint, and the map itself without JavaScript
            "hotspot_outline": outline_svg(
                [(t.shape, t.name) for t in tables.territories_for(request.user, table)],
                points=[
                    (h.lon, h.lat, f"#{h.rank} · {h.hectares:.1f} ha")
                    for h in queries.hotspots_for(request.user, table)[:MAP_HOTSPOTS]
                ],
                title=_("Hotspots to check on the ground"),
            ),
            "may_manage": may_manage,
            "may_sample": may_sample,
            "layer_form": layer_form,
            "analysis_form": analysis_form,
            "fetch_form": fetch_form,
            "layer_fetch": queries.latest_fetch(table) if may_manage else None,
            "labels_form": forms.LabelsForm(),
            "tile_url": settings.MINGA_TILE_URL,
            "tile_attribution": settings.MINGA_TILE_ATTRIBUTION,
        },
    )


@require_GET
def run_progress(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    run = queries.get_run(table, public_id)
    return render(request, "satellite/_run.html", {"table": table, "running": run})


@login_required
@require_GET
def fetch_progress(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "satellite.manage")
    fetch = queries.get_fetch(table, public_id)
    return render(request, "satellite/_fetch.html", {"table": table, "layer_fetch": fetch})


@require_GET
def hotspots_geojson(request: HttpRequest, slug: str) -> JsonResponse:
    """Every hotspot the viewer may see, by rank; ``?limit=N`` keeps the first N (for maps)."""
    table = tables.get_table(slug)
    names = dict(CONFIDENCE_CHOICES)
    try:
        limit = max(1, int(request.GET.get("limit", "0"))) if request.GET.get("limit") else None
    except ValueError:
        return JsonResponse({"detail": _("limit must be a whole number.")}, status=400)
    features = [
        {
            "type": "Feature",
            "id": h.public_id,
            "geometry": {"type": "Point", "coordinates": [h.lon, h.lat]},
            "properties": {
                "id": h.public_id,
                "rank": h.rank,
                "label": f"#{h.rank} · {h.hectares:.1f} ha · {names[h.confidence]}",
                "hectares": round(h.hectares, 2),
                "alerts": h.alerts,
                "confidence": CONF_CLASSES[h.confidence],
                "first_date": h.first_date.isoformat(),
                "last_date": h.last_date.isoformat(),
                "radius_m": h.radius_m,
                "status": h.status,
                "zone": str(h.zone),
            },
        }
        for h in queries.hotspots_for(request.user, table)[:limit]
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Type"] = "application/geo+json"
    return response


@require_GET
def hotspots_clusters(request: HttpRequest, slug: str) -> JsonResponse:
    """Every hotspot the viewer may see, grouped for the map at zoom ``z`` within
    ``bbox=west,south,east,north`` (see minga.core.clusters): a group's number where there are
    several, the hotspot itself, with its extent and confidence, where it is alone."""
    table = tables.get_table(slug)
    return clusters.answer(request.GET, lambda view: _hotspot_groups(request.user, table, view))


def _hotspot_groups(user: Any, table: Table, view: clusters.View) -> dict[str, Any]:
    names = dict(CONFIDENCE_CHOICES)
    cells = clusters.clusters(
        queries.visible_hotspots(user, table),
        view,
        id="public_id",
        rank="rank",
        hectares="hectares",
        confidence="confidence",
        strongest=Max("confidence"),
        radius_m="radius_m",
    )
    features = clusters.features_of(
        cells,
        alone=lambda cell: {
            "rank": cell["rank"],
            "label": f"#{cell['rank']} · {cell['hectares']:.1f} ha · {names[cell['confidence']]}",
            "confidence": CONF_CLASSES[cell["confidence"]],
            "radius_m": cell["radius_m"],
        },
        group=lambda cell: {"confidence": CONF_CLASSES[cell["strongest"]]},
    )
    return clusters.collection(view, cells, features)


def _xlsx(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_GET
def hotspot_form(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    spots = queries.hotspots_for(request.user, table)
    run = queries.latest_run(table)
    form_id = f"minga_hotspots_{table.slug}".replace("-", "_")
    body = points_xlsform(
        form_id=form_id,
        title=(_("Satellite alerts to check: %(table)s") % {"table": table.name})[:120],
        version=run.public_id if run else "0",
        points=[
            (h.public_id, f"#{h.rank} {h.hectares:.1f} ha", h.lat, h.lon)
            for h in spots
            if h.status == "open"
        ],
        answers=["confirmed", "false_alarm"],
    )
    return _xlsx(body, form_id)


@login_required
@require_POST
def hotspot_checks(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "verification.sample")
    form = forms.LabelsForm(request.POST, request.FILES)
    run_posted(
        request,
        form,
        lambda d: satellite.record_hotspot_checks(
            by=request.user, table=table, pairs=satellite.read_label_rows(d["file"].read())
        ),
        done=_("Hotspot checks recorded."),
    )
    return redirect("satellite", slug=table.slug)


@require_http_methods(["GET", "POST"])
def zone_page(request: HttpRequest, slug: str, kind: str, public_id: str) -> HttpResponse:
    table, _manage, may_sample, may_issue = _table_and_manage(request, slug)
    zone = queries.get_zone_for(request.user, table, kind, public_id)
    designs = list(queries.designs_of(table, zone))
    design_form = forms.DesignForm(auto_id="design_%s")
    verification_form = forms.VerificationForm(designs=designs, auto_id="verify_%s")
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied
        if "loss" in request.POST:
            tables.require(request.user, table, "verification.sample")
            design_form = forms.DesignForm(request.POST, auto_id="design_%s")
            made: list[SampleDesign] = []
            if run_posted(
                request,
                design_form,
                lambda d: made.append(
                    satellite.create_sample_design(
                        by=request.user,
                        table=table,
                        zone=zone,
                        start_year=d["start_year"],
                        end_year=d["end_year"],
                        per_stratum=design_form.per_stratum(),
                    )
                ),
                done=_("Sample drawn."),
            ):
                return redirect("sample-design", slug=table.slug, public_id=made[0].public_id)
        else:
            tables.require(request.user, table, "verification.issue")
            verification_form = forms.VerificationForm(
                request.POST, designs=designs, auto_id="verify_%s"
            )
            issued: list[VerificationReport] = []
            if run_posted(
                request,
                verification_form,
                lambda d: issued.append(
                    satellite.issue_verification(
                        by=request.user,
                        table=table,
                        zone=zone,
                        start_year=d["start_year"],
                        end_year=d["end_year"],
                        design=next((x for x in designs if x.public_id == d["design"]), None),
                    )
                ),
                done=_("Verification report issued."),
            ):
                return redirect("verification", slug=table.slug, public_id=issued[0].public_id)
        return redirect("satellite-zone", slug=table.slug, kind=kind, public_id=public_id)
    run = queries.latest_run(table)
    s = queries.series(run, zone)
    return render(
        request,
        "satellite/zone.html",
        {
            "table": table,
            "zone": zone,
            "kind": kind,
            "public_id": public_id,
            "run": run,
            "series": s,
            "loss_chart": loss_chart(s.loss, title=_("Tree cover loss per year (ha)"))
            if s.loss
            else "",
            "alerts_chart": alerts_chart(s.alerts, title=_("Alerts per month by confidence (ha)"))
            if s.alerts
            else "",
            "anomalies": queries.loss_anomalies(s.loss),
            "hotspots": list(queries.hotspots_of(table, zone)[:20]),
            "designs": designs,
            "verifications": list(queries.verifications_of(table, zone)),
            "may_sample": may_sample,
            "may_issue": may_issue,
            "design_form": design_form,
            "verification_form": verification_form,
        },
    )


def _design_for(request: HttpRequest, slug: str, public_id: str) -> tuple[Table, SampleDesign]:
    table = tables.get_table(slug)
    design = queries.get_design(table, public_id)
    if not queries.zone_visible(request.user, table, design.zone):
        raise PermissionDenied
    return table, design


@require_http_methods(["GET", "POST"])
def design_page(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, design = _design_for(request, slug, public_id)
    may_sample = tables.may(request.user, table, "verification.sample")
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied
        tables.require(request.user, table, "verification.sample")
        if "from_observations" in request.POST:
            try:
                n = satellite.labels_from_observations(by=request.user, design=design)
            except satellite.SatelliteError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s point labelled from observations.",
                        "%(n)s points labelled from observations.",
                        n,
                    )
                    % {"n": n},
                )
        else:
            form = forms.LabelsForm(request.POST, request.FILES)
            run_posted(
                request,
                form,
                lambda d: satellite.record_labels(
                    by=request.user,
                    design=design,
                    pairs=satellite.read_label_rows(d["file"].read()),
                ),
                done=_("Reference labels recorded."),
            )
        return redirect("sample-design", slug=table.slug, public_id=design.public_id)
    matrix, labelled = queries.error_matrix(design)
    labels = dict(design.labels.values_list("point", "label"))

    return render(
        request,
        "satellite/design.html",
        {
            "table": table,
            "design": design,
            "points": [
                {
                    **p,
                    "stratum_label": STRATUM_LABELS[p["stratum"]],
                    "label": STRATUM_LABELS.get(labels.get(p["id"], ""), ""),
                }
                for p in design.points
            ],
            "matrix": [(STRATUM_LABELS[s], row) for s, row in zip(STRATA, matrix, strict=True)],
            "strata": [STRATUM_LABELS[s] for s in STRATA],
            "mapped": [(STRATUM_LABELS[s], design.mapped_ha.get(s, 0.0)) for s in STRATA],
            "labelled": labelled,
            "may_sample": may_sample,
            "labels_form": forms.LabelsForm(),
        },
    )


@require_GET
def design_export(request: HttpRequest, slug: str, public_id: str, fmt: str) -> HttpResponse:
    _table, design = _design_for(request, slug, public_id)
    name = f"minga_sample_{design.public_id}"
    if fmt == "geojson":
        body = json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "id": p["id"],
                        "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                        "properties": {"id": p["id"], "stratum": p["stratum"], "label": p["id"]},
                    }
                    for p in design.points
                ],
            }
        )
        response = HttpResponse(body, content_type="application/geo+json")
    elif fmt == "gpx":
        waypoints = "".join(
            f"<wpt lat={quoteattr(str(p['lat']))} lon={quoteattr(str(p['lon']))}>"
            f"<name>{escape(p['id'])}</name><desc>{escape(p['stratum'])}</desc></wpt>"
            for p in design.points
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<gpx version="1.1" creator="minga" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<metadata><name>{escape(str(design))}</name></metadata>{waypoints}</gpx>"
        )
        response = HttpResponse(body, content_type="application/gpx+xml")
    elif fmt == "xlsx":
        return _xlsx(
            points_xlsform(
                form_id=name,
                title=(_("Ground check: %(zone)s") % {"zone": design.zone})[:120],
                version=design.public_id,
                points=[(p["id"], p["id"], p["lat"], p["lon"]) for p in design.points],
                answers=["loss", "forest", "other"],
            ),
            name,
        )
    elif fmt == "csv":
        response = HttpResponse(queries.labels_csv(design), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _verification_for(
    request: HttpRequest, slug: str, public_id: str
) -> tuple[Table, VerificationReport]:
    table = tables.get_table(slug)
    report = queries.get_verification(table, public_id)
    if not queries.zone_visible(request.user, table, report.zone):
        raise PermissionDenied
    return table, report


def _verification_context(table: Table, report: VerificationReport) -> dict[str, Any]:
    f = report.figures
    loss = {int(y): ha for y, ha in f["loss_ha_by_year"].items()}
    names = dict(CONFIDENCE_CHOICES)
    return {
        "table": table,
        "report": report,
        "f": f,
        "chart": loss_chart(loss, title=_("Tree cover loss per year (ha)")) if loss else "",
        "alerts": [(names[int(c)], ha) for c, ha in f["alerts_ha_by_confidence"].items()],
        "estimation": f.get("estimation"),
        "classes": [
            (STRATUM_LABELS.get(name, name), c)
            for name, c in (f.get("estimation") or {}).get("classes", {}).items()
        ],
    }


@require_GET
def verification_page(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, report = _verification_for(request, slug, public_id)
    return render(request, "satellite/verification.html", _verification_context(table, report))


@require_GET
def verification_json(request: HttpRequest, slug: str, public_id: str) -> JsonResponse:
    table, report = _verification_for(request, slug, public_id)
    return JsonResponse(
        {
            "id": report.public_id,
            "table": table.slug,
            "zone": report.zone_name,
            "period": [report.start_year, report.end_year],
            "issued_at": report.created_at.isoformat(),
            "verified_ha": str(report.verified_ha),
            "figures": report.figures,
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def verification_pdf(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, report = _verification_for(request, slug, public_id)
    return pdf_response(
        request,
        "satellite/verification_pdf.html",
        _verification_context(table, report),
        filename=f"minga-verification-{report.public_id}.pdf",
    )
