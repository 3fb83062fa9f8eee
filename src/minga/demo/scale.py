"""The pan-Amazon scale dataset: ``minga load_demo --scale network``.

A network the size DESIGN.md plans for — 1,000 tables in 36 regions of nine countries, 20,000
organizations, 200,000 initiatives with their funding, 1,000,000 commitments — and a tenth of the
design scale for the two largest: 5,000,000 field observations and 1,000,000 entries in the
transparency log. The demo's two tables are among the thousand and get their share.

Rows are bulk-loaded (``core.bulk``: PostgreSQL COPY, SQLite ``executemany``) a batch of tables
at a time, each batch in its own transaction with one ``demo.scale_batch_loaded`` event; then the log's
sequencer integrates every event, and the portal's figures are stored for every table. The data
is synthetic (``is_demo``), deterministic for a seed, and marked as such in its names.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from shapely.geometry import box

from minga.agreements import events as agreements_events
from minga.core.access import SYSTEM, Role, Sensitivity
from minga.core.bulk import as_json, bulk_insert, timestamp
from minga.core.events import record_event
from minga.core.geo import geodesic_hectares, to_geojson
from minga.core.ids import PUBLIC_ID_LENGTH
from minga.core.models import Event
from minga.decisions import events as decisions_events
from minga.demo import events
from minga.initiatives import events as initiatives_events
from minga.initiatives.models import (
    Commitment,
    CommitmentStatus,
    Funding,
    Initiative,
    InitiativeStatus,
    SourceType,
)
from minga.ledger import services as ledger
from minga.ledger.models import LogEntry
from minga.meetings import events as meetings_events
from minga.monitoring import events as monitoring_events
from minga.monitoring.models import KIND_CHOICES, Observation
from minga.portal.queries import store_figures
from minga.roadmap import events as roadmap_events
from minga.tables.models import Membership, Organization, Region, Sector, Table, Territory

# The full network (factor 1). Observations and log entries are a tenth of DESIGN.md's.
SIZES = {
    "tables": 1_000,
    "organizations": 20_000,
    "initiatives": 200_000,
    "commitments": 1_000_000,
    "observations": 5_000_000,
    "log_entries": 1_000_000,
}
DESIGN_SCALE = {"observations": 50_000_000, "log_entries": 10_000_000}
PREFIX = "amz-"  # slugs of the generated regions and tables
TABLES_PER_BATCH = 25

# (country, region, centre lon, centre lat): the Amazon's states, departments and provinces.
REGIONS = [
    ("BR", "Acre", -70.5, -9.0),
    ("BR", "Amazonas", -64.5, -4.0),
    ("BR", "Amapá", -51.5, 1.4),
    ("BR", "Pará", -52.5, -4.5),
    ("BR", "Rondônia", -62.8, -10.9),
    ("BR", "Roraima", -61.3, 2.1),
    ("BR", "Mato Grosso", -55.9, -12.6),
    ("BR", "Tocantins", -48.3, -10.2),
    ("BR", "Maranhão", -45.3, -5.0),
    ("PE", "Loreto", -74.5, -4.5),
    ("PE", "Ucayali", -73.5, -9.5),
    ("PE", "Madre de Dios", -70.5, -12.0),
    ("PE", "San Martín", -76.7, -7.0),
    ("PE", "Amazonas (Perú)", -78.0, -5.5),
    ("CO", "Amazonas (Colombia)", -71.5, -1.5),
    ("CO", "Caquetá", -74.0, 0.9),
    ("CO", "Putumayo", -76.0, 0.5),
    ("CO", "Guaviare", -72.0, 2.0),
    ("CO", "Vaupés", -70.5, 0.6),
    ("CO", "Guainía", -68.5, 2.6),
    ("EC", "Napo", -77.8, -0.9),
    ("EC", "Orellana", -76.3, -0.7),
    ("EC", "Pastaza", -76.8, -1.8),
    ("EC", "Zamora Chinchipe", -78.8, -4.1),
    ("BO", "Pando", -67.5, -11.3),
    ("BO", "Beni", -65.3, -14.2),
    ("BO", "Santa Cruz", -61.5, -16.5),
    ("BO", "Norte de La Paz", -68.0, -14.0),
    ("BO", "Trópico de Cochabamba", -65.5, -16.8),
    ("VE", "Amazonas (Venezuela)", -66.0, 3.5),
    ("VE", "Bolívar", -63.5, 6.5),
    ("GY", "Potaro-Siparuni", -59.2, 4.9),
    ("GY", "Upper Takutu-Upper Essequibo", -59.0, 2.5),
    ("SR", "Sipaliwini", -56.0, 3.0),
    ("GF", "Guyane", -53.1, 4.0),
    ("BR", "Amazonas (Alto Solimões)", -68.5, -3.5),
]
TABLE_WORD = {
    "BR": "Mesa de cooperação",
    "GY": "Cooperation table",
    "SR": "Samenwerkingstafel",
    "GF": "Table de coopération",
}
CURRENCY = {
    "BR": "BRL",
    "PE": "PEN",
    "CO": "COP",
    "EC": "USD",
    "BO": "BOB",
    "VE": "USD",
    "GY": "GYD",
    "SR": "SRD",
    "GF": "EUR",
}
SECTORS = [
    (Sector.INDIGENOUS, 20, "Nación indígena"),
    (Sector.COMMUNITY, 20, "Comunidad"),
    (Sector.PROVINCIAL, 5, "Gobierno provincial"),
    (Sector.LOCAL, 10, "Gobierno local"),
    (Sector.MINISTRY, 10, "Oficina técnica ministerial"),
    (Sector.NGO_LOCAL, 15, "ONG local"),
    (Sector.NGO_INTERNATIONAL, 8, "ONG internacional"),
    (Sector.ACADEMIA, 5, "Universidad"),
    (Sector.PRIVATE, 4, "Empresa"),
    (Sector.FUNDER, 3, "Fondo"),
]
INITIATIVES = [
    "Monitoreo comunitario del territorio",
    "Restauración de riberas",
    "Cadena de valor del cacao fino",
    "Escuela de liderazgo de mujeres",
    "Plan de vida comunitario",
    "Manejo de paiche",
    "Turismo comunitario",
    "Agua segura para comunidades",
]
COMMITMENTS = [
    "Presentar el informe trimestral",
    "Compartir la base de datos de beneficiarios",
    "Convocar la asamblea comunitaria",
    "Entregar los insumos acordados",
    "Firmar la carta de compromiso",
]
EVENTS = [
    (meetings_events.ATTENDANCE_RECORDED, {"attendance": 18}),
    (decisions_events.POSITION_STATED, {"position": "consent"}),
    (initiatives_events.COMMITMENT_UPDATED, {"after": "fulfilled"}),
    (monitoring_events.FIELD_DATA_IMPORTED, {"format": "odk", "new": 40}),
    (roadmap_events.MEASUREMENT_RECORDED, {"value": "12"}),
    (agreements_events.INCENTIVE_DELIVERED, {"quantity": "1"}),
]


@dataclass
class Built:
    """What the generator made, for the command's summary."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


