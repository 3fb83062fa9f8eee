"""Services for the satellite half of monitoring: layers, analyses, samples, labels, verification.

Every write checks the actor's role, runs in one transaction and records its event. The heavy
work (zonal statistics, alert pixels) lives in the pure modules ``zonal``, ``sampling`` and
``hotspots``; :func:`run_analysis` is what the background task calls.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import secrets
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minga.core.access import SYSTEM, Actor, person_user
from minga.core.events import record_event
from minga.core.models import RunStatus
from minga.core.uploads import check_upload
from minga.monitoring.models import Observation
from minga.satellite import events, hotspots, products, publishers, queries, sampling, zonal
from minga.satellite.fetch import Fetched, FetchError, fetch_granule, forget
from minga.satellite.models import (
    PRODUCT_LABELS,
    AnalysisRun,
    Hotspot,
    HotspotStatus,
    LayerFetch,
    Metric,
    RasterLayer,
    ReferenceLabel,
    SampleDesign,
    VerificationReport,
    ZoneStatistic,
)
from minga.satellite.queries import ZoneRef, zones_of
from minga.satellite.sampling import STRATA
from minga.tables.models import Table
from minga.tables.queries import require

ALERT_MONTHS = 36


class SatelliteError(ValidationError):
    """A request the satellite services refuse, with a message for the person who made it."""

    def __str__(self) -> str:
        return " ".join(self.messages)


# --- layers --------------------------------------------------------------------------------------


def raster_root() -> Path:
    return Path(settings.MINGA_RASTER_ROOT)


def available_files() -> list[str]:
    """GeoTIFFs and tile folders under the raster root, relative to it, for the register form."""
    root = raster_root()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() in {".tif", ".tiff", ".vrt"} and path.is_file():
            found.append(str(path.relative_to(root)))
    return found


def _resolve(path: str) -> Path:
    root = raster_root().resolve()
    candidate = (root / path).resolve()
    if root != candidate and root not in candidate.parents:
        raise SatelliteError(_("Layers must be files under the raster folder (MINGA_RASTER_ROOT)."))
    if not candidate.exists():
        raise SatelliteError(_("There is no file %(path)s in the raster folder.") % {"path": path})
    return candidate


def _check_raster_file(path: Path) -> None:
    """GeoTIFF or VRT, by name and first bytes, and no larger than MINGA_MAX_RASTER_MB."""

    class _Named:
        def __init__(self, path: Path) -> None:
            self.name, self.size, self._path = path.name, path.stat().st_size, path

        def read(self, n: int) -> bytes:
            with self._path.open("rb") as f:
                return f.read(n)

    try:
        check_upload(_Named(path), "raster")
    except ValidationError as exc:
        raise SatelliteError(exc.messages[0]) from None


def mosaic_vrt(tiles: list[Path], target: Path) -> Path:
    """A GDAL VRT that mosaics same-grid tiles (a folder of 10° granules) into one layer."""
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    infos = []
    for tile in tiles:
        with rasterio.open(tile) as ds:
            infos.append((tile, ds.transform, ds.width, ds.height, ds.crs, ds.dtypes[0], ds.count))
    t0 = infos[0][1]
    crs, dtype, count = infos[0][4], infos[0][5], infos[0][6]
    res_x, res_y = t0.a, t0.e
    for tile, t, _width, _height, c, d, n in infos:
        if (
            c != crs
            or d != dtype
            or n != count
            or abs(t.a - res_x) > 1e-12
            or abs(t.e - res_y) > 1e-12
        ):
            raise SatelliteError(
                _("The tile %(tile)s is on another grid or type than the others.")
                % {"tile": tile.name}
            )
    west = min(info[1].c for info in infos)
    north = max(info[1].f for info in infos)
    east = max(info[1].c + info[2] * info[1].a for info in infos)
    south = min(info[1].f + info[3] * info[1].e for info in infos)
    width = round((east - west) / res_x)
    height = round((south - north) / res_y)
    gdal_type = {"uint8": "Byte", "uint16": "UInt16", "uint32": "UInt32", "int16": "Int16"}[dtype]
    bands = []
    for band in range(1, count + 1):
        sources = []
        for tile, t, w, h, *_other in infos:
            x_off, y_off = round((t.c - west) / res_x), round((t.f - north) / res_y)
            sources.append(
                f'<SimpleSource><SourceFilename relativeToVRT="0">{tile}</SourceFilename>'
                f"<SourceBand>{band}</SourceBand>"
                f'<SrcRect xOff="0" yOff="0" xSize="{w}" ySize="{h}"/>'
                f'<DstRect xOff="{x_off}" yOff="{y_off}" xSize="{w}" ySize="{h}"/></SimpleSource>'
            )
        bands.append(
            f'<VRTRasterBand dataType="{gdal_type}" band="{band}">{"".join(sources)}</VRTRasterBand>'
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}">'
        f"<SRS>{crs.to_wkt()}</SRS>"
        f"<GeoTransform>{west!r}, {res_x!r}, 0, {north!r}, 0, {res_y!r}</GeoTransform>"
        f"{''.join(bands)}</VRTDataset>"
    )
    return target


def register_layer(
    *, by: Actor, table: Table, path: str, product: str = "", name: str = ""
) -> RasterLayer:
    """Register a GeoTIFF (or a folder of tiles) under the raster root as one of the table's layers."""
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    # Imported here: rasterio (GDAL) loads only for raster work.
    from rasterio.windows import Window

    require(by, table, "satellite.manage")
    source = _resolve(path)
    product = product or products.guess_product(source.name) or ""
    if not product:
        raise SatelliteError(_("Say which product the file holds: its name does not tell."))
    try:
        decoder = products.decoder_for(product)
    except products.ProductError:
        raise SatelliteError(_("Unknown product %(product)s.") % {"product": product}) from None
    if source.is_file():
        _check_raster_file(source)
    if source.is_dir():
        tiles = sorted(p for p in source.iterdir() if p.suffix.lower() in {".tif", ".tiff"})
        for part in tiles:
            _check_raster_file(part)
        if not tiles:
            raise SatelliteError(_("The folder %(path)s holds no GeoTIFF tiles.") % {"path": path})
        source = mosaic_vrt(
            tiles, Path(settings.DATA_DIR) / "rasters" / f"{table.slug}-{product}.vrt"
        )
    try:
        with rasterio.open(source) as ds:
            if ds.crs is None:
                raise SatelliteError(_("The file has no coordinate reference system."))
            if ds.count < decoder.bands:
                raise SatelliteError(
                    _("%(product)s needs %(n)s bands; the file has %(m)s.")
                    % {
                        "product": PRODUCT_LABELS.get(product, product),
                        "n": decoder.bands,
                        "m": ds.count,
                    }
                )
            bands = list(range(1, decoder.bands + 1)) if decoder.bands > 1 else 1
            sample = ds.read(bands, window=Window(0, 0, min(ds.width, 512), min(ds.height, 512)))
            try:
                decoder.check(np.asarray(sample))
            except products.ProductError as exc:
                raise SatelliteError(
                    _("The values do not follow the %(product)s encoding: %(detail)s")
                    % {"product": PRODUCT_LABELS.get(product, product), "detail": exc}
                ) from None
            west, south, east, north = ds.bounds
            fields = {
                "width": ds.width,
                "height": ds.height,
                "crs": ds.crs.to_string(),
                "west": west,
                "south": south,
                "east": east,
                "north": north,
                "resolution": abs(ds.transform.a),
            }
    except rasterio.errors.RasterioIOError:
        raise SatelliteError(
            _("%(path)s is not a raster minga can read.") % {"path": path}
        ) from None
    tile = products.parse_tile_name(source.name)
    with transaction.atomic():
        RasterLayer.objects.filter(table=table, product=product, active=True).update(active=False)
        layer = RasterLayer.objects.create(
            table=table,
            product=product,
            name=name or source.name,
            path=str(source),
            release_year=tile.release_year if tile else None,
            **fields,
        )
        record_event(
            events.LAYER_REGISTERED,
            actor=by,
            table=table,
            subject=layer,
            payload={"product": product, "file": source.name},
        )
    return layer


