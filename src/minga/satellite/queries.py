"""Reads of satellite verification: layers, analyses, each zone's series, hotspots, samples,
verification figures; zones are shown only to those who may see their area."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from shapely.geometry import Point, shape

from minga.agreements.models import Agreement
from minga.core.access import level_for
from minga.core.geo import parse_area
from minga.core.models import RunStatus
from minga.core.spreadsheet import csv_writer
from minga.initiatives.models import Initiative
from minga.monitoring.models import Observation, Patrol
from minga.monitoring.queries import zone_coverage
from minga.satellite.anomaly import anomalies
from minga.satellite.estimation import EstimationError, estimate_area
from minga.satellite.models import (
    AnalysisRun,
    Hotspot,
    HotspotStatus,
    LayerFetch,
    Metric,
    RasterLayer,
    SampleDesign,
    VerificationReport,
    ZoneKind,
    ZoneStatistic,
)
from minga.satellite.sampling import STRATA
from minga.tables.models import Table, Territory
from minga.tables.queries import roles_for


def active_layers(table: Table) -> dict[str, RasterLayer]:
    return {layer.product: layer for layer in RasterLayer.objects.filter(table=table, active=True)}


def layers_of(table: Table) -> QuerySet[RasterLayer]:
    return RasterLayer.objects.filter(table=table)


def running_analysis(table: Table) -> AnalysisRun | None:
    return AnalysisRun.objects.filter(
        table=table, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()


def latest_run(table: Table) -> AnalysisRun | None:
    return AnalysisRun.objects.filter(table=table, status=RunStatus.DONE).first()


def get_run(table: Table, public_id: str) -> AnalysisRun:
    return get_object_or_404(AnalysisRun, table=table, public_id=public_id)


def running_fetch(table: Table) -> LayerFetch | None:
    return LayerFetch.objects.filter(
        table=table, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()


def latest_fetch(table: Table) -> LayerFetch | None:
    return LayerFetch.objects.filter(table=table).first()


def get_fetch(table: Table, public_id: str) -> LayerFetch:
    return get_object_or_404(LayerFetch, table=table, public_id=public_id)


def zone_visible(user: Any, table: Table, zone: Any) -> bool:
    """May this viewer see the zone's place (its outline, hotspots, sample points)?"""
    level = level_for(roles_for(user, table))
    sensitivity = getattr(zone, "sensitivity", getattr(zone, "area_sensitivity", 0))
    return bool(int(sensitivity) <= int(level))


def zones_for(user: Any, table: Table) -> list[Any]:
    """The table's territories and agreements with an area that this viewer may see."""
    return [z for z in zones_of(table) if zone_visible(user, table, z.owner)]


def get_zone_for(user: Any, table: Table, kind: str, public_id: str) -> Any:
    for zone in zones_of_kind(table, kind, public_id):
        if zone_visible(user, table, zone.owner):
            return zone
        raise PermissionDenied
    raise Http404


def zones_of_kind(table: Table, kind: str, public_id: str) -> list[Any]:
    field = {"territory": "territory", "agreement": "agreement", "initiative": "initiative"}.get(
        kind
    )
    if field is None:
        return []
    return [
        z
        for z in zones_of(table)
        if getattr(z, field) is not None and getattr(z, field).public_id == public_id
    ]


def _zone_filter(zone: Any) -> dict[str, Any]:
    return {"territory": zone.territory, "agreement": zone.agreement, "initiative": zone.initiative}


@dataclass
class ZoneSeries:
    area: float = 0.0
    forest: float = 0.0
    loss: dict[int, float] = field(default_factory=dict)
    alerts: dict[tuple[int, int], dict[int, float]] = field(default_factory=dict)
    analysed: bool = False  # False for a zone drawn after the latest analysis

    @property
    def total_loss(self) -> float:
        return sum(self.loss.values())


def series(run: AnalysisRun | None, zone: Any) -> ZoneSeries:
    out = ZoneSeries()
    if run is None:
        return out
    for stat in ZoneStatistic.objects.filter(run=run, **_zone_filter(zone)):
        out.analysed = True
        if stat.metric == Metric.AREA:
            out.area = stat.hectares
        elif stat.metric == Metric.FOREST:
            out.forest = stat.hectares
        elif stat.metric == Metric.LOSS and stat.year is not None:
            out.loss[stat.year] = stat.hectares
        elif stat.metric == Metric.ALERTS and stat.year and stat.month:
            month = out.alerts.setdefault((stat.year, stat.month), {})
            month[stat.confidence] = month.get(stat.confidence, 0.0) + stat.hectares
    out.loss = dict(sorted(out.loss.items()))
    out.alerts = dict(sorted(out.alerts.items()))
    return out


