"""Lists cost a fixed number of queries, however many rows they hold."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minga.core.access import SYSTEM
from minga.core.tokens import create_api_token
from minga.tables import services
from minga.tables.models import Table


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured)


def grow(table, n):
    for i in range(n):
        organization = services.create_organization(
            by=SYSTEM, table=table, name=f"Organización de prueba {i}", sector="ngo_local"
        )
        person = services.create_person(by=SYSTEM, table=table, full_name=f"Persona {i}")
        services.add_membership(by=SYSTEM, table=table, organization=organization, person=person)


@pytest.mark.parametrize(
    "url",
    [
        "/t/morona-santiago/",
        "/t/morona-santiago/members/",
        "/api/v1/tables/morona-santiago/memberships",
        "/api/v1/organizations",
        "/api/v1/tables",
        "/",
    ],
)
def test_it_does_not_query_per_row(personas, url):
    _r, token = create_api_token(user=personas["observer"], name="t")
    client = Client()
    client.force_login(personas["observer"])
    headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
    queries_for(client, url, **headers)  # warm up: sessions, token last-use stamp
    before = queries_for(client, url, **headers)
    grow(Table.objects.get(slug="morona-santiago"), 5)
    assert queries_for(client, url, **headers) == before