Say = Callable[[str], None]
Progress = Callable[[int, int], None]


class PublicIds:
    """Distinct public ids without the cost of ``secrets`` per row: a counter through a
    bijection of the id space (multiplication by a unit modulo 31¹⁰), so no two collide."""

    ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
    SPACE = len(ALPHABET) ** PUBLIC_ID_LENGTH

    def __init__(self, seed: int) -> None:
        self.n = seed * 7_919_000_003 % self.SPACE
        self.step = 1_000_000_007  # prime, not 31: a unit modulo 31^10

    def __call__(self) -> str:
        self.n += 1
        value = self.n * self.step % self.SPACE
        out = []
        for _ in range(PUBLIC_ID_LENGTH):
            value, digit = divmod(value, 31)
            out.append(self.ALPHABET[digit])
        return "".join(out)


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _weighted(rng: random.Random, options: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights)[0]


def already_loaded() -> int:
    return Table.objects.filter(slug__startswith=PREFIX).count()


def generate(
    *,
    factor: float = 1.0,
    seed: int = 2026,
    say: Say = print,
    progress: Callable[[], Progress] | None = None,
    clock: Callable[[], float] | None = None,
) -> Built:
    """Generate the network at ``factor`` × SIZES (``factor`` < 1 for tests)."""

    clock = clock or time.monotonic
    bar = progress or (lambda: lambda done, total: None)
    rng = random.Random(seed)
    ids = PublicIds(seed)
    sizes = {name: max(1, round(n * factor)) for name, n in SIZES.items()}
    sizes["tables"] = max(sizes["tables"], 3)
    built = Built()
    started = clock()

    def step(name: str) -> None:
        built.seconds[name] = round(clock() - started, 1)

    say("Regions and tables")
    tables = _regions_and_tables(rng, ids, sizes["tables"])
    step("tables")
    say(f"{sizes['organizations']:,} organizations")
    orgs = _organizations(rng, ids, tables, sizes["organizations"], bar())
    step("organizations")
    say(f"{sizes['initiatives']:,} initiatives")
    _initiatives(rng, ids, tables, orgs, sizes["initiatives"], bar())
    step("initiatives")
    say(f"{sizes['commitments']:,} commitments")
    _commitments(rng, ids, tables, orgs, sizes["commitments"], bar())
    step("commitments")
    say(f"{sizes['observations']:,} field observations")
    _observations(rng, ids, tables, sizes["observations"], bar())
    step("observations")
    say(f"{sizes['log_entries']:,} log entries")
    _events(rng, tables, sizes["log_entries"], bar())
    _integrate(bar())
    step("log_entries")
    say("Portal figures of every table")
    _portal_figures(tables, bar())
    step("portal")
    built.counts = counts()
    return built