# --- layers from their publishers ----------------------------------------------------------------

# The setting that holds each publisher's base URL (read when a fetch starts, never at import).
PUBLISHER_URLS = {
    "hansen": "MINGA_HANSEN_URL",
    "gfw_integrated_alerts": "MINGA_INTEGRATED_ALERTS_URL",
    "umd_glad_landsat_alerts": "MINGA_GLAD_L_URL",
    "umd_glad_sentinel2_alerts": "MINGA_GLAD_S2_URL",
    "wur_radd_alerts": "MINGA_RADD_URL",
}


def publisher_url(product: str) -> str:
    """The base URL ``product`` is fetched from; empty when none is configured."""
    return str(getattr(settings, PUBLISHER_URLS[publishers.source_for(product).publisher]))


def fetchable_products() -> list[str]:
    return [p for p in publishers.SOURCES if publisher_url(p)]


def _zone_boxes(table: Table) -> list[publishers.Box]:
    return [
        z.geometry.bounds for z in zones_of(table) if z.geometry is not None and z.geometry.area
    ]


def start_layer_fetch(
    *,
    by: Actor,
    table: Table,
    products: Iterable[str] = (),
    whole: bool = False,
    background: bool = True,
) -> LayerFetch:
    """Queue fetching the table's layers from their publishers, for the granules its zones
    cover; the worker runs it (``background=False``: the caller runs :func:`run_layer_fetch`, as
    ``minga fetch-layers`` does). Without ``products``: Hansen tree cover and loss year and the
    integrated alerts, where their URLs are configured."""
    require(by, table, "satellite.manage")
    wanted = list(dict.fromkeys(products)) or [
        p for p in publishers.DEFAULT_PRODUCTS if publisher_url(p)
    ]
    for product in wanted:
        if product not in publishers.SOURCES:
            raise SatelliteError(_("Unknown product %(product)s.") % {"product": product})
        if not publisher_url(product):
            raise SatelliteError(
                _("%(product)s has no publisher URL: set %(setting)s.")
                % {
                    "product": PRODUCT_LABELS.get(product, product),
                    "setting": PUBLISHER_URLS[publishers.SOURCES[product].publisher],
                }
            )
    if not wanted:
        raise SatelliteError(_("No product has a publisher URL configured."))
    if not _zone_boxes(table):
        raise SatelliteError(_("The table has no territory or agreement with an area yet."))
    if queries.running_fetch(table):
        raise SatelliteError(_("A fetch of this table's layers is already under way."))
    with transaction.atomic():
        fetch = LayerFetch.objects.create(
            table=table, products=wanted, whole=whole, requested_by=person_user(by)
        )
        # Queued: a hook of ``satellite.tasks`` asks the worker once this commits.
        record_event(
            events.FETCH_QUEUED if background else events.FETCH_STARTED,
            actor=by,
            table=table,
            subject=fetch,
            payload={"products": wanted},
        )
    return fetch


