"""The satellite pages and services: layers, runs, samples, labels, verification reports."""

import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import rasterio
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from minga.core.access import SYSTEM
from minga.core.models import Event, RunStatus
from minga.satellite import queries as satellite_queries
from minga.satellite import services as satellite
from minga.satellite.models import (
    AnalysisRun,
    Hotspot,
    HotspotStatus,
    RasterLayer,
    ReferenceLabel,
    SampleDesign,
    VerificationReport,
    ZoneStatistic,
)
from minga.satellite.tests.rasters import write_tif
from minga.satellite.views import MAP_HOTSPOTS
from minga.tables.models import Table

SLUG = "morona-santiago"


@pytest.fixture
def table(db):
    return Table.objects.get(slug=SLUG)


@pytest.fixture
def zone(table):
    territory = table.territories.first()
    return next(z for z in satellite_queries.zones_of(table) if z.territory == territory)


def test_the_demo_territories_carry_layers_charts_and_hotspots(client_for, table):
    assert RasterLayer.objects.filter(table=table, active=True).count() == 4
    run = AnalysisRun.objects.get(table=table)
    assert run.status == RunStatus.DONE
    territory = table.territories.first()
    loss = ZoneStatistic.objects.filter(run=run, territory=territory, metric="loss")
    assert sorted(loss.values_list("year", flat=True)) == list(range(2001, 2025))
    assert sum(loss.values_list("hectares", flat=True)) > 0
    home = client_for("public").get(f"/t/{SLUG}/?lang=es").content.decode()
    assert 'class="chart"' in home and "El bosque visto desde satélites" in home
    page = client_for("public").get(f"/t/{SLUG}/satellite/territory/{territory.public_id}/?lang=en")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="chart"') == 2  # loss per year, alerts per month
    assert "Unusual years" in body
    geo = client_for("public").get(f"/t/{SLUG}/satellite/hotspots.geojson").json()
    assert geo["features"] and geo["features"][0]["properties"]["radius_m"] > 0
    # the hotspot map is drawn on the server too: never empty while the list has rows
    overview = client_for("public").get(f"/t/{SLUG}/satellite/?lang=en").content.decode()
    dots = overview.count('<circle class="point"')
    assert dots == min(len(geo["features"]), MAP_HOTSPOTS) and dots > 0


@pytest.mark.parametrize("persona", ["public", "member", "secretariat"])
def test_the_hotspot_map_counts_every_hotspot_the_viewer_may_see(
    client_for, personas, table, persona
):
    client = client_for(persona)
    visible = satellite_queries.hotspots_for(personas[persona], table)
    # the rule in SQL is the zone rule each hotspot's page applies, hotspot by hotspot
    by_zone = [
        h.public_id
        for h in satellite_queries.hotspots_of(table)
        if satellite_queries.zone_visible(personas[persona], table, h.zone)
    ]
    assert sorted(h.public_id for h in visible) == sorted(by_zone)
    listed = [
        f["id"] for f in client.get(f"/t/{SLUG}/satellite/hotspots.geojson").json()["features"]
    ]
    assert sorted(listed) == sorted(by_zone)
    alone = set()
    for zoom in (4, 9, 13, 18):
        answer = client.get(f"/t/{SLUG}/satellite/hotspots/clusters.geojson?z={zoom}")
        assert answer["Content-Type"] == "application/geo+json"
        data = answer.json()
        assert data["total"] == sum(f["properties"]["count"] for f in data["features"])
        assert data["total"] == len(visible)
        for f in data["features"]:
            assert f["properties"]["confidence"] in ("low", "high", "highest")
            if f["properties"]["count"] == 1:
                assert f["properties"]["radius_m"] > 0 and f["properties"]["label"].startswith("#")
                alone.add(f["id"])
    assert alone <= {h.public_id for h in visible}
    assert client.get(f"/t/{SLUG}/satellite/hotspots/clusters.geojson?z=-1").status_code == 400


def test_the_agreement_page_charts_its_forest(client_for, table):
    agreement = table.agreements.exclude(geometry__isnull=True).first()
    body = (
        client_for("public")
        .get(f"/t/{SLUG}/agreements/{agreement.public_id}/?lang=en")
        .content.decode()
    )
    assert "Forest from satellites" in body and 'class="chart"' in body