def counts() -> dict[str, int]:
    return {
        "tables": Table.objects.count(),
        "organizations": Organization.objects.count(),
        "initiatives": Initiative.objects.count(),
        "commitments": Commitment.objects.count(),
        "observations": Observation.objects.count(),
        "events": Event.objects.count(),
        "log_entries": LogEntry.objects.count(),
    }


def _regions_and_tables(rng: random.Random, ids: PublicIds, wanted: int) -> list[Table]:
    existing = list(Table.objects.order_by("id"))
    new = max(0, wanted - len(existing))
    with transaction.atomic():
        regions: list[Region] = []
        for country, name, lon, lat in REGIONS:
            area = box(lon - 1.5, lat - 1.5, lon + 1.5, lat + 1.5)
            region = Region(
                name=f"{name} (escala sintética)",
                slug=f"{PREFIX}{country.lower()}-{len(regions) + 1:02d}",
                description="Región generada para la prueba de escala.",
                is_demo=True,
            )
            region.set_area(area)
            regions.append(region)
        Region.objects.bulk_create(regions)
        regions = list(Region.objects.filter(slug__startswith=PREFIX).order_by("slug"))
        by_region: dict[int, int] = {}
        made = []
        for n in range(new):
            region = regions[n % len(regions)]
            country = region.slug[len(PREFIX) : len(PREFIX) + 2].upper()
            k = by_region[region.pk] = by_region.get(region.pk, 0) + 1
            word = TABLE_WORD.get(country, "Mesa de cooperación")
            made.append(
                Table(
                    region=region,
                    name=f"{word} {region.name.split(' (')[0]} {k}",
                    slug=f"{PREFIX}{n + 1:04d}",
                    province=region.name.split(" (")[0],
                    country=country,
                    description="Mesa generada para la prueba de escala.",
                    launched_on=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1800)),
                    is_demo=True,
                )
            )
        Table.objects.bulk_create(made, batch_size=500)
        fresh = list(Table.objects.filter(slug__startswith=PREFIX).select_related("region"))
        territories = []
        for table in fresh:
            region = table.region
            lon = rng.uniform(region.west + 0.3, region.east - 0.5)
            lat = rng.uniform(region.south + 0.3, region.north - 0.5)
            area = box(lon, lat, lon + 0.2, lat + 0.2)
            territory = Territory(
                table=table,
                name=f"Territorio de la {table.name}",
                sensitivity=Sensitivity.PUBLIC,
                public_id=ids(),
            )
            territory.geometry = to_geojson(area)
            territory.hectares = Decimal(f"{geodesic_hectares(area):.2f}")
            territory.west, territory.south, territory.east, territory.north = area.bounds
            territories.append(territory)
        Territory.objects.bulk_create(territories, batch_size=500)
        record_event(
            events.SCALE_BATCH_LOADED,
            actor=SYSTEM,
            payload={"regions": len(regions), "tables": len(made), "territories": len(fresh)},
        )
    return existing + sorted(fresh, key=lambda t: t.slug)