def run_layer_fetch(
    fetch: LayerFetch, *, progress: Callable[[int, int], None] | None = None
) -> LayerFetch:
    """Fetch and register each product of ``fetch`` (called by the task and the command).

    Each granule is read or downloaded as ``fetch`` describes; a product is registered once all
    its granules are in and checked, and a product that fails leaves the others be. Run again, it
    asks the publishers only whether their files changed, and goes on with broken downloads.
    """
    fetch.refresh_from_db(fields=["status"])
    if fetch.status == RunStatus.DONE:
        return fetch
    table = fetch.table
    boxes = publishers.granule_boxes(_zone_boxes(table))
    total = 100 * max(1, len(boxes) * len(fetch.products))
    LayerFetch.objects.filter(pk=fetch.pk).update(
        status=RunStatus.RUNNING, done=0, total=total, error="", step=""
    )
    shown = [-1]

    def report(done: int) -> None:
        if done != shown[0]:
            shown[0] = done
            LayerFetch.objects.filter(pk=fetch.pk).update(done=done)
            if progress:
                progress(done, total)

    results: dict[str, dict[str, str]] = {}
    try:
        if not boxes:
            raise SatelliteError(_("The table has no territory or agreement with an area yet."))
        for n, product in enumerate(fetch.products):
            results[product] = _fetch_product(
                fetch, product, boxes, first_step=n * len(boxes), report=report
            )
            LayerFetch.objects.filter(pk=fetch.pk).update(results=results)
        failed = [f"{p}: {r['detail']}" for p, r in results.items() if r["status"] == "failed"]
        LayerFetch.objects.filter(pk=fetch.pk).update(
            status=RunStatus.FAILED if failed else RunStatus.DONE,
            error=" ".join(failed),
            step="",
            finished_at=timezone.now(),
        )
        report(total)
    except BaseException as exc:  # a failed fetch must say why, never stay "running"
        LayerFetch.objects.filter(pk=fetch.pk).update(
            status=RunStatus.FAILED,
            error=str(exc) or type(exc).__name__,
            results=results,
            finished_at=timezone.now(),
        )
        if not isinstance(exc, Exception):
            raise
    fetch.refresh_from_db()
    return fetch


