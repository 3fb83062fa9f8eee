"""Zonal statistics over forest-change rasters: exact coverage, geodesic areas, bounded memory.

Pure: numpy, shapely and rasterio, no Django. The method, in three steps:

1. **Zone geometry, once, in O(perimeter).** Each zone's rings are cut at every grid line. Each
   piece of edge adds its signed height to the cells to its right (the accumulation used by font
   rasterisers), so a running sum along a row gives every cell's exact covered fraction. Only cells
   the boundary crosses are kept with their fraction; the runs between them are whole cells, kept
   as spans ``(row, first col, end col)``. Nothing here touches the raster.
2. **The raster, once, in row blocks.** Each block is read (windowed, so memory stays bounded on
   40000 × 40000 tiles), classified into small integer codes (for forest loss: 0 non-forest,
   1 forest without loss, 1 + N loss in 2000 + N), and for every zone crossing the block the codes
   under its spans are counted per row with one ``np.bincount`` while its boundary cells are
   weighted by their fraction.
3. **Geodesic areas.** A pixel's area depends only on its row: the exact area of the cell on the
   WGS 84 ellipsoid (the authalic-latitude formula) for geographic grids, the cell's planar area
   otherwise. Row counts times row areas give hectares.

Blocks are independent, so they run on a process pool (all cores by default) or, given a
scheduler address, on a Dask cluster; sums are taken in block order, so every way of running gives
the same numbers to the last bit.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from minga.satellite.products import decoder_for, parse_tile_name

# WGS 84
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)
_B2 = (_A * (1 - _F)) ** 2

Progress = Callable[[int, int], None]


class ZonalError(ValueError):
    """The inputs cannot give a correct answer (grids differ, a zone is invalid, …)."""


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid: origin, pixel size, shape and CRS."""

    x0: float
    y0: float
    dx: float
    dy: float  # negative for north-up rasters
    width: int
    height: int
    crs: str
    geographic: bool

    @classmethod
    def of(cls, dataset: Any) -> Grid:
        t = dataset.transform
        if t.b != 0 or t.d != 0:
            raise ZonalError(f"{dataset.name}: rotated rasters are not supported")
        if dataset.crs is None:
            raise ZonalError(f"{dataset.name}: the raster has no coordinate reference system")
        return cls(
            x0=t.c,
            y0=t.f,
            dx=t.a,
            dy=t.e,
            width=dataset.width,
            height=dataset.height,
            crs=dataset.crs.to_string(),
            geographic=bool(dataset.crs.is_geographic),
        )

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        xs = (self.x0, self.x0 + self.dx * self.width)
        ys = (self.y0, self.y0 + self.dy * self.height)
        return min(xs), min(ys), max(xs), max(ys)

    def same_as(self, other: Grid) -> bool:
        tol = 1e-6 * min(abs(self.dx), abs(self.dy))
        return (
            self.width == other.width
            and self.height == other.height
            and self.crs == other.crs
            and abs(self.x0 - other.x0) <= tol
            and abs(self.y0 - other.y0) <= tol
            and abs(self.dx - other.dx) <= tol * 1e-3
            and abs(self.dy - other.dy) <= tol * 1e-3
        )

    def row_areas_ha(self, start: int, stop: int) -> np.ndarray:
        """Area in hectares of one pixel in each row from ``start`` to ``stop`` (exclusive)."""
        rows = np.arange(start, stop + 1, dtype=np.float64)
        if not self.geographic:
            return np.full(stop - start, abs(self.dx * self.dy) / 1e4)
        lat = np.radians(self.y0 + self.dy * rows)
        s = np.sin(lat)
        q = s / (1 - _E2 * s * s) + np.log((1 + _E * s) / (1 - _E * s)) / (2 * _E)
        strip = np.abs(np.diff(q)) * _B2 / 2  # m² per radian of longitude
        return strip * math.radians(abs(self.dx)) / 1e4