def test_a_layer_outside_the_raster_folder_is_refused(table, personas, settings, tmp_path):
    events = Event.objects.count()
    with translation.override("en"), pytest.raises(satellite.SatelliteError, match="raster folder"):
        satellite.register_layer(by=personas["secretariat"], table=table, path="../../etc/passwd")
    with translation.override("en"), pytest.raises(satellite.SatelliteError, match="no file"):
        satellite.register_layer(by=personas["secretariat"], table=table, path="nope.tif")
    assert Event.objects.count() == events


def _write(path, array, west=-77.0, north=-2.0):
    write_tif(path, array, west=west, north=north)


def test_a_file_outside_the_encoding_is_refused(table, personas, settings, tmp_path):
    settings.MINGA_RASTER_ROOT = tmp_path
    _write(tmp_path / "Hansen_GFC-2024-v1.12_treecover2000_00N_080W.tif", np.full((8, 8), 180))
    layers = RasterLayer.objects.count()
    with translation.override("en"), pytest.raises(satellite.SatelliteError, match="encoding"):
        satellite.register_layer(
            by=personas["secretariat"],
            table=table,
            path="Hansen_GFC-2024-v1.12_treecover2000_00N_080W.tif",
        )
    assert RasterLayer.objects.count() == layers
    with pytest.raises(PermissionDenied):
        satellite.register_layer(by=personas["member"], table=table, path="x.tif")


def test_a_folder_of_tiles_becomes_one_layer(table, personas, settings, tmp_path):
    settings.MINGA_RASTER_ROOT = tmp_path
    settings.DATA_DIR = tmp_path / "data"
    folder = tmp_path / "lossyear"
    folder.mkdir()
    left = np.arange(64).reshape(8, 8) % 25
    right = (np.arange(64).reshape(8, 8) + 3) % 25
    _write(folder / "a.tif", left, west=-77.0)
    _write(folder / "b.tif", right, west=-77.0 + 8 * 0.00025)
    layer = satellite.register_layer(
        by=personas["secretariat"], table=table, path="lossyear", product="hansen_lossyear"
    )
    assert (layer.width, layer.height) == (16, 8)
    with rasterio.open(layer.path) as mosaic:
        data = mosaic.read(1)
    assert np.array_equal(data[:, :8], left) and np.array_equal(data[:, 8:], right)
    # the earlier loss layer of the table is kept, marked as replaced
    assert RasterLayer.objects.filter(table=table, product="hansen_lossyear", active=False).exists()


def test_the_analysis_runs_in_the_background_with_progress(
    client_for, table, personas, django_capture_on_commit_callbacks
):
    client = client_for("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/t/{SLUG}/satellite/", {"threshold": "30"})
    assert response.status_code == 302
    run = AnalysisRun.objects.filter(table=table).first()
    assert run.status == RunStatus.QUEUED
    # Once the queued run commits, the satellite area's hook hands it to the worker.
    queued = DBTaskResult.objects.filter(task_path__endswith=".run_satellite_analysis")
    assert [t.args_kwargs["kwargs"] for t in queued] == [{"run_id": run.pk}]
    progress = client_for("public").get(f"/t/{SLUG}/satellite/runs/{run.public_id}/")
    assert 'hx-trigger="every 2s"' in progress.content.decode()
    # a second request while one is queued is refused
    again = client.post(f"/t/{SLUG}/satellite/", {"threshold": "30"}, follow=True)
    assert AnalysisRun.objects.filter(table=table).count() == 2
    assert "already under way" in again.content.decode() or "en curso" in again.content.decode()
    satellite.run_analysis(run)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.percent == 100
    assert run.hotspots.exists()
    done = client_for("public").get(f"/t/{SLUG}/satellite/runs/{run.public_id}/").content.decode()
    assert "hx-trigger" not in done


def test_a_run_with_a_broken_layer_fails_and_says_why(table, personas):
    run = satellite.start_analysis(by=personas["secretariat"], table=table, background=False)
    RasterLayer.objects.filter(public_id__in=run.layers, product="hansen_lossyear").update(
        path="/nonexistent/lossyear.tif"
    )
    satellite.run_analysis(run)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "lossyear" in run.error
    assert not run.statistics.exists()


