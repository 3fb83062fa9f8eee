"""Every public list of a table as a dataset: CSV always, GeoJSON (RFC 7946) where rows have a
place, and one ZIP package per table with a Frictionless ``datapackage.json``.

Rows are read as the public sees them (the anonymous viewer): owner- and table-level fields and
records never enter a dataset.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minga.agreements import queries as agreements
from minga.core.access import Sensitivity
from minga.core.spreadsheet import csv_writer
from minga.credits import queries as credits
from minga.decisions import queries as decisions
from minga.funds.models import Transaction
from minga.health.models import HealthSnapshot, Incident
from minga.initiatives import queries as initiatives
from minga.labels import queries as labels
from minga.labels.models import Label, Target
from minga.labels.queries import names as label_names
from minga.labels.queries import public as public_labels
from minga.meetings.models import Meeting
from minga.monitoring import queries as monitoring
from minga.portal import iati_records
from minga.roadmap.models import Indicator
from minga.satellite import queries as satellite
from minga.tables import queries as tables
from minga.tables.models import Table

PUBLIC = AnonymousUser()
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}

Row = dict[str, Any]


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any  # a lazy translation
    fields: tuple[tuple[str, str], ...]  # (name, Frictionless type)
    rows: Callable[[Table], Iterable[Row]]
    geometry: Callable[[Table], Iterable[tuple[str, dict[str, Any] | None, Row]]] | None = None


def _members(table: Table) -> Iterable[Row]:
    for sector in tables.members_by_sector(table):
        for entry in sector.organizations:
            o = entry.organization
            yield {
                "organization_id": o.public_id,
                "name": o.name,
                "acronym": o.acronym,
                "sector": o.sector,
                "sector_label": sector.label,
                "seats": len(entry.memberships),
            }


def _meetings(table: Table) -> Iterable[Row]:
    for m in Meeting.objects.filter(table=table, is_public=True).order_by("starts_at"):
        yield {
            "meeting_id": m.public_id,
            "starts_at": m.starts_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "kind": m.kind,
            "title": m.title,
            "place": m.place,
            "language": m.language,
            "status": m.status,
        }


def _decisions(table: Table) -> Iterable[Row]:
    for d in decisions.register(table):
        yield {
            "proposal_id": d.proposal.public_id,
            "proposal": d.proposal.title,
            "statement": d.statement,
            "outcome": d.round.outcome_code,
            "recorded_on": d.recorded_at.date().isoformat(),
            "review_on": d.review_on.isoformat() if d.review_on else "",
        }


def _indicators(table: Table) -> Iterable[Row]:
    found = Indicator.objects.filter(objective__axis__table=table).select_related(
        "objective__axis", "responsible"
    )
    for i in found.prefetch_related("measurements"):
        latest = i.measurements.all()[:1]
        yield {
            "indicator_id": i.public_id,
            "axis": i.objective.axis.name,
            "objective": i.objective.title,
            "indicator": i.name,
            "unit": i.unit,
            "baseline": i.baseline,
            "target": i.target,
            "latest": latest[0].value if latest else "",
            "measured_on": latest[0].measured_on.isoformat() if latest else "",
            "responsible": i.responsible.name,
        }


def _initiative_row(i: Any) -> Row:
    budget: dict[str, Decimal] = {}
    for f in i.fundings.all():
        budget[f.currency] = budget.get(f.currency, Decimal(0)) + f.amount
    return {
        "initiative_id": i.public_id,
        "title": i.title,
        "organization": i.organization.name,
        "axis": i.axis.name if i.axis else "",
        "status": i.status,
        "progress_percent": i.progress,
        "starts_on": i.starts_on.isoformat(),
        "ends_on": i.ends_on.isoformat(),
        "place": i.place,
        "budget": "; ".join(f"{v:.2f} {c}" for c, v in sorted(budget.items())),
        "people": i.people,
        "families": i.families,
        "communities": i.communities,
    }


def _initiatives(table: Table) -> Iterable[Row]:
    return (_initiative_row(i) for i in initiatives.initiatives_of(table))


def _initiative_places(table: Table) -> Iterable[tuple[str, dict[str, Any] | None, Row]]:
    return (
        (i.public_id, i.geometry, _initiative_row(i))
        for i in initiatives.initiatives_of(table)
        if i.geometry
    )


def _fundings(table: Table) -> Iterable[Row]:
    for i in initiatives.initiatives_of(table):
        for f in i.fundings.all():
            yield {
                "initiative_id": i.public_id,
                "funder": f.funder.name,
                "amount": f.amount,
                "currency": f.currency,
                "source_type": f.source_type,
            }


def _commitments(table: Table) -> Iterable[Row]:
    for c in initiatives.commitments_of(table).select_related("organization"):
        yield {
            "commitment_id": c.public_id,
            "organization": c.organization.name,
            "what": c.what,
            "to_whom": c.to_whom,
            "due_on": c.due_on.isoformat(),
            "status": c.status,
            "fulfilled_on": c.fulfilled_on.isoformat() if c.fulfilled_on else "",
        }


def _agreement_row(a: Any, labels: dict[str, list[Label]]) -> Row:
    public_area = a.area_sensitivity == Sensitivity.PUBLIC
    return {
        "agreement_id": a.public_id,
        "title": a.title,
        "community": a.community.name,
        "counterpart": a.counterpart.name,
        "status": a.status,
        "signed_on": a.signed_on.isoformat() if a.signed_on else "",
        "starts_on": a.starts_on.isoformat(),
        "ends_on": a.ends_on.isoformat(),
        "hectares": a.hectares if public_area and a.hectares is not None else "",
        "labels": label_names(public_labels(labels.get(a.public_id, []))),
    }


def _agreement_labels(found: list[Any]) -> dict[str, list[Label]]:
    return labels.on(Target.AGREEMENT, [a.public_id for a in found])


def _agreements(table: Table) -> Iterable[Row]:
    found = list(agreements.agreements_of(table))
    on = _agreement_labels(found)
    return (_agreement_row(a, on) for a in found)


def _agreement_places(table: Table) -> Iterable[tuple[str, dict[str, Any] | None, Row]]:
    found = list(agreements.agreements_of(table))
    on = _agreement_labels(found)
    for a in found:
        area = agreements.visible_area(PUBLIC, a)
        if area:
            yield a.public_id, area, _agreement_row(a, on)


def _incentives(table: Table) -> Iterable[Row]:
    for a in agreements.agreements_of(table):
        for i in a.incentives.annotate(delivered=Sum("deliveries__quantity")):
            yield {
                "agreement_id": a.public_id,
                "incentive": i.kind,
                "description": i.description,
                "planned": i.planned,
                "delivered": i.delivered or 0,
                "unit": i.unit,
                "currency": i.currency,
            }


def _observation_row(o: Any, on: dict[str, list[Label]]) -> Row:
    return {
        "observation_id": o.public_id,
        "kind": o.kind,
        "observed_on": o.observed_at.date().isoformat(),
        "lon": round(o.lon, 5),
        "lat": round(o.lat, 5),
        "labels": label_names(public_labels(on.get(o.public_id, []))),
    }


def _public_observations(table: Table) -> tuple[list[Any], dict[str, list[Label]]]:
    found = list(monitoring.observations_for(PUBLIC, table))
    return found, labels.on_observations(found)


def _observations(table: Table) -> Iterable[Row]:
    found, on = _public_observations(table)
    return (_observation_row(o, on) for o in found)


def _observation_places(table: Table) -> Iterable[tuple[str, dict[str, Any] | None, Row]]:
    found, on = _public_observations(table)
    for o in found:
        yield (
            o.public_id,
            {"type": "Point", "coordinates": [round(o.lon, 5), round(o.lat, 5)]},
            _observation_row(o, on),
        )


def _forest(table: Table) -> Iterable[Row]:
    run = satellite.latest_run(table)
    for zone in satellite.zones_for(PUBLIC, table):
        found = satellite.series(run, zone)
        for year, hectares in found.loss.items():
            yield {
                "zone": zone.name,
                "zone_kind": satellite.zone_kind_of(zone),
                "year": year,
                "forest_2000_ha": round(found.forest, 2),
                "loss_ha": round(hectares, 2),
            }


def _batches(table: Table) -> Iterable[Row]:
    for b in credits.batches_of(table):
        yield {
            "batch_id": b.batch_id,
            "issued": b.issued,
            "tradable": b.tradable,
            "retired": b.retired,
            "cancelled": b.cancelled,
        }


def _retirements(table: Table) -> Iterable[Row]:
    for r in credits.retirements_of(table):
        yield {
            "retirement_id": r.public_id,
            "batch_id": r.batch.batch_id,
            "credits": r.amount,
            "beneficiary": r.beneficiary,
            "reason": r.reason,
            "retired_on": r.created_at.date().isoformat(),
            "certificate": f"{settings.MINGA_SITE_URL}/credits/retirements/{r.public_id}/",
        }


def _money(table: Table) -> Iterable[Row]:
    for t in Transaction.objects.filter(table=table).select_related("provider", "receiver"):
        yield {
            "day": t.day.isoformat(),
            "iati_transaction_type": t.type,
            "amount": t.amount,
            "currency": t.currency,
            "provider": t.provider.name,
            "receiver": t.receiver.name if t.receiver else "",
            "description": t.description,
        }


def _health(table: Table) -> Iterable[Row]:
    for s in HealthSnapshot.objects.filter(table=table).order_by("as_of"):
        yield {"as_of": s.as_of.isoformat(), "score": s.score} | {
            key: "" if value is None else round(100 * value) for key, value in s.components.items()
        }


def _incidents(table: Table) -> Iterable[Row]:
    for i in Incident.objects.filter(table=table).order_by("occurred_on"):
        yield {
            "incident_id": i.public_id,
            "kind": i.kind,
            "title": i.title,
            "occurred_on": i.occurred_on.isoformat(),
            "closed_on": i.closed_at.date().isoformat() if i.closed_at else "",
        }


STR, INT, NUM, DATE = "string", "integer", "number", "date"
HEALTH_FIELDS = tuple(
    (k, INT)
    for k in (
        "meetings",
        "attendance",
        "sector_balance",
        "women",
        "youth",
        "reports",
        "commitments",
        "instruments",
        "secretariat",
        "leadership",
        "training",
    )
)

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "members",
        _("Member organizations by sector"),
        (
            ("organization_id", STR),
            ("name", STR),
            ("acronym", STR),
            ("sector", STR),
            ("sector_label", STR),
            ("seats", INT),
        ),
        _members,
    ),
    Dataset(
        "meetings",
        _("Public meetings"),
        (
            ("meeting_id", STR),
            ("starts_at", "datetime"),
            ("kind", STR),
            ("title", STR),
            ("place", STR),
            ("language", STR),
            ("status", STR),
        ),
        _meetings,
    ),
    Dataset(
        "decisions",
        _("Decision register"),
        (
            ("proposal_id", STR),
            ("proposal", STR),
            ("statement", STR),
            ("outcome", STR),
            ("recorded_on", DATE),
            ("review_on", DATE),
        ),
        _decisions,
    ),
    Dataset(
        "indicators",
        _("Roadmap indicators"),
        (
            ("indicator_id", STR),
            ("axis", STR),
            ("objective", STR),
            ("indicator", STR),
            ("unit", STR),
            ("baseline", NUM),
            ("target", NUM),
            ("latest", NUM),
            ("measured_on", DATE),
            ("responsible", STR),
        ),
        _indicators,
    ),
    Dataset(
        "initiatives",
        _("Initiatives (who does what where)"),
        (
            ("initiative_id", STR),
            ("title", STR),
            ("organization", STR),
            ("axis", STR),
            ("status", STR),
            ("progress_percent", INT),
            ("starts_on", DATE),
            ("ends_on", DATE),
            ("place", STR),
            ("budget", STR),
            ("people", INT),
            ("families", INT),
            ("communities", INT),
        ),
        _initiatives,
        _initiative_places,
    ),
    Dataset(
        "fundings",
        _("Funding of initiatives"),
        (
            ("initiative_id", STR),
            ("funder", STR),
            ("amount", NUM),
            ("currency", STR),
            ("source_type", STR),
        ),
        _fundings,
    ),
    Dataset(
        "commitments",
        _("Commitments"),
        (
            ("commitment_id", STR),
            ("organization", STR),
            ("what", STR),
            ("to_whom", STR),
            ("due_on", DATE),
            ("status", STR),
            ("fulfilled_on", DATE),
        ),
        _commitments,
    ),
    Dataset(
        "agreements",
        _("Conservation agreements (public parts)"),
        (
            ("agreement_id", STR),
            ("title", STR),
            ("community", STR),
            ("counterpart", STR),
            ("status", STR),
            ("signed_on", DATE),
            ("starts_on", DATE),
            ("ends_on", DATE),
            ("hectares", NUM),
            ("labels", STR),
        ),
        _agreements,
        _agreement_places,
    ),
    Dataset(
        "incentives",
        _("Incentives planned and delivered"),
        (
            ("agreement_id", STR),
            ("incentive", STR),
            ("description", STR),
            ("planned", NUM),
            ("delivered", NUM),
            ("unit", STR),
            ("currency", STR),
        ),
        _incentives,
    ),
    Dataset(
        "observations",
        _("Public field observations"),
        (
            ("observation_id", STR),
            ("kind", STR),
            ("observed_on", DATE),
            ("lon", NUM),
            ("lat", NUM),
            ("labels", STR),
        ),
        _observations,
        _observation_places,
    ),
    Dataset(
        "forest",
        _("Tree cover loss per year and zone"),
        (
            ("zone", STR),
            ("zone_kind", STR),
            ("year", INT),
            ("forest_2000_ha", NUM),
            ("loss_ha", NUM),
        ),
        _forest,
    ),
    Dataset(
        "credit_batches",
        _("Biocultural credit batches"),
        (
            ("batch_id", STR),
            ("issued", INT),
            ("tradable", INT),
            ("retired", INT),
            ("cancelled", INT),
        ),
        _batches,
    ),
    Dataset(
        "credit_retirements",
        _("Credit retirements with their certificates"),
        (
            ("retirement_id", STR),
            ("batch_id", STR),
            ("credits", INT),
            ("beneficiary", STR),
            ("reason", STR),
            ("retired_on", DATE),
            ("certificate", STR),
        ),
        _retirements,
    ),
    Dataset(
        "fund_transactions",
        _("Money from funds: commitments, disbursements, expenditure"),
        (
            ("day", DATE),
            ("iati_transaction_type", STR),
            ("amount", NUM),
            ("currency", STR),
            ("provider", STR),
            ("receiver", STR),
            ("description", STR),
        ),
        _money,
    ),
    Dataset(
        "health",
        _("Table health index, month by month"),
        (("as_of", DATE), ("score", NUM), *HEALTH_FIELDS),
        _health,
    ),
    Dataset(
        "incidents",
        _("Incidents"),
        (
            ("incident_id", STR),
            ("kind", STR),
            ("title", STR),
            ("occurred_on", DATE),
            ("closed_on", DATE),
        ),
        _incidents,
    ),
)
BY_NAME = {d.name: d for d in DATASETS}


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else str(value)


def to_csv(dataset: Dataset, table: Table) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    names = [name for name, _type in dataset.fields]
    writer.writerow(names)
    for row in dataset.rows(table):
        writer.writerow([_cell(row.get(name)) for name in names])
    return out.getvalue()


def to_geojson(dataset: Dataset, table: Table) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection (WGS 84 longitude, latitude; no crs member)."""
    if dataset.geometry is None:
        raise ValueError(f"{dataset.name} has no places")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": key,
                "geometry": geometry,
                "properties": {k: json_value(v) for k, v in row.items()},
            }
            for key, geometry, row in dataset.geometry(table)
        ],
    }