def _fetch_product(
    fetch: LayerFetch,
    product: str,
    boxes: dict[publishers.Granule, publishers.Box],
    *,
    first_step: int,
    report: Callable[[int], None],
) -> dict[str, str]:
    table = fetch.table
    source = publishers.SOURCES[product]
    version = settings.MINGA_HANSEN_VERSION
    root = raster_root()
    folder = root / "fetched" / table.slug / product
    cache = root / "fetched" / "granules" / product
    got: list[tuple[publishers.Granule, Fetched]] = []
    for step, (granule, box) in enumerate(boxes.items(), first_step):
        LayerFetch.objects.filter(pk=fetch.pk).update(step=f"{product} {granule.id}")

        def tick(fraction: float, step: int = step) -> None:
            report(100 * step + min(99, int(100 * fraction)))

        try:
            url = source.url(granule, base=publisher_url(product), version=version)
            got.append(
                (
                    granule,
                    fetch_granule(
                        source,
                        granule,
                        box,
                        url=url,
                        bands=products.decoder_for(product).bands,
                        out=folder / source.local_name(granule, version=version),
                        cache=cache,
                        whole=fetch.whole,
                        progress=tick,
                    ),
                )
            )
        except (FetchError, publishers.PublisherError) as exc:
            return {"status": "failed", "detail": str(exc)}
    files = [f.path for _g, f in got]
    for old in folder.glob("*.tif"):  # granules an earlier fetch needed and the zones left
        if old not in files:
            forget(old)
    how = "; ".join(f"{g.id}: {_how(f)}" for g, f in got)
    source_path = files[0] if len(files) == 1 else folder
    registered_as = (
        str(files[0].resolve())
        if len(files) == 1
        else str(Path(settings.DATA_DIR) / "rasters" / f"{table.slug}-{product}.vrt")
    )
    current = queries.active_layers(table).get(product)
    if current and current.path == registered_as and not any(f.changed for _g, f in got):
        return {"status": "kept", "detail": how, "layer": current.public_id}
    try:
        layer = register_layer(
            by=fetch.requested_by or SYSTEM,
            table=table,
            path=str(source_path.relative_to(root)),
            product=product,
        )
    except (SatelliteError, PermissionDenied) as exc:
        for path in files:  # refused: nothing fetched stays to be mistaken for a layer
            forget(path)
            forget(cache / path.name)
        return {"status": "failed", "detail": " ".join(getattr(exc, "messages", [str(exc)]))}
    return {"status": "registered", "detail": how, "layer": layer.public_id}


