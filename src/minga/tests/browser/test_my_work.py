"""A member representative opens "My work" from the menu on a phone, in each language, finds the
decision round waiting on their organization, states its position there, and sees the list
emptied."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from minga.work.queries import KINDS

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["es", "pt", "en"])
def test_a_member_finds_and_does_what_waits_on_them(browser, demo_server, watched, shoot, lang):
    with translation.override(lang):
        say = {
            "menu": _("My work"),
            "rounds": str(KINDS["rounds"]),
            "state": _("State the position"),
            "nothing": _("Nothing waits on you right now."),
        }
    page = browser.new_context(locale=lang, viewport=PHONE).new_page()
    page.on("console", lambda m: watched["errors"].append(m.text) if m.type == "error" else None)
    page.goto(f"{demo_server.url}/accounts/login/?lang={lang}")
    page.locator("[name=username]").fill("member")
    page.locator("[name=password]").fill("minga-demo")
    page.locator("form button[type=submit]").click()

    page.get_by_role("navigation").get_by_role("link", name=say["menu"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(say["menu"])
    rounds = page.locator("section#rounds")
    expect(rounds.get_by_role("heading")).to_contain_text(say["rounds"])
    expect(rounds.locator("time")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, f"70-my-work-{lang}")

    rounds.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"#round$"))
    page.locator("[name=stance][value=agree]").check()
    page.get_by_role("button", name=say["state"]).click()

    page.get_by_role("navigation").get_by_role("link", name=say["menu"]).click()
    expect(page.locator("section#rounds")).to_have_count(0)
    expect(page.get_by_text(say["nothing"])).to_be_visible()
    shoot(page, f"71-my-work-done-{lang}")
    assert watched["errors"] == []