def _organizations(
    rng: random.Random, ids: PublicIds, tables: list[Table], wanted: int, progress: Progress
) -> dict[int, list[tuple[int, str]]]:
    """Each table's member organizations, as (id, sector); the new ones spread evenly."""
    existing = Organization.objects.count()
    new = max(0, wanted - existing)
    base, extra = divmod(new, len(tables))
    share = {t.pk: base + (1 if n < extra else 0) for n, t in enumerate(tables)}
    options = [(sector, weight) for sector, weight, _label in SECTORS]
    labels = {sector: label for sector, _w, label in SECTORS}
    since = dt.date(2022, 1, 1)
    made = 0
    for group in _batches(tables, TABLES_PER_BATCH):
        with transaction.atomic():
            rows, owners = [], []
            for table in group:
                for k in range(share[table.pk]):
                    sector = _weighted(rng, options)
                    owners.append((table, k))
                    made += 1
                    rows.append(
                        (
                            ids(),
                            f"{labels[sector]} {table.province or table.name} {made:05d}",
                            sector,
                            table.country,
                            True,
                        )
                    )
            bulk_insert(Organization, ["public_id", "name", "sector", "country", "is_demo"], rows)
            names = [row[1] for row in rows]
            found = dict(Organization.objects.filter(name__in=names).values_list("name", "id"))
            memberships = []
            for (table, k), row in zip(owners, rows, strict=True):
                role = Role.SECRETARIAT if k == 0 else Role.MEMBER
                memberships.append((table.pk, found[row[1]], role, since))
            bulk_insert(Membership, ["table_id", "organization_id", "role", "since"], memberships)
            record_event(
                events.SCALE_BATCH_LOADED,
                actor=SYSTEM,
                payload={"organizations": len(rows), "memberships": len(memberships)},
            )
        progress(made, new)
    members: dict[int, list[tuple[int, str]]] = {}
    for table_id, org_id, sector in (
        Membership.objects.filter(until__isnull=True)
        .values_list("table_id", "organization_id", "organization__sector")
        .order_by("table_id", "organization_id")
        .distinct()
    ):
        members.setdefault(table_id, []).append((org_id, sector))
    return members


