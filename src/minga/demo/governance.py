"""A year in the life of each demo table: meetings, priorities, a ranking round, decisions."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from minga.core.access import DECIDING_ROLES, SYSTEM
from minga.decisions import services as decisions
from minga.meetings import services as meetings
from minga.meetings.models import Meeting
from minga.meetings.queries import results
from minga.tables.models import SECTOR_GROUP, Organization, Table

MONTHS_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]

AGENDA = [
    "Informe de la secretaría técnica",
    "Avance de las iniciativas de los miembros",
    "Monitoreo comunitario y alertas de deforestación",
    "Rendición de cuentas de compromisos",
    "Varios",
]

PRIORITIES = {
    "morona-santiago": [
        (
            "Vigilancia comunitaria del Kutukú",
            "Patrullajes regulares frente a la minería ilegal en la cordillera.",
            "Conservación",
            "Cordillera del Kutukú",
        ),
        (
            "Internet satelital en comunidades con acuerdo",
            "Conectividad para el monitoreo y la educación.",
            "Gobernanza",
            "Taisha",
        ),
        (
            "Cadena de valor del cacao fino",
            "Precio justo y centro de acopio para las asociaciones.",
            "Producción sostenible",
            "Sevilla Don Bosco",
        ),
        (
            "Agua segura en comunidades achuar",
            "Sistemas de purificación para 12 comunidades.",
            "Bienestar",
            "Pastaza alto",
        ),
        (
            "Consulta previa con protocolo propio",
            "Protocolo de consulta de las nacionalidades shuar y achuar.",
            "Gobernanza",
            "",
        ),
        (
            "Participación de mujeres y jóvenes",
            "Cuotas y formación de liderazgos en la mesa.",
            "Gobernanza",
            "",
        ),
    ],
    "sucumbios": [
        (
            "Remediación de pasivos petroleros",
            "Inventario y remediación de piscinas y derrames.",
            "Conservación de la biodiversidad",
            "Shushufindi",
        ),
        (
            "Corredor de conservación del Cuyabeno",
            "Conectividad entre la reserva y los territorios indígenas.",
            "Conservación de la biodiversidad",
            "Cuyabeno",
        ),
        (
            "Café robusta de bajo impacto",
            "Asistencia técnica y crédito para fincas sin deforestación.",
            "Producción sostenible",
            "Lago Agrio",
        ),
        (
            "Turismo comunitario cofán y siona",
            "Formación y promoción conjunta.",
            "Producción sostenible",
            "Dureno",
        ),
        (
            "Ordenanza de la mesa",
            "Institucionalizar la mesa por ordenanza provincial.",
            "Gobernanza",
            "",
        ),
        (
            "Sistema de alerta temprana de derrames",
            "Protocolos de respuesta rápida con las comunidades ribereñas.",
            "Gobernanza",
            "Río Aguarico",
        ),
    ],
}

PROPOSALS = {
    "morona-santiago": [
        (
            "Plan anual de vigilancia comunitaria 2026",
            "Doce patrullajes al año en las áreas de los acuerdos de conservación.",
            None,
        ),
        (
            "Protocolo de consulta previa para proyectos en el territorio",
            "Todo proyecto en el Territorio de Vida se consulta a las comunidades.",
            (
                "Faltan los plazos y la lengua de la consulta",
                "Todo proyecto en el Territorio de Vida se consulta a las comunidades, en su lengua y con 60 días de plazo.",
            ),
        ),
        (
            "Fondo común para la secretaría técnica",
            "Cada miembro aporta según su capacidad al funcionamiento de la secretaría.",
            "open",
        ),
    ],
    "sucumbios": [
        (
            "Hoja de ruta participativa con tres ejes",
            "Conservación de la biodiversidad, producción sostenible y gobernanza.",
            None,
        ),
        (
            "Protocolo de respuesta rápida ante derrames",
            "La mesa se convoca en 48 horas ante un derrame.",
            (
                "Sin las comunidades ribereñas en la respuesta",
                "La mesa se convoca en 48 horas ante un derrame, con las comunidades ribereñas afectadas.",
            ),
        ),
        (
            "Propuesta de ordenanza provincial de la mesa",
            "Pedir al Consejo Provincial una ordenanza que institucionalice la mesa.",
            "open",
        ),
    ],
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


def _year_of_meetings(table: Table, rng: random.Random) -> list[Meeting]:
    today = timezone.localdate()
    held: list[Meeting] = []
    members = _members(table)
    for months_ago in range(12, -1, -1):
        year, month = today.year, today.month - months_ago
        while month < 1:
            year, month = year - 1, month + 12
        day = dt.date(year, month, 15)
        if day < (table.launched_on or day):
            continue
        starts = dt.datetime(year, month, 15, 9, 30, tzinfo=timezone.get_current_timezone())
        if starts > timezone.now():
            continue
        kind = "ordinary"
        title = f"Sesión ordinaria de {MONTHS_ES[month - 1]} {year}"
        if months_ago == 5 and table.slug == "sucumbios":
            kind, title = (
                "crisis",
                f"Sesión de crisis: derrame en el río Aguarico ({MONTHS_ES[month - 1]})",
            )
        elif months_ago == 7:
            kind, title = "extraordinary", f"Sesión extraordinaria de {MONTHS_ES[month - 1]} {year}"
        meeting = meetings.create_meeting(
            by=SYSTEM,
            table=table,
            title=title,
            kind=kind,
            starts_at=starts,
            place=table.province + ", sede de la Prefectura",
            online_url="https://meet.example.org/mesa-" + table.slug,
            interpretation="Shuar ↔ Español"
            if table.slug == "morona-santiago"
            else "A'ingae ↔ Español",
            is_demo=True,
        )
        for title_ in [*rng.sample(AGENDA[:-1], 3), AGENDA[-1]]:
            meetings.add_agenda_item(
                by=SYSTEM,
                meeting=meeting,
                title=title_,
                duration_minutes=rng.choice([15, 20, 30, 45]),
            )
        present = [o for o in members if rng.random() < 0.72]
        rows = [meetings.AttendanceRow(o, "present") for o in present]
        rows += [
            meetings.AttendanceRow(o, rng.choice(["excused", "absent"]))
            for o in members
            if o not in present
        ]
        meetings.record_attendance(
            by=SYSTEM, meeting=meeting, rows=rows, from_paper=rng.random() < 0.5
        )
        meetings.save_minutes(
            by=SYSTEM,
            meeting=meeting,
            minutes=(
                f"Se instaló la sesión con {len(present)} organizaciones presentes. La secretaría informó "
                "sobre los avances del período; los miembros presentaron sus iniciativas y se acordaron "
                "los siguientes pasos. (Acta de demostración.)"
            ),
        )
        meetings.publish_minutes(by=SYSTEM, meeting=meeting)
        held.append(meeting)
    upcoming = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title="Próxima sesión ordinaria",
        starts_at=timezone.now().replace(hour=14, minute=0, second=0, microsecond=0)
        + dt.timedelta(days=21),
        place=table.province + ", sede de la Prefectura",
        is_demo=True,
    )
    meetings.add_agenda_item(by=SYSTEM, meeting=upcoming, title=AGENDA[0], duration_minutes=20)
    held.append(upcoming)
    return held


def _priorities_and_ranking(table: Table, rng: random.Random, upcoming: Meeting) -> None:
    members = _members(table)
    priorities = []
    for i, (title, description, axis, place) in enumerate(PRIORITIES[table.slug]):
        priorities.append(
            meetings.submit_priority(
                by=SYSTEM,
                table=table,
                organization=members[(i * 5) % len(members)],
                title=title,
                description=description,
                axis=axis,
                place=place,
                evidence="Diagnóstico participativo de la mesa (demo).",
            )
        )
    ranking = meetings.open_ranking(
        by=SYSTEM,
        table=table,
        title="Priorización de la agenda común 2026",
        method="dots",
        dots=5,
        priorities=priorities,
        closes_at=timezone.now() + dt.timedelta(days=1),
    )
    ids = [p.public_id for p in priorities]
    for organization in members:
        dots: dict[str, int] = {}
        for _ in range(5):
            choice = ids[min(int(rng.expovariate(0.6)), len(ids) - 1)]
            dots[choice] = dots.get(choice, 0) + 1
        meetings.cast_ballot(by=SYSTEM, round=ranking, choices=dots, organization=organization)
    meetings.close_ranking(by=SYSTEM, round=ranking)

    for result in results(ranking)[:2]:
        meetings.select_priority(by=SYSTEM, priority=result.priority, meeting=upcoming)


def _decisions(table: Table, rng: random.Random, held: list[Meeting]) -> None:
    members = _members(table)
    by_group: dict[str, list[Organization]] = {}
    for organization in members:
        by_group.setdefault(SECTOR_GROUP[organization.sector], []).append(organization)
    proposer = by_group["indigenous"][0]
    for index, (title, text, twist) in enumerate(PROPOSALS[table.slug]):
        meeting = held[-3 + index] if len(held) >= 3 else None
        proposal = decisions.create_proposal(
            by=SYSTEM,
            table=table,
            title=title,
            text=text,
            organization=proposer,
            meeting=meeting,
            is_demo=True,
        )
        decisions.add_comment(
            by=SYSTEM,
            proposal=proposal,
            organization=by_group["government"][0],
            text="Apoyamos la propuesta; revisemos los plazos.",
        )
        voters = [
            by_group["indigenous"][1],
            by_group["government"][0],
            by_group["civil_society"][0],
        ]
        voters += rng.sample([o for o in members if o not in voters], 5)
        round_ = decisions.open_round(
            by=SYSTEM,
            proposal=proposal,
            closes_at=timezone.now() + dt.timedelta(days=10),
            meeting=meeting if twist != "open" else None,
        )
        if isinstance(twist, tuple):
            reason, amended = twist
            decisions.state_position(
                by=SYSTEM, round=round_, organization=voters[0], stance="block", reason=reason
            )
            for organization in voters[1:]:
                decisions.state_position(
                    by=SYSTEM, round=round_, organization=organization, stance="agree"
                )
            decisions.close_round(by=SYSTEM, round=round_)
            decisions.amend_proposal(
                by=SYSTEM,
                proposal=proposal,
                organization=proposer,
                text=amended,
                change_note="Recoge el bloqueo de la primera ronda",
            )
            round_ = decisions.open_round(
                by=SYSTEM,
                proposal=proposal,
                closes_at=timezone.now() + dt.timedelta(days=10),
                meeting=meeting,
            )
        for organization in voters:
            stance = (
                "agree"
                if twist != "open"
                else rng.choice(["agree", "agree", "concerns", "stand_aside"])
            )
            reason = "Falta definir los montos" if stance == "concerns" else ""
            decisions.state_position(
                by=SYSTEM, round=round_, organization=organization, stance=stance, reason=reason
            )
        if twist == "open":
            continue
        decisions.close_round(by=SYSTEM, round=round_)
        decisions.record_decision(
            by=SYSTEM,
            proposal=proposal,
            statement=f"La mesa adopta: {title.lower()}.",
            review_on=timezone.localdate() + dt.timedelta(days=365),
            meeting=meeting,
        )


def load_governance(table: Table, seed: int) -> None:
    rng = random.Random(seed)
    held = _year_of_meetings(table, rng)
    _priorities_and_ranking(table, rng, held[-1])
    _decisions(table, rng, held[:-1])
