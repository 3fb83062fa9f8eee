"""Demo funds: a pooled fund with two donors, its board, a COP30 challenge call with an
application from each table, reviews with a declared conflict (Morona Santiago's application
waits for the second review, which the demo's ``other_secretariat`` can give), an award with its
first tranche released, a fellowship call with two fellows, and the platform budget line of a development bank's operation (all invented, demo)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from minga.core.access import SYSTEM
from minga.demo import data as demo
from minga.funds import services as funds
from minga.funds.models import Fund
from minga.health import services as health
from minga.health.queries import WOMEN
from minga.tables.models import Organization, Person, Region, Table


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def load_funds(region: Region) -> None:
    User = get_user_model()
    today = timezone.localdate()
    morona = Table.objects.get(slug="morona-santiago")
    sucumbios = Table.objects.get(slug="sucumbios")
    bank = _org(demo.BANK)
    fund = funds.create_fund(
        by=SYSTEM,
        name="Fondo Común de las Mesas Amazónicas (demo)",
        slug="fondo-comun-mesas",
        administrator=_org(demo.FUNDER),
        currency="USD",
        region=region,
        description="Fondo mancomunado de varios donantes para las mesas de cooperación de la "
        "Amazonía ecuatoriana, gobernado con las organizaciones indígenas. Datos de demostración.",
        is_demo=True,
    )
    funds.add_role(
        by=SYSTEM,
        fund=fund,
        user=User.objects.get(username="observer"),
        role="manager",
        organization=bank,
    )
    funds.add_role(
        by=SYSTEM,
        fund=fund,
        user=User.objects.get(username="ngo"),
        role="reviewer",
        organization=_org(demo.NGO),
    )
    funds.add_role(
        by=SYSTEM,
        fund=fund,
        user=User.objects.get(username="member"),
        role="reviewer",
        organization=_org(demo.FEDERATION),
    )
    # a third reviewer, so a demo login can give the second review an award needs
    funds.add_role(
        by=SYSTEM,
        fund=fund,
        user=User.objects.get(username="other_secretariat"),
        role="reviewer",
        organization=_org(demo.OTHER_PREFECTURE),
    )
    for name, kind in (
        (demo.FUNDER, "chair"),
        (demo.BANK, "member"),
        (demo.FEDERATION, "member"),
        (demo.OTHER_PREFECTURE, "member"),
        (demo.RIVERS_FUND, "observer"),
    ):
        funds.add_seat(by=SYSTEM, fund=fund, organization=_org(name), kind=kind)
    first = funds.pledge(
        by=SYSTEM,
        fund=fund,
        donor=bank,
        amount=Decimal("250000.00"),
        currency="USD",
        pledged_on=today - dt.timedelta(days=200),
    )
    second = funds.pledge(
        by=SYSTEM,
        fund=fund,
        donor=_org(demo.RIVERS_FUND),
        amount=Decimal("120000.00"),
        currency="EUR",
        rate=Decimal("1.08"),
        rate_source="Banco Central del Ecuador (demo)",
        pledged_on=today - dt.timedelta(days=150),
    )
    funds.receive(by=SYSTEM, contribution=first, received_on=today - dt.timedelta(days=170))
    funds.receive(by=SYSTEM, contribution=second, received_on=today - dt.timedelta(days=120))

    call = funds.open_call(
        by=SYSTEM,
        fund=fund,
        title="Desafío Mesas de Cooperación: compromisos de la COP30 (demo)",
        kind="challenge",
        goal="cop30",
        description="Para mesas que funcionan: reuniones regulares e informes publicados. "
        "Financia acciones conjuntas de conservación y gobernanza territorial.",
        closes_on=today + dt.timedelta(days=45),
        max_award=Decimal("40000.00"),
        min_health=Decimal(55),
        report_within_months=6,
    )
    ngo, member = User.objects.get(username="ngo"), User.objects.get(username="member")
    sucumbios_app = funds.apply(
        by=User.objects.get(username="other_secretariat"),
        call=call,
        table=sucumbios,
        title="Vigilancia comunitaria del río Aguarico tras el derrame",
        summary="Monitores cofán y kichwa con kits de muestreo de agua y reportes mensuales a la mesa.",
        amount=Decimal("30000.00"),
    )
    morona_app = funds.apply(
        by=User.objects.get(username="secretariat"),
        call=call,
        table=morona,
        title="Escuela de monitores del Territorio de Vida Tarímiat Pujutai Nunka",
        summary="Formación de monitores shuar y achuar y equipos para los siete acuerdos.",
        amount=Decimal("38000.00"),
    )
    scores = {"alignment": 4, "participation": 5, "feasibility": 4, "continuity": 3}
    funds.review(by=ngo, application=sucumbios_app, conflict=False, scores=scores)
    funds.review(
        by=member, application=sucumbios_app, conflict=False, scores=scores | {"continuity": 4}
    )
    funds.review(by=ngo, application=morona_app, conflict=False, scores=scores)
    funds.review(
        by=member,
        application=morona_app,
        conflict=True,
        conflict_note="La Federación es miembro de la mesa de Morona Santiago y ejecutaría parte del proyecto.",
    )
    award = funds.award(
        by=SYSTEM,
        application=sucumbios_app,
        amount=Decimal("30000.00"),
        tranches=[
            funds.TranchePlan(Decimal("15000.00"), "Kits entregados a cuatro comunidades"),
            funds.TranchePlan(Decimal("15000.00"), "Seis informes mensuales de monitoreo"),
        ],
    )
    tranche = award.tranches.get(number=1)
    funds.mark_milestone(by=SYSTEM, tranche=tranche, met_on=today)
    funds.release_tranche(by=SYSTEM, tranche=tranche)
    funds.record_expenditure(
        by=SYSTEM,
        award=award,
        amount=Decimal("6200.00"),
        description="Kits de muestreo de agua y capacitación (demo)",
    )

    _fellowships(fund, morona, ngo, today)

    funds.record_platform_line(
        by=SYSTEM,
        table=morona,
        bank=bank,
        operation="Programa de Desarrollo Sostenible de la Amazonía (demo)",
        operation_number="EC-L0000-DEMO",
        operation_amount=Decimal("25000000.00"),
        amount=Decimal("300000.00"),
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=3 * 365),
    )
    for table in (morona, sucumbios):
        health.assess_risks(table=table, today=today)
        health.take_snapshot(table=table, as_of=today)


def _fellowships(fund: Fund, table: Table, reviewer: Any, today: dt.date) -> None:
    """A fellowship call and two fellows of Morona Santiago: a woman leader, awarded after two
    reviews, and a young person (or another woman) whose application waits. The people are
    generated, so they are chosen by who is eligible on the day the demo is loaded."""
    call = funds.open_call(
        by=SYSTEM,
        fund=fund,
        title="Becas de liderazgo para mujeres y jóvenes de las mesas (demo)",
        kind="fellowship",
        goal="territorial_plan",
        description="Un año de formación y acompañamiento para una mujer o una persona joven "
        "con asiento en la mesa.",
        closes_on=today + dt.timedelta(days=60),
        max_award=Decimal("6000.00"),
        min_health=Decimal(50),
        report_within_months=6,
    )
    seated = list(Person.objects.filter(memberships__table=table).distinct().order_by("pk"))
    women = [p for p in seated if p.gender.strip().lower() in WOMEN]
    young = [p for p in seated if p.birth_year and today.year - p.birth_year < 30]
    # the demo's people are generated: whoever is eligible on the day the demo is loaded
    fellows = list(dict.fromkeys([*women[:1], *young, *women[1:]]))[:2]  # a woman, then youth
    if len(fellows) < 2:
        return
    woman, second = fellows
    secretariat = get_user_model().objects.get(username="secretariat")
    first = funds.apply(
        by=secretariat,
        call=call,
        table=table,
        title=f"Beca de liderazgo: {woman.full_name}",
        summary="Formación en negociación y finanzas de la conservación; réplica en la federación.",
        amount=Decimal("5000.00"),
        fellow=woman,
    )
    funds.apply(
        by=secretariat,
        call=call,
        table=table,
        title=f"Beca de monitoreo: {second.full_name}",
        summary="Formación en monitoreo con drones y SIG para el equipo comunitario.",
        amount=Decimal("4500.00"),
        fellow=second,
    )
    scores = {c["key"]: 4 for c in call.rubric}
    funds.review(by=reviewer, application=first, conflict=False, scores=scores)
    funds.review(
        by=get_user_model().objects.get(username="other_secretariat"),
        application=first,
        conflict=False,
        scores=scores | {c["key"]: 5 for c in call.rubric[:1]},
    )
    funds.award(
        by=SYSTEM,
        application=first,
        amount=Decimal("5000.00"),
        tranches=[funds.TranchePlan(Decimal("5000.00"), "Plan de formación acordado")],
    )
