"""The IATI Standard Ruleset, checked on an activity or organisation file. Pure: lxml only.

The schema says which elements exist; the ruleset says what a publisher's data must mean: dates
in order and actual dates in the past, a sector and a recipient country or region, budgets of at
most a year that never overlap, a currency on every value. IATI's validator reads these rules from
the ``IATI-Rulesets`` repository (``rulesets/standard.json``, the machine-readable rules, and the
validator's rule files, whose identifiers such as 7.5.3 it shows to publishers) and from the
Standard's own guidance on budgets. Each rule here names its source; ``docs/formats.md`` lists
them. ``check`` returns every finding, never only the first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RULESET = "IATI Standard Ruleset (rulesets/standard.json)"
VALIDATOR = "IATI Validator rule"
GUIDANCE = "IATI Standard, budget guidance"
FORBIDDEN = re.compile(r"[/&|?]")


@dataclass(frozen=True)
class Rule:
    code: str
    source: str
    text: str


@dataclass(frozen=True)
class Finding:
    rule: Rule
    record: str  # the iati-identifier or organisation-identifier
    detail: str

    def __str__(self) -> str:
        return f"{self.record}: [{self.rule.code}] {self.rule.text} ({self.detail})"


RULES = {
    rule.code: rule
    for rule in (
        Rule(
            "identifier-prefix",
            "IATI Standard Ruleset, iati-identifier (non-machine-readable rule)",
            "The activity identifier starts with its reporting organisation's identifier (or a "
            "previous one, given as other-identifier type B1).",
        ),
        Rule(
            "identifier-characters",
            f"{RULESET}, regex_matches",
            "Identifiers contain no slash, ampersand, vertical bar or question mark.",
        ),
        Rule(
            "start-date",
            f"{RULESET}, atleast_one activity-date[@type='1' or @type='2']",
            "The activity has a planned or an actual start date.",
        ),
        Rule(
            "date-order",
            f"{RULESET}, date_order; {VALIDATOR} 11.1.2, 11.1.3",
            "Start dates come before end dates (planned and actual).",
        ),
        Rule(
            "actual-not-future",
            f"{RULESET}, date_order (NOW); {VALIDATOR} 11.1.4, 11.1.5",
            "Actual start and end dates are not in the future.",
        ),
        Rule(
            "updated-not-future",
            f"{RULESET}, date_now; {VALIDATOR} 11.1.1, 11.4.1",
            "The last-updated date-time is not in the future.",
        ),
        Rule(
            "sector",
            f"{RULESET}, atleast_one sector; {VALIDATOR} 6.2.2, 6.6.2, 6.7.2",
            "A sector on the activity, or on every transaction, never on both.",
        ),
        Rule(
            "sector-percentages",
            f"{RULESET}, strict_sum and range on sector/@percentage",
            "Sector percentages of each vocabulary add up to 100, none negative.",
        ),
        Rule(
            "recipient",
            f"{RULESET}, only_one_of; {VALIDATOR} 3.6.2, 3.7.1, 3.7.2",
            "A recipient country or region on the activity, or on every transaction, "
            "never on both.",
        ),
        Rule(
            "recipient-percentages",
            f"{RULESET}, sum and range on recipient-country and recipient-region",
            "Recipient country and region percentages add up to 100, none negative.",
        ),
        Rule(
            "organisation-named",
            f"{RULESET}, atleast_one on participating-org; {VALIDATOR} 6.9.1, 6.10.1",
            "Every participating, provider and receiver organisation has an identifier or a name.",
        ),
        Rule(
            "currency",
            f"{RULESET}, one_or_all @default-currency; {VALIDATOR} 7.8.1",
            "Every value has a currency, or the record has a default currency.",
        ),
        Rule(
            "language",
            f"{RULESET}, one_or_all @xml:lang and if_then",
            "The record has a default language, or every narrative has its own.",
        ),
        Rule(
            "transaction-not-future",
            f"{RULESET}, //transaction date_order (NOW); {VALIDATOR} 11.2.1, 11.2.2",
            "Transaction dates and value dates are not in the future.",
        ),
        Rule(
            "period-order",
            f"{RULESET}, date_order on budgets, planned disbursements and result periods",
            "Every period starts before it ends.",
        ),
        Rule(
            "budget-year",
            f"{RULESET}, time_limit; {VALIDATOR} 7.5.3",
            "A budget (activity or organisation) covers at most one year.",
        ),
        Rule(
            "budget-value-date",
            f"{VALIDATOR} 7.5.2",
            "A budget value has a value date.",
        ),
        Rule(
            "budget-overlap",
            f"{GUIDANCE} (budget: one per period; the same type never twice for a period)",
            "Two budgets of the same type never cover overlapping periods.",
        ),
        Rule(
            "budget-revised",
            f"{GUIDANCE} (BudgetType 2: a revision of the original for the same period)",
            "A revised budget matches an original budget with the same period.",
        ),
        Rule(
            "not-negative",
            f"{GUIDANCE}; {RULESET}, range",
            "Budget, planned disbursement and expenditure values are not negative.",
        ),
    )
}

_BUDGETS = ("budget",)
_ORG_BUDGETS = (
    "total-budget",
    "total-expenditure",
    "recipient-org-budget",
    "recipient-country-budget",
    "recipient-region-budget",
)


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def _number(text: str | None) -> Decimal | None:
    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        return None


def _period(node: etree._Element) -> tuple[dt.date | None, dt.date | None]:
    start = node.find("period-start")
    end = node.find("period-end")
    return (
        _date(start.get("iso-date") if start is not None else None),
        _date(end.get("iso-date") if end is not None else None),
    )


def _longer_than_a_year(start: dt.date, end: dt.date) -> bool:
    try:
        limit = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + 1, day=28)
    return end > limit


class _Record:
    def __init__(self, node: etree._Element, identifier: str) -> None:
        self.node, self.identifier = node, identifier
        self.found: list[Finding] = []

    def fail(self, code: str, detail: str) -> None:
        self.found.append(Finding(RULES[code], self.identifier, detail))


def _identifiers(record: _Record, paths: tuple[str, ...]) -> None:
    for path in paths:
        for value in record.node.xpath(path):
            if FORBIDDEN.search(str(value)):
                record.fail("identifier-characters", f"{path} = {value}")


def _common(record: _Record, now: dt.datetime) -> None:
    node = record.node
    updated = _datetime(node.get("last-updated-datetime"))
    if updated is not None and updated > now:
        record.fail("updated-not-future", node.get("last-updated-datetime", ""))
    if not node.get(XML_LANG):
        missing = [n for n in node.iter("narrative") if not n.get(XML_LANG)]
        if missing:
            record.fail("language", f"{len(missing)} narratives without xml:lang")
    if not node.get("default-currency"):
        for value in node.xpath(".//value | .//forecast | .//loan-status"):
            if not value.get("currency"):
                record.fail("currency", f"a {value.tag} in {value.getparent().tag}")
    for tag in ("participating-org", "provider-org", "receiver-org"):
        for org in node.iter(tag):
            if not org.get("ref") and not (org.findtext("narrative") or "").strip():
                record.fail("organisation-named", tag)


def _periods(record: _Record, tags: tuple[str, ...], *, yearly: tuple[str, ...]) -> None:
    for tag in tags:
        for element in record.node.iter(tag):
            start, end = _period(element)
            where = f"{tag} {start} → {end}"
            if start and end and start > end:
                record.fail("period-order", where)
            if tag in yearly and start and end and _longer_than_a_year(start, end):
                record.fail("budget-year", where)
            for value in element.iter("value"):
                amount = _number(value.text)
                if amount is not None and amount < 0:
                    record.fail("not-negative", f"{where}: {value.text}")
                if tag in _BUDGETS and not value.get("value-date"):
                    record.fail("budget-value-date", where)


def _budgets(record: _Record) -> None:
    kinds: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for budget in record.node.findall("budget"):
        start, end = _period(budget)
        if start and end:
            kinds.setdefault(budget.get("type", "1"), []).append((start, end))
    for kind, periods in kinds.items():
        periods.sort()
        reach = periods[0]  # the period reaching furthest so far
        for start, end in periods[1:]:
            if start <= reach[1]:
                record.fail(
                    "budget-overlap",
                    f"type {kind}: {reach[0]} → {reach[1]} and {start} → {end}",
                )
            if end > reach[1]:
                reach = (start, end)
    originals = set(kinds.get("1", []))
    for period in kinds.get("2", []):
        if period not in originals:
            record.fail("budget-revised", f"{period[0]} → {period[1]}")


def _dates(record: _Record, now: dt.datetime) -> None:
    node = record.node
    dates: dict[str, dt.date | None] = {}
    for element in node.findall("activity-date"):
        dates[element.get("type", "")] = _date(element.get("iso-date"))
    if not (dates.get("1") or dates.get("2")):
        record.fail("start-date", "no activity-date of type 1 or 2")
    for start, end in (("1", "3"), ("2", "4")):
        first, last = dates.get(start), dates.get(end)
        if first and last and first > last:
            record.fail("date-order", f"type {start} {first} after type {end} {last}")
    for kind in ("2", "4"):
        day = dates.get(kind)
        if day and day > now.date():
            record.fail("actual-not-future", f"activity-date type {kind} {day}")
    for transaction in node.findall("transaction"):
        day = transaction.find("transaction-date")
        when = _date(day.get("iso-date") if day is not None else None)
        if when and when > now.date():
            record.fail("transaction-not-future", f"transaction-date {when}")
        value = transaction.find("value")
        valued = _date(value.get("value-date") if value is not None else None)
        if valued and valued > now.date():
            record.fail("transaction-not-future", f"value-date {valued}")


def _shares(record: _Record, code: str, elements: list[etree._Element], what: str) -> None:
    shares = [_number(e.get("percentage")) for e in elements]
    if any(s is not None and s < 0 for s in shares):
        record.fail(code, f"a negative {what} percentage")
    if len(elements) > 1 and any(s is None for s in shares):
        record.fail(code, f"several {what} elements, not each with a percentage")
    if len(elements) > 1 or any(s is not None for s in shares):
        total = sum((s or Decimal(0)) for s in shares)
        if total != 100:
            record.fail(code, f"{what} percentages add up to {total}")


def _classifications(record: _Record) -> None:
    node = record.node
    transactions = node.findall("transaction")
    sectors = node.findall("sector")
    if sectors and any(t.find("sector") is not None for t in transactions):
        record.fail("sector", "sectors on the activity and on transactions")
    if not sectors and (not transactions or any(t.find("sector") is None for t in transactions)):
        record.fail("sector", "no sector on the activity nor on every transaction")
    vocabularies: dict[str, list[etree._Element]] = {}
    for sector in sectors:
        vocabularies.setdefault(sector.get("vocabulary", "1"), []).append(sector)
    for vocabulary, group in vocabularies.items():
        _shares(record, "sector-percentages", group, f"sector vocabulary {vocabulary}")
    places = node.findall("recipient-country") + node.findall("recipient-region")
    placed = [
        t
        for t in transactions
        if t.find("recipient-country") is not None or t.find("recipient-region") is not None
    ]
    if places and placed:
        record.fail("recipient", "recipients on the activity and on transactions")
    if not places and (not transactions or len(placed) < len(transactions)):
        record.fail("recipient", "no recipient country or region")
    if places:
        _shares(record, "recipient-percentages", places, "recipient")


def _activity(node: etree._Element, now: dt.datetime) -> list[Finding]:
    identifier = (node.findtext("iati-identifier") or "").strip()
    record = _Record(node, identifier or "(no identifier)")
    reporting = node.find("reporting-org")
    prefix = reporting.get("ref", "") if reporting is not None else ""
    # or a previous reporting organisation's identifier, given as other-identifier type B1
    earlier = node.xpath("other-identifier[@type='B1']/@ref")
    if not any(p and identifier.startswith(str(p)) for p in [prefix, *earlier]):
        record.fail("identifier-prefix", f"{identifier} and reporting-org {prefix}")
    _identifiers(
        record,
        (
            "reporting-org/@ref",
            "iati-identifier/text()",
            "participating-org/@ref",
            "transaction/provider-org/@ref",
            "transaction/receiver-org/@ref",
        ),
    )
    _common(record, now)
    _dates(record, now)
    _classifications(record)
    _periods(
        record,
        ("budget", "planned-disbursement", "period"),
        yearly=_BUDGETS,
    )
    _budgets(record)
    return record.found


def _organisation(node: etree._Element, now: dt.datetime) -> list[Finding]:
    identifier = (node.findtext("organisation-identifier") or "").strip()
    record = _Record(node, identifier or "(no identifier)")
    _identifiers(record, ("reporting-org/@ref", "organisation-identifier/text()"))
    _common(record, now)
    _periods(record, _ORG_BUDGETS, yearly=_ORG_BUDGETS)
    return record.found


def check(body: bytes, now: dt.datetime | None = None) -> list[Finding]:
    """Every finding of the ruleset on an ``iati-activities`` or ``iati-organisations`` file."""
    moment = now or dt.datetime.now(dt.UTC)
    root = etree.fromstring(body)
    if root.tag == "iati-organisations":
        return [f for node in root.iter("iati-organisation") for f in _organisation(node, moment)]
    if root.tag != "iati-activities":
        raise ValueError(f"not an IATI file: <{root.tag}>")
    return [f for node in root.iter("iati-activity") for f in _activity(node, moment)]