@dataclass
class ZoneCells:
    """Where one zone lies on a grid: boundary cells with their fraction, whole-cell spans."""

    cell_rows: np.ndarray  # int64, sorted
    cell_cols: np.ndarray
    cell_frac: np.ndarray  # float64 in (0, 1]
    span_rows: np.ndarray  # int64, sorted
    span_start: np.ndarray
    span_end: np.ndarray  # exclusive

    @property
    def empty(self) -> bool:
        return not (self.cell_rows.size or self.span_rows.size)

    def row_range(self) -> tuple[int, int]:
        rows = [a for a in (self.cell_rows, self.span_rows) if a.size]
        return min(int(a[0]) for a in rows), max(int(a[-1]) for a in rows) + 1

    def between(self, r0: int, r1: int) -> ZoneCells:
        c0, c1 = np.searchsorted(self.cell_rows, [r0, r1])
        s0, s1 = np.searchsorted(self.span_rows, [r0, r1])
        return ZoneCells(
            self.cell_rows[c0:c1],
            self.cell_cols[c0:c1],
            self.cell_frac[c0:c1],
            self.span_rows[s0:s1],
            self.span_start[s0:s1],
            self.span_end[s0:s1],
        )

    def pixel_count(self) -> float:
        """Covered area in pixels (the sum of fractions)."""
        return float(self.cell_frac.sum() + (self.span_end - self.span_start).sum())


def _rings(geom: BaseGeometry) -> list[np.ndarray]:
    geom = shapely.orient_polygons(geom)
    rings = []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        rings.append(np.asarray(part.exterior.coords))
        rings.extend(np.asarray(r.coords) for r in part.interiors)
    return rings


def zone_cells(geom: BaseGeometry, grid: Grid) -> ZoneCells:
    """The exact footprint of a polygon on ``grid`` (see the module docstring, step 1)."""
    w, h = grid.width, grid.height
    clipped = shapely.intersection(geom, shapely.box(*grid.bounds))
    segs = []
    for ring in _rings(clipped):
        u = np.clip((ring[:, 0] - grid.x0) / grid.dx, 0, w)
        v = np.clip((ring[:, 1] - grid.y0) / grid.dy, 0, h)
        segs.append(np.column_stack([u[:-1], v[:-1], u[1:], v[1:]]))
    if not segs:
        e = np.empty(0, np.int64)
        return ZoneCells(e, e, np.empty(0), e, e, e)
    ua, va, ub, vb = np.concatenate(segs).T
    n = ua.size
    # Split every segment where it crosses a grid line: t = 0, 1, and each crossing.
    ts, ids = [np.zeros(n), np.ones(n)], [np.arange(n)] * 2
    exact_u: list[np.ndarray] = []
    exact_v: list[np.ndarray] = []
    for a, b, is_u in ((ua, ub, True), (va, vb, False)):
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        first = np.floor(lo) + 1
        count = np.maximum(np.ceil(hi) - first, 0).astype(np.int64)
        seg = np.repeat(np.arange(n), count)
        offset = np.arange(seg.size) - np.repeat(np.cumsum(count) - count, count)
        k = first[seg] + offset
        ts.append((k - a[seg]) / (b[seg] - a[seg]))
        ids.append(seg)
        (exact_u if is_u else exact_v).append(k)
    t = np.concatenate(ts)
    sid = np.concatenate(ids)
    pu = ua[sid] + t * (ub - ua)[sid]
    pv = va[sid] + t * (vb - va)[sid]
    # grid crossings land exactly on their grid line
    nu, nv = exact_u[0].size, exact_v[0].size
    pu[2 * n : 2 * n + nu] = exact_u[0]
    pv[2 * n + nu : 2 * n + nu + nv] = exact_v[0]
    order = np.lexsort((t, sid))
    sid, pu, pv = sid[order], pu[order], pv[order]
    same = sid[1:] == sid[:-1]
    u0, v0, u1, v1 = pu[:-1][same], pv[:-1][same], pu[1:][same], pv[1:][same]
    dy = v1 - v0
    um, vm = (u0 + u1) / 2, (v0 + v1) / 2
    # A horizontal piece on a grid line adds nothing and covers no cell partly.
    keep = ~((dy == 0) & ((vm == np.floor(vm)) | (u0 == u1)))
    dy, um, vm = dy[keep], um[keep], vm[keep]
    col = np.clip(np.floor(um), 0, w - 1).astype(np.int64)
    row = np.clip(np.floor(vm), 0, h - 1).astype(np.int64)
    xm = um - col
    stride = w + 1
    keys = np.concatenate([row * stride + col, row * stride + col + 1])
    vals = np.concatenate([dy * (1 - xm), dy * xm])
    ukeys, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=vals, minlength=ukeys.size)
    krow, kcol = np.divmod(ukeys, stride)
    running = np.cumsum(sums)
    starts = np.flatnonzero(np.r_[True, krow[1:] != krow[:-1]])
    first_of_row = np.repeat(starts, np.diff(np.r_[starts, krow.size]))
    cover = np.abs(running - (running - sums)[first_of_row])
    # Cells the boundary touches, with their exact fraction.
    inside = (kcol < w) & (cover > 1e-12)
    cells = (krow[inside], kcol[inside], np.minimum(cover[inside], 1.0))
    # Runs of whole cells between two boundary keys of the same row.
    nxt_same = np.r_[krow[1:] == krow[:-1], False]
    run = nxt_same & (np.rint(cover) >= 1)
    run_start = kcol[run] + 1
    run_end = np.r_[kcol[1:], 0][run]
    nonempty = run_end > run_start
    return ZoneCells(
        cells[0],
        cells[1],
        cells[2],
        krow[run][nonempty],
        run_start[nonempty],
        run_end[nonempty],
    )


