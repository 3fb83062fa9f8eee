"""The IATI export: valid against the official 2.03 schema, every code from the IATI codelists,
transactions from the funds area, one table's file, and the command's contract."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from minga.core import testing
from minga.demo import data as demo
from minga.funds.models import Transaction
from minga.portal import iati_records

SHARED = testing.SHARED / "iati"
pytestmark = pytest.mark.django_db


def _schema(name: str) -> etree.XMLSchema:
    testing.require_shared("iati")
    return etree.XMLSchema(etree.parse(str(SHARED / name)))


def _codes(codelist: str) -> set[str]:
    tree = etree.parse(str(testing.require_shared("iati", "codelists", f"{codelist}.xml")))
    return {code.text for code in tree.iter("code")}


def _valid(schema: etree.XMLSchema, body: bytes) -> etree._ElementTree:
    document = etree.ElementTree(etree.fromstring(body))
    assert schema.validate(document), str(schema.error_log)
    return document


def test_the_demo_activities_validate_and_carry_the_funds_transactions():
    document = _valid(_schema("iati-activities-schema.xsd"), iati_records.export("activities"))
    root = document.getroot()
    assert root.get("version") == "2.03"
    types = {t.get("code") for t in root.iter("transaction-type")}
    assert {"1", "2", "3", "4", "11"} <= types
    assert (
        len(root.findall("iati-activity[@hierarchy='2']"))
        == Transaction.objects.filter(type="2").count()
    )
    award = root.find("iati-activity[@hierarchy='2']")
    assert award.find("related-activity").get("type") == "1"
    parent = award.find("related-activity").get("ref")
    assert parent in {a.findtext("iati-identifier") for a in root.iter("iati-activity")}
    # initiatives: participating organizations in their roles, results with indicators
    roles = {p.get("role") for p in root.iter("participating-org")}
    assert roles == {"1", "2", "3", "4"}
    assert root.find(".//result/indicator/baseline") is not None
    assert root.find(".//location/point/pos") is not None
    # identifiers unique, and each prefixed by its reporting organisation's
    ids = [a.findtext("iati-identifier") for a in root.iter("iati-activity")]
    assert len(ids) == len(set(ids))
    for activity in root.iter("iati-activity"):
        assert activity.findtext("iati-identifier").startswith(
            activity.find("reporting-org").get("ref") + "-"
        )


def test_every_code_used_comes_from_the_iati_codelists():
    _schema("iati-activities-schema.xsd")
    root = etree.fromstring(iati_records.export("activities"))
    used = {
        "TransactionType": {e.get("code") for e in root.iter("transaction-type")},
        "OrganisationRole": {e.get("role") for e in root.iter("participating-org")},
        "OrganisationType": {
            e.get("type")
            for tag in ("participating-org", "reporting-org", "provider-org", "receiver-org")
            for e in root.iter(tag)
        },
        "ActivityStatus": {e.get("code") for e in root.iter("activity-status")},
        "ActivityDateType": {e.get("type") for e in root.iter("activity-date")},
        "Sector": {e.get("code") for e in root.iter("sector")},
        "Currency": {e.get("currency") for e in root.iter("value")}
        | {e.get("default-currency") for e in root.iter("iati-activity")},
        "Country": {e.get("code") for e in root.iter("recipient-country")},
        "DocumentCategory": {e.get("code") for e in root.iter("category")},
        "ResultType": {e.get("type") for e in root.iter("result")},
        "IndicatorMeasure": {e.get("measure") for e in root.iter("indicator")},
        "GeographicExactness": {e.get("code") for e in root.iter("exactness")},
        "GeographicLocationClass": {e.get("code") for e in root.iter("location-class")},
        "BudgetType": {e.get("type") for e in root.iter("budget")},
        "BudgetStatus": {e.get("status") for e in root.iter("budget")},
        "DescriptionType": {e.get("type") for e in root.iter("description") if e.get("type")},
        "Language": {e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in root},
    }
    for codelist, codes in used.items():
        assert codes, codelist
        unknown = codes - _codes(codelist)
        assert unknown == set(), f"{codelist}: {sorted(unknown)}"


def test_the_organisation_file_validates():
    document = _valid(
        _schema("iati-organisations-schema.xsd"), iati_records.export("organisations")
    )
    names = {n.text for n in document.getroot().iter("narrative")}
    assert demo.PREFECTURE in names
    assert demo.FUNDER in names


def test_the_command_writes_one_tables_file(tmp_path):
    schema = _schema("iati-activities-schema.xsd")
    target = tmp_path / "sucumbios.xml"
    err = StringIO()
    call_command("export", "iati", "--table", "sucumbios", "-o", str(target), stderr=err)
    document = _valid(schema, target.read_bytes())
    assert "written to" in err.getvalue()
    reporters = {a.find("reporting-org/narrative").text for a in document.getroot()}
    assert demo.PREFECTURE not in reporters
    assert demo.OTHER_PREFECTURE in reporters
    out = StringIO()
    organisations = tmp_path / "orgs.xml"
    call_command("export", "iati", "--kind", "organisations", "-o", str(organisations), stdout=out)
    _valid(_schema("iati-organisations-schema.xsd"), organisations.read_bytes())
    with pytest.raises(CommandError, match="no table"):
        call_command("export", "iati", "--table", "nowhere")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export", "iati", "-o", str(tmp_path / "missing" / "x.xml"))
