"""Lists stay paginated and cheap as a table grows; the scale generator loads in bulk."""

from __future__ import annotations

from minga.core.models import Event
from minga.tables.models import Table
from minga.tests.production import DEMO_TABLE


def test_list_pages_are_paginated_and_their_cost_does_not_grow(client_for, personas):
    import datetime as dt

    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    from minga.initiatives.models import Commitment

    table = Table.objects.get(slug=DEMO_TABLE)
    org = table.memberships.first().organization
    client = client_for("secretariat")
    pages = [f"/t/{DEMO_TABLE}/commitments/", f"/t/{DEMO_TABLE}/initiatives/", "/portal/", "/"]

    def costs() -> list[int]:
        out = []
        for page in pages:
            client.get(page)  # stored figures and caches warm
            with CaptureQueriesContext(conn) as queries:
                assert client.get(page).status_code == 200
            out.append(len(queries))
        return out

    def add(n: int) -> None:
        Commitment.objects.bulk_create(
            Commitment(
                table=table,
                organization=org,
                what=f"Tarea {k}",
                to_whom="la mesa",
                due_on=dt.date(2026, 1, 1) + dt.timedelta(days=k),
            )
            for k in range(n)
        )

    add(60)
    few = costs()
    add(600)
    many = costs()
    assert few == many
    page = client.get(f"/t/{DEMO_TABLE}/commitments/?page=3&lang=en").content.decode()
    assert "Page 3 of" in page and 'rel="prev"' in page and 'rel="next"' in page
    assert page.count('class="commitment ') == 50
    last = client.get(f"/t/{DEMO_TABLE}/commitments/?page=999").content.decode()
    assert 'rel="next"' not in last  # a number past the end shows the last page


def test_the_monitoring_map_asks_for_groups_and_the_download_can_keep_the_newest(client_for):
    client = client_for("secretariat")
    page = client.get(f"/t/{DEMO_TABLE}/monitoring/").content.decode()
    assert f'data-clusters="/t/{DEMO_TABLE}/monitoring/observations/clusters.geojson"' in page
    everything = client.get(f"/t/{DEMO_TABLE}/monitoring/observations.geojson").json()
    points = [f for f in everything["features"] if f["geometry"]["type"] == "Point"]
    assert len(points) > 2
    newest = client.get(f"/t/{DEMO_TABLE}/monitoring/observations.geojson?limit=2").json()
    assert [f["id"] for f in newest["features"] if f["geometry"]["type"] == "Point"] == [
        f["id"] for f in points[:2]
    ]
    assert client.get(f"/t/{DEMO_TABLE}/monitoring/observations.geojson?limit=x").status_code == 400


def test_the_scale_generator_loads_a_fraction_of_the_network_in_bulk(db):
    from minga.demo import scale
    from minga.initiatives.models import Commitment, Funding, Initiative
    from minga.ledger.audit import audit_local
    from minga.monitoring.models import Observation
    from minga.portal.models import TableFigures

    before = Event.objects.count()
    lines: list[str] = []
    built = scale.generate(factor=0.005, say=lines.append)
    assert scale.already_loaded() == 3  # 5 tables: the demo's two and three generated
    generated = Table.objects.filter(slug__startswith=scale.PREFIX)
    assert generated.values("region").distinct().count() == 3
    assert built.counts["tables"] == 5 and built.counts["organizations"] == 100
    assert Initiative.objects.filter(is_demo=True, table__in=generated).count() == 600
    assert Funding.objects.filter(initiative__table__in=generated).count() == 600
    assert Commitment.objects.filter(table__in=generated).count() == 3000
    assert Observation.objects.filter(table__in=generated).count() == 15_000
    assert Observation.objects.values("public_id").distinct().count() == Observation.objects.count()
    batches = Event.objects.filter(type="demo.scale_batch_loaded").count()
    assert 0 < batches <= Event.objects.count() - before  # one event per batch, not per row
    assert built.counts["log_entries"] == built.counts["events"]  # every event is in the log
    assert audit_local().ok
    assert TableFigures.objects.count() == 5
    assert lines[0] == "Regions and tables"
