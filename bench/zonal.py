"""Zonal statistics: minga against exactextract and rasterstats on the same data, same run.

    python bench/zonal.py [--size 20000] [--zones 300] [--out docs/benchmarks.md]

Data (cached under bench/.data/, regenerated when the arguments change): a synthetic Hansen
``treecover2000`` + ``lossyear`` pair, ``size`` × ``size`` pixels of 0.00025° (~30 m) over the
Ecuadorian Amazon in EPSG:4326, and ``zones`` overlapping polygons from 0.02 ha to 2.5 Mha.

The job: forest area (tree cover ≥ 30 %) and loss of that forest per year, per zone.
Each engine runs in its own process, so its peak memory is its own (``ru_maxrss`` of the process
and its children). The peers are given their fastest documented settings and a head start: the
forest/loss code raster they read (``code = lossyear + 1`` where forest, else 0) is prepared
before their clock starts, because neither can combine two layers with a threshold by itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
DATA = ROOT / ".data"
WEST, NORTH, RES = -79.0, 0.5, 0.00025


def landscape(size: int):
    from minga.satellite.synthetic import Landscape

    return Landscape(west=WEST, north=NORTH, width=size, height=size, res=RES, seed=2024)


def prepare(size: int, nzones: int) -> dict[str, str]:
    folder = DATA / f"zonal-v2-{size}-{nzones}"
    done = folder / "ready.json"
    if done.exists():
        return json.loads(done.read_text())
    import rasterio
    import shapely
    import shapely.affinity
    from pyproj import Geod
    from rasterio.windows import Window

    GEOD = Geod(ellps="WGS84")
    land = landscape(size)
    print(f"generating {size}×{size} synthetic layers in {folder} …", file=sys.stderr)
    paths = land.write(folder, layers=("treecover2000", "lossyear"), progress=_bar("layers"))
    # the peers' code raster
    code_path = folder / "forest_loss_code.tif"
    with rasterio.open(paths["treecover2000"]) as tc, rasterio.open(paths["lossyear"]) as ly:
        profile = tc.profile
        with rasterio.open(code_path, "w", **profile) as out:
            for _, window in tc.block_windows(1):
                t, y = tc.read(1, window=window), ly.read(1, window=window)
                out.write(np.where(t >= 30, y + 1, 0).astype(np.uint8), 1, window=window)
    # zones: log-uniform areas from 0.02 ha to 2.5 Mha, irregular, overlapping
    rng = np.random.default_rng(7)
    areas = np.exp(rng.uniform(math.log(0.02), math.log(2.5e6), nzones))
    areas[0], areas[1] = 0.02, 2.5e6
    span = size * RES
    features = []
    ha_per_deg2 = 111.32**2 * 100 * math.cos(math.radians(NORTH - span / 2))
    for i, area in enumerate(areas):
        radius = math.sqrt(area / ha_per_deg2 / math.pi)
        cx = (
            WEST + rng.uniform(1.3 * radius, span - 1.3 * radius)
            if 2.6 * radius < span
            else WEST + span / 2
        )
        cy = NORTH - (
            rng.uniform(1.3 * radius, span - 1.3 * radius) if 2.6 * radius < span else span / 2
        )
        n = int(rng.integers(24, 160))
        angles = np.sort(rng.uniform(0, 2 * math.pi, n))
        radii = radius * rng.uniform(0.75, 1.25, n)
        ring = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
        geom = shapely.make_valid(shapely.Polygon(ring))
        geom = (
            max(shapely.get_parts(geom), key=lambda g: g.area)
            if geom.geom_type != "Polygon"
            else geom
        )
        # scale about the centre so the zone's geodesic area is exactly the one drawn
        factor = math.sqrt(area / (abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4))
        geom = shapely.affinity.scale(geom, factor, factor, origin=(cx, cy))
        features.append(
            {
                "type": "Feature",
                "properties": {"id": f"z{i:03d}"},
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    zones_path = folder / "zones.geojson"
    zones_path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with rasterio.open(code_path) as src:
        src.read(1, window=Window(0, 0, 1, 1))
    result = {
        "treecover": str(paths["treecover2000"]),
        "lossyear": str(paths["lossyear"]),
        "code": str(code_path),
        "zones": str(zones_path),
    }
    done.write_text(json.dumps(result))
    return result


def _bar(label: str):
    def show(done: int, total: int) -> None:
        print(f"\r{label} {done}/{total}", end="\n" if done == total else "", file=sys.stderr)

    return show


def _zones(path: str):
    import shapely

    features = json.loads(Path(path).read_text())["features"]
    return [(f["properties"]["id"], shapely.geometry.shape(f["geometry"])) for f in features]


# --- engines, each run in a fresh process -------------------------------------------------------


def engine_minga(data: dict[str, str]) -> dict:
    from minga.satellite.zonal import forest_loss

    zones = _zones(data["zones"])
    start = time.perf_counter()
    rows = forest_loss(data["treecover"], data["lossyear"], zones, threshold=30)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "area": [r["area_ha"] for r in rows],
        "forest": [r["forest_ha"] for r in rows],
        "workers": os.cpu_count(),
    }


def engine_exactextract(data: dict[str, str]) -> dict:
    from exactextract import exact_extract

    features = json.loads(Path(data["zones"]).read_text())["features"]
    start = time.perf_counter()
    # fastest documented use for a categorical summary: named C++ ops, no per-pixel values to Python
    result = exact_extract(
        data["code"],
        features,
        [
            "unique",
            "frac(coverage_weight=area_spherical_m2)",
            "count(coverage_weight=area_spherical_m2)",
        ],
        strategy="feature-sequential",
        max_cells_in_memory=300_000_000,
    )
    seconds = time.perf_counter() - start
    area, forest = [], []
    for feature in result:
        props = feature["properties"]
        total = props["count"] / 1e4
        per = dict(zip(props["unique"].tolist(), (props["frac"] * total).tolist(), strict=True))
        area.append(total)
        forest.append(sum(v for k, v in per.items() if k >= 1))
    return {"seconds": seconds, "area": area, "forest": forest}


def engine_rasterstats(data: dict[str, str]) -> dict:
    import rasterio
    from rasterstats import zonal_stats

    features = json.loads(Path(data["zones"]).read_text())["features"]
    with rasterio.open(data["code"]) as src:
        res = src.res
    start = time.perf_counter()
    # categorical pixel counts, reading each zone's window from the file (its documented default)
    stats = zonal_stats(features, data["code"], categorical=True, nodata=255)
    seconds = time.perf_counter() - start
    # rasterstats counts pixels (centre rule); give it an area per pixel at each zone's latitude
    import shapely

    area, forest = [], []
    for f, s in zip(features, stats, strict=True):
        lat = shapely.geometry.shape(f["geometry"]).centroid.y
        px = (111.32e3 * res[0]) * (111.32e3 * res[1] * math.cos(math.radians(lat))) / 1e4
        area.append(sum(s.values()) * px)
        forest.append(sum(v for k, v in s.items() if k >= 1) * px)
    return {"seconds": seconds, "area": area, "forest": forest}


def ceiling(data: dict[str, str]) -> dict:
    """np.bincount over an in-memory uint8 block: the per-pixel floor of any numpy engine."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(data["code"]) as src:
        block = src.read(1, window=Window(0, 0, src.width, min(src.height, 4096)))
    np.bincount(block.ravel(), minlength=64)
    start = time.perf_counter()
    repeats = 5
    for _ in range(repeats):
        np.bincount(block.ravel(), minlength=64)
    seconds = (time.perf_counter() - start) / repeats
    return {"mpx_per_s": block.size / seconds / 1e6}