def table_loss(run: AnalysisRun | None, user: Any, table: Table) -> dict[int, float]:
    """Loss per year summed over the territories this viewer may see (agreements lie inside)."""
    if run is None:
        return {}
    totals: dict[int, float] = {}
    visible = [z.territory for z in zones_for(user, table) if z.territory is not None]
    for year, ha in ZoneStatistic.objects.filter(
        run=run, metric=Metric.LOSS, territory__in=visible
    ).values_list("year", "hectares"):
        if year is not None:
            totals[year] = totals.get(year, 0.0) + ha
    return dict(sorted(totals.items()))


def loss_anomalies(loss: dict[int, float]) -> list[Any]:
    years = list(loss)
    return anomalies([str(y) for y in years], [loss[y] for y in years])


def hotspots_of(table: Table, zone: Any | None = None) -> QuerySet[Hotspot]:
    run = latest_run(table)
    found = Hotspot.objects.filter(table=table, run=run)
    if zone is not None:
        found = found.filter(**_zone_filter(zone))
    return found.select_related("territory", "agreement")


def visible_hotspots(user: Any, table: Table) -> QuerySet[Hotspot]:
    """The latest run's hotspots whose zone this viewer may see (as ``zone_visible``), in SQL."""
    level = int(level_for(roles_for(user, table)))
    return hotspots_of(table).filter(
        Q(territory__sensitivity__lte=level)
        | Q(agreement__area_sensitivity__lte=level)
        | Q(initiative__isnull=False)
    )


def hotspots_for(user: Any, table: Table) -> list[Hotspot]:
    return list(visible_hotspots(user, table))


def designs_of(table: Table, zone: Any) -> QuerySet[SampleDesign]:
    return SampleDesign.objects.filter(table=table, **_zone_filter(zone))


def get_design(table: Table, public_id: str) -> SampleDesign:
    return get_object_or_404(
        SampleDesign.objects.select_related("territory", "agreement"),
        table=table,
        public_id=public_id,
    )


def verifications_of(table: Table, zone: Any | None = None) -> QuerySet[VerificationReport]:
    found = VerificationReport.objects.filter(table=table)
    if zone is not None:
        found = found.filter(**_zone_filter(zone))
    return found


def get_verification(table: Table, public_id: str) -> VerificationReport:
    return get_object_or_404(
        VerificationReport.objects.select_related("territory", "agreement"),
        table=table,
        public_id=public_id,
    )


def error_matrix(design: SampleDesign) -> tuple[list[list[int]], int]:
    """Sample counts, rows = map stratum, columns = reference label; and how many are labelled."""

    index = {name: i for i, name in enumerate(STRATA)}
    stratum = {p["id"]: p["stratum"] for p in design.points}
    matrix = [[0] * len(STRATA) for _ in STRATA]
    n = 0
    for point, label in design.labels.values_list("point", "label"):
        if point in stratum and label in index:
            matrix[index[stratum[point]]][index[label]] += 1
            n += 1
    return matrix, n