def _how(fetched: Fetched) -> str:
    if fetched.how == "kept":
        return _("unchanged at the publisher")
    if fetched.how == "window":
        window = fetched.window
        return _("window of %(w)s × %(h)s px read over HTTP") % {
            "w": window.width if window else 0,
            "h": window.height if window else 0,
        }
    if fetched.downloaded:
        return _("whole granule downloaded (%(mb)s MB)") % {"mb": f"{fetched.downloaded / 1e6:.1f}"}
    return _("whole granule kept from an earlier download")


# --- analysis ------------------------------------------------------------------------------------


def start_analysis(
    *, by: Actor, table: Table, threshold: int = 30, background: bool = True
) -> AnalysisRun:
    """Queue an analysis of every zone of the table; the worker runs it (``background=False``:
    the caller runs it with :func:`run_analysis`, as the demo loader does)."""
    require(by, table, "satellite.manage")
    if not 0 <= threshold <= 100:
        raise SatelliteError(_("The canopy threshold must be between 0 and 100 %."))
    layers = queries.active_layers(table)
    if "hansen_treecover2000" not in layers or "hansen_lossyear" not in layers:
        raise SatelliteError(
            _("Register a Hansen tree cover 2000 layer and a loss year layer first.")
        )
    if queries.running_analysis(table):
        raise SatelliteError(_("An analysis of this table is already under way."))
    with transaction.atomic():
        run = AnalysisRun.objects.create(
            table=table,
            threshold=threshold,
            layers=[layer.public_id for layer in layers.values()],
            requested_by=person_user(by),
        )
        # Queued: a hook of ``satellite.tasks`` asks the worker once this commits.
        record_event(
            events.ANALYSIS_QUEUED if background else events.ANALYSIS_STARTED,
            actor=by,
            table=table,
            subject=run,
            payload={"threshold": threshold},
        )
    return run


def run_analysis(run: AnalysisRun, *, workers: int | None = 1) -> AnalysisRun:
    """Compute and store the zone statistics and hotspots of ``run`` (called by the task)."""

    run.refresh_from_db(fields=["status"])
    if run.status == RunStatus.DONE:  # a worker that died after the commit: nothing to redo
        return run
    table = run.table
    layers = {
        layer.public_id: layer for layer in RasterLayer.objects.filter(public_id__in=run.layers)
    }
    by_product = {layer.product: layer for layer in layers.values()}
    zones = zones_of(table)
    alert_layers = [
        layer
        for layer in by_product.values()
        if products.decoder_for(layer.product).kind == "alert"
    ]
    AnalysisRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, total=0, done=0, step="forest", error=""
    )

    def progress(step: str, offset: int, span: int) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            AnalysisRun.objects.filter(pk=run.pk).update(
                done=offset + done * span // max(total, 1), total=100, step=step
            )

        return report

    try:
        treecover = by_product["hansen_treecover2000"].path
        lossyear = by_product["hansen_lossyear"].path
        geoms = [z.geometry for z in zones]
        forest = zonal.zonal_hectares(
            {"treecover": treecover, "lossyear": lossyear},
            zonal.ForestLoss(threshold=run.threshold),
            geoms,
            workers=workers,
            progress=progress("forest", 0, 60),
        )
        last_year = zonal.last_year_of(lossyear)
        rows: list[ZoneStatistic] = []
        for zone, ha in zip(zones, forest, strict=True):
            rows.append(
                ZoneStatistic(run=run, metric=Metric.AREA, hectares=float(ha.sum()), **zone.fields)
            )
            rows.append(
                ZoneStatistic(
                    run=run, metric=Metric.FOREST, hectares=float(ha[1:].sum()), **zone.fields
                )
            )
            for year in range(2001, last_year + 1):
                rows.append(
                    ZoneStatistic(
                        run=run,
                        metric=Metric.LOSS,
                        year=year,
                        hectares=float(ha[1 + year - 2000]),
                        **zone.fields,
                    )
                )
        hotspots: list[Hotspot] = []
        for n, layer in enumerate(alert_layers):
            rows += _alert_statistics(
                run, layer, zones, progress(f"alerts {n + 1}", 60, 25), workers
            )
            hotspots += _hotspots(run, layer, zones)
        AnalysisRun.objects.filter(pk=run.pk).update(done=95, total=100, step="saving")
        with transaction.atomic():
            # Everything of a run is written in this one transaction; a run started again
            # after its worker died replaces whatever an earlier attempt could have left.
            ZoneStatistic.objects.filter(run=run).delete()
            Hotspot.objects.filter(run=run).delete()
            ZoneStatistic.objects.bulk_create(rows, batch_size=2000)
            for rank, spot in enumerate(
                sorted(hotspots, key=lambda h: (-h.hectares * h.confidence, h.lon)), 1
            ):
                spot.rank = rank
            Hotspot.objects.bulk_create(hotspots, batch_size=500)
            AnalysisRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE, done=100, total=100, step="", finished_at=timezone.now()
            )
            record_event(
                events.ANALYSIS_COMPLETED,
                actor=run.requested_by,
                table=table,
                subject=run,
                payload={"zones": len(zones), "hotspots": len(hotspots)},
            )
    except Exception as exc:  # a failed run must say why, never stay "running"
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(exc), finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run