# --- classifiers: raster blocks → small integer codes --------------------------------------------


@dataclass(frozen=True)
class ForestLoss:
    """Codes: 0 non-forest, 1 forest (tree cover ≥ threshold) without loss, 1 + N loss in 2000 + N."""

    threshold: float = 30
    max_year_code: int = 62
    layers: tuple[str, ...] = ("treecover", "lossyear")

    @property
    def ncodes(self) -> int:
        return self.max_year_code + 2

    def __call__(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        tc, ly = arrays["treecover"], arrays["lossyear"]
        if ly.size and int(ly.max()) > self.max_year_code:
            raise ZonalError(f"lossyear holds {int(ly.max())}, outside 0..{self.max_year_code}")
        if tc.size and int(tc.max()) > 100:
            raise ZonalError(f"treecover2000 holds {int(tc.max())}, outside 0..100")
        code = ly.astype(np.uint16)
        code += 1
        code[tc < self.threshold] = 0
        return code


@dataclass(frozen=True)
class AlertMonths:
    """Codes: 0 no alert (or outside the months), else 1 + month index × 3 + confidence − 1."""

    product: str
    first_month: int  # months since 1970-01
    months: int
    layers: tuple[str, ...] = ("alerts",)

    @property
    def ncodes(self) -> int:
        return 1 + self.months * 3

    def __call__(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        raw = arrays["alerts"]
        first = raw if raw.ndim == 2 else raw[0]
        seen = first != 0
        code = np.zeros(first.shape, np.int64)
        if not seen.any():
            return code
        day, conf = decoder_for(self.product).alerts(raw[..., seen])
        month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        idx = month - self.first_month
        ok = (day > 0) & (conf > 0) & (idx >= 0) & (idx < self.months)
        code[seen] = np.where(ok, 1 + idx * 3 + conf - 1, 0)
        return code


# --- the block runner ------------------------------------------------------------------------------


@dataclass
class BlockTask:
    paths: dict[str, str]
    bands: dict[str, int]
    classify: Any
    grid: Grid
    r0: int
    r1: int
    zones: list[tuple[int, ZoneCells]] = field(default_factory=list)


def run_block(task: BlockTask) -> list[tuple[int, np.ndarray]]:
    """Per-zone hectares by code for one block of rows. Module-level, so pools can pickle it."""
    # Imported here: rasterio (GDAL) loads only for raster work.
    from rasterio.windows import Window

    r0, r1 = task.r0, task.r1
    c0 = min(
        int(min(z.cell_cols.min(initial=1 << 62), z.span_start.min(initial=1 << 62)))
        for _, z in task.zones
    )
    c1 = max(
        int(max(z.cell_cols.max(initial=-1) + 1, z.span_end.max(initial=-1))) for _, z in task.zones
    )
    window = Window(c0, r0, c1 - c0, r1 - r0)
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    arrays = {}
    for name, path in task.paths.items():
        nbands = task.bands.get(name, 1)
        with rasterio.open(path) as dataset:  # opened per block: a replaced file is never stale
            arrays[name] = dataset.read(
                list(range(1, nbands + 1)) if nbands > 1 else 1, window=window
            )
    code = task.classify(arrays)
    nc = task.classify.ncodes
    h = r1 - r0
    areas = task.grid.row_areas_ha(r0, r1)
    key = None
    out = []
    for index, z in task.zones:
        total = np.zeros(nc)
        if z.span_rows.size:
            if key is None:
                key = code.astype(np.int64) + (nc * np.arange(h, dtype=np.int64))[:, None]
            rows = z.span_rows - r0
            zr0, zr1 = int(rows[0]), int(rows[-1]) + 1
            zc0, zc1 = int(z.span_start.min()) - c0, int(z.span_end.max()) - c0
            diff = np.zeros((zr1 - zr0, zc1 - zc0 + 1), np.int8)
            diff[rows - zr0, z.span_start - c0 - zc0] = 1
            diff[rows - zr0, z.span_end - c0 - zc0] = -1
            mask = np.cumsum(diff, axis=1, dtype=np.int8)[:, :-1].view(bool)
            counts = np.bincount(key[zr0:zr1, zc0:zc1][mask], minlength=nc * h)
            total += areas @ counts[: nc * h].reshape(h, nc)
        if z.cell_rows.size:
            rr = z.cell_rows - r0
            weights = z.cell_frac * areas[rr]
            total += np.bincount(code[rr, z.cell_cols - c0], weights=weights, minlength=nc)[:nc]
        out.append((index, total))
    return out


def _block_rows(dataset: Any, grid: Grid) -> int:
    height = dataset.block_shapes[0][0] if dataset.block_shapes else 512
    # whole internal blocks, about 8 Mpx of the widest read per block
    per = max(1, (8_000_000 // max(grid.width, 1)) // max(height, 1))
    return max(height * per, 64) if height < grid.height else 512


def zonal_hectares(
    paths: dict[str, str],
    classify: Any,
    geoms: Sequence[BaseGeometry],
    *,
    bands: dict[str, int] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    block_rows: int | None = None,
) -> np.ndarray:
    """Hectares per zone (rows, in input order) and code (columns) for the given layers.

    ``paths`` names one file per layer the classifier wants; they must share one grid.
    ``workers`` = processes on this machine (default: every core); ``scheduler`` = a Dask
    scheduler address, which takes precedence.
    """
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    grids = {}
    for name, path in paths.items():
        try:
            with rasterio.open(path) as ds:
                grids[name] = Grid.of(ds)
                rows = block_rows or _block_rows(ds, grids[name])
        except rasterio.errors.RasterioIOError as exc:
            raise ZonalError(f"{path}: not a readable raster ({exc})") from exc
    names = list(paths)
    grid = grids[names[0]]
    for name in names[1:]:
        other = grids[name]
        if other.crs != grid.crs:
            raise ZonalError(f"{name} is in {other.crs} but {names[0]} is in {grid.crs}")
        if not grid.same_as(other):
            raise ZonalError(
                f"{name} and {names[0]} are on different grids "
                f"({other.width}×{other.height} from {other.x0}, {other.y0} "
                f"vs {grid.width}×{grid.height} from {grid.x0}, {grid.y0}): align them first"
            )
    footprints = [zone_cells(g, grid) for g in geoms]
    tasks = []
    for r0 in range(0, grid.height, rows):
        r1 = min(r0 + rows, grid.height)
        members = []
        for i, z in enumerate(footprints):
            if z.empty:
                continue
            lo, hi = z.row_range()
            if hi <= r0 or lo >= r1:
                continue
            part = z.between(r0, r1)
            if not part.empty:
                members.append((i, part))
        if members:
            tasks.append(BlockTask(dict(paths), dict(bands or {}), classify, grid, r0, r1, members))
    result = np.zeros((len(geoms), classify.ncodes))
    for done, block in enumerate(_execute(tasks, workers=workers, scheduler=scheduler), 1):
        for index, total in block:
            result[index] += total
        if progress:
            progress(done, len(tasks))
    return result


def _execute(
    tasks: list[BlockTask], *, workers: int | None, scheduler: str | None
) -> Iterable[list[tuple[int, np.ndarray]]]:
    """Run blocks and yield their results in block order, whoever runs them."""
    if scheduler:
        # Imported here: Dask loads only when a cluster address is given.
        from distributed import Client

        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            futures = client.map(run_block, tasks, pure=False)
            for future in futures:
                yield future.result()
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_block(task)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(run_block, tasks)


def forest_loss(
    treecover: str,
    lossyear: str,
    zones: Sequence[tuple[Any, BaseGeometry]],
    *,
    threshold: float = 30,
    last_year: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    block_rows: int | None = None,
) -> list[dict[str, Any]]:
    """Forest area at ``threshold`` and loss of that forest per year, for each ``(id, geometry)``."""
    classify = ForestLoss(threshold=threshold)
    ha = zonal_hectares(
        {"treecover": treecover, "lossyear": lossyear},
        classify,
        [g for _, g in zones],
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        block_rows=block_rows,
    )
    seen = np.flatnonzero(ha[:, 2:].sum(axis=0) > 0)
    last = max(last_year or last_year_of(lossyear), 2001 + int(seen[-1]) if seen.size else 2001)
    out = []
    for (zone_id, _), row in zip(zones, ha, strict=True):
        out.append(
            {
                "id": zone_id,
                "area_ha": float(row.sum()),
                "forest_ha": float(row[1:].sum()),
                "loss_ha_by_year": {
                    str(year): float(row[1 + year - 2000]) for year in range(2001, last + 1)
                },
            }
        )
    return out


def last_year_of(path: str) -> int:
    """The last loss year a lossyear layer holds.

    From the Hansen name when it has one (GFC-2024 → 2024), else from the GeoTIFF's
    ``STATISTICS_MAXIMUM`` tag, else from one pass over the whole layer.
    """
    # Imported here: rasterio (GDAL) loads only for raster work.
    import rasterio

    tile = parse_tile_name(path)
    if tile and tile.product == "hansen" and tile.release_year:
        return tile.release_year
    with rasterio.open(path) as ds:
        tagged = ds.tags(1).get("STATISTICS_MAXIMUM")
        if tagged:
            return 2000 + max(1, int(float(tagged)))
        top = 0
        for _, window in ds.block_windows(1):
            top = max(top, int(ds.read(1, window=window).max(initial=0)))
    return 2000 + max(top, 1)


def read_zones(
    text: str | bytes, *, id_field: str = "id", crs: str | None = None
) -> list[tuple[Any, BaseGeometry]]:
    """Zones from a GeoJSON FeatureCollection, checked: each a valid, non-empty (multi)polygon.

    The id is ``properties[id_field]``, else the feature's own ``id``, copied as it is. GeoJSON
    is WGS 84 longitude/latitude (RFC 7946); a file naming another CRS, or a raster in one,
    is refused rather than silently misread.
    """

    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ZonalError(f"the zones file is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ZonalError("the zones file must be a GeoJSON FeatureCollection")
    named = (
        (data.get("crs") or {}).get("properties", {}).get("name")
        if isinstance(data.get("crs"), dict)
        else None
    )
    zones_crs = _crs_name(named) if named else "EPSG:4326"
    if crs is not None and _crs_name(crs) != zones_crs:
        raise ZonalError(
            f"the zones are in {zones_crs} but the raster is in {crs}: reproject one of them"
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ZonalError("the zones file holds no features")
    zones = []
    for n, feature in enumerate(features, 1):
        props = (feature or {}).get("properties") or {}
        zone_id = props.get(id_field, feature.get("id") if isinstance(feature, dict) else None)
        label = f"zone {zone_id!r}" if zone_id is not None else f"feature {n}"
        if zone_id is None:
            raise ZonalError(f"{label} has no {id_field!r} property and no id")
        try:
            geom = shapely.geometry.shape(feature.get("geometry"))
        except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
            raise ZonalError(f"{label}: the geometry cannot be read ({exc})") from None
        if geom.is_empty:
            raise ZonalError(f"{label}: the geometry is empty")
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise ZonalError(f"{label}: a {geom.geom_type} has no area; zones must be polygons")
        if not geom.is_valid:
            raise ZonalError(f"{label}: invalid geometry ({shapely.is_valid_reason(geom)})")
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            raise ZonalError(f"{label}: coordinates must be finite numbers")
        zones.append((zone_id, geom))
    return zones


def _crs_name(name: str) -> str:
    upper = name.upper()
    for alias in ("CRS84", "OGC:1.3:CRS84", "EPSG::4326", "EPSG:4326"):
        if upper.endswith(alias):
            return "EPSG:4326"
    return name
