"""Demo table health: secretariat funding, training, the coming sectional elections, a risk
register, an incident with its crisis meeting, and a year of monthly health snapshots.

Invented and labelled as demo: the paper gives none of these figures. Dates are relative to the
day the demo is loaded, so the turnover warning and the year of history are always current.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from minga.core.access import SYSTEM
from minga.health import services as health
from minga.initiatives import services as initiatives
from minga.initiatives.models import AccountabilityReport
from minga.meetings import services as meetings
from minga.tables.models import Membership, Organization, Table


def _reports(table: Table, today: dt.date, late: bool) -> None:
    """The quarterly reports of the past year, published when a secretariat would have."""
    first = today.replace(day=1)
    for back in (4, 3, 2):
        day = first - dt.timedelta(days=92 * back)
        starts_on, ends_on = initiatives.period_bounds("quarter", day)
        if AccountabilityReport.objects.filter(table=table, starts_on=starts_on).exists():
            continue
        if late and back == 3:
            continue  # Sucumbíos missed one quarter
        report = initiatives.publish_report(by=SYSTEM, table=table, period="quarter", day=day)
        published = ends_on + dt.timedelta(days=60 if late and back == 2 else 21)
        AccountabilityReport.objects.filter(pk=report.pk).update(
            published_at=timezone.make_aware(dt.datetime.combine(published, dt.time(12)))
        )
    for report in AccountabilityReport.objects.filter(table=table, published_at__date=today):
        on_time = report.ends_on + dt.timedelta(days=25)
        if on_time < today:
            AccountabilityReport.objects.filter(pk=report.pk).update(
                published_at=timezone.make_aware(dt.datetime.combine(on_time, dt.time(12)))
            )


def _training(table: Table, today: dt.date, rng: random.Random) -> None:
    people = list(
        Membership.objects.filter(table=table, person__isnull=False)
        .select_related("person")
        .order_by("pk")
    )
    topics = [
        ("Monitoreo comunitario con ODK y CoMapeo", "monitoreo"),
        ("Derechos colectivos y consulta previa", "derechos"),
        ("Liderazgo de mujeres y jóvenes", "liderazgo"),
    ]
    for i, (title, topic) in enumerate(topics):
        held_on = today - dt.timedelta(days=300 - 110 * i)
        health.record_training(
            by=SYSTEM,
            table=table,
            title=f"{title} (demo)",
            topic=topic,
            held_on=held_on,
            people=[m.person for m in rng.sample(people, min(len(people), 6 + 3 * i)) if m.person],
        )


def _incident(table: Table, today: dt.date) -> None:
    occurred = today - dt.timedelta(days=24)
    incident = health.report_incident(
        by=SYSTEM,
        table=table,
        kind="oil_spill",
        title="Derrame de crudo en un afluente del río Aguarico (demo)",
        description="Comunidades ribereñas reportan crudo en el agua tras la rotura de una línea "
        "de flujo. Se suspende la captación de agua y la pesca aguas abajo.",
        occurred_on=occurred,
        place="Shushufindi",
        meeting_at=timezone.make_aware(
            dt.datetime.combine(occurred + dt.timedelta(days=2), dt.time(9))
        ),
    )
    meeting = incident.meeting
    assert meeting is not None
    present = list(Organization.objects.filter(memberships__table=table).distinct()[:9])
    meetings.record_attendance(
        by=SYSTEM, meeting=meeting, rows=[meetings.AttendanceRow(o, "present") for o in present]
    )
    meetings.save_minutes(
        by=SYSTEM,
        meeting=meeting,
        minutes="La mesa acuerda: agua segura para las comunidades afectadas, muestreo "
        "independiente del agua y seguimiento de la remediación.",
    )
    meetings.publish_minutes(by=SYSTEM, meeting=meeting)
    water, sampling = present[0], present[min(2, len(present) - 1)]
    done = health.add_response_task(
        by=SYSTEM,
        incident=incident,
        title="Entregar agua segura a las familias afectadas",
        organization=water,
        due_on=occurred + dt.timedelta(days=5),
    )
    health.complete_task(by=SYSTEM, task=done, note="Entregados 40 filtros y agua embotellada.")
    health.add_response_task(
        by=SYSTEM,
        incident=incident,
        title="Muestreo independiente del agua y publicación de resultados",
        organization=sampling,
        due_on=today + dt.timedelta(days=20),
    )


def load_health(table: Table, *, seed: int) -> None:
    rng = random.Random(seed + 8)
    today = timezone.localdate()
    morona = table.slug == "morona-santiago"
    _reports(table, today, late=not morona)
    _training(table, today, rng)
    prefecture = table.convener
    health.record_secretariat_funding(
        by=SYSTEM,
        table=table,
        source="Presupuesto de la Prefectura (demo)",
        organization=prefecture,
        amount=Decimal("36000.00"),
        currency="USD",
        starts_on=today - dt.timedelta(days=400),
        ends_on=today + dt.timedelta(days=150 if morona else 120),
    )
    health.add_election(
        by=SYSTEM,
        table=table,
        office="Prefectura (elecciones seccionales, fecha de demo)",
        jurisdiction=table.province,
        held_on=today + dt.timedelta(days=82),
        takes_office_on=today + dt.timedelta(days=82 + 88),
    )
    if morona:
        health.add_risk(
            by=SYSTEM,
            table=table,
            kind="other",
            title="Crecida del río Upano corta el acceso a las comunidades en temporada de lluvias",
            likelihood=3,
            impact=3,
            mitigation="Reuniones en línea y radio HF en la temporada de lluvias.",
        )
    else:
        _incident(table, today)
        health.record_handover_pack(
            by=SYSTEM,
            table=table,
            summary="Historia de la mesa, compromisos vigentes, contactos y acuerdos (demo).",
        )
    health.assess_risks(table=table, today=today)
    for day in health.month_ends(today, 13):
        health.take_snapshot(table=table, as_of=day)