def json_value(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def package(table: Table) -> bytes:
    """The table's open-data package: every dataset as CSV (and GeoJSON where it has places),
    its IATI activity file, and a Frictionless datapackage.json describing them."""
    buffer = io.BytesIO()
    resources: list[dict[str, Any]] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for dataset in DATASETS:
            path = f"{dataset.name}.csv"
            archive.writestr(path, to_csv(dataset, table))
            resources.append(
                {
                    "name": dataset.name.replace("_", "-"),
                    "title": str(dataset.title),
                    "path": path,
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": {
                        "fields": [{"name": n, "type": t} for n, t in dataset.fields],
                        "missingValues": [""],
                    },
                }
            )
            if dataset.geometry is not None:
                geo = f"{dataset.name}.geojson"
                archive.writestr(geo, json.dumps(to_geojson(dataset, table), ensure_ascii=False))
                resources.append(
                    {
                        "name": f"{dataset.name.replace('_', '-')}-places",
                        "title": f"{dataset.title} (GeoJSON)",
                        "path": geo,
                        "format": "geojson",
                        "mediatype": "application/geo+json",
                        "encoding": "utf-8",
                    }
                )
        archive.writestr("iati-activities.xml", iati_records.export("activities", table))
        resources.append(
            {
                "name": "iati-activities",
                "title": "IATI 2.03 activities",
                "path": "iati-activities.xml",
                "format": "xml",
                "mediatype": "application/xml",
                "encoding": "utf-8",
            }
        )
        descriptor = {
            "name": f"minga-{table.slug}",
            "title": table.name,
            "description": table.description,
            "homepage": f"{settings.MINGA_SITE_URL}/t/{table.slug}/",
            "created": timezone.now().isoformat(timespec="seconds"),
            "licenses": [LICENSE],
            "resources": resources,
            "localContexts": local_contexts(table),
        }
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def local_contexts(table: Table) -> list[dict[str, Any]]:
    """The Local Contexts labels on the package's rows: whose, which, where they apply."""
    on_rows: dict[str, tuple[Label, set[str]]] = {}
    observed = _public_observations(table)[1]
    shown = list(agreements.agreements_of(table))
    for resource, mapping in (
        ("agreements", _agreement_labels(shown)),
        ("observations", observed),
    ):
        for label_list in mapping.values():
            for label in public_labels(label_list):
                on_rows.setdefault(label.public_id, (label, set()))[1].add(resource)
    return [
        {
            "community": label.community.name,
            "name": label.name,
            "category": label.category,
            "label_type": label.label_type,
            "text": label.text,
            "page": label.page,
            "hub_project": label.hub_project.page if label.hub_project else "",
            "resources": sorted(resources),
        }
        for label, resources in sorted(on_rows.values(), key=lambda item: item[0].name)
    ]


def package_dir() -> Path:
    return Path(settings.DATA_DIR) / "opendata"


def package_path(table: Table) -> Path:
    return package_dir() / f"minga-{table.slug}.zip"


def publish(table: Table) -> Path:
    """Write the table's package where the open-data page serves it (atomically)."""
    target = package_path(table)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.partial")
    partial.write_bytes(package(table))
    partial.replace(target)
    return target