def _alert_window() -> tuple[int, int]:
    """The months alert series cover: the last ``ALERT_MONTHS``, as (first month since 1970, count)."""
    today = timezone.localdate()
    first = (today.year - 1970) * 12 + today.month - 1 - (ALERT_MONTHS - 1)
    return first, ALERT_MONTHS


def _alert_statistics(
    run: AnalysisRun, layer: RasterLayer, zones: list[ZoneRef], report: Any, workers: int | None
) -> list[ZoneStatistic]:
    decoder = products.decoder_for(layer.product)
    first, months = _alert_window()
    classify = zonal.AlertMonths(product=layer.product, first_month=first, months=months)
    ha = zonal.zonal_hectares(
        {"alerts": layer.path},
        classify,
        [z.geometry for z in zones],
        bands={"alerts": decoder.bands},
        workers=workers,
        progress=report,
    )
    rows = []
    for zone, values in zip(zones, ha, strict=True):
        for code in range(1, classify.ncodes):
            if values[code] <= 0:
                continue
            month_index, conf = divmod(code - 1, 3)
            year, month = divmod(first + month_index, 12)
            rows.append(
                ZoneStatistic(
                    run=run,
                    metric=Metric.ALERTS,
                    year=1970 + year,
                    month=month + 1,
                    confidence=conf + 1,
                    hectares=float(values[code]),
                    **zone.fields,
                )
            )
    return rows


