"""Every route × every persona gets the answer written here; nothing above a viewer's
sensitivity level appears in any page or API response.

Routes come from the URLconf and the OpenAPI schema: a new route that is not in ``EXPECTED``
fails ``test_it_lists_every_route``, so nobody can add a page without deciding who may see it.
"""

from __future__ import annotations

import pytest
from django.test import Client

from minga.core.testing import ALL_PERSONAS
from minga.tests.routes import EXPECTED, MEMBER, TABLE_ROLES, _request, _url, discovered_routes


def test_it_lists_every_route():
    found = discovered_routes()
    assert found - set(EXPECTED) == set(), "routes without an expected answer"
    assert set(EXPECTED) - found == set(), "expected answers for routes that do not exist"


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_it_answers_every_route_as_written(persona, world, personas):
    failures = []
    for route, (method, expected) in EXPECTED.items():
        client = Client()
        is_api = route.startswith(("GET /", "POST /", "PATCH /"))
        token = world["tokens"].get(persona) if is_api else None
        if persona != "public" and not is_api:
            client.force_login(personas[persona])
        url, body = _url(route, world, persona)
        response = _request(client, method, url, body, token)
        if response.status_code != expected[persona]:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected[persona]}")
    assert failures == []


OWNERS = {MEMBER}


TABLE_READERS = set(TABLE_ROLES)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_it_never_shows_a_field_above_the_viewers_level(persona, world, personas):
    pages = []
    for route, (method, _expected) in EXPECTED.items():
        if method != "GET":
            continue
        client = Client()
        is_api = route.startswith("GET /")
        token = world["tokens"].get(persona) if is_api else None
        if persona != "public" and not is_api:
            client.force_login(personas[persona])
        url, _body = _url(route, world, persona)
        response = _request(client, "GET", url, {}, token)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pages.append(body.decode(errors="replace"))
        if is_api and "memberships" in url:
            pages.append(
                client.get(
                    url + "?active=false",
                    headers={"Authorization": f"Bearer {token}"} if token else {},
                ).content.decode()
            )
    text = "\n".join(pages)
    for marker in ("MARK-OWNER-GENDER", "MARK-OWNER-PEOPLE", "MARK-OWNER-NOTES"):
        assert (marker in text) == (persona in OWNERS), marker
    for marker in (
        "MARK-TABLE-PHONE",
        "mark-table-contact@demo.minga.invalid",
        "member@demo.minga.invalid",
    ):
        assert (marker in text) == (persona in TABLE_READERS), marker
