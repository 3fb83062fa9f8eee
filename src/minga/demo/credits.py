"""A credit project modelled on the Biocultural Jaguar Credits pilot (Sharamentsa Achuar, 2024):
its verification, one issued batch, the launch sales ($16,000 at $0.88 a credit), a pre-sale
commitment within the credits issued (the pilot's own $27,500 promised more than one batch holds;
the registry refuses that), a retirement with its certificate, and the table's distribution of the income.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from minga.agreements.models import Agreement
from minga.core.access import SYSTEM
from minga.credits import services as credits
from minga.decisions.models import Decision
from minga.demo import data as demo
from minga.satellite import queries as satellite_queries
from minga.satellite import services as satellite
from minga.satellite.sampling import STRATA
from minga.tables.models import Organization, Table

PRICE = Decimal("0.88")


def load_credits(table: Table, *, seed: int) -> None:
    agreement = Agreement.objects.filter(
        table=table, community__name__contains="Sharamentsa"
    ).first()
    if agreement is None:
        return
    zone = next(z for z in satellite_queries.zones_of(table) if z.agreement == agreement)
    design = satellite.create_sample_design(
        by=SYSTEM,
        table=table,
        zone=zone,
        start_year=2017,
        end_year=2024,
        per_stratum={"loss": 12, "forest": 30, "other": 15},
        seed=seed,
    )
    rng = random.Random(seed)
    satellite.record_labels(
        by=SYSTEM,
        design=design,
        pairs=[
            (
                p["id"],
                p["stratum"]
                if rng.random() < 0.92
                else rng.choice([s for s in STRATA if s != p["stratum"]]),
            )
            for p in design.points
        ],
        source="demo",
    )
    report = satellite.issue_verification(
        by=SYSTEM, table=table, zone=zone, start_year=2017, end_year=2024, design=design
    )
    steward = agreement.community
    admin = Organization.objects.get(name=demo.NGO)
    credit_class = credits.create_credit_class(
        by=SYSTEM,
        table=table,
        class_id="BJ01",
        name="Créditos bioculturales Jaguar",
        type_abbreviation="BIO",
        type_name="Biocultural",
        unit="hectárea-año de custodia verificada",
        admin=admin,
        credits_per_hectare_year=Decimal(1),
        methodology="Custodia verificada por monitoreo comunitario y satelital (minga).",
    )
    project = credits.create_project(
        by=SYSTEM,
        table=table,
        credit_class=credit_class,
        name="Territorio Achuar de Sharamentsa",
        steward=steward,
        agreement=agreement,
        description="Piloto modelado en los créditos bioculturales Jaguar (marzo de 2024).",
    )
    community = credits.open_account(
        by=SYSTEM, table=table, kind="organization", name=steward.name, organization=steward
    )
    launch = credits.open_account(
        by=SYSTEM, table=table, kind="buyer", name="Compradores del lanzamiento (marzo 2024)"
    )
    later = credits.open_account(
        by=SYSTEM, table=table, kind="buyer", name="Compradores comprometidos (2024–2025)"
    )
    start, end = dt.date(2017, 1, 1), dt.date(2024, 12, 31)
    batch = credits.issue_batch(
        by=SYSTEM,
        project=project,
        verification=report,
        start_date=start,
        end_date=end,
        amount=credits.issuable(project, report, start, end),
        recipient=community,
    )
    sale = credits.sell(
        by=SYSTEM,
        project=project,
        buyer=launch,
        credits=18_182,
        price=PRICE,
        currency="USD",
        sold_on=dt.date(2024, 3, 21),
        payment_reference="BJC-LAUNCH-2024-03",
        seller=community,
        batch=batch,
    )
    credits.sell(
        by=SYSTEM,
        project=project,
        buyer=later,
        credits=9_000,
        price=PRICE,
        currency="USD",
        sold_on=dt.date(2024, 9, 1),
        payment_reference="BJC-COMMIT-2024",
        committed=True,
    )
    credits.retire(
        by=SYSTEM,
        batch=batch,
        account=launch,
        amount=5_000,
        beneficiary="Compradores del lanzamiento (marzo 2024)",
        reason="Apoyo voluntario a la custodia biocultural del territorio Achuar de Sharamentsa",
        jurisdiction="EC",
        idempotency_key="demo-retirement-1",
    )
    decision = Decision.objects.filter(proposal__table=table).order_by("pk").first()
    credits.set_distribution_rule(
        by=SYSTEM,
        project=project,
        decision=decision,
        weights={"hectares": "0.5", "families": "0.3", "equal": "0.2"},
        minimum_community_share=Decimal("0.6"),
        shares=[
            {"name": steward.name, "community": True, "hectares": "6484", "families": 46},
            {"name": "Consejo de Mujeres Shuar y Achuar Nunkui", "community": True, "families": 30},
            {"name": "Asociación de Monitores Territoriales Arutam", "community": False},
        ],
    )
    credits.distribute_sale(by=SYSTEM, sale=sale)