def _hotspots(run: AnalysisRun, layer: RasterLayer, zones: list[ZoneRef]) -> list[Hotspot]:
    first, _months = _alert_window()
    since = (dt.date(1970 + first // 12, first % 12 + 1, 1) - products.EPOCH).days - 1
    found = []
    for zone in zones:
        if zone.territory is None:
            continue  # agreements and initiatives lie inside territories: one hotspot, one place
        try:
            pixels = sampling.alert_pixels(
                layer.path, layer.product, zone.geometry, since_day=since
            )
        except zonal.ZonalError:
            continue
        for spot in hotspots.cluster(
            pixels["lon"], pixels["lat"], pixels["day"], pixels["confidence"], pixels["hectares"]
        ):
            found.append(
                Hotspot(
                    table=run.table,
                    run=run,
                    lon=round(spot.lon, 6),
                    lat=round(spot.lat, 6),
                    radius_m=round(spot.radius_m),
                    alerts=spot.alerts,
                    hectares=spot.hectares,
                    first_date=products.day_to_date(spot.first_day),
                    last_date=products.day_to_date(spot.last_day),
                    confidence=spot.confidence,
                    rank=0,
                    **zone.fields,
                )
            )
    return found


# --- verification --------------------------------------------------------------------------------


def create_sample_design(
    *,
    by: Actor,
    table: Table,
    zone: ZoneRef,
    start_year: int,
    end_year: int,
    per_stratum: dict[str, int],
    seed: int | None = None,
) -> SampleDesign:
    """Draw a stratified random sample of pixels in the zone for the monitors to label."""

    require(by, table, "verification.sample")
    if start_year > end_year or start_year < 2001:
        raise SatelliteError(_("The period must run forward from 2001."))
    if any(n < 2 for n in per_stratum.values()):
        raise SatelliteError(_("Each stratum needs at least two sample points."))
    layers = queries.active_layers(table)
    if "hansen_treecover2000" not in layers or "hansen_lossyear" not in layers:
        raise SatelliteError(
            _("Register a Hansen tree cover 2000 layer and a loss year layer first.")
        )
    seed = seed if seed is not None else secrets.randbelow(2**24)
    try:
        design = sampling.stratified_sample(
            layers["hansen_treecover2000"].path,
            layers["hansen_lossyear"].path,
            zone.geometry,
            start_year=start_year,
            end_year=end_year,
            per_stratum=per_stratum,
            seed=seed,
        )
    except zonal.ZonalError as exc:
        raise SatelliteError(str(exc)) from None
    with transaction.atomic():
        made = SampleDesign.objects.create(
            table=table,
            start_year=start_year,
            end_year=end_year,
            seed=seed,
            mapped_ha=design.mapped_ha,
            points=[
                {"id": p.id, "lon": round(p.lon, 7), "lat": round(p.lat, 7), "stratum": p.stratum}
                for p in design.points
            ],
            created_by=person_user(by),
            **zone.fields,
        )
        record_event(
            events.SAMPLE_DRAWN,
            actor=by,
            table=table,
            subject=made,
            payload={"points": len(design.points), "period": [start_year, end_year]},
        )
    return made


def read_label_rows(data: bytes) -> list[tuple[str, str]]:
    """``(point, label)`` pairs from a CSV: minga's template or an ODK/Kobo export of the form."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SatelliteError(_("The file is not UTF-8 text: save it as CSV (UTF-8).")) from None
    rows = list(csv.DictReader(io.StringIO(text)))
    pairs = []
    for row in rows:
        point = _column(row, ("point", "point_id", "hotspot"))
        label = _column(row, ("reference", "label", "reference_class", "result"))
        if point or label:
            pairs.append((point, label))
    if not pairs:
        raise SatelliteError(_("The file has no point and reference columns with values."))
    return pairs


def _column(row: dict[str, Any], names: Iterable[str]) -> str:
    for key, value in row.items():
        bare = str(key).strip().lower().rsplit("/", 1)[-1].rsplit("-", 1)[-1]
        if bare in names and value not in (None, ""):
            return str(value).strip()
    return ""


def _check_pairs(
    pairs: list[tuple[str, str]],
    *,
    known: set[str],
    answers: Iterable[str],
    unknown: str,
    aliases: set[str] | None = None,
) -> None:
    """Refuse the whole file when any row names an unknown point or answer (nothing half-stored)."""
    answers = tuple(answers)
    accepted = aliases or set(answers)
    problems = []
    for n, (point, label) in enumerate(pairs, 2):
        if point not in known:
            problems.append(unknown % {"n": n, "point": point or "—"})
        elif label not in accepted:
            problems.append(
                _("row %(n)s: %(label)s is not one of %(classes)s")
                % {"n": n, "label": label or "—", "classes": ", ".join(answers)}
            )
    if problems:
        raise SatelliteError("; ".join(problems[:10]))


def record_labels(
    *, by: Actor, design: SampleDesign, pairs: list[tuple[str, str]], source: str = "csv"
) -> int:
    """Store ground reference labels; every row must name a sample point and a known class."""

    require(by, design.table, "verification.sample")
    _check_pairs(
        pairs,
        known={p["id"] for p in design.points},
        answers=STRATA,
        unknown=_("row %(n)s: %(point)s is not a point of this sample"),
    )
    with transaction.atomic():
        for point, label in pairs:
            ReferenceLabel.objects.update_or_create(
                design=design, point=point, defaults={"label": label, "source": source}
            )
        record_event(
            events.LABELS_RECORDED,
            actor=by,
            table=design.table,
            subject=design,
            payload={"labels": len(pairs), "source": source},
        )
    return len(pairs)


def labels_from_observations(*, by: Actor, design: SampleDesign, reach_m: float = 60) -> int:
    """Label sample points that a monitor's observation within ``reach_m`` speaks to.

    An observation of logging, mining or fire during the period marks the point as ``loss``;
    a boundary mark, wildlife or sacred-site visit in standing forest marks it ``forest``.
    """
    require(by, design.table, "verification.sample")
    labelled = set(design.labels.values_list("point", flat=True))
    start = dt.date(design.start_year, 1, 1)
    end = dt.date(design.end_year, 12, 31)
    observations = list(
        Observation.objects.filter(
            table=design.table, observed_at__date__gte=start, observed_at__date__lte=end
        )
    )
    pairs = []
    for point in design.points:
        if point["id"] in labelled:
            continue
        near = [
            o for o in observations if _metres(o.lon, o.lat, point["lon"], point["lat"]) <= reach_m
        ]
        if not near:
            continue
        loss = any(o.kind in ("illegal_logging", "mining", "fire") for o in near)
        pairs.append((point["id"], "loss" if loss else "forest"))
    if pairs:
        record_labels(by=by, design=design, pairs=pairs, source="observation")
    return len(pairs)


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_008.8 * math.hypot(x, y)


HOTSPOT_RESULTS = {
    "confirmed": HotspotStatus.CONFIRMED,
    "loss": HotspotStatus.CONFIRMED,
    "false_alarm": HotspotStatus.FALSE_ALARM,
    "forest": HotspotStatus.FALSE_ALARM,
}


def record_hotspot_checks(*, by: Actor, table: Table, pairs: list[tuple[str, str]]) -> int:
    """Monitors' answers for hotspots (from the hotspot form): confirmed or false alarm."""
    require(by, table, "verification.sample")
    spots = {h.public_id: h for h in Hotspot.objects.filter(table=table)}
    _check_pairs(
        pairs,
        known=set(spots),
        answers=("confirmed", "false_alarm"),
        unknown=_("row %(n)s: %(point)s is not a hotspot of this table"),
        aliases=set(HOTSPOT_RESULTS),
    )
    today = timezone.localdate()
    with transaction.atomic():
        for point, result in pairs:
            spot = spots[point]
            spot.status = HOTSPOT_RESULTS[result]
            spot.checked_on = today
            spot.save(update_fields=["status", "checked_on", "updated_at"])
        record_event(
            events.HOTSPOTS_CHECKED, actor=by, table=table, payload={"checked": len(pairs)}
        )
    return len(pairs)


def issue_verification(
    *,
    by: Actor,
    table: Table,
    zone: ZoneRef,
    start_year: int,
    end_year: int,
    design: SampleDesign | None = None,
) -> VerificationReport:
    """Freeze the zone and period's verification figures into a report the registry can trust."""
    require(by, table, "verification.issue")
    run = queries.latest_run(table)
    if run is None:
        raise SatelliteError(_("Run a satellite analysis of the table first."))
    if design is not None and (design.territory_id, design.agreement_id, design.initiative_id) != (
        getattr(zone.territory, "pk", None),
        getattr(zone.agreement, "pk", None),
        getattr(zone.initiative, "pk", None),
    ):
        raise SatelliteError(_("The sample belongs to another zone."))
    figures = queries.verification_figures(
        table=table, zone=zone, run=run, start_year=start_year, end_year=end_year, design=design
    )
    with transaction.atomic():
        report = VerificationReport.objects.create(
            table=table,
            zone_name=zone.name,
            start_year=start_year,
            end_year=end_year,
            figures=figures,
            verified_ha=Decimal(f"{figures['verified_ha']:.2f}"),
            design=design,
            run=run,
            issued_by=person_user(by),
            **zone.fields,
        )
        record_event(
            events.VERIFICATION_ISSUED,
            actor=by,
            table=table,
            subject=report,
            payload={
                "zone": zone.name,
                "period": [start_year, end_year],
                "verified_ha": figures["verified_ha"],
            },
        )
    return report
