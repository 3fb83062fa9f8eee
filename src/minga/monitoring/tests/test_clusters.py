"""The observations map shows every observation at any scale: the server groups them by zoom
and viewport, on SQLite and PostgreSQL alike, and with 100,000 observations the answer stays
small and its queries few."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minga.core.access import Sensitivity
from minga.core.testing import DEMO_TABLE
from minga.monitoring.models import Observation
from minga.monitoring.queries import observations_for
from minga.tables.models import Table

URL = f"/t/{DEMO_TABLE}/monitoring/observations/clusters.geojson"


def _get(client: Client, query: str) -> dict:
    answer = client.get(f"{URL}?{query}")
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == "application/geo+json"
    return json.loads(answer.content)


def _points(data: dict) -> list[dict]:
    return [f for f in data["features"] if f["geometry"]["type"] == "Point"]


@pytest.mark.parametrize("persona", ["public", "secretariat"])
def test_every_observation_the_viewer_may_see_counts_at_every_zoom(client_for, personas, persona):
    table = Table.objects.get(slug=DEMO_TABLE)
    Observation.objects.create(
        table=table,
        source="kobo",
        source_key="only-the-table",
        observed_at=timezone.now(),
        kind="fire",
        lon=-78.1,
        lat=-2.3,
        sensitivity=Sensitivity.TABLE,
    )
    visible = observations_for(personas[persona], table).count()
    client = client_for(persona)
    previous = 0
    for zoom in (2, 6, 10, 14, 18):
        data = _get(client, f"z={zoom}")
        points = _points(data)
        assert data["total"] == sum(f["properties"]["count"] for f in points) == visible
        assert len(points) >= previous  # a closer zoom never shows fewer groups
        previous = len(points)
        for single in (f for f in points if f["properties"]["count"] == 1):
            assert single["id"] and " · " in single["properties"]["label"]
    assert previous == visible  # the closest zoom groups nothing, even points at one place
    shown = json.dumps(_get(client, "z=18"))
    assert ("only-the-table" in shown) is False  # ids are public ids, never the source's key
    found = {f.get("id") for f in _points(_get(client, "z=18"))}
    secret = Observation.objects.get(source_key="only-the-table").public_id
    assert (secret in found) == (persona == "secretariat")


def test_a_viewport_holds_only_its_own_groups_and_bad_requests_are_refused(client_for):
    client = client_for("secretariat")
    far = _get(client, "z=8&bbox=-150,10,-140,20")  # the Pacific
    assert far["total"] == 0 and _points(far) == [] and far["extent"] is None
    whole = _get(client, "z=8")
    west, south, east, north = whole["extent"]
    half = _get(client, f"z=8&bbox={west},{south},{(west + east) / 2},{north}")
    assert 0 < half["total"] <= whole["total"]
    # a view across the antimeridian (west greater than east) holds what lies on either side
    across = _get(client, "z=3&bbox=170,-20,-60,20")
    assert across["total"] == whole["total"]
    assert _get(client, "z=3&bbox=170,-20,175,20")["total"] == 0
    # the patrol tracks come with the first answer only: the map keeps them
    lines = [f for f in whole["features"] if f["geometry"]["type"] != "Point"]
    assert lines and not [f for f in half["features"] if f["geometry"]["type"] != "Point"]
    for query in (
        "z=99",
        "z=x",
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=0,50,10,40",
        "bbox=-200,0,200,1",
    ):
        refused = client.get(f"{URL}?{query}&lang=pt")
        assert refused.status_code == 400
        assert "zoom de 0 a 18" in refused.json()["detail"]


def test_a_hundred_thousand_observations_answer_small_and_in_few_queries(db, client):
    table = Table.objects.get(slug=DEMO_TABLE)
    client.get(f"{URL}?z=8")  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as before:
        client.get(f"{URL}?z=8")
    rng = random.Random(7)
    now = timezone.now()
    Observation.objects.bulk_create(
        [
            Observation(
                table=table,
                source="bench",
                source_key=f"b{n}",
                observed_at=now - dt.timedelta(minutes=n),
                kind=rng.choice(["fire", "mining", "illegal_logging", "wildlife"]),
                lon=rng.uniform(-78.9, -77.0),
                lat=rng.uniform(-3.6, -1.6),
                sensitivity=Sensitivity.PUBLIC,
            )
            for n in range(100_000)
        ],
        batch_size=5000,
    )
    public = Client()
    sizes = {}
    for name, query in {
        "province (z=7)": "z=7",
        "viewport z=9": "z=9&bbox=-78.5,-2.9,-77.6,-2.3",
        "viewport z=13": "z=13&bbox=-78.2,-2.6,-78.14,-2.56",
        "viewport z=16": "z=16&bbox=-78.2,-2.6,-78.18,-2.58",
    }.items():
        with CaptureQueriesContext(connection) as during:
            answer = public.get(f"{URL}?{query}")
        data = json.loads(answer.content)
        sizes[name] = (len(answer.content), len(_points(data)), len(during))
        assert len(during) == len(before), name  # the same queries whatever the number of points
        assert len(answer.content) < 40_000, name
    whole = json.loads(public.get(f"{URL}?z=7").content)
    assert whole["total"] >= 100_000
    print(connection.vendor, sizes)