def _initiatives(
    rng: random.Random,
    ids: PublicIds,
    tables: list[Table],
    orgs: dict[int, list[tuple[int, str]]],
    wanted: int,
    progress: Progress,
) -> None:
    per_table = max(1, wanted // len(tables))
    statuses = [
        (InitiativeStatus.ONGOING, 50),
        (InitiativeStatus.PLANNED, 20),
        (InitiativeStatus.COMPLETED, 25),
        (InitiativeStatus.SUSPENDED, 5),
    ]
    sources = list(SourceType.values)
    done = 0
    total = per_table * len(tables)
    for group in _batches(tables, TABLES_PER_BATCH):
        with transaction.atomic():
            rows = []
            for table in group:
                members = orgs.get(table.pk) or [(0, "")]
                for k in range(per_table):
                    start = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(2000))
                    rows.append(
                        (
                            ids(),
                            table.pk,
                            f"{INITIATIVES[k % len(INITIATIVES)]} {k + 1}",
                            members[k % len(members)][0],
                            _weighted(rng, statuses),
                            rng.randrange(101),
                            start,
                            start + dt.timedelta(days=365 * rng.randint(1, 4)),
                            rng.randrange(2000),
                            rng.randrange(400),
                            rng.randrange(12),
                            True,
                        )
                    )
            bulk_insert(
                Initiative,
                [
                    "public_id",
                    "table_id",
                    "title",
                    "organization_id",
                    "status",
                    "progress",
                    "starts_on",
                    "ends_on",
                    "people",
                    "families",
                    "communities",
                    "is_demo",
                ],
                rows,
            )
            funded = Initiative.objects.filter(public_id__in=[r[0] for r in rows]).values_list(
                "id", "table_id"
            )
            country = {t.pk: t.country for t in group}
            fundings = []
            for initiative_id, table_id in funded:
                members = orgs.get(table_id) or [(0, "")]
                fundings.append(
                    (
                        initiative_id,
                        rng.choice(members)[0],
                        Decimal(rng.randrange(5_000, 500_000)),
                        CURRENCY.get(country[table_id], "USD"),
                        rng.choice(sources),
                    )
                )
            bulk_insert(
                Funding,
                ["initiative_id", "funder_id", "amount", "currency", "source_type"],
                fundings,
            )
            record_event(
                events.SCALE_BATCH_LOADED,
                actor=SYSTEM,
                payload={"initiatives": len(rows), "fundings": len(fundings)},
            )
        done += len(rows)
        progress(done, total)


def _commitments(
    rng: random.Random,
    ids: PublicIds,
    tables: list[Table],
    orgs: dict[int, list[tuple[int, str]]],
    wanted: int,
    progress: Progress,
) -> None:
    per_table = max(1, wanted // len(tables))
    statuses = [
        (CommitmentStatus.FULFILLED, 45),
        (CommitmentStatus.PENDING, 25),
        (CommitmentStatus.IN_PROGRESS, 15),
        (CommitmentStatus.OVERDUE, 10),
        (CommitmentStatus.DROPPED, 5),
    ]
    done, total = 0, per_table * len(tables)
    for group in _batches(tables, TABLES_PER_BATCH):
        with transaction.atomic():
            rows = []
            for table in group:
                members = orgs.get(table.pk) or [(0, "")]
                for k in range(per_table):
                    status = _weighted(rng, statuses)
                    due = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(1800))
                    rows.append(
                        (
                            ids(),
                            table.pk,
                            members[k % len(members)][0],
                            COMMITMENTS[k % len(COMMITMENTS)],
                            "la mesa",
                            due,
                            status,
                            "Sin presupuesto este año"
                            if status == CommitmentStatus.DROPPED
                            else "",
                            due if status == CommitmentStatus.FULFILLED else None,
                            True,
                        )
                    )
            bulk_insert(
                Commitment,
                [
                    "public_id",
                    "table_id",
                    "organization_id",
                    "what",
                    "to_whom",
                    "due_on",
                    "status",
                    "dropped_reason",
                    "fulfilled_on",
                    "is_demo",
                ],
                rows,
            )
            record_event(
                events.SCALE_BATCH_LOADED, actor=SYSTEM, payload={"commitments": len(rows)}
            )
        done += len(rows)
        progress(done, total)


