"""An observation marked owner (a sacred site) is seen by its community only — looked for everywhere."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver

from minga.agreements.models import Agreement
from minga.monitoring.models import Observation
from minga.tables.models import Membership, Person

MARK = "Cascada sagrada (demo)"


def _everything(client, token=None):
    """Every GET page and export a viewer can reach on both tables, plus the API and the log."""
    from minga.tests.routes import EXPECTED

    bodies = []
    for name, (method, _answers) in EXPECTED.items():
        if method != "GET" or " " in name or ":" in name:
            continue
        pattern = get_resolver().reverse_dict.getlist(name)
        if not pattern:
            continue
        params = pattern[0][0][0][1]
        if params in ([], ["slug"]):
            for slug in ("morona-santiago", "sucumbios"):
                url = f"/{pattern[0][0][0][0] % ({'slug': slug} if params else {})}"
                response = client.get(url)
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                bodies.append(body.decode(errors="replace"))
    assert len(bodies) > 40  # every page of both tables was fetched
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for url in (
        "/api/v1/tables",
        "/api/v1/tables/morona-santiago/memberships",
        "/api/v1/organizations",
    ):
        bodies.append(client.get(url, headers=headers).content.decode())
    return "\n".join(bodies)


def test_the_sacred_site_stays_with_its_community(client_for, personas):
    sacred = Observation.objects.get(notes=MARK)
    assert sacred.sensitivity == 2 and sacred.owner is not None
    coordinate = f"[{sacred.lon}, {sacred.lat}]"  # as GeoJSON writes it
    for persona in (
        "public",
        "outsider",
        "other_secretariat",
        "observer",
        "member",
        "secretariat",
        "convener",
    ):
        text = _everything(client_for(persona))
        assert MARK not in text, persona
        assert coordinate not in text, persona
    user = get_user_model().objects.create_user("comunera")
    person = Person.objects.create(full_name="Comunera", user=user)
    Membership.objects.create(
        table=sacred.table,
        organization=sacred.owner,
        person=person,
        role="monitor",
        since=dt.date(2025, 1, 1),
    )
    own = Client()
    own.force_login(user)
    assert MARK in own.get("/t/morona-santiago/monitoring/").content.decode()
    assert (
        coordinate in own.get("/t/morona-santiago/monitoring/observations.geojson").content.decode()
    )


def test_withdrawing_consent_forgets_the_sacred_site(client_for):
    sacred = Observation.objects.get(notes=MARK)
    agreement = Agreement.objects.get(pk=sacred.agreement_id)
    client_for("secretariat").post(
        f"/t/morona-santiago/agreements/{agreement.public_id}/withdraw/",
        {"withdrawn_on": "2026-11-02", "reason": "Decisión de la asamblea", "confirm": "on"},
    )
    assert not Observation.objects.filter(notes=MARK).exists()
    call_command("check")


def test_a_communitys_own_source_stays_its_own(client_for, personas):
    """A source marked as a community's own: what it brings is seen by that community only."""
    import json

    from minga.core.access import SYSTEM
    from minga.monitoring import formats, services
    from minga.monitoring.models import FieldSource
    from minga.tables.models import Table

    table = Table.objects.get(slug="morona-santiago")
    member = Membership.objects.active().get(table=table, person__user=personas["member"])
    source = FieldSource.objects.create(
        table=table, name="Propia", signature="own", community=member.organization,
        owner_level=True, mapping={"where": "$geometry", "when": ["fecha"], "notes": ["nota"]},
    )  # fmt: skip
    collection = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "own-1", "geometry": {"type": "Point", "coordinates": [-78.1, -2.3]},
        "properties": {"nota": "Nuestro salado de dantas", "fecha": "2026-11-01"},
    }]}  # fmt: skip
    services.import_field(
        by=SYSTEM, table=table, source=source,
        export=formats.read(json.dumps(collection).encode(), "geojson"),
    )  # fmt: skip
    found = Observation.objects.get(source_key="own-1")
    assert found.sensitivity == 2 and found.owner == member.organization
    page = "/t/morona-santiago/monitoring/observations.geojson"
    assert "own-1" not in client_for("public").get(page).content.decode()
    assert found.public_id not in client_for("secretariat").get(page).content.decode()
    assert found.public_id in client_for("member").get(page).content.decode()
