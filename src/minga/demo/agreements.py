"""The first seven conservation agreements of Morona Santiago, signed on 27 June 2025."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from shapely.geometry import Point

from minga.agreements import services as agreements
from minga.core.access import SYSTEM, Role, Sensitivity
from minga.core.geo import parse_area
from minga.demo import data as demo
from minga.demo.shapes import blob
from minga.tables import services as tables
from minga.tables.models import Organization, Table

SIGNED = dt.date(2025, 6, 27)
COMMUNITIES = [
    (demo.COMMUNITY, "Shuar"),
    ("Comunidad Achuar Wayusentsa", "Achuar"),
    ("Comunidad Shuar Yawi", "Shuar"),
    ("Comunidad Shuar Tsuntsui", "Shuar"),
    ("Comunidad Achuar Kuamar", "Achuar"),
    ("Comunidad Shuar Wampuik", "Shuar"),
    ("Comunidad Achuar Sharamentsa", "Achuar"),
]
INCENTIVES = [
    ("solar_internet", "Antena de internet satelital con panel solar", 1, "sistemas"),
    ("energy_kits", "Kits solares domiciliarios", 40, "kits"),
    ("water_purification", "Filtros de purificación de agua", 40, "filtros"),
]


def load_agreements(table: Table, seed: int = 27) -> None:
    if table.slug != "morona-santiago":
        return
    rng = random.Random(seed)
    prefecture = Organization.objects.get(name=demo.PREFECTURE)
    territory = table.territories.get().shape
    west, south, east, north = territory.bounds
    placed: list[Any] = []  # the communities' areas do not overlap one another
    for index, (name, people) in enumerate(COMMUNITIES):
        community = Organization.objects.filter(name=name).first()
        if community is None:
            community = tables.create_organization(
                by=SYSTEM, table=table, name=name, sector="community", is_demo=True
            )
            tables.add_membership(
                by=SYSTEM, table=table, organization=community, role=Role.MONITOR, since=SIGNED
            )
        while True:
            center = Point(rng.uniform(west, east), rng.uniform(south, north))
            area = blob(
                center=(center.x, center.y), hectares=rng.randint(4000, 18000), seed=100 + index
            )
            shape = parse_area(area)
            if territory.contains(shape) and not any(shape.intersects(p) for p in placed):
                placed.append(shape)
                break
        agreement = agreements.create_agreement(
            by=SYSTEM,
            table=table,
            title=f"Acuerdo de conservación {name.removeprefix('Comunidad ')}",
            community=community,
            counterpart=prefecture,
            starts_on=SIGNED,
            ends_on=dt.date(2030, 6, 26),
            renewal="Renovable por cinco años con acuerdo de la asamblea",
            geometry=area,
            # One community keeps its area (with a sacred site) to itself.
            area_sensitivity=Sensitivity.OWNER if index == 4 else Sensitivity.PUBLIC,
            is_demo=True,
        )
        agreements.add_obligation(
            by=SYSTEM,
            agreement=agreement,
            kind="no_clearing",
            description="Sin tala de bosque primario",
        )
        agreements.add_obligation(
            by=SYSTEM,
            agreement=agreement,
            kind="patrols",
            per_year=12,
            description="Patrullaje mensual",
        )
        agreements.add_obligation(by=SYSTEM, agreement=agreement, kind="no_mining")
        for kind, description, planned, unit in INCENTIVES:
            agreements.add_incentive(
                by=SYSTEM,
                agreement=agreement,
                kind=kind,
                description=description,
                planned=planned,
                unit=unit,
            )
        agreements.record_consultation(
            by=SYSTEM,
            agreement=agreement,
            held_on=dt.date(2025, 3, 10 + index),
            place=name,
            language=people,
            interpreter="Intérprete comunitario (demo)",
            participants=rng.randint(35, 120),
            notes="Presentación del acuerdo en la lengua de la comunidad (demo).",
        )
        agreements.record_consultation(
            by=SYSTEM,
            agreement=agreement,
            held_on=dt.date(2025, 5, 2 + index),
            place=name,
            language=people,
            interpreter="Intérprete comunitario (demo)",
            participants=rng.randint(35, 120),
        )
        agreements.record_consent(
            by=SYSTEM,
            agreement=agreement,
            decision="consent",
            decided_on=dt.date(2025, 6, 1 + index),
            minutes=f"La asamblea de {name} aprobó el acuerdo por consenso (acta de demostración).",
        )
        agreements.sign_agreement(
            by=SYSTEM,
            agreement=agreement,
            signed_on=SIGNED,
            signatories=f"Prefecto de Morona Santiago; síndico de {name} (demo)",
        )
        for incentive in agreement.incentives.all():
            shares = (
                [incentive.planned]
                if incentive.planned == 1
                else [incentive.planned / 2, incentive.planned / 4]
            )
            for n, quantity in enumerate(shares[: 1 + index % 2]):
                agreements.record_delivery(
                    by=SYSTEM,
                    incentive=incentive,
                    quantity=quantity,
                    delivered_on=dt.date(2025, 8 + n * 3, 5 + index),
                    evidence="Acta de entrega firmada (demo)",
                )
