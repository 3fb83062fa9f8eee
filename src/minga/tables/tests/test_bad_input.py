"""Bad input gets a clear, translated error and writes nothing."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any

import pytest
from django.utils import translation

from minga.core.models import Event
from minga.tables.models import Membership, Organization, Person, Territory

SELF_INTERSECTING = {
    "type": "Polygon",
    "coordinates": [[[-77.9, -2.6], [-77.5, -2.2], [-77.5, -2.6], [-77.9, -2.2], [-77.9, -2.6]]],
}
OUTSIDE_REGION = {
    "type": "Polygon",
    "coordinates": [[[-60.0, -10.0], [-59.0, -10.0], [-59.0, -9.0], [-60.0, -9.0], [-60.0, -10.0]]],
}


@contextmanager
def writes_nothing():
    models = (Event, Membership, Organization, Person, Territory)
    before = [m.objects.count() for m in models]
    yield
    assert [m.objects.count() for m in models] == before


def post_territory(client: Any, geojson: Any, lang: str) -> Any:
    body = geojson if isinstance(geojson, str) else json.dumps(geojson)
    return client.post(
        f"/t/morona-santiago/territory/?lang={lang}",
        {"territory-name": "Zona nueva", "territory-geojson": body},
    )


@pytest.mark.parametrize(
    ("geojson", "lang", "message"),
    [
        ("{esto no es json", "es", "Esto no es JSON válido."),
        (
            '{"type": "Point", "coordinates": [0, 0]}',
            "pt",
            "Só são aceitas áreas Polygon e MultiPolygon",
        ),
        (SELF_INTERSECTING, "es", "La geometría no es válida (Self-intersection"),
        (SELF_INTERSECTING, "en", "The geometry is not valid (Self-intersection"),
        (OUTSIDE_REGION, "es", "El territorio sale de la región Amazonía ecuatoriana"),
        (OUTSIDE_REGION, "pt", "O território sai da região Amazonía ecuatoriana"),
    ],
)
def test_it_refuses_bad_territories(client_for, geojson, lang, message):
    client = client_for("secretariat")
    with writes_nothing():
        response = post_territory(client, geojson, lang)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_refuses_an_unknown_sector(client_for):
    client = client_for("secretariat")
    with writes_nothing():
        response = client.post(
            "/t/morona-santiago/members/invite/?lang=es",
            {
                "full_name": "Ana Prueba",
                "organization_name": "Colectivo Desconocido",
                "sector": "astronauts",
                "role": "member",
                "seat": "principal",
            },
        )
    assert response.status_code == 400
    assert "Escoja una opción válida" in response.content.decode()


def test_it_refuses_an_unknown_sector_through_the_api(personas):
    from django.test import Client

    from minga.core.tokens import create_api_token

    _record, token = create_api_token(user=personas["secretariat"], name="t")
    with writes_nothing():
        response = Client().post(
            "/api/v1/organizations",
            {"table": "morona-santiago", "name": "Colectivo X", "sector": "astronauts"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "pt"},
        )
    assert response.status_code == 422
    assert response.json()["detail"]["sector"] == ["astronauts não é um setor conhecido."]


def test_it_refuses_a_duplicate_membership(personas):
    from django.test import Client

    from minga.core.tokens import create_api_token

    _record, token = create_api_token(user=personas["secretariat"], name="t")
    vacant = Organization.objects.filter(memberships__table__slug="sucumbios").first()
    client = Client()
    first = client.post(
        "/api/v1/tables/morona-santiago/memberships",
        {"organization": vacant.public_id},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert first.status_code == 201
    with writes_nothing():
        second = client.post(
            "/api/v1/tables/morona-santiago/memberships",
            {"organization": vacant.public_id},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "es"},
        )
    assert second.status_code == 422
    assert f"{vacant.name} ya ocupa este puesto y rol en la mesa." in second.json()["detail"][0]


def test_it_refuses_a_duplicate_membership_in_the_service(personas):
    from django.core.exceptions import ValidationError

    from minga.tables import services
    from minga.tables.models import Table

    table = Table.objects.get(slug="morona-santiago")
    existing = Membership.objects.active().filter(table=table, person__isnull=False).first()
    with writes_nothing(), translation.override("pt"), pytest.raises(ValidationError) as caught:
        services.add_membership(
            by=personas["secretariat"],
            table=table,
            organization=existing.organization,
            person=existing.person,
            role=existing.role,
        )
    assert "já ocupa este lugar e papel na mesa" in caught.value.messages[0]


@pytest.mark.parametrize(
    "persona", ["member", "observer", "convener", "other_secretariat", "outsider"]
)
def test_it_refuses_a_form_posted_by_a_role_that_may_not(client_for, persona):
    client = client_for(persona)
    with writes_nothing():
        response = client.post(
            "/t/morona-santiago/members/invite/?lang=es",
            {
                "full_name": "Intruso",
                "organization_name": "Org intrusa",
                "sector": "ngo_local",
                "role": "secretariat",
                "seat": "principal",
            },
        )
    assert response.status_code == 403
    assert "Su rol en esta mesa no le permite hacer esto." in response.content.decode()
