"""The zonal engine: exact coverage, geodesic areas, peers' agreement, bad input refused."""

import io
import json

import numpy as np
import pytest
import rasterio
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from pyproj import Geod

from minga.satellite import zonal
from minga.satellite.synthetic import Landscape
from minga.satellite.tests.rasters import RES
from minga.satellite.tests.rasters import write_tif as write
from minga.satellite.zonal import Grid, ZonalError, forest_loss, zone_cells

GEOD = Geod(ellps="WGS84")


def pixel_ha(row, *, north=-1.0, west=-77.0):
    top = north - row * RES
    box = shapely.box(west, top - RES, west + RES, top)
    return abs(GEOD.geometry_area_perimeter(box)[0]) / 1e4


def feature(zone_id, geom):
    return {
        "type": "Feature",
        "properties": {"id": zone_id},
        "geometry": shapely.geometry.mapping(geom),
    }


@pytest.fixture
def small(tmp_path):
    """A 4 × 4 pair a person can check by hand."""
    tc = np.array([[90, 90, 10, 90], [90, 50, 29, 30], [0, 100, 100, 100], [80, 80, 80, 80]])
    ly = np.array([[0, 1, 1, 0], [2, 0, 3, 24], [5, 5, 0, 0], [0, 0, 24, 1]])
    return write(tmp_path / "tc.tif", tc), write(tmp_path / "ly.tif", ly), tc, ly


def test_it_counts_whole_pixels_by_hand(small):
    tc_path, ly_path, _tc, _ly = small
    # the top-left 2 × 2 pixels exactly
    box = shapely.box(-77.0, -1.0 - 2 * RES, -77.0 + 2 * RES, -1.0)
    [row] = forest_loss(tc_path, ly_path, [("a", box)], workers=1)
    a0, a1 = pixel_ha(0), pixel_ha(1)
    assert row["id"] == "a"
    assert row["area_ha"] == pytest.approx(2 * a0 + 2 * a1, rel=1e-9)
    assert row["forest_ha"] == pytest.approx(2 * a0 + 2 * a1, rel=1e-9)  # 90, 90, 90, 50
    assert row["loss_ha_by_year"]["2001"] == pytest.approx(a0, rel=1e-9)
    assert row["loss_ha_by_year"]["2002"] == pytest.approx(a1, rel=1e-9)
    assert set(row["loss_ha_by_year"]) == {str(y) for y in range(2001, 2025)}
    assert row["loss_ha_by_year"]["2024"] == 0.0


def test_it_weighs_partly_covered_pixels_by_their_fraction(small):
    tc_path, ly_path, _, _ = small
    # half of pixel (1, 2) [tc 29: not forest] and half of (1, 3) [tc 30: forest, loss 2024]
    box = shapely.box(-77.0 + 2.5 * RES, -1.0 - 2 * RES, -77.0 + 3.5 * RES, -1.0 - RES)
    [row] = forest_loss(tc_path, ly_path, [(1, box)], threshold=30, workers=1)
    a1 = pixel_ha(1)
    assert row["area_ha"] == pytest.approx(a1, rel=1e-6)
    assert row["forest_ha"] == pytest.approx(a1 / 2, rel=1e-6)
    assert row["loss_ha_by_year"]["2024"] == pytest.approx(a1 / 2, rel=1e-6)
    assert row["loss_ha_by_year"]["2003"] == 0.0  # pixel (1, 2) lost in 2003 but was never forest


