"""Load the demo: the Morona Santiago and Sucumbíos tables in one region. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from minga.core.access import SYSTEM, Role, Sensitivity
from minga.demo import data
from minga.demo import data as demo
from minga.demo.agreements import load_agreements
from minga.demo.credits import load_credits
from minga.demo.funds import load_funds
from minga.demo.governance import load_governance
from minga.demo.health import load_health
from minga.demo.labels import load_labels
from minga.demo.patrols import load_patrols
from minga.demo.plans import load_plans
from minga.demo.satellite import load_satellite
from minga.demo.shapes import ECUADOR_AMAZON, blob
from minga.tables import regional, services
from minga.tables.models import Organization, Region, Table


def _users() -> None:
    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username=data.ADMIN, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(data.DEMO_PASSWORD)
        admin.save()
    for username in [u[0] for u in data.DEMO_USERS] + [data.OUTSIDER[0]]:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(data.DEMO_PASSWORD)
            user.save()


def _organizations(table: Table, rows: list[tuple[str, str, str, bool]]) -> dict[str, Organization]:
    found = {}
    for name, acronym, sector, is_demo in rows:
        organization = Organization.objects.filter(
            name=name
        ).first() or services.create_organization(
            by=SYSTEM,
            table=table,
            name=name,
            acronym=acronym,
            sector=sector,
            iati_identifier=data.IATI_IDENTIFIERS.get(name, ""),
            funding_activity=data.FUNDING_ACTIVITIES.get(name, ""),
            is_demo=is_demo,
        )
        found[name] = organization
    return found


def _seat_users(table: Table, organizations: dict[str, Organization]) -> None:
    User = get_user_model()
    for username, full_name, slug, org_name, role in data.DEMO_USERS:
        if slug != table.slug:
            continue
        person = services.create_person(
            by=SYSTEM,
            table=table,
            full_name=full_name,
            email=f"{username}@demo.minga.invalid",
            user=User.objects.get(username=username),
            visibility=Sensitivity.PUBLIC
            if role in (Role.CONVENER, Role.SECRETARIAT)
            else Sensitivity.TABLE,
            is_demo=True,
        )
        services.add_membership(
            by=SYSTEM,
            table=table,
            organization=organizations[org_name],
            person=person,
            role=role,
            since=table.launched_on,
        )


def _representatives(
    table: Table, organizations: dict[str, Organization], *, total: int, seed: int
) -> None:
    """Seat invented representatives until the table has ``total`` people with a seat."""
    rng = random.Random(seed)
    seated = table.memberships.filter(person__isnull=False).count()
    names = list(organizations.values())
    i = 0
    while seated < total:
        organization = names[i % len(names)]
        seat = "principal" if i < len(names) else "alternate"
        i += 1
        if table.memberships.filter(
            organization=organization, seat=seat, role=Role.MEMBER
        ).exists():
            continue
        full_name = f"{rng.choice(data.GIVEN_NAMES)} {rng.choice(data.FAMILY_NAMES)} {rng.choice(data.FAMILY_NAMES)}"
        person = services.create_person(
            by=SYSTEM,
            table=table,
            full_name=full_name,
            gender=rng.choice(["mujer", "hombre", "mujer", "hombre", ""]),
            birth_year=rng.randint(1958, 2004),
            people=rng.choice(["Shuar", "Achuar", "Kichwa", "A'i Cofán", "Siona", "Mestiza", ""]),
            languages=rng.choice(["es", "es, shuar", "es, kichwa", "es, a'ingae"]),
            is_demo=True,
        )
        role = Role.MONITOR if organization.sector == "community" else Role.MEMBER
        services.add_membership(
            by=SYSTEM,
            table=table,
            organization=organization,
            person=person,
            role=role,
            seat=seat,
            since=table.launched_on,
        )
        seated += 1


def load_demo(say: Callable[[str], None] = print) -> bool:
    """Load the demo once; returns False when it was already there."""
    with transaction.atomic():
        _users()
        if Table.objects.filter(slug__in=["morona-santiago", "sucumbios"]).exists():
            say("The demo tables are already loaded.")
            return False
        region = Region.objects.filter(
            slug="amazonia-ecuatoriana"
        ).first() or services.create_region(
            by=SYSTEM,
            name="Amazonía ecuatoriana",
            slug="amazonia-ecuatoriana",
            geometry=ECUADOR_AMAZON,
            description="Región de demostración: las mesas de la Amazonía ecuatoriana y su grupo "
            "de coordinación regional.",
            is_demo=True,
        )
        for spec in data.TABLES:
            _table(region, spec)
            say(f"Loaded the {spec.province} table.")
        region.task_force.set(
            Organization.objects.filter(
                name__in=[
                    demo.PREFECTURE,
                    demo.OTHER_PREFECTURE,
                    demo.BANK,
                    demo.FEDERATION,
                ]
            )
        )
        load_funds(region)
        say("Loaded the pooled fund and its challenge call.")
        _regional_guidance(region)
    # the transparency log: every event above, sequenced and signed
    from minga.ledger import services as ledger

    ledger.init_keys()
    ledger.publish()
    return True


def _table(region: Region, spec: data.TableSpec) -> None:
    table = services.create_table(
        by=SYSTEM,
        region=region,
        name=spec.name,
        slug=spec.slug,
        province=spec.province,
        launched_on=spec.launched_on,
        description=spec.description,
        is_demo=True,
    )
    organizations = _organizations(table, spec.organizations)
    prefecture = organizations[spec.convener]
    services.set_leadership(by=SYSTEM, table=table, convener=prefecture, secretariat=prefecture)
    services.set_territory(
        by=SYSTEM,
        table=table,
        name=spec.territory,
        description=spec.territory_description,
        geometry=blob(**spec.territory_shape),
    )
    _seat_users(table, organizations)
    _representatives(table, organizations, total=spec.representatives, seed=spec.seed)
    for instrument in spec.instruments:
        services.add_instrument(by=SYSTEM, table=table, **instrument)
    load_governance(table, seed=spec.seed)
    load_agreements(table)
    load_patrols(table)
    load_labels(table)
    load_plans(table, seed=spec.seed)
    load_satellite(table, seed=spec.seed)
    if table.slug == "morona-santiago":
        load_credits(table, seed=spec.seed)
    load_health(table, seed=spec.seed)


def _regional_guidance(region: Region) -> None:
    """The task force sends guidance and a regional priority down; Morona Santiago answers."""

    coordinator = get_user_model().objects.get(username="convener")
    guidance = regional.publish_guidance(
        by=coordinator,
        region=region,
        kind="guidance",
        title="Lineamientos regionales para protocolos propios de consulta previa",
        body="Cada mesa revisa con las nacionalidades de su territorio el protocolo de consulta "
        "previa, libre e informada, y lo adopta por consenso antes de firmar nuevos acuerdos.",
        answer_by=timezone.localdate() + dt.timedelta(days=40),
    )
    regional.publish_guidance(
        by=coordinator,
        region=region,
        kind="priority",
        title="Prioridad regional: monitoreo comunitario del agua ante derrames",
        body="Las mesas con actividad petrolera en su territorio priorizan el monitoreo "
        "comunitario del agua y la respuesta rápida ante derrames.",
    )
    regional.answer_guidance(
        by=get_user_model().objects.get(username="secretariat"),
        guidance=guidance,
        table=Table.objects.get(slug="morona-santiago"),
        answer="La mesa adoptó el protocolo de la Nación Shuar en su sesión de octubre.",
    )