def test_a_sample_design_with_its_exports(client_for, table, zone, tmp_path):
    client = client_for("monitor")
    territory = zone.territory
    response = client.post(
        f"/t/{SLUG}/satellite/territory/{territory.public_id}/",
        {"start_year": "2021", "end_year": "2024", "loss": "12", "forest": "15", "other": "10"},
    )
    design = SampleDesign.objects.filter(table=table).first()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/samples/{design.public_id}/"
    )
    assert {p["stratum"] for p in design.points} == {"loss", "forest", "other"}
    assert len(design.points) == 12 + 15 + 10  # the sample sizes asked for
    assert design.mapped_ha["forest"] > design.mapped_ha["loss"] > 0
    base = f"/t/{SLUG}/samples/{design.public_id}"
    geo = json.loads(client.get(f"{base}.geojson").content)
    assert len(geo["features"]) == len(design.points)
    gpx = ET.fromstring(client.get(f"{base}.gpx").content)  # noqa: S314 - our own output
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    assert len(gpx.findall("g:wpt", ns)) == len(design.points)
    csv = client.get(f"{base}.csv").content.decode()
    assert csv.splitlines()[0] == "point,lon,lat,reference"
    pyxform = pytest.importorskip("pyxform.xls2xform")
    path = tmp_path / "check.xlsx"
    path.write_bytes(client.get(f"{base}.xlsx").content)
    xform = pyxform.convert(xlsform=str(path)).xform
    first = design.points[0]
    assert f"{first['lat']:.7f} {first['lon']:.7f} 0 0" in xform
    assert 'appearance="map"' in xform
    assert client.get(f"{base}.exe").status_code == 404


def _labels_file(rows):
    text = "point,reference\n" + "".join(f"{p},{r}\n" for p, r in rows)
    return SimpleUploadedFile("labels.csv", text.encode(), content_type="text/csv")


def test_bad_label_rows_write_nothing(client_for, table):
    design = SampleDesign.objects.get(table=table, territory__isnull=False)
    before = ReferenceLabel.objects.filter(design=design).count()
    point = design.points[0]["id"]
    response = client_for("monitor").post(
        f"/t/{SLUG}/samples/{design.public_id}/?lang=en",
        {"file": _labels_file([(point, "forest"), ("Z999", "forest"), (point, "swamp")])},
        follow=True,
    )
    body = response.content.decode()
    assert "Z999 is not a point of this sample" in body
    assert "swamp is not one of loss, forest, other" in body
    assert ReferenceLabel.objects.filter(design=design).count() == before


def test_points_get_labels_from_nearby_observations(table, zone, personas):
    from minga.monitoring.models import Observation

    design = satellite.create_sample_design(
        by=SYSTEM,
        table=table,
        zone=zone,
        start_year=2020,
        end_year=2026,
        per_stratum={"loss": 3, "forest": 3, "other": 2},
        seed=5,
    )
    target = design.points[0]
    Observation.objects.create(
        table=table,
        source="kobo",
        source_key="near-sample",
        observed_at="2025-03-01T10:00:00Z",
        kind="illegal_logging",
        lon=target["lon"] + 0.0002,
        lat=target["lat"],
    )
    assert satellite.labels_from_observations(by=personas["monitor"], design=design) == 1
    assert design.labels.get(point=target["id"]).label == "loss"


def test_a_verification_report_as_page_pdf_and_json(client_for, table, zone):
    report = VerificationReport.objects.get(table=table, territory=zone.territory)
    assert report.verified_ha > 0
    figures = report.figures
    forest = figures["estimation"]["classes"]["forest"]
    # verified hectares are the lower end of the 95 % interval of standing forest
    assert float(report.verified_ha) == pytest.approx(
        forest["area_ha"] - forest["ci95_ha"], abs=0.02
    )
    assert figures["hotspots"]["checked"] == 6 and figures["hotspots"]["confirmed"] == 5
    base = f"/t/{SLUG}/verifications/{report.public_id}"
    page = client_for("public").get(f"{base}/?lang=es").content.decode()
    assert "Hectáreas de custodia verificadas" in page and "Exactitud del usuario" in page
    data = client_for("public").get(f"{base}.json").json()
    assert data["verified_ha"] == str(report.verified_ha)
    assert data["figures"]["period"] == [2020, 2024]
    pdf = client_for("public").get(f"{base}.pdf?lang=en")
    assert pdf["Content-Type"] == "application/pdf"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (apt poppler-utils) is needed to read the PDF back")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert report.zone_name.split()[0] in text and "Verified stewardship hectares" in text


