"""axe-core finds no WCAG 2.2 A/AA violation on any page the permission matrix visits, for an
anonymous visitor and for a secretariat, in Spanish, Portuguese and English."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from minga.core.testing import EXTRA_DEMO_USERS, PERSONAS
from minga.tests.browser.axe import RUN, WCAG_AA, axe_source
from minga.tests.routes import EXPECTED, _url, build_world

pytestmark = pytest.mark.browser
VIEWERS = ("public", "secretariat")


def _pages(django_db_blocker) -> dict[str, list[str]]:
    """For each viewer, the URL of every HTML page the matrix says they may open."""
    with django_db_blocker.unblock():
        users = get_user_model().objects.filter(username__in=[*PERSONAS, *EXTRA_DEMO_USERS])
        personas = {u.username: u for u in users} | {"public": AnonymousUser()}
        world = build_world(personas)
        pages: dict[str, list[str]] = {viewer: [] for viewer in VIEWERS}
        for viewer in VIEWERS:
            client = Client()
            if viewer != "public":
                client.force_login(personas[viewer])
            for route, (method, expected) in sorted(EXPECTED.items()):
                if method != "GET" or route.startswith(("GET /", "api-")):
                    continue
                if expected[viewer] != 200:
                    continue
                url, _body = _url(route, world, viewer)
                answer = client.get(url)
                if answer.status_code != 200 or not answer["Content-Type"].startswith("text/html"):
                    continue
                # htmx fragments (progress, a round's panel) are checked inside their page
                if b"<html" in answer.content[:300]:
                    pages[viewer].append(url)
    return pages


@pytest.mark.parametrize("lang", ["es", "pt", "en"])
def test_no_page_has_a_wcag_violation(browser, demo_server, django_db_blocker, lang):
    axe = axe_source()
    pages = _pages(django_db_blocker)
    assert len(pages["public"]) > 40 and len(pages["secretariat"]) > len(pages["public"])
    found: dict[str, list[dict]] = {}
    print(lang, {viewer: len(urls) for viewer, urls in pages.items()})
    for viewer, urls in pages.items():
        context = browser.new_context(bypass_csp=True, locale=lang)
        page = context.new_page()
        if viewer != "public":
            page.goto(f"{demo_server.url}/accounts/login/")
            page.locator("[name=username]").fill(viewer)
            page.locator("[name=password]").fill("minga-demo")
            page.locator("main form button[type=submit]").click()
            page.wait_for_selector("form[action='/accounts/logout/']")
        for url in urls:
            separator = "&" if "?" in url else "?"
            answer = page.goto(f"{demo_server.url}{url}{separator}lang={lang}")
            assert answer is not None and answer.status == 200, (viewer, url)  # the page itself
            page.add_script_tag(content=axe)
            violations = page.evaluate(RUN, WCAG_AA)
            if violations:
                found[f"{viewer} {url}"] = violations
        context.close()
    report = [
        f"{where}: {v['id']} ({v['impact']}) {v['help']} at {', '.join(v['nodes'])}"
        for where, violations in sorted(found.items())
        for v in violations
    ]
    assert report == [], "\n".join(report)
