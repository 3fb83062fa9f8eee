"""Stratified random samples for field verification, and alert pixels inside a zone. Pure.

The strata are the map's classes for a period: ``loss`` (forest lost during the period),
``forest`` (forest standing at its end) and ``other`` (not forest in 2000, or lost before the
period). The sample unit is a pixel; a pixel belongs to a zone when at least half of it lies
inside. Mapped areas use the zonal engine's exact fractions and geodesic row areas, so they agree
with the zone's statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

from minga.satellite.products import decoder_for
from minga.satellite.zonal import Grid, ZonalError, zone_cells

STRATA = ("loss", "forest", "other")


@dataclass(frozen=True)
class SamplePoint:
    id: str
    lon: float
    lat: float
    stratum: str


@dataclass(frozen=True)
class Design:
    mapped_ha: dict[str, float]
    points: list[SamplePoint]


def _window(geom: BaseGeometry, grid: Grid) -> tuple[np.ndarray, int, int, int, int]:
    cells = zone_cells(geom, grid)
    if cells.empty:
        raise ZonalError("the zone does not overlap the layer")
    r0, r1 = cells.row_range()
    cols = np.concatenate([cells.cell_cols, cells.span_start, cells.span_end - 1])
    c0, c1 = int(cols.min()), int(cols.max()) + 1
    cover = np.zeros((r1 - r0, c1 - c0), np.float32)
    cover[cells.cell_rows - r0, cells.cell_cols - c0] = cells.cell_frac
    for r, a, b in zip(cells.span_rows, cells.span_start, cells.span_end, strict=True):
        cover[r - r0, a - c0 : b - c0] = 1.0
    return cover, r0, r1, c0, c1


def _read(path: str, r0: int, r1: int, c0: int, c1: int, band: int | list[int] = 1) -> Any:
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    # Imported here: rasterio (GDAL) loads only for raster work.
    from rasterio.windows import Window

    with rasterio.open(path) as ds:
        return ds.read(band, window=Window(c0, r0, c1 - c0, r1 - r0))


def stratified_sample(
    treecover: str,
    lossyear: str,
    geom: BaseGeometry,
    *,
    start_year: int,
    end_year: int,
    per_stratum: dict[str, int],
    threshold: float = 30,
    seed: int = 0,
) -> Design:
    """Map the strata inside ``geom`` and draw ``per_stratum`` random pixels from each."""
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    with rasterio.open(treecover) as ds:
        grid = Grid.of(ds)
    cover, r0, r1, c0, c1 = _window(geom, grid)
    tc = _read(treecover, r0, r1, c0, c1)
    ly = _read(lossyear, r0, r1, c0, c1).astype(np.int32)
    forest = tc >= threshold
    lost_in = (ly >= start_year - 2000) & (ly <= end_year - 2000) & (ly > 0)
    lost_before = (ly > 0) & (ly < start_year - 2000)
    strata = np.full(tc.shape, 2, np.int8)  # other
    strata[forest & ~lost_before & ~(ly > end_year - 2000) & ~lost_in] = 1
    strata[forest & ~lost_before & (ly > end_year - 2000)] = (
        1  # lost after the period: standing then
    )
    strata[forest & lost_in] = 0
    key = strata.astype(np.int64) + 3 * np.arange(strata.shape[0])[:, None]
    per_row = np.bincount(key.ravel(), weights=cover.ravel(), minlength=3 * strata.shape[0])
    totals = grid.row_areas_ha(r0, r1) @ per_row.reshape(-1, 3)
    mapped = {name: float(totals[i]) for i, name in enumerate(STRATA)}
    rng = np.random.default_rng(seed)
    points = []
    for i, name in enumerate(STRATA):
        rows, cols = np.nonzero((strata == i) & (cover >= 0.5))
        n = min(per_stratum.get(name, 0), rows.size)
        if n == 0:
            continue
        pick = np.sort(rng.choice(rows.size, size=n, replace=False))
        for k, idx in enumerate(pick, 1):
            r, c = int(rows[idx]) + r0, int(cols[idx]) + c0
            points.append(
                SamplePoint(
                    id=f"{name[0].upper()}{k:03d}",
                    lon=grid.x0 + (c + 0.5) * grid.dx,
                    lat=grid.y0 + (r + 0.5) * grid.dy,
                    stratum=name,
                )
            )
    return Design(mapped, points)


def alert_pixels(
    path: str, product: str, geom: BaseGeometry, *, since_day: int = 0
) -> dict[str, np.ndarray]:
    """Every alert pixel at least half inside ``geom``: lon, lat, day, confidence, hectares."""
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    decoder = decoder_for(product)
    with rasterio.open(path) as ds:
        grid = Grid.of(ds)
    cover, r0, r1, c0, c1 = _window(geom, grid)
    bands: int | list[int] = list(range(1, decoder.bands + 1)) if decoder.bands > 1 else 1
    raw = _read(path, r0, r1, c0, c1, bands)
    first = raw if raw.ndim == 2 else raw[0]
    rows, cols = np.nonzero((first != 0) & (cover >= 0.5))
    day, conf = decoder.alerts(raw[..., rows, cols])
    day, conf = day.reshape(-1), conf.reshape(-1)
    keep = (day > since_day) & (conf > 0)
    rows, cols, day, conf = rows[keep], cols[keep], day[keep], conf[keep]
    areas = grid.row_areas_ha(r0, r1)
    return {
        "lon": grid.x0 + (cols + c0 + 0.5) * grid.dx,
        "lat": grid.y0 + (rows + r0 + 0.5) * grid.dy,
        "day": day,
        "confidence": conf,
        "hectares": areas[rows],
    }