def geodesic_bias(data: dict[str, str]) -> float:
    """exactextract's spherical area over the ellipsoidal area, for the raster's own extent."""
    import rasterio
    import shapely
    from exactextract import exact_extract

    from minga.satellite.zonal import Grid

    with rasterio.open(data["code"]) as src:
        grid = Grid.of(src)
    box = shapely.box(*grid.bounds)
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(box)}
    [result] = exact_extract(data["code"], [feature], ["count(coverage_weight=area_spherical_m2)"])
    ellipsoid = grid.row_areas_ha(0, grid.height).sum() * grid.width
    return result["properties"]["count"] / 1e4 / ellipsoid


ENGINES = {
    "minga": engine_minga,
    "exactextract": engine_exactextract,
    "rasterstats": engine_rasterstats,
}


def child(engine: str, data_json: str) -> None:
    data = json.loads(data_json)
    result = ENGINES[engine](data) if engine in ENGINES else ceiling(data)
    # VmHWM starts afresh at exec (ru_maxrss would carry the parent's high-water mark over)
    status = Path("/proc/self/status").read_text()
    own = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_mib"] = max(own, kids) / 1024
    print(json.dumps(result))


def run(engine: str, data: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, json.dumps(data)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--out", default=str(ROOT.parent / "docs" / "benchmarks.md"))
    parser.add_argument("--skip", action="append", default=[], help="leave an engine out")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    data = prepare(args.size, args.zones)
    zones = _zones(data["zones"])
    results = {}
    for engine in ("minga", "exactextract", "rasterstats", "ceiling"):
        if engine in args.skip:
            continue
        print(f"running {engine} …", file=sys.stderr)
        results[engine] = run(engine, data)
    bias = geodesic_bias(data)
    report = summarise(args, zones, results, bias)
    print(report)
    if args.out:
        write_report(Path(args.out), report)


def summarise(args, zones, results, bias: float) -> str:
    mine = results["minga"]
    raster_mpx = args.size * args.size / 1e6
    zone_mpx = sum(mine["area"]) / (RES * 111.32e3) ** 2 * 1e4 / 1e6  # zone pixels, near enough
    lines = [
        f"Data: {args.size} × {args.size} px (0.00025°, EPSG:4326, {raster_mpx:.0f} Mpx per layer), "
        f"{len(zones)} zones from {min(mine['area']):.2f} ha to {max(mine['area']) / 1e6:.2f} Mha "
        f"(~{zone_mpx:.0f} Mpx of zone pixels); machine: {os.cpu_count()} cores.",
        "",
        "| engine | seconds | vs minga | raster Mpx/s | zone Mpx/s | peak memory |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("minga", "exactextract", "rasterstats"):
        if name not in results:
            continue
        r = results[name]
        ratio = r["seconds"] / mine["seconds"]
        lines.append(
            f"| {name} | {r['seconds']:.2f} | {ratio:.2f}× | {raster_mpx / r['seconds']:.0f} | "
            f"{zone_mpx / r['seconds']:.0f} | {r['peak_mib']:.0f} MiB |"
        )
    if "ceiling" in results:
        lines.append(
            f"| `np.bincount` ceiling (uint8, in memory, 1 core) | | | {results['ceiling']['mpx_per_s']:.0f} | | |"
        )
    if "exactextract" in results:
        ee = results["exactextract"]
        big, mid = [], []
        for a, b in zip(mine["area"], ee["area"], strict=True):
            corrected = b / bias
            diff = abs(a - corrected) / corrected if corrected else 0.0
            (big if a >= 100 else mid if a >= 1 else []).append(diff)
        lines += [
            "",
            f"Zone areas against exactextract (its spherical areas divided by {bias:.5f}, the "
            f"ratio of its area to the WGS 84 ellipsoid's over the raster's extent): "
            f"zones ≥ 100 ha max {max(big, default=0) * 100:.4f} % ({len(big)} zones); "
            f"1–100 ha max {max(mid, default=0) * 100:.4f} % ({len(mid)} zones).",
        ]
    return "\n".join(lines)


def write_report(path: Path, report: str) -> None:
    marker_start, marker_end = "<!-- bench/zonal:start -->", "<!-- bench/zonal:end -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{marker_start}\nLatest run: {dt.datetime.now(dt.UTC).date().isoformat()} (`make bench`).\n\n{report}\n{marker_end}"
    if marker_start in text:
        head, rest = text.split(marker_start, 1)
        tail = rest.split(marker_end, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n## Zonal statistics (`bench/zonal.py`)\n\n" + block + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
