"""Each demo table's roadmap, initiatives (with overlaps and gaps), commitments and a report."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from shapely.geometry import Point

from minga.core.access import DECIDING_ROLES, SYSTEM
from minga.demo import data as demo
from minga.initiatives import data as initiative_data
from minga.initiatives import services as initiatives
from minga.initiatives.models import CommitmentStatus
from minga.meetings.models import Meeting
from minga.roadmap import services as roadmap
from minga.tables.models import Organization, Table

ROADMAPS = {
    "sucumbios": [
        (
            "Conservación de la biodiversidad",
            [
                (
                    "Reducir la deforestación en los territorios indígenas",
                    "Hectáreas deforestadas al año",
                    "ha",
                    2400,
                    1200,
                ),
                (
                    "Remediar los pasivos ambientales petroleros",
                    "Sitios remediados",
                    "sitios",
                    0,
                    40,
                ),
            ],
        ),
        (
            "Producción sostenible",
            [
                (
                    "Fincas de café y cacao sin deforestación",
                    "Fincas certificadas",
                    "fincas",
                    120,
                    600,
                ),
                (
                    "Turismo comunitario con ingresos para las comunidades",
                    "Familias con ingresos del turismo",
                    "familias",
                    80,
                    300,
                ),
            ],
        ),
        (
            "Gobernanza",
            [
                ("Institucionalizar la mesa", "Instrumentos vigentes", "instrumentos", 1, 3),
                ("Participación de mujeres y jóvenes", "Mujeres y jóvenes en la mesa", "%", 18, 40),
            ],
        ),
    ],
    "morona-santiago": [
        (
            "Conservación del Territorio de Vida",
            [
                (
                    "Acuerdos de conservación con comunidades shuar y achuar",
                    "Hectáreas bajo acuerdo",
                    "ha",
                    0,
                    250000,
                ),
                ("Vigilancia comunitaria del Kutukú", "Patrullajes al año", "patrullajes", 12, 48),
            ],
        ),
        (
            "Economía del bosque",
            [
                (
                    "Cadenas de valor del cacao fino y la guayusa",
                    "Familias productoras",
                    "familias",
                    150,
                    500,
                ),
            ],
        ),
        (
            "Gobernanza territorial",
            [
                (
                    "Consulta previa con protocolo propio",
                    "Consultas con protocolo",
                    "consultas",
                    0,
                    6,
                ),
                (
                    "Mesa institucionalizada y financiada",
                    "Presupuesto de la secretaría",
                    "USD",
                    0,
                    60000,
                ),
            ],
        ),
    ],
}

TOPICS = [
    "Restauración de riberas",
    "Vigilancia comunitaria",
    "Viveros forestales",
    "Cacao fino de aroma",
    "Agua segura",
    "Energía solar comunitaria",
    "Formación de monitores",
    "Turismo comunitario",
    "Bioemprendimientos de mujeres",
    "Educación intercultural bilingüe",
    "Saneamiento de tierras",
    "Mapeo participativo",
    "Café sin deforestación",
    "Plan de vida comunitario",
    "Conectividad satelital",
]

FUNDERS = [
    (demo.BANK, "USD", "mdb_platform_line"),
    (demo.FUNDER, "USD", "grant"),
    (demo.RIVERS_FUND, "EUR", "grant"),
    ("Selva Viva Internacional", "EUR", "grant"),
]


# Each table's initiatives happen in its own communities (a Cofán community is in Sucumbíos).
PLACES = {
    "morona-santiago": ["Yawi", "Tsuntsui", "Wampuik", "Kuamar", "Sharamentsa"],
    "sucumbios": ["Dureno", "Zábalo", "Sinangoe", "Sani Isla", "Siekopai"],
}


def _members(table: Table) -> list[Organization]:
    return list(
        Organization.objects.filter(
            memberships__table=table,
            memberships__until__isnull=True,
            memberships__role__in=DECIDING_ROLES,
        )
        .distinct()
        .order_by("name")
    )


def load_plans(table: Table, seed: int) -> None:
    rng = random.Random(seed)
    members = _members(table)
    axes = []
    objectives = []
    for name, objective_rows in ROADMAPS[table.slug]:
        axis = roadmap.create_axis(by=SYSTEM, table=table, name=name)
        axes.append(axis)
        for index, (title, indicator, unit, baseline, target) in enumerate(objective_rows):
            objective = roadmap.create_objective(by=SYSTEM, axis=axis, title=title)
            objectives.append(objective)
            responsible = members[(len(objectives) * 3) % len(members)]
            ind = roadmap.create_indicator(
                by=SYSTEM,
                objective=objective,
                name=indicator,
                unit=unit,
                baseline=Decimal(baseline),
                target=Decimal(target),
                responsible=responsible,
            )
            for quarter in range(1, 4):
                share = Decimal(quarter * rng.randint(8, 20)) / 100
                roadmap.record_measurement(
                    by=SYSTEM,
                    indicator=ind,
                    measured_on=timezone.localdate() - dt.timedelta(days=95 * (4 - quarter)),
                    value=(
                        Decimal(baseline) + (Decimal(target) - Decimal(baseline)) * share
                    ).quantize(Decimal(1)),  # counted things (patrols, families) are whole numbers
                    evidence="Informe trimestral (demo)",
                )
            result = roadmap.create_result(
                by=SYSTEM, objective=objective, title=f"Resultados: {title.lower()}"
            )
            for k in range(2):
                roadmap.create_result(
                    by=SYSTEM,
                    objective=objective,
                    parent=result,
                    title=f"Actividad {k + 1}",
                    status=rng.choice(["started", "advanced", "done", "not_started"]),
                    weight=Decimal(k + 1),
                )
            if index == 0:
                roadmap.add_milestone(
                    by=SYSTEM,
                    result=result,
                    title="Línea base levantada",
                    reached_on=timezone.localdate() - dt.timedelta(days=200),
                )
    territory = table.territories.first()
    assert territory is not None
    shape = territory.shape
    west, south, east, north = shape.bounds
    today = timezone.localdate()
    orgs = {o.name: o for o in Organization.objects.filter(name__in=[f[0] for f in FUNDERS])}
    funders = [f for f in FUNDERS if f[0] in orgs]
    hot = None
    served = objectives[:-1]  # the last objective is left as a gap on purpose
    for n in range(32):
        while True:
            point = Point(rng.uniform(west, east), rng.uniform(south, north))
            if shape.contains(point):
                break
        if n in (1, 2) and hot is not None:
            point = Point(hot.x + 0.005 * n, hot.y)  # two initiatives in the same place and axis
        if n == 0:
            hot = point
        axis = axes[0] if n < 3 else axes[n % (len(axes) - 1)]  # the last axis reaches little
        organization = members[n % len(members)]
        funder_name, currency, source = funders[n % len(funders)]
        starts = today - dt.timedelta(days=rng.randint(30, 500))
        data = initiative_data.InitiativeData(
            title=f"{TOPICS[n % len(TOPICS)]} {n + 1}",
            organization=organization,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=rng.randint(200, 900)),
            axis=axis,
            status=rng.choice(["ongoing", "ongoing", "planned", "completed"])
            if n > 2
            else "ongoing",
            progress=rng.randint(0, 100),
            place=f"Comunidad {rng.choice(PLACES.get(table.slug, PLACES['morona-santiago']))}",
            geometry={"type": "Point", "coordinates": [round(point.x, 5), round(point.y, 5)]},
            people=rng.randint(40, 900),
            families=rng.randint(10, 200),
            communities=rng.randint(1, 6),
            objectives=[o for o in served if o.axis_id == axis.pk][:1],
            fundings=[
                initiative_data.FundingLine(
                    orgs[funder_name], Decimal(rng.randint(8, 220)) * 1000, currency, source
                ),
                initiative_data.FundingLine(
                    organization, Decimal(rng.randint(1, 30)) * 1000, "USD", "own"
                ),
            ],
        )
        initiatives.save_initiative(by=SYSTEM, table=table, data=data, is_demo=True)
    for day, rate in (
        (today - dt.timedelta(days=200), "1.0712"),
        (today - dt.timedelta(days=20), "1.0815"),
    ):
        initiatives.set_rate(
            by=SYSTEM,
            table=table,
            currency="EUR",
            valid_on=day,
            rate=rate,
            source="Banco Central del Ecuador (demo)",
        )
    held = list(
        Meeting.objects.filter(
            table=table, status="published", starts_at__lte=timezone.now()
        ).order_by("-starts_at")
    )
    promises = [
        (
            "Entregar el informe de patrullajes del trimestre",
            CommitmentStatus.FULFILLED,
            -40,
            "Informe entregado en la sesión",
        ),
        ("Presentar el presupuesto participativo de la mesa", CommitmentStatus.IN_PROGRESS, 20, ""),
        ("Firmar el convenio con la universidad", CommitmentStatus.PENDING, 45, ""),
        ("Instalar los kits solares en tres comunidades", CommitmentStatus.OVERDUE, -10, ""),
        (
            "Financiar el estudio de caudales",
            CommitmentStatus.DROPPED,
            -5,
            "El financiador retiró el fondo",
        ),
        (
            "Publicar las actas en shuar y español",
            CommitmentStatus.FULFILLED,
            -70,
            "Actas publicadas en el portal",
        ),
    ]
    for i, (what, status, days, note) in enumerate(promises):
        due_on = today + dt.timedelta(days=days)
        # made at the latest meeting on or before the day it falls due
        meeting = next((m for m in held if timezone.localdate(m.starts_at) <= due_on), None)
        commitment = initiatives.make_commitment(
            by=SYSTEM,
            table=table,
            organization=members[(i * 4) % len(members)],
            what=what,
            to_whom="La mesa",
            due_on=due_on,
            meeting=meeting,
            is_demo=True,
        )
        if status == CommitmentStatus.OVERDUE:
            initiatives.mark_overdue(by=SYSTEM, today=today)
        elif status != CommitmentStatus.PENDING:
            initiatives.update_commitment(
                by=SYSTEM,
                commitment=commitment,
                status=status,
                evidence=note if status == CommitmentStatus.FULFILLED else "",
                reason=note if status == CommitmentStatus.DROPPED else "",
            )
    previous_quarter = today.replace(day=1) - dt.timedelta(days=92)
    report = initiatives.publish_report(
        by=SYSTEM, table=table, period="quarter", day=previous_quarter
    )
    bank = Organization.objects.filter(name=demo.BANK).first()
    if bank is not None and table.slug == "morona-santiago":
        initiatives.attest_report(
            by=SYSTEM,
            report=report,
            organization=bank,
            statement="Revisamos las cifras con la secretaría; coinciden con los registros del programa.",
        )
