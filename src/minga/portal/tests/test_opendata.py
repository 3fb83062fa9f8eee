"""Open data: each table's package validates with Frictionless, GeoJSON follows RFC 7946, every
public list downloads as CSV, and the daily command keeps the packages current."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from io import StringIO

import frictionless
import pytest
from django.core.management import call_command
from shapely.geometry import shape

from minga.core.testing import DEMO_TABLE, OTHER_TABLE
from minga.portal import opendata
from minga.tables.models import Table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", [DEMO_TABLE, OTHER_TABLE])
def test_the_package_validates_with_frictionless(client, slug, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    response = client.get(f"/open-data/{slug}.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        archive.extractall(tmp_path / "package")
        names = set(archive.namelist())
    assert {"datapackage.json", "iati-activities.xml", "initiatives.csv"} <= names
    report = frictionless.validate(str(tmp_path / "package" / "datapackage.json"))
    assert report.valid, report.flatten(["title", "message"])[:5]
    descriptor = json.loads((tmp_path / "package" / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["path"] for r in descriptor["resources"]} == names - {"datapackage.json"}


def test_geojson_follows_rfc_7946(client):
    for dataset in opendata.DATASETS:
        if dataset.geometry is None:
            assert client.get(f"/open-data/{DEMO_TABLE}/{dataset.name}.geojson").status_code == 404
            continue
        response = client.get(f"/open-data/{DEMO_TABLE}/{dataset.name}.geojson")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/geo+json"
        collection = response.json()
        assert collection["type"] == "FeatureCollection" and "crs" not in collection
        for feature in collection["features"]:
            geometry = shape(feature["geometry"])
            assert geometry.is_valid
            west, south, east, north = geometry.bounds
            assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90


def test_every_public_list_downloads_as_csv(client):
    for dataset in opendata.DATASETS:
        response = client.get(f"/open-data/{DEMO_TABLE}/{dataset.name}.csv")
        assert response.status_code == 200, dataset.name
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == [name for name, _type in dataset.fields]
    counts = {
        d.name: len(opendata.to_csv(d, Table.objects.get(slug=DEMO_TABLE)).splitlines())
        for d in opendata.DATASETS
    }
    for filled in ("members", "initiatives", "agreements", "forest", "credit_retirements"):
        assert counts[filled] > 1, filled
    assert client.get(f"/open-data/{DEMO_TABLE}/nothing.csv").status_code == 404
    assert client.get("/open-data/nowhere/members.csv").status_code == 404


def test_the_open_data_page_links_every_download(client):
    html = client.get("/open-data/").content.decode()
    for slug in (DEMO_TABLE, OTHER_TABLE):
        assert f'href="/open-data/{slug}.zip"' in html
        for dataset in opendata.DATASETS:
            assert f"/open-data/{slug}/{dataset.name}.csv" in html
    assert "/open-data/iati/activities.xml" in html
    assert client.get("/open-data/iati/activities.xml").status_code == 200
    assert client.get("/open-data/iati/budgets.xml").status_code == 404


def test_the_daily_command_rebuilds_the_packages(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("publish_open_data", stdout=out)
    assert f"{DEMO_TABLE}:" in out.getvalue()
    assert (tmp_path / "opendata" / f"minga-{DEMO_TABLE}.zip").exists()
    assert not list((tmp_path / "opendata").glob("*.partial"))
