"""IATI 2.03 XML: activity and organisation files from plain records. Pure: no Django import.

``portal.queries`` turns initiatives, funds and awards into these records; this module only
writes the standard's elements in the order its schema requires. Codes come from the IATI
codelists (``portal.codes``); the tests check every code used against the codelist files and
the whole file against the official schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

VERSION = "2.03"
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Org:
    ref: str
    name: str
    type: str  # OrganisationType


@dataclass(frozen=True)
class Participant:
    org: Org
    role: str  # OrganisationRole
    activity_id: str = ""


@dataclass(frozen=True)
class Money:
    value: Decimal
    currency: str
    value_date: dt.date


@dataclass(frozen=True)
class Transaction:
    type: str  # TransactionType
    day: dt.date
    money: Money
    description: str = ""
    provider: Org | None = None
    provider_activity: str = ""
    receiver: Org | None = None
    receiver_activity: str = ""


@dataclass(frozen=True)
class Budget:
    start: dt.date
    end: dt.date
    money: Money
    status: str = "2"  # BudgetStatus: 2 committed, 1 indicative


@dataclass(frozen=True)
class PlannedDisbursement:
    """Money a funder plans to give over a period, in the funder's own currency."""

    start: dt.date
    end: dt.date
    money: Money
    provider: Org
    provider_activity: str = ""
    receiver: Org | None = None


@dataclass(frozen=True)
class Location:
    name: str
    lat: float
    lon: float
    exactness: str = "2"  # GeographicExactness: approximate
    location_class: str = "1"  # GeographicLocationClass: administrative region


@dataclass(frozen=True)
class Indicator:
    title: str
    measure: str  # IndicatorMeasure
    baseline_year: int
    baseline: Decimal
    period_start: dt.date
    period_end: dt.date
    target: Decimal
    actual: Decimal | None = None


@dataclass(frozen=True)
class Result:
    type: str  # ResultType
    title: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Document:
    url: str
    title: str
    category: str  # DocumentCategory
    format: str = "text/html"


@dataclass(frozen=True)
class Activity:
    identifier: str
    reporting: Org
    title: str
    description: str
    participants: tuple[Participant, ...]
    status: str  # ActivityStatus
    start: dt.date
    end: dt.date
    currency: str
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2, sharing the activity evenly
    sectors: tuple[str, ...] = ()  # DAC 5-digit purpose codes
    locations: tuple[Location, ...] = ()
    budgets: tuple[Budget, ...] = ()
    planned_disbursements: tuple[PlannedDisbursement, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    documents: tuple[Document, ...] = ()
    results: tuple[Result, ...] = ()
    parent: str = ""  # the identifier of the activity this one belongs to
    hierarchy: int = 1
    updated: dt.datetime | None = None
    language: str = "es"


@dataclass(frozen=True)
class Organisation:
    identifier: str
    name: str
    reporting: Org
    documents: tuple[Document, ...] = ()
    expenditure: tuple[Budget, ...] = field(default_factory=tuple)
    language: str = "es"


def _text(parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})
    etree.SubElement(element, "narrative").text = text
    return element


def _org(parent: etree._Element, tag: str, org: Org, **attrs: str) -> None:
    _text(parent, tag, org.name, ref=org.ref, type=org.type, **attrs)


def _money(parent: etree._Element, money: Money, tag: str = "value") -> None:
    element = etree.SubElement(
        parent, tag, {"currency": money.currency, "value-date": money.value_date.isoformat()}
    )
    element.text = f"{money.value:.2f}"


def _date(parent: etree._Element, tag: str, day: dt.date) -> None:
    etree.SubElement(parent, tag, {"iso-date": day.isoformat()})


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else f"{value:.2f}"


def _document(parent: etree._Element, doc: Document) -> None:
    link = etree.SubElement(parent, "document-link", {"format": doc.format, "url": doc.url})
    _text(link, "title", doc.title)
    etree.SubElement(link, "category", {"code": doc.category})