def _observations(
    rng: random.Random, ids: PublicIds, tables: list[Table], wanted: int, progress: Progress
) -> None:
    per_table = max(1, wanted // len(tables))
    bounds = {
        row[0]: row[1:]
        for row in Territory.objects.order_by("table_id", "id").values_list(
            "table_id", "west", "south", "east", "north"
        )
    }
    kinds = [
        ("wildlife", 30),
        ("boundary_mark", 20),
        ("illegal_logging", 12),
        ("hunting", 10),
        ("fire", 8),
        ("mining", 5),
        ("sacred_site", 5),
        ("other", 10),
    ]
    unknown = {k for k, _w in kinds} - {k for k, _label in KIND_CHOICES}
    if unknown:
        raise ValueError(f"observation kinds the model does not know: {sorted(unknown)}")
    levels = [(int(Sensitivity.PUBLIC), 30), (int(Sensitivity.TABLE), 60), (2, 10)]
    kind_list = [k for k, w in kinds for _ in range(w)]
    level_list = [v for v, w in levels for _ in range(w)]
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    span = 3 * 365 * 86400
    done, total = 0, per_table * len(tables)
    columns = [
        "public_id",
        "table_id",
        "source",
        "source_key",
        "version",
        "observed_at",
        "kind",
        "lon",
        "lat",
        "sensitivity",
    ]
    for group in _batches(tables, TABLES_PER_BATCH // 5 or 1):
        with transaction.atomic():

            def rows(group: list[Table] = group) -> Iterator[tuple[Any, ...]]:
                rand, choice = rng.random, rng.choice
                for table in group:
                    west, south, east, north = bounds.get(table.pk, (-78.0, -3.0, -77.8, -2.8))
                    w, h = east - west, north - south
                    for k in range(per_table):
                        yield (
                            ids(),
                            table.pk,
                            "odk",
                            f"uuid:scale-{table.pk}-{k}",
                            "1",
                            timestamp(start + dt.timedelta(seconds=int(rand() * span))),
                            choice(kind_list),
                            round(west + rand() * w, 6),
                            round(south + rand() * h, 6),
                            choice(level_list),
                        )

            written = bulk_insert(Observation, columns, rows())
            record_event(events.SCALE_BATCH_LOADED, actor=SYSTEM, payload={"observations": written})
        done += written
        progress(done, total)


def _events(rng: random.Random, tables: list[Table], wanted: int, progress: Progress) -> None:
    """The history of the network's work, in time order, to fill the log."""

    already = Event.objects.count()
    chunk = 100_000
    new = max(0, wanted - already)
    new -= -(-new // (chunk + 1))  # room for one batch event per chunk
    slugs = [t.slug for t in tables]
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    step = 3 * 365 * 86400 / max(new, 1)
    done = 0
    while done < new:
        size = min(chunk, new - done)
        with transaction.atomic():

            def rows(first: int = done, size: int = size) -> Iterator[tuple[Any, ...]]:
                for i in range(first, first + size):
                    type_, payload = EVENTS[i % len(EVENTS)]
                    yield (
                        type_,
                        timestamp(start + dt.timedelta(seconds=i * step)),
                        "sistema",
                        rng.choice(slugs),
                        as_json(payload),
                        1 if i % 10 == 0 else 0,
                    )

            written = bulk_insert(
                Event,
                ["type", "occurred_at", "actor_label", "table_slug", "payload", "sensitivity"],
                rows(),
            )
            record_event(events.SCALE_BATCH_LOADED, actor=SYSTEM, payload={"events": written})
        done += written
        progress(done, new)


def _integrate(progress: Progress) -> None:
    total = ledger.queued_count()
    done = 0
    while True:
        added = ledger.integrate(batch=20_000, limit=20_000)
        if not added:
            break
        done += added
        progress(min(done, total), total)
    with contextlib.suppress(ledger.KeyMissing):
        ledger.sign_checkpoint()


def _portal_figures(tables: list[Table], progress: Progress) -> None:
    for n, table in enumerate(tables, 1):
        store_figures(table)
        if n % 10 == 0 or n == len(tables):
            progress(n, len(tables))
