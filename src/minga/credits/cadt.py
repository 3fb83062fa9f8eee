"""The credit registry in the Climate Action Data Trust (CAD Trust) data model.

Credit buyers and national registries read CAD Trust records to catch the same credits counted
in two registries. minga writes its projects, issuances (batches), units, project locations,
labels and co-benefits with the CAD Trust's field names (data model 2.0, as the CAD Trust
application ``cadt`` stores and imports them); ``docs/formats.md`` lists every field with where
its value comes from. Identifiers (``warehouseProjectId``, ``id``, ``warehouseUnitId``) are
UUIDs derived from minga's own, so a second export names the same records the same way.

Units are blocks of serial numbers. minga numbers each batch's credits 1 … issued: each
retirement and cancellation takes the next serials in the order it was recorded, and what is
left is held, one block per holding account. A unit is therefore one of: a retirement (status
``Retired``, its certificate as registry link), a cancellation (``Cancelled``), or a holding
(``Held``). Per batch, issued = held + retired + cancelled (+ escrowed) in units as in rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import shape

from minga.core.access import Sensitivity
from minga.core.models import Event
from minga.core.spreadsheet import write_workbook
from minga.credits import events
from minga.credits.models import Account, AccountKind, Batch, Project
from minga.credits.services import non_commercial_labels
from minga.tables.models import Table

VERSION = "2.0"
NAMESPACE = uuid.UUID("6f1f3c5e-8f0b-4a57-9c39-5b1b7d0c2a11")  # minga's, for derived UUIDs
SERIAL_PATTERN = "^([0-9]+)-([0-9]+)$"
_MOVES = (
    events.BATCH_ISSUED,
    events.CREDITS_TRANSFERRED,
    events.CREDITS_RETIRED,
    events.CREDITS_CANCELLED,
)

# CAD Trust country names (its countries picklist) for the ISO 3166-1 codes minga meets.
COUNTRIES = {
    "BO": "Bolivia",
    "BR": "Brazil",
    "CA": "Canada",
    "CH": "Switzerland",
    "CO": "Colombia",
    "DE": "Germany",
    "EC": "Ecuador",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom of Great Britain and Northern Ireland",
    "GY": "Guyana",
    "JP": "Japan",
    "NL": "Netherlands (Kingdom of the)",
    "NO": "Norway",
    "PE": "Peru",
    "SR": "Suriname",
    "US": "United States of America",
    "VE": "Venezuela (Bolivarian Republic of)",
}

PROJECT_FIELDS = (
    "warehouseProjectId",
    "projectId",
    "originProjectId",
    "registryOfOrigin",
    "currentRegistry",
    "program",
    "projectName",
    "projectLink",
    "projectDeveloper",
    "sector",
    "projectType",
    "projectTags",
    "coveredByNDC",
    "ndcInformation",
    "projectStatus",
    "projectStatusDate",
    "unitMetric",
    "methodology",
    "methodology2",
    "validationBody",
    "validationDate",
    "description",
)
ISSUANCE_FIELDS = (
    "id",
    "warehouseProjectId",
    "startDate",
    "endDate",
    "verificationApproach",
    "verificationReportDate",
    "verificationBody",
)
UNIT_FIELDS = (
    "warehouseUnitId",
    "issuanceId",
    "projectLocationId",
    "unitOwner",
    "countryJurisdictionOfOwner",
    "inCountryJurisdictionOfOwner",
    "serialNumberBlock",
    "serialNumberPattern",
    "unitBlockStart",
    "unitBlockEnd",
    "unitCount",
    "vintageYear",
    "unitType",
    "marketplace",
    "marketplaceLink",
    "marketplaceIdentifier",
    "unitTags",
    "unitStatus",
    "unitStatusReason",
    "unitRegistryLink",
    "correspondingAdjustmentDeclaration",
    "correspondingAdjustmentStatus",
)
LOCATION_FIELDS = ("id", "warehouseProjectId", "country", "inCountryRegion", "geographicIdentifier")
LABEL_FIELDS = (
    "id",
    "warehouseProjectId",
    "label",
    "labelType",
    "creditingPeriodStartDate",
    "creditingPeriodEndDate",
    "validityPeriodStartDate",
    "validityPeriodEndDate",
    "unitQuantity",
    "labelLink",
)
CO_BENEFIT_FIELDS = ("id", "warehouseProjectId", "cobenefit")
SHEETS = (
    ("projects", PROJECT_FIELDS),
    ("issuances", ISSUANCE_FIELDS),
    ("units", UNIT_FIELDS),
    ("projectLocations", LOCATION_FIELDS),
    ("labels", LABEL_FIELDS),
    ("coBenefits", CO_BENEFIT_FIELDS),
)


def derived_id(kind: str, key: str) -> str:
    """A stable UUID for one of minga's records: the same on every export of this registry."""
    return str(uuid.uuid5(NAMESPACE, f"{settings.MINGA_REGISTRY_NAME}:{kind}:{key}"))


