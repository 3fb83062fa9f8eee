"""The IATI Standard Ruleset checker: each rule fires on a file that breaks it and is silent on
one that keeps it; every file minga writes keeps them all; the command refuses to write a file
that breaks one; multi-currency funding is planned disbursements per funder and one budget a
year in the activity's currency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from minga.initiatives.models import Initiative
from minga.portal import iati, iati_records, iati_rules
from minga.tables.models import Table

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
DOCS = Path(__file__).resolve().parents[4] / "docs" / "formats.md"
BANK = iati.Org("XM-DAC-46012", "Banco Interamericano de Desarrollo", "40")
TABLE = iati.Org("XI-MINGA-table", "Mesa de Morona Santiago", "10")


def _activity() -> iati.Activity:
    start, end = dt.date(2025, 1, 1), dt.date(2026, 12, 31)
    money = iati.Money(Decimal("1000"), "USD", start)
    return iati.Activity(
        identifier="XI-MINGA-table-a1",
        reporting=TABLE,
        title="Vigilancia comunitaria",
        description="",
        participants=(iati.Participant(BANK, "1", "XM-DAC-46012-EC-L1249"),),
        status="2",
        start=start,
        end=end,
        currency="USD",
        countries=("EC",),
        sectors=("41030",),
        budgets=tuple(
            iati.Budget(s, e, money, status="1") for s, e in iati_records.years(start, end)
        ),
        planned_disbursements=(
            iati.PlannedDisbursement(start, dt.date(2025, 12, 31), money, BANK, "XM-DAC-46012-X"),
        ),
        transactions=(
            iati.Transaction("11", dt.date(2025, 2, 1), money, provider=BANK, receiver=TABLE),
        ),
    )


def _file() -> etree._Element:
    return etree.fromstring(iati.activities_xml([_activity()], NOW))


def _codes(root: etree._Element) -> set[str]:
    return {f.rule.code for f in iati_rules.check(etree.tostring(root), NOW)}


def _set(path: str, attribute: str, value: str) -> Callable[[etree._Element], None]:
    def change(activity: etree._Element) -> None:
        activity.find(path).set(attribute, value)

    return change


def _drop(path: str) -> Callable[[etree._Element], None]:
    def change(activity: etree._Element) -> None:
        for found in activity.findall(path):
            found.getparent().remove(found)

    return change


def _budget(start: str, end: str, kind: str = "1", value: str = "5") -> Callable:
    def change(activity: etree._Element) -> None:
        budget = etree.Element("budget", {"type": kind})
        etree.SubElement(budget, "period-start", {"iso-date": start})
        etree.SubElement(budget, "period-end", {"iso-date": end})
        etree.SubElement(budget, "value", {"currency": "EUR", "value-date": start}).text = value
        activity.find("budget").addprevious(budget)

    return change


def _both(*changes: Callable) -> Callable[[etree._Element], None]:
    def change(activity: etree._Element) -> None:
        for each in changes:
            each(activity)

    return change


def _sector_on_transaction(activity: etree._Element) -> None:
    transaction = activity.find("transaction")
    etree.SubElement(transaction, "sector", {"code": "41030"})


def _narrative_without_language(activity: etree._Element) -> None:
    del activity.attrib["{http://www.w3.org/XML/1998/namespace}lang"]


def _value_without_currency(activity: etree._Element) -> None:
    del activity.attrib["default-currency"]
    del activity.find("transaction/value").attrib["currency"]


def _anonymous_provider(activity: etree._Element) -> None:
    provider = activity.find("transaction/provider-org")
    del provider.attrib["ref"]
    provider.find("narrative").text = ""


def _second_country(activity: etree._Element) -> None:
    activity.find("recipient-country").addnext(
        etree.Element("recipient-country", {"code": "PE", "percentage": "30"})
    )


def _second_sector(activity: etree._Element) -> None:
    activity.find("sector").addnext(
        etree.Element("sector", {"vocabulary": "1", "code": "31220", "percentage": "50"})
    )


BREAKS = {
    "identifier-prefix": _set("reporting-org", "ref", "XI-OTHER"),
    "identifier-characters": lambda a: setattr(a.find("iati-identifier"), "text", "XI-A/1"),
    "start-date": _drop("activity-date[@type='1']"),
    "date-order": _set("activity-date[@type='3']", "iso-date", "2024-01-01"),
    "actual-not-future": lambda a: a.find("activity-date").addnext(
        etree.Element("activity-date", {"type": "2", "iso-date": "2026-07-01"})
    ),
    "updated-not-future": lambda a: a.set("last-updated-datetime", "2026-06-02T00:00:00+00:00"),
    "sector": _sector_on_transaction,
    "sector-percentages": _second_sector,
    "recipient": _drop("recipient-country"),
    "recipient-percentages": _second_country,
    "organisation-named": _anonymous_provider,
    "currency": _value_without_currency,
    "language": _narrative_without_language,
    "transaction-not-future": _set("transaction/transaction-date", "iso-date", "2026-06-02"),
    "period-order": _set("planned-disbursement/period-end", "iso-date", "2024-12-31"),
    "budget-year": _set("budget/period-end", "iso-date", "2026-01-02"),
    "budget-value-date": lambda a: a.find("budget/value").attrib.pop("value-date"),
    "budget-overlap": _budget("2025-06-01", "2026-05-31"),
    "budget-revised": _budget("2025-03-01", "2025-12-31", kind="2"),
    "not-negative": lambda a: setattr(a.find("budget/value"), "text", "-1"),
}


def test_a_file_that_keeps_every_rule_has_no_finding():
    assert _codes(_file()) == set()


@pytest.mark.parametrize("code", sorted(BREAKS))
def test_each_rule_finds_what_breaks_it(code):
    root = _file()
    BREAKS[code](root.find("iati-activity"))
    assert code in _codes(root)


def test_every_rule_is_tested_and_documented_with_its_source():
    assert set(BREAKS) == set(iati_rules.RULES)
    docs = DOCS.read_text(encoding="utf-8")
    for rule in iati_rules.RULES.values():
        assert f"| `{rule.code}` | {rule.text} | {rule.source} |" in docs, rule.code


def test_the_organisation_rules():
    body = iati.organisations_xml(
        [
            iati.Organisation(
                "XI-MINGA-table",
                "Mesa",
                TABLE,
                expenditure=(
                    iati.Budget(
                        dt.date(2025, 1, 1),
                        dt.date(2026, 3, 1),
                        iati.Money(Decimal("-5"), "USD", dt.date(2025, 1, 1)),
                    ),
                ),
            )
        ],
        NOW + dt.timedelta(days=1),
    )
    found = {f.rule.code for f in iati_rules.check(body, NOW)}
    assert found == {"budget-year", "not-negative", "updated-not-future"}
    with pytest.raises(ValueError, match="not an IATI file"):
        iati_rules.check(b"<html/>")


@pytest.mark.django_db
def test_every_file_minga_writes_keeps_the_ruleset():
    for kind in ("activities", "organisations"):
        assert iati_rules.check(iati_records.export(kind)) == [], kind
        for table in Table.objects.all():
            assert iati_rules.check(iati_records.export(kind, table)) == [], (kind, table)


@pytest.mark.django_db
def test_several_currencies_are_planned_per_funder_and_budgeted_once_a_year():
    root = etree.fromstring(iati_records.export("activities"))
    mixed = 0
    for initiative in Initiative.objects.prefetch_related("fundings__funder"):
        fundings = list(initiative.fundings.all())
        node = root.xpath(
            "iati-activity[iati-identifier=$id]",
            id=iati_records.initiative_identifier(initiative),
        )[0]
        budgets = node.findall("budget")
        assert len({b.find("value").get("currency") for b in budgets}) <= 1
        assert len(budgets) == len(iati_records.years(initiative.starts_on, initiative.ends_on))
        for funding in fundings:
            planned = [
                p
                for p in node.findall("planned-disbursement")
                if p.find("provider-org").get("ref") == funding.funder.iati_ref
                and p.find("value").get("currency") == funding.currency
            ]
            assert sum(Decimal(p.findtext("value")) for p in planned) >= funding.amount
        if len({f.currency for f in fundings}) > 1:
            mixed += 1
            assert budgets, "converted at the table's stated rates"
            assert budgets[0].find("value").get("currency") == node.get("default-currency")
    assert mixed, "the demo has initiatives funded in two currencies"


@pytest.mark.django_db
def test_the_command_checks_and_refuses_to_write_a_file_that_breaks_a_rule(tmp_path, monkeypatch):
    err = StringIO()
    target = tmp_path / "activities.xml"
    call_command("export", "iati", "--check", "-o", str(target), stderr=err)
    assert "every rule of the IATI Standard Ruleset holds" in err.getvalue()
    assert target.exists()
    broken = _file()
    BREAKS["budget-overlap"](broken.find("iati-activity"))
    monkeypatch.setattr(iati_records, "export", lambda kind, table=None: etree.tostring(broken))
    err = StringIO()
    again = tmp_path / "broken.xml"
    with pytest.raises(CommandError, match="2 findings"):
        call_command("export", "iati", "--check", "-o", str(again), stderr=err)
    assert "[budget-overlap]" in err.getvalue()
    assert not again.exists()
