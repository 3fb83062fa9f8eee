"""The portal's dashboards roll the tables' figures up, the forum report reads back, the regional
network's guidance goes down and answers come up, and the public API tells the same."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from minga.core.testing import DEMO_TABLE, OTHER_TABLE
from minga.demo import data as demo
from minga.portal import queries
from minga.tables import regional
from minga.tables.models import Guidance, GuidanceAnswer, Region, Table

REGION = "amazonia-ecuatoriana"
pytestmark = pytest.mark.django_db


def test_the_network_adds_up_its_tables():
    tables = list(Table.objects.order_by("slug"))
    total, each = queries.rolled_up(tables)
    assert total.tables == len(tables) == len(each)
    assert total.organizations == sum(f.organizations for _t, f in each)
    assert total.initiatives == sum(f.initiatives for _t, f in each)
    assert total.credits_retired == sum(f.credits_retired for _t, f in each) > 0
    disbursed: dict[str, Decimal] = {}
    for _t, f in each:
        for currency, amount in f.funds_disbursed.items():
            disbursed[currency] = disbursed.get(currency, Decimal(0)) + amount
    assert total.funds_disbursed == disbursed and sum(disbursed.values()) > 0
    scores = [f.health for _t, f in each]
    assert total.health == round(sum(scores) / len(scores), 1)
    for year in total.loss_by_year:
        assert total.loss_by_year[year] == pytest.approx(
            sum(f.loss_by_year.get(year, 0.0) for _t, f in each)
        )
    assert len(total.health_by_month) >= 12  # a year of history


def test_the_dashboards(client):
    network = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for table in Table.objects.all():
        assert f'href="/portal/t/{table.slug}/"' in network
    assert "<svg" in network and 'id="compare"' in network
    region = client.get(f"/portal/r/{REGION}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"/portal/r/{REGION}/forum.pdf" in region
    page = client.get(f"/portal/t/{DEMO_TABLE}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    retirement = queries.latest_retirements(Table.objects.get(slug=DEMO_TABLE))[0]
    assert f"/credits/retirements/{retirement.public_id}/" in page
    assert f"/open-data/{DEMO_TABLE}.zip" in page
    assert 'class="map"' in page


def test_the_forum_report_reads_back(client, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with translation.override("en"):
        response = client.get(f"/portal/r/{REGION}/forum.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "forum.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Amazon Territorial Governance Forum" in text
    assert "Amazonía ecuatoriana" in text
    for table in Table.objects.all():
        assert table.name.split()[-1] in text  # Santiago, Sucumbíos
    # the comparison's first column is wide enough for a name: not one word per line
    row = next(line for line in text.splitlines() if "Mesa de Cooperación" in line)
    assert len(row.split("Mesa de Cooperación", 1)[1].split()) >= 2, row


def test_guidance_goes_down_and_answers_come_up(personas):
    region = Region.objects.get(slug=REGION)
    item = regional.publish_guidance(
        by=personas["observer"],  # the bank sits on the task force
        region=region,
        kind="priority",
        title="Prioridad",
        body="Texto",
    )
    assert item.organization.name == demo.BANK
    sucumbios = Table.objects.get(slug=OTHER_TABLE)
    assert sucumbios.pk in set(Table.objects.filter(region=region).values_list("pk", flat=True))
    from minga.tables.queries import pending_guidance

    assert item in pending_guidance(sucumbios)
    regional.answer_guidance(by=personas["other_secretariat"], guidance=item, table=sucumbios)
    assert item not in pending_guidance(sucumbios)
    regional.answer_guidance(
        by=personas["other_secretariat"], guidance=item, table=sucumbios, answer="De acuerdo"
    )
    assert GuidanceAnswer.objects.get(guidance=item, table=sucumbios).answer == "De acuerdo"


def test_guidance_is_published_from_the_page_only_once_confirmed(client_for):
    bank = client_for("observer")  # the bank sits on the task force
    fields = {"kind": "priority", "title": "Agua segura", "body": "Texto", "answer_by": ""}
    refused = bank.post(f"/r/{REGION}/guidance/publish/?lang=pt", fields, follow=True)
    assert "Marque a caixa para confirmar" in refused.content.decode()
    assert not Guidance.objects.filter(title="Agua segura").exists()
    page = bank.get(f"/r/{REGION}/guidance/?lang=pt").content.decode()
    assert "publicada para todas as mesas da região" in page
    bank.post(f"/r/{REGION}/guidance/publish/", {**fields, "confirm": "on"})
    assert Guidance.objects.get(title="Agua segura").organization.name == demo.BANK


def test_guidance_refusals_write_nothing(personas):
    region = Region.objects.get(slug=REGION)
    count = Guidance.objects.count(), GuidanceAnswer.objects.count()
    with pytest.raises(PermissionDenied):
        regional.publish_guidance(
            by=personas["monitor"], region=region, kind="guidance", title="T", body="B"
        )
    with translation.override("en"), pytest.raises(ValidationError, match="has passed"):
        regional.publish_guidance(
            by=personas["convener"],
            region=region,
            kind="guidance",
            title="T",
            body="B",
            answer_by=timezone.localdate() - dt.timedelta(days=1),
        )
    answered = GuidanceAnswer.objects.get(table__slug=DEMO_TABLE)
    item = answered.guidance
    with pytest.raises(PermissionDenied):  # Sucumbíos' secretariat cannot answer for Morona
        regional.answer_guidance(
            by=personas["other_secretariat"],
            guidance=item,
            table=Table.objects.get(slug=DEMO_TABLE),
        )
    with translation.override("en"), pytest.raises(ValidationError, match="already"):
        regional.answer_guidance(by=personas["secretariat"], guidance=item, table=answered.table)
    assert (Guidance.objects.count(), GuidanceAnswer.objects.count()) == count


def test_the_guidance_page_and_the_table_home(client_for):
    page = client_for("other_secretariat").get(f"/r/{REGION}/guidance/").content.decode()
    assert "Acusar recibo y responder" in page  # Sucumbíos may answer
    home = client_for("public").get(f"/t/{OTHER_TABLE}/").content.decode()
    assert 'id="pending-guidance"' in home  # the demo's priority waits for Sucumbíos


def test_the_public_api_tells_what_the_pages_show(client):
    network = client.get("/api/v1/portal/network").json()
    assert network["figures"]["tables"] == Table.objects.count()
    assert {t["slug"] for t in network["tables"]} == set(
        Table.objects.values_list("slug", flat=True)
    )
    rows = client.get(f"/api/v1/open-data/{DEMO_TABLE}/initiatives").json()
    assert rows["rows"] and rows["fields"][0]["name"] == "initiative_id"
    assert client.get(f"/api/v1/open-data/{DEMO_TABLE}/nothing").status_code == 404
    transactions = client.get("/api/v1/funds/fondo-comun-mesas/transactions").json()
    assert {t["iati_transaction_type"] for t in transactions} == {"1", "2", "3", "4", "11"}
    health = client.get(f"/api/v1/tables/{OTHER_TABLE}/health").json()
    assert len(health["components"]) == 11 and len(health["history"]) >= 12
    guidance = client.get(f"/api/v1/regions/{REGION}/guidance").json()
    assert any(g["answers"] for g in guidance)
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/portal/network",
        "/api/v1/open-data/{slug}/{dataset}",
        "/api/v1/funds/{slug}/transactions",
    ):
        assert path in schema["paths"]


def test_the_table_map_shows_territories_and_public_agreement_areas(client):
    from minga.agreements.models import Agreement
    from minga.core.access import Sensitivity

    table = Table.objects.get(slug=DEMO_TABLE)
    # (not one whose community's label already keeps its area: the database refuses that)
    hidden = Agreement.objects.filter(table=table, label_floor=0).first()
    Agreement.objects.filter(pk=hidden.pk).update(area_sensitivity=Sensitivity.TABLE)
    features = client.get(f"/portal/t/{DEMO_TABLE}/map.geojson").json()["features"]
    kinds = {f["properties"]["kind"] for f in features}
    assert kinds == {"territory", "agreement"}
    shown = {f["id"] for f in features if f["properties"]["kind"] == "agreement"}
    public = set(
        Agreement.objects.filter(table=table, area_sensitivity=Sensitivity.PUBLIC)
        .exclude(geometry__isnull=True)
        .values_list("public_id", flat=True)
    )
    assert shown == public and hidden.public_id not in shown