def _url(name: str, *args: str) -> str:
    return f"{settings.MINGA_SITE_URL}{reverse(name, args=args)}"


def country(code: str) -> str:
    code = code.strip().upper()[:2]
    return COUNTRIES.get(code, code)


@dataclass
class Records:
    projects: list[dict[str, Any]] = field(default_factory=list)
    issuances: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    projectLocations: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    coBenefits: list[dict[str, Any]] = field(default_factory=list)


def _zone(project: Project) -> tuple[Any, int]:
    if project.agreement is not None:
        return project.agreement.geometry, project.agreement.area_sensitivity
    assert project.territory is not None  # a project has one zone (a database constraint)
    return project.territory.geometry, project.territory.sensitivity


def _location(project: Project, warehouse: str, withheld: bool) -> dict[str, Any]:
    geometry, sensitivity = _zone(project)
    if geometry and sensitivity == Sensitivity.PUBLIC and not withheld:
        point = shape(geometry).representative_point()
        where = f"{point.y:.4f}, {point.x:.4f}"
    elif withheld:  # a community's non-commercial label keeps its area out of sale documents
        where = "withheld (community label: non-commercial)"
    else:  # a zone the community keeps to itself: the province only
        where = "withheld (area not public)"
    return {
        "id": derived_id("location", project.project_id),
        "warehouseProjectId": warehouse,
        "country": country(project.table.country),
        "inCountryRegion": project.table.province,
        "geographicIdentifier": where,
    }


def _project(project: Project, warehouse: str) -> dict[str, Any]:
    credit_class = project.credit_class
    methodology = credit_class.methodology.strip().splitlines()
    return {
        "warehouseProjectId": warehouse,
        "projectId": project.project_id,
        "originProjectId": project.project_id,
        "registryOfOrigin": settings.MINGA_REGISTRY_NAME,
        "currentRegistry": settings.MINGA_REGISTRY_NAME,
        "program": f"{credit_class.class_id} {credit_class.name}",
        "projectName": project.name,
        "projectLink": f"{_url('credit-registry', project.table.slug)}#{project.project_id}",
        "projectDeveloper": project.steward.name,
        "sector": "Agriculture, forestry and other land use (AFOLU)",
        "projectType": "Any combination of the above",
        "projectTags": f"biocultural, {credit_class.class_id}",
        "coveredByNDC": "Unknown",
        "ndcInformation": "",
        "projectStatus": "Registered",
        "projectStatusDate": timezone.localtime(project.created_at).date().isoformat(),
        "unitMetric": credit_class.credit_type.unit,
        "methodology": methodology[0] if methodology else credit_class.name,
        "methodology2": credit_class.class_id,
        "validationBody": "",
        "validationDate": "",
        "description": project.description,
    }


def _issuance(batch: Batch, warehouse: str, withheld: bool) -> dict[str, Any]:
    report = batch.verification
    zone = "" if withheld else f"{report.zone_name}, "
    return {
        "id": derived_id("issuance", batch.batch_id),
        "warehouseProjectId": warehouse,
        "startDate": batch.start_date.isoformat(),
        "endDate": batch.end_date.isoformat(),
        "verificationApproach": (
            "Satellite forest-change analysis with community field verification "
            f"(minga verification {report.public_id}: {zone}"
            f"{report.start_year}–{report.end_year}, {report.verified_ha} ha)"
        ),
        "verificationReportDate": timezone.localtime(report.created_at).date().isoformat(),
        "verificationBody": batch.project.table.name,
    }


