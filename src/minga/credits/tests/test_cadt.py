"""The registry in the Climate Action Data Trust data model: the supply adds up per issuance in
the units, every retirement the transparency log holds is one retired unit, serial blocks tile
each batch, identifiers stay put across exports, a person's holding names nobody, the
spreadsheet has the CAD Trust sheets, and every field is documented with its source."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from minga.core.access import SYSTEM
from minga.credits import cadt, events
from minga.credits import services as credits
from minga.credits.models import Account, Batch, Project
from minga.ledger import services as ledger
from minga.ledger.models import LogEntry
from minga.tables.models import Person

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[4] / "docs" / "formats.md"


def _busier_registry() -> Batch:
    """The demo pilot plus a second retirement, a cancellation and a person's holding."""
    batch = Project.objects.get(project_id="BJ01-001").batches.get()
    table = batch.project.table
    holder = Account.objects.get(balances__batch=batch, kind="organization")
    person = credits.open_account(
        by=SYSTEM,
        table=table,
        kind="person",
        name="Rosa Tsamarain (monitora)",
        person=Person.objects.filter(memberships__table=table).first(),
    )
    credits.transfer(
        by=SYSTEM, batch=batch, sender=holder, recipient=person, amount=300, idempotency_key="t1"
    )
    credits.retire(
        by=SYSTEM,
        batch=batch,
        account=holder,
        amount=1_200,
        beneficiary="Cooperativa de Cacao Fino Arutam",
        reason="Compensación voluntaria 2026",
        jurisdiction="EC-S",
        idempotency_key="r2",
    )
    credits.cancel(by=SYSTEM, batch=batch, account=holder, amount=50, reason="Error de cálculo")
    batch.refresh_from_db()
    return batch


def _per_issuance(found: cadt.Records) -> dict[str, dict[str, int]]:
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for unit in found.units:
        status = "Escrowed" if unit["unitTags"] == "escrowed" else unit["unitStatus"]
        totals[unit["issuanceId"]][status] += unit["unitCount"]
    return {k: dict(v) for k, v in totals.items()}


def test_the_supply_adds_up_per_issuance_and_serials_tile_each_batch():
    before = cadt.records()
    first_retired = next(u for u in before.units if u["unitStatus"] == "Retired")
    batch = _busier_registry()
    found = cadt.records()
    issuance = cadt.derived_id("issuance", batch.batch_id)
    assert _per_issuance(found)[issuance] == {
        k: v
        for k, v in {
            "Held": batch.tradable,
            "Retired": batch.retired,
            "Cancelled": batch.cancelled,
            "Escrowed": batch.escrowed,
        }.items()
        if v
    }
    assert sum(_per_issuance(found)[issuance].values()) == batch.issued
    for each in Batch.objects.all():
        units = [u for u in found.units if u["marketplaceIdentifier"] == each.batch_id]
        serial = 1
        for unit in units:  # in order, no gap, no overlap, ending at the issued amount
            assert unit["serialNumberBlock"] == f"{unit['unitBlockStart']}-{unit['unitBlockEnd']}"
            assert int(unit["unitBlockStart"]) == serial
            serial = int(unit["unitBlockEnd"]) + 1
            assert int(unit["unitBlockEnd"]) - int(unit["unitBlockStart"]) + 1 == unit["unitCount"]
        assert serial - 1 == each.issued
    # what was retired before keeps its identifier and its serials
    assert first_retired in found.units
    # a person's holding names nobody; an organization's holding names it
    held = [u for u in found.units if u["unitStatus"] == "Held"]
    assert any(u["unitCount"] == 300 and u["unitOwner"] == "" for u in held)
    assert all("Rosa" not in json.dumps(u) for u in found.units)
    cancelled = next(u for u in found.units if u["unitStatus"] == "Cancelled")
    assert cancelled["unitCount"] == 50 and cancelled["unitStatusReason"] == "Error de cálculo"
    second = next(u for u in found.units if "Cacao" in u["unitOwner"])
    assert second["countryJurisdictionOfOwner"] == "Ecuador"
    assert second["inCountryJurisdictionOfOwner"] == "S"