def test_too_few_labels_in_a_stratum_verify_nothing(table, zone, personas):
    design = satellite.create_sample_design(
        by=SYSTEM,
        table=table,
        zone=zone,
        start_year=2020,
        end_year=2024,
        per_stratum={"loss": 3, "forest": 3, "other": 3},
        seed=8,
    )
    loss_point = next(p["id"] for p in design.points if p["stratum"] == "loss")
    forest_points = [p["id"] for p in design.points if p["stratum"] == "forest"]
    satellite.record_labels(
        by=personas["monitor"],
        design=design,
        pairs=[(loss_point, "loss")] + [(p, "forest") for p in forest_points],
    )
    report = satellite.issue_verification(
        by=personas["secretariat"],
        table=table,
        zone=zone,
        start_year=2020,
        end_year=2024,
        design=design,
    )
    assert report.verified_ha == 0
    assert "at least two" in report.figures["estimation_problem"]


def test_only_the_secretariat_issues_verifications(table, zone, personas):
    count = VerificationReport.objects.count()
    for name in ("member", "monitor", "observer", "outsider", "other_secretariat"):
        with pytest.raises(PermissionDenied):
            satellite.issue_verification(
                by=personas[name], table=table, zone=zone, start_year=2020, end_year=2024
            )
    assert VerificationReport.objects.count() == count


def test_hotspot_checks_come_back_from_the_form(client_for, table):
    spot = Hotspot.objects.filter(table=table, status=HotspotStatus.OPEN).first()
    response = client_for("monitor").post(
        f"/t/{SLUG}/satellite/hotspot-checks/",
        {"file": _labels_file([(spot.public_id, "false_alarm")])},
    )
    assert response.status_code == 302
    spot.refresh_from_db()
    assert spot.status == HotspotStatus.FALSE_ALARM and spot.checked_on is not None
    form = client_for("public").get(f"/t/{SLUG}/satellite/hotspot-form.xlsx")
    assert form.status_code == 200 and form.content[:2] == b"PK"


def test_read_label_rows_understands_odk_exports():
    data = io.BytesIO(
        b"start,end,point,location,reference,photo,notes,meta/instanceID\n"
        b"a,b,L001,-2 -77 0 0,loss,,,uuid:1\n"
    ).getvalue()
    assert satellite.read_label_rows(data) == [("L001", "loss")]
    with pytest.raises(satellite.SatelliteError):
        satellite.read_label_rows(b"\xff\xfe garbage")


def test_an_initiative_with_an_area_is_a_zone(client_for, table, personas):
    from pyproj import Geod
    from shapely.geometry import Point, mapping

    from minga.initiatives.models import Initiative

    initiative = Initiative.objects.filter(table=table).first()
    centre = table.territories.first().shape.centroid
    area = Point(centre.x, centre.y).buffer(0.02)
    initiative.geometry = mapping(area)
    initiative.save()
    run = satellite.start_analysis(by=personas["secretariat"], table=table, background=False)
    satellite.run_analysis(run)
    stat = ZoneStatistic.objects.get(run=run, initiative=initiative, metric="area")
    hectares = abs(Geod(ellps="WGS84").geometry_area_perimeter(area)[0]) / 1e4
    assert stat.hectares == pytest.approx(hectares, rel=1e-4)
    page = client_for("public").get(f"/t/{SLUG}/satellite/initiative/{initiative.public_id}/")
    assert page.status_code == 200 and 'class="chart"' in page.content.decode()
    assert (
        client_for("public").get(f"/t/{SLUG}/satellite/planet/{initiative.public_id}/").status_code
        == 404
    )