def _label(batch: Batch, warehouse: str) -> dict[str, Any]:
    report = batch.verification
    return {
        "id": derived_id("label", batch.batch_id),
        "warehouseProjectId": warehouse,
        "label": f"{batch.project.credit_class.name} — {batch.batch_id}",
        "labelType": "Certification",
        "creditingPeriodStartDate": batch.start_date.isoformat(),
        "creditingPeriodEndDate": batch.end_date.isoformat(),
        "validityPeriodStartDate": timezone.localtime(report.created_at).date().isoformat(),
        "validityPeriodEndDate": "",
        "unitQuantity": batch.issued,
        "labelLink": _url("credit-registry", batch.project.table.slug),
    }


@dataclass
class _Block:
    key: str
    start: int
    end: int
    status: str
    owner: str = ""
    jurisdiction: str = ""
    reason: str = ""
    link: str = ""
    tags: str = ""

    @property
    def count(self) -> int:
        return self.end - self.start + 1


def _take(ranges: list[list[int]], amount: int) -> list[tuple[int, int]]:
    """The lowest ``amount`` serials an account holds, taken out of its ranges."""
    taken: list[tuple[int, int]] = []
    while amount > 0 and ranges:
        start, end = ranges[0]
        size = min(amount, end - start + 1)
        taken.append((start, start + size - 1))
        if size == end - start + 1:
            ranges.pop(0)
        else:
            ranges[0][0] = start + size
        amount -= size
    return taken


def _give(ranges: list[list[int]], taken: list[tuple[int, int]]) -> None:
    """Add serials to an account's ranges, joining neighbours."""
    merged: list[list[int]] = []
    for start, end in sorted([*map(tuple, ranges), *taken]):
        if merged and merged[-1][1] + 1 == start:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    ranges[:] = merged


def blocks(batch: Batch) -> list[_Block]:
    """The batch's serials 1 … issued, followed through the registry's own events in the
    order they happened: issued to an account, moved with each transfer, retired or cancelled
    from the account that did it (its lowest serials first). Serials once retired or cancelled
    keep their block forever; a holding only shrinks, splits or moves."""
    accounts = {a.public_id: a for a in Account.objects.filter(balances__batch=batch)}
    retirements = {r.public_id: r for r in batch.retirements.all()}
    held: dict[str, list[list[int]]] = {}
    gone: list[_Block] = []
    issued = 0
    for event_id, type_, p in (
        Event.objects.filter(type__in=_MOVES, payload__batch=batch.batch_id)
        .order_by("id")
        .values_list("id", "type", "payload")
    ):
        if type_ == events.BATCH_ISSUED:
            _give(held.setdefault(p["to"], []), [(issued + 1, issued + p["amount"])])
            issued += p["amount"]
        elif type_ == events.CREDITS_TRANSFERRED:
            _give(held.setdefault(p["to"], []), _take(held.get(p["from"], []), p["amount"]))
        elif type_ == events.CREDITS_RETIRED:
            r = retirements.get(p["retirement"])
            for n, (start, end) in enumerate(_take(held.get(p["account"], []), p["amount"])):
                gone.append(
                    _Block(
                        f"retirement:{p['retirement']}" + (f":{n + 1}" if n else ""),
                        start,
                        end,
                        "Retired",
                        owner=r.beneficiary if r else "",
                        jurisdiction=r.jurisdiction if r else "",
                        reason=f"Retired on behalf of {r.beneficiary}: {r.reason}" if r else "",
                        link=_url("retirement", p["retirement"]),
                    )
                )
        else:  # cancelled
            reason = str(p.get("reason", ""))
            for n, (start, end) in enumerate(_take(held.get(p["account"], []), p["amount"])):
                key = f"cancellation:{event_id}" + (f":{n + 1}" if n else "")
                gone.append(_Block(key, start, end, "Cancelled", reason=reason))
    if batch.escrowed:  # not moved by any event yet: taken from the holdings in account order
        left = batch.escrowed
        for account_id in sorted(held):
            for start, end in _take(held[account_id], left):
                gone.append(_Block(f"escrow:{start}", start, end, "Held", tags="escrowed"))
                left -= end - start + 1
    for account_id, ranges in held.items():
        account = accounts.get(account_id)
        # a person's holding is theirs to tell: the block says only that someone holds it
        owner = "" if account is None or account.kind == AccountKind.PERSON else account.name
        for start, end in ranges:
            gone.append(_Block(f"holding:{account_id}:{start}", start, end, "Held", owner))
    return sorted(gone, key=lambda block: block.start)