def test_every_retirement_in_the_transparency_log_is_one_retired_unit():
    _busier_registry()
    ledger.integrate()
    logged = [
        json.loads(bytes(entry.leaf))
        for entry in LogEntry.objects.filter(event__type=events.CREDITS_RETIRED)
    ]
    assert len(logged) >= 2
    found = cadt.records()
    retired = [u for u in found.units if u["unitStatus"] == "Retired"]
    assert sum(u["unitCount"] for u in retired) == sum(p["payload"]["amount"] for p in logged)
    for leaf in logged:
        payload = leaf["payload"]
        link = f"/credits/retirements/{payload['retirement']}/"
        matching = [u for u in retired if u["unitRegistryLink"].endswith(link)]
        # one block here; a retirement of scattered serials would be one block per run of them
        assert len(matching) == 1, payload["retirement"]
        assert matching[0]["unitCount"] == payload["amount"]
        assert matching[0]["marketplaceIdentifier"] == payload["batch"]
    assert len(retired) == len(logged)


def test_the_json_nests_and_the_spreadsheet_has_the_cad_trust_sheets(tmp_path, client):
    err = StringIO()
    call_command("export", "cadt", "-o", str(tmp_path / "registry.json"), stderr=err)
    assert "CAD Trust 2.0: 1 projects, 1 issuances" in err.getvalue()
    body = json.loads((tmp_path / "registry.json").read_text(encoding="utf-8"))
    assert body["dataModelVersion"] == "2.0"
    project = body["projects"][0]
    assert set(project) == {
        *cadt.PROJECT_FIELDS,
        "projectLocations",
        "issuances",
        "labels",
        "coBenefits",
    }
    assert project["coBenefits"][0]["cobenefit"] == "SDG 15 - Life on land"
    assert {u["issuanceId"] for u in body["units"]} == {i["id"] for i in project["issuances"]}
    call_command("export", "cadt", "--table", "morona-santiago", "-o", str(tmp_path / "r.xlsx"))
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == [name for name, _ in cadt.SHEETS]
    for name, columns in cadt.SHEETS:
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == list(columns), name
        assert len(rows) - 1 == len(
            body["units"]
            if name == "units"
            else [r for p in body["projects"] for r in ([p] if name == "projects" else p[name])]
        ), name
    # nothing from another table; a bad table is refused
    call_command("export", "cadt", "--table", "sucumbios", "-o", str(tmp_path / "s.json"))
    assert json.loads((tmp_path / "s.json").read_text())["projects"] == []
    with pytest.raises(CommandError, match="no table"):
        call_command("export", "cadt", "--table", "nowhere")
    # the registry page offers both
    page = client.get(reverse("credit-registry", args=["morona-santiago"]))
    for kind in ("json", "xlsx"):
        url = reverse("credit-cadt", args=["morona-santiago", kind])
        assert url in page.content.decode()
        answer = client.get(url)
        assert answer.status_code == 200
    assert load_workbook(io.BytesIO(client.get(url).content)).sheetnames[0] == "projects"
    assert client.get(reverse("credit-cadt", args=["morona-santiago", "csv"])).status_code == 404


def test_identifiers_are_the_same_on_every_export():
    assert cadt.records() == cadt.records()
    assert (
        cadt.derived_id("project", "BJ01-001") == cadt.records().projects[0]["warehouseProjectId"]
    )


def test_every_field_is_documented_with_its_source():
    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("## Climate Action Data Trust") :]
    for name, columns in cadt.SHEETS:
        assert f"`{name}`" in section, name
        for column in columns:
            assert f"| `{column}` |" in section, (name, column)


def test_a_zone_the_community_keeps_is_not_located():
    project = Project.objects.select_related("agreement", "territory").get(project_id="BJ01-001")
    zone = project.agreement or project.territory
    if project.agreement_id:
        zone.area_sensitivity = 2
        zone.save(update_fields=["area_sensitivity"])
    else:
        zone.sensitivity = 2
        zone.save(update_fields=["sensitivity"])
    location = cadt.records().projectLocations[0]
    assert location["geographicIdentifier"] == "withheld (area not public)"
    assert location["inCountryRegion"] == project.table.province
    assert location["country"] == "Ecuador"