def test_coverage_is_exact_for_random_polygons():
    grid = Grid(0, 10, 1, -1, 12, 10, "EPSG:32718", geographic=False)
    rng = np.random.default_rng(5)
    for trial in range(60):
        if trial % 3 == 0:
            geom = shapely.Point(*(rng.random(2) * 10)).buffer(rng.random() * 5 + 0.2)
            geom = geom.difference(shapely.Point(6, 5).buffer(1.3))
        else:
            geom = shapely.make_valid(shapely.Polygon(rng.random((7, 2)) * [14, 12] - 1))
            geom = shapely.MultiPolygon(
                [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
            )
        cells = zone_cells(geom, grid)
        got = np.zeros((10, 12))
        got[cells.cell_rows, cells.cell_cols] += cells.cell_frac
        for r, a, b in zip(cells.span_rows, cells.span_start, cells.span_end, strict=True):
            got[r, a:b] += 1
        want = np.array(
            [
                [shapely.box(c, 9 - r, c + 1, 10 - r).intersection(geom).area for c in range(12)]
                for r in range(10)
            ]
        )
        np.testing.assert_allclose(got, want, atol=1e-9)


def test_row_areas_are_the_ellipsoids():
    grid = Grid(-77.0, 3.0, RES, -RES, 10, 40000, "EPSG:4326", geographic=True)
    areas = grid.row_areas_ha(0, 40000)
    for row in (0, 12000, 39999):
        top = 3.0 - row * RES
        box = shapely.box(-77.0, top - RES, -77.0 + RES, top)
        assert areas[row] == pytest.approx(
            abs(GEOD.geometry_area_perimeter(box)[0]) / 1e4, rel=1e-9
        )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    land = Landscape(west=-77.5, north=-1.0, width=1200, height=1000, seed=11)
    return land, land.write(folder)


def sample_zones():
    return [
        ("big", shapely.Point(-77.4, -1.1).buffer(0.08, quad_segs=32)),
        ("box", shapely.box(-77.45, -1.2, -77.3, -1.05)),
        ("tiny", shapely.Point(-77.35, -1.15).buffer(0.0006)),
        (
            "ring",
            shapely.Point(-77.3, -1.12)
            .buffer(0.05)
            .difference(shapely.Point(-77.3, -1.12).buffer(0.02)),
        ),
    ]


def test_it_agrees_with_exactextract(synthetic):
    exactextract = pytest.importorskip("exactextract", reason="exactextract is a dev dependency")
    _land, paths = synthetic
    zones = sample_zones()
    ours = forest_loss(str(paths["treecover2000"]), str(paths["lossyear"]), zones, workers=1)
    features = [feature(i, g) for i, g in zones]
    theirs = exactextract.exact_extract(
        str(paths["lossyear"]), features, ["count(coverage_weight=area_spherical_m2)"]
    )
    box = shapely.box(*Grid.of(rasterio.open(paths["lossyear"])).bounds)
    [whole] = exactextract.exact_extract(
        str(paths["lossyear"]), [feature("all", box)], ["count(coverage_weight=area_spherical_m2)"]
    )
    bias = whole["properties"]["count"] / 1e4 / (abs(GEOD.geometry_area_perimeter(box)[0]) / 1e4)
    assert 1.005 < bias < 1.008  # exactextract's sphere overstates areas by ~0.67 %
    for mine, other, (_, geom) in zip(ours, theirs, zones, strict=True):
        assert mine["area_ha"] == pytest.approx(other["properties"]["count"] / 1e4 / bias, rel=1e-3)
        # and with the pyproj geodesic area of the polygon itself
        assert mine["area_ha"] == pytest.approx(
            abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4, rel=1e-4
        )


def test_the_same_job_on_a_dask_cluster_gives_identical_numbers(synthetic):
    distributed = pytest.importorskip("distributed")
    _, paths = synthetic
    zones = sample_zones()
    args = (str(paths["treecover2000"]), str(paths["lossyear"]), zones)
    local = forest_loss(*args, workers=2, block_rows=256)
    inline = forest_loss(*args, workers=1, block_rows=256)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        on_dask = forest_loss(*args, scheduler=cluster.scheduler_address, block_rows=256)
    assert on_dask == local == inline
    assert any(v > 0 for v in local[0]["loss_ha_by_year"].values())


def test_it_refuses_rasters_on_different_grids(tmp_path, small):
    tc_path, _, _tc, ly = small
    shifted = write(tmp_path / "shifted.tif", ly, west=-77.0 + RES)
    with pytest.raises(ZonalError, match="different grids"):
        forest_loss(tc_path, shifted, [("a", shapely.box(-77.0, -1.001, -76.999, -1.0))], workers=1)
    other_crs = write(tmp_path / "utm.tif", ly, crs="EPSG:32718")
    with pytest.raises(ZonalError, match="EPSG:32718"):
        forest_loss(
            tc_path, other_crs, [("a", shapely.box(-77.0, -1.001, -76.999, -1.0))], workers=1
        )


def test_it_refuses_bad_zones():
    def fc(*features, **extra):
        return json.dumps({"type": "FeatureCollection", "features": list(features), **extra})

    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    empty = {"type": "Polygon", "coordinates": []}
    with pytest.raises(ZonalError, match=r"zone 'x': invalid geometry \(Self-intersection"):
        zonal.read_zones(fc({"type": "Feature", "properties": {"id": "x"}, "geometry": bowtie}))
    with pytest.raises(ZonalError, match="zone 3: the geometry is empty"):
        zonal.read_zones(fc({"type": "Feature", "properties": {"id": 3}, "geometry": empty}))
    with pytest.raises(ZonalError, match="holds no features"):
        zonal.read_zones(fc())
    point = {"type": "Point", "coordinates": [0, 0]}
    with pytest.raises(ZonalError, match="has no area"):
        zonal.read_zones(fc({"type": "Feature", "id": "p", "properties": {}, "geometry": point}))
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    named = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32718"}}
    with pytest.raises(ZonalError, match="reproject"):
        zonal.read_zones(
            fc({"type": "Feature", "id": 1, "properties": {}, "geometry": square}, crs=named),
            crs="EPSG:4326",
        )
    with pytest.raises(ZonalError, match="reproject"):
        zonal.read_zones(
            fc({"type": "Feature", "id": 1, "properties": {}, "geometry": square}), crs="EPSG:32718"
        )


def test_it_refuses_values_outside_the_encoding(tmp_path):
    tc = write(tmp_path / "tc.tif", np.full((3, 3), 101))
    ly = write(tmp_path / "ly.tif", np.zeros((3, 3)))
    with pytest.raises(ZonalError, match=r"outside 0\.\.100"):
        forest_loss(tc, ly, [("a", shapely.box(-77.0, -1.0005, -76.9995, -1.0))], workers=1)


# --- the command ------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("analyze", "zonal", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_only_json_and_keeps_ids_and_order(tmp_path, small):
    tc_path, ly_path, _, _ = small
    zones = tmp_path / "zones.geojson"
    zones.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature(7, shapely.box(-77.0, -1.0 - 4 * RES, -77.0 + 4 * RES, -1.0)),
                    feature("A-1", shapely.box(-77.0, -1.0 - RES, -77.0 + RES, -1.0)),
                ],
            }
        )
    )
    out, err = run(
        "--treecover", tc_path, "--lossyear", ly_path, "--zones", str(zones), "--workers", "1"
    )
    data = json.loads(out)
    assert [z["id"] for z in data["zones"]] == [7, "A-1"]
    assert list(data["zones"][0]["loss_ha_by_year"])[:2] == ["2001", "2002"]
    assert "1/1" in err  # the progress bar went to stderr


def test_the_command_exits_2_on_bad_input(tmp_path, small):
    tc_path, ly_path, _, _ = small
    zones = tmp_path / "zones.geojson"
    zones.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(CommandError, match="no features") as caught:
        run("--treecover", tc_path, "--lossyear", ly_path, "--zones", str(zones))
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="no such file") as caught:
        run("--treecover", tc_path, "--lossyear", str(tmp_path / "nope.tif"), "--zones", str(zones))
    assert caught.value.returncode == 2