def _activity(root: etree._Element, a: Activity, generated: dt.datetime) -> None:
    attrs = {
        "default-currency": a.currency,
        "hierarchy": str(a.hierarchy),
        "last-updated-datetime": (a.updated or generated).isoformat(timespec="seconds"),
        XML_LANG: a.language,
    }
    node = etree.SubElement(root, "iati-activity", attrs)
    etree.SubElement(node, "iati-identifier").text = a.identifier
    _org(node, "reporting-org", a.reporting)
    _text(node, "title", a.title)
    _text(node, "description", a.description or a.title, type="1")
    for p in a.participants:
        extra = {"activity_id": p.activity_id} if p.activity_id else {}
        _org(node, "participating-org", p.org, role=p.role, **extra)
    etree.SubElement(node, "activity-status", {"code": a.status})
    _date_typed(node, "1", a.start)
    _date_typed(node, "3", a.end)
    if a.countries:
        for code, percent in zip(a.countries, _shares(len(a.countries)), strict=True):
            etree.SubElement(node, "recipient-country", {"code": code, "percentage": percent})
    for place in a.locations:
        location = etree.SubElement(node, "location")
        _text(location, "name", place.name)
        point = etree.SubElement(location, "point", {"srsName": WGS84})
        etree.SubElement(point, "pos").text = f"{place.lat:.5f} {place.lon:.5f}"
        etree.SubElement(location, "exactness", {"code": place.exactness})
        etree.SubElement(location, "location-class", {"code": place.location_class})
    if a.sectors:
        share = _shares(len(a.sectors))
        for code, percent in zip(a.sectors, share, strict=True):
            etree.SubElement(
                node, "sector", {"vocabulary": "1", "code": code, "percentage": percent}
            )
    for budget in a.budgets:
        element = etree.SubElement(node, "budget", {"type": "1", "status": budget.status})
        _date(element, "period-start", budget.start)
        _date(element, "period-end", budget.end)
        _money(element, budget.money)
    for planned in a.planned_disbursements:
        element = etree.SubElement(node, "planned-disbursement", {"type": "1"})
        _date(element, "period-start", planned.start)
        _date(element, "period-end", planned.end)
        _money(element, planned.money)
        extra = (
            {"provider_activity_id": planned.provider_activity} if planned.provider_activity else {}
        )
        _org(element, "provider-org", planned.provider, **extra)
        if planned.receiver is not None:
            _org(element, "receiver-org", planned.receiver)
    for t in a.transactions:
        element = etree.SubElement(node, "transaction")
        etree.SubElement(element, "transaction-type", {"code": t.type})
        _date(element, "transaction-date", t.day)
        _money(element, t.money)
        if t.description:
            _text(element, "description", t.description)
        if t.provider is not None:
            extra = {"provider_activity_id": t.provider_activity} if t.provider_activity else {}
            _org(element, "provider-org", t.provider, **extra)
        if t.receiver is not None:
            extra = {"receiver_activity_id": t.receiver_activity} if t.receiver_activity else {}
            _org(element, "receiver-org", t.receiver, **extra)
    for doc in a.documents:
        _document(node, doc)
    if a.parent:
        etree.SubElement(node, "related-activity", {"ref": a.parent, "type": "1"})
    for result in a.results:
        _result(node, result)


def _date_typed(node: etree._Element, type: str, day: dt.date) -> None:
    etree.SubElement(node, "activity-date", {"type": type, "iso-date": day.isoformat()})


def _shares(n: int) -> list[str]:
    """Percentages that add up to exactly 100 with at most two decimals."""
    base = (Decimal(100) / n).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    shares = [base] * n
    shares[0] += Decimal(100) - base * n
    return [_number(s) for s in shares]


def _result(node: etree._Element, result: Result) -> None:
    element = etree.SubElement(node, "result", {"type": result.type})
    _text(element, "title", result.title)
    for i in result.indicators:
        indicator = etree.SubElement(
            element,
            "indicator",
            {"measure": i.measure, "ascending": "1" if i.target >= i.baseline else "0"},
        )
        _text(indicator, "title", i.title)
        etree.SubElement(
            indicator, "baseline", {"year": str(i.baseline_year), "value": _number(i.baseline)}
        )
        period = etree.SubElement(indicator, "period")
        _date(period, "period-start", i.period_start)
        _date(period, "period-end", i.period_end)
        etree.SubElement(period, "target", {"value": _number(i.target)})
        if i.actual is not None:
            etree.SubElement(period, "actual", {"value": _number(i.actual)})


def activities_xml(activities: Iterable[Activity], generated: dt.datetime) -> bytes:
    root = etree.Element(
        "iati-activities",
        {"version": VERSION, "generated-datetime": generated.isoformat(timespec="seconds")},
    )
    for activity in activities:
        _activity(root, activity, generated)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def organisations_xml(organisations: Sequence[Organisation], generated: dt.datetime) -> bytes:
    root = etree.Element(
        "iati-organisations",
        {"version": VERSION, "generated-datetime": generated.isoformat(timespec="seconds")},
    )
    for o in organisations:
        node = etree.SubElement(
            root,
            "iati-organisation",
            {
                "last-updated-datetime": generated.isoformat(timespec="seconds"),
                XML_LANG: o.language,
            },
        )
        etree.SubElement(node, "organisation-identifier").text = o.identifier
        _text(node, "name", o.name)
        _org(node, "reporting-org", o.reporting)
        for spent in o.expenditure:
            element = etree.SubElement(node, "total-expenditure")
            _date(element, "period-start", spent.start)
            _date(element, "period-end", spent.end)
            _money(element, spent.money)
        for doc in o.documents:
            _document(node, doc)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