def verification_figures(
    *,
    table: Table,
    zone: Any,
    run: AnalysisRun,
    start_year: int,
    end_year: int,
    design: SampleDesign | None,
) -> dict[str, Any]:
    """Everything a verification report states, as plain JSON-able values."""

    s = series(run, zone)
    period = range(start_year, end_year + 1)
    loss_period = {str(y): round(s.loss.get(y, 0.0), 2) for y in period}
    standing = s.forest - sum(ha for y, ha in s.loss.items() if y <= end_year)
    alerts: dict[str, float] = {"1": 0.0, "2": 0.0, "3": 0.0}
    for (year, _month), by_conf in s.alerts.items():
        if year in period:
            for conf, ha in by_conf.items():
                alerts[str(conf)] += ha
    since = dt.datetime(start_year, 1, 1, tzinfo=dt.UTC)
    until = dt.datetime(end_year + 1, 1, 1, tzinfo=dt.UTC)
    patrols = [
        p
        for p in Patrol.objects.filter(table=table, started_at__gte=since, started_at__lt=until)
        if p.track and _touches(zone.geometry, p.track)
    ]
    walked = zone_coverage(zone.geometry, patrols)
    observations = Observation.objects.filter(
        table=table, observed_at__gte=since, observed_at__lt=until
    )

    inside = [o for o in observations if zone.geometry.covers(Point(o.lon, o.lat))]
    kinds: dict[str, int] = {}
    for o in inside:
        kinds[o.kind] = kinds.get(o.kind, 0) + 1
    spots = list(hotspots_of(table, zone))
    checked = [h for h in spots if h.status != HotspotStatus.OPEN]
    estimation = None
    problem = ""
    verified = 0.0
    if design is None:
        problem = "no ground sample"
    else:
        matrix, labelled = error_matrix(design)
        try:
            result = estimate_area(list(STRATA), [design.mapped_ha[k] for k in STRATA], matrix)
        except EstimationError as exc:
            problem = str(exc)
        else:
            estimation = {
                "classes": {
                    c.name: {
                        "mapped_ha": round(c.mapped_area, 2),
                        "area_ha": round(c.area, 2),
                        "ci95_ha": round(c.ci95, 2),
                        "users_accuracy": c.users_accuracy,
                        "producers_accuracy": c.producers_accuracy,
                    }
                    for c in result.classes
                },
                "overall_accuracy": result.overall_accuracy,
                "labelled": labelled,
                "sample_size": len(design.points),
                "error_matrix": matrix,
            }
            forest = result.get("forest")
            verified = max(0.0, forest.area - forest.ci95)
    return {
        "zone": {"kind": zone_kind_of(zone), "name": zone.name, "area_ha": round(s.area, 2)},
        "period": [start_year, end_year],
        "threshold": run.threshold,
        "run": run.public_id,
        "forest_2000_ha": round(s.forest, 2),
        "forest_standing_ha": round(standing, 2),
        "loss_ha_by_year": loss_period,
        "loss_ha": round(sum(loss_period.values()), 2),
        "alerts_ha_by_confidence": {k: round(v, 2) for k, v in alerts.items()},
        "anomalies": [
            {
                "year": a.label,
                "loss_ha": round(a.value, 2),
                "baseline_ha": round(a.baseline, 2),
                "z": round(a.z, 1),
            }
            for a in loss_anomalies(s.loss)
            if int(a.label) in period
        ],
        "patrols": {
            "count": walked["patrols"],
            "km": float(walked["km"]),
            "share": walked["share"],
        },
        "observations": kinds,
        "hotspots": {
            "total": len(spots),
            "checked": len(checked),
            "confirmed": sum(1 for h in checked if h.status == HotspotStatus.CONFIRMED),
        },
        "estimation": estimation,
        "estimation_problem": problem,
        "verified_ha": round(verified, 2),
    }


def zone_kind_of(zone: Any) -> str:
    if zone.territory is not None:
        return str(ZoneKind.TERRITORY)
    return str(ZoneKind.AGREEMENT if zone.agreement is not None else ZoneKind.INITIATIVE)


def _touches(area: Any, track: dict[str, Any]) -> bool:
    try:
        return bool(area.intersects(shape(track)))
    except (ValueError, TypeError, AttributeError):
        return False


def labels_csv(design: SampleDesign) -> str:
    """The template a monitor fills in: one row per sample point."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["point", "lon", "lat", "reference"])
    done = dict(design.labels.values_list("point", "label"))
    for p in design.points:
        writer.writerow([p["id"], p["lon"], p["lat"], done.get(p["id"], "")])
    return out.getvalue()


@dataclass(frozen=True)
class ZoneRef:
    territory: Territory | None
    agreement: Agreement | None
    geometry: Any
    initiative: Initiative | None = None

    @property
    def fields(self) -> dict[str, Any]:
        return {
            "territory": self.territory,
            "agreement": self.agreement,
            "initiative": self.initiative,
        }

    @property
    def owner(self) -> Any:
        return self.territory or self.agreement or self.initiative

    @property
    def name(self) -> str:
        return str(self.owner)


def zones_of(table: Table) -> list[ZoneRef]:
    """The table's zones: territories, then agreements and initiatives that have an area."""
    zones = [ZoneRef(t, None, t.shape) for t in table.territories.all().order_by("pk")]
    for agreement in Agreement.objects.filter(table=table).order_by("pk"):
        if agreement.geometry:
            zones.append(ZoneRef(None, agreement, parse_area(agreement.geometry)))
    for initiative in Initiative.objects.filter(table=table).order_by("pk"):
        if (initiative.geometry or {}).get("type") in ("Polygon", "MultiPolygon"):
            zones.append(ZoneRef(None, None, parse_area(initiative.geometry or {}), initiative))
    return zones