JURISDICTION = re.compile(r"^([A-Za-z]{2})(?:-([A-Za-z0-9]{1,3}))?$")


def _jurisdiction(text: str, home: str) -> tuple[str, str]:
    """(country, subdivision) from an ISO 3166 code such as ``EC`` or ``EC-S``; free text
    gives the table's country and no subdivision (the reason keeps the words)."""
    found = JURISDICTION.match(text.strip())
    if found is None:
        return country(home), ""
    return country(found[1]), (found[2] or "").upper()


def _units(batch: Batch, issuance: str, location: str) -> Iterator[dict[str, Any]]:
    registry = _url("credit-registry", batch.project.table.slug)
    home = batch.project.table.country
    for block in blocks(batch):
        where, within = _jurisdiction(block.jurisdiction, home)
        yield {
            "warehouseUnitId": derived_id("unit", f"{batch.batch_id}:{block.key}"),
            "issuanceId": issuance,
            "projectLocationId": location,
            "unitOwner": block.owner,
            "countryJurisdictionOfOwner": where,
            "inCountryJurisdictionOfOwner": within,
            "serialNumberBlock": f"{block.start}-{block.end}",
            "serialNumberPattern": SERIAL_PATTERN,
            "unitBlockStart": str(block.start),
            "unitBlockEnd": str(block.end),
            "unitCount": block.count,
            "vintageYear": batch.end_date.year,
            "unitType": "Avoidance - nature",
            "marketplace": "",
            "marketplaceLink": "",
            "marketplaceIdentifier": batch.batch_id,
            "unitTags": block.tags,
            "unitStatus": block.status,
            "unitStatusReason": block.reason,
            "unitRegistryLink": block.link or registry,
            "correspondingAdjustmentDeclaration": "Unknown",
            "correspondingAdjustmentStatus": "Not Started",
        }


def _projects(table: Table | None) -> QuerySet[Project]:
    found = Project.objects.select_related(
        "table", "steward", "credit_class__credit_type", "agreement", "territory"
    ).prefetch_related(
        "batches__verification",
        "batches__retirements",
    )
    if table is not None:
        found = found.filter(table=table)
    return found.order_by("project_id")


def records(table: Table | None = None) -> Records:
    """Every credit project of one table, or of all, as CAD Trust records."""
    out = Records()
    for project in _projects(table):
        warehouse = derived_id("project", project.project_id)
        withheld = bool(non_commercial_labels(project))
        out.projects.append(_project(project, warehouse))
        location = _location(project, warehouse, withheld)
        out.projectLocations.append(location)
        for name in project.credit_class.co_benefits:
            out.coBenefits.append(
                {
                    "id": derived_id("cobenefit", f"{project.project_id}:{name}"),
                    "warehouseProjectId": warehouse,
                    "cobenefit": name,
                }
            )
        for batch in sorted(project.batches.all(), key=lambda b: b.batch_id):
            issuance = _issuance(batch, warehouse, withheld)
            out.issuances.append(issuance)
            out.labels.append(_label(batch, warehouse))
            out.units.extend(_units(batch, issuance["id"], location["id"]))
    return out


def to_json(found: Records, generated: dt.datetime) -> bytes:
    """The CAD Trust API's shape: projects with their children nested, units apart."""
    projects = []
    for project in found.projects:
        mine = project["warehouseProjectId"]
        nested = dict(project)
        for name in ("projectLocations", "issuances", "labels", "coBenefits"):
            nested[name] = [r for r in getattr(found, name) if r["warehouseProjectId"] == mine]
        projects.append(nested)
    body = {
        "dataModelVersion": VERSION,
        "registry": settings.MINGA_REGISTRY_NAME,
        "generated": generated.isoformat(timespec="seconds"),
        "projects": projects,
        "units": found.units,
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def to_xlsx(found: Records) -> bytes:
    """The spreadsheet the CAD Trust application imports: one sheet per record type."""
    sheets: list[tuple[str, Sequence[str], list[list[Any]]]] = [
        (name, columns, [[row[c] for c in columns] for row in getattr(found, name)])
        for name, columns in SHEETS
    ]
    return write_workbook(sheets)
