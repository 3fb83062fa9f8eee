"""Every form can be filled and sent with the keyboard alone, on a phone's width in Portuguese:
the Tab key reaches each field in order, each shows where the focus is, and Space and Enter do
the rest. Walked on the meeting, position, field import and mapping forms."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minga.decisions.models import Round
from minga.meetings.models import Meeting
from minga.monitoring.models import Observation
from minga.tables.models import Table
from minga.tests.browser.samples import community_survey

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on ``selector``; the focused element must show an outline."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} does not show the focus"
            return
    raise AssertionError(f"the Tab key never reached {selector}")


def keyboard_login(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/?lang=pt")
    tab_to(page, "[name=username]")
    page.keyboard.type(username)
    tab_to(page, "[name=password]")
    page.keyboard.type("minga-demo")
    page.keyboard.press("Enter")
    expect(page.locator("form[action='/accounts/logout/']")).to_have_count(1)


def test_a_meeting_and_a_position_by_keyboard(browser, demo_server, django_db_blocker, shoot):
    page = browser.new_context(locale="pt-BR", viewport=PHONE).new_page()
    keyboard_login(page, demo_server.url, "secretariat")
    page.goto(f"{demo_server.url}/t/morona-santiago/meetings/new/?lang=pt")
    tab_to(page, "[name=title]")
    page.keyboard.type("Reunião marcada pelo teclado")
    tab_to(page, "[name=kind]")
    page.keyboard.press("ArrowDown")  # the next kind of meeting
    tab_to(page, "[name=starts_at]")
    # The field's segments follow the browser's own locale (day or month first, 12 or 24 hours):
    # the 11th of November at 9:10 in the morning reads the same in every order.
    year = timezone.localdate().year + 1
    page.keyboard.type(f"1111{year}", delay=40)
    page.keyboard.press("Tab")  # from the year (it takes up to six digits) to the hour
    page.keyboard.type("0910A", delay=40)
    tab_to(page, "[name=place]")
    page.keyboard.type("Macas")
    tab_to(page, "main form button[type=submit]")
    shoot(page, "80-keyboard-meeting-pt")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Reunião marcada pelo teclado")).to_be_visible()
    with django_db_blocker.unblock():
        meeting = Meeting.objects.get(title="Reunião marcada pelo teclado")
        assert meeting.kind != "ordinary" and meeting.place == "Macas"
        local = timezone.localtime(meeting.starts_at)
        assert (local.year, local.month, local.day, local.hour, local.minute) == (
            year,
            11,
            11,
            9,
            10,
        )
        open_round = (
            Round.objects.filter(closed_at__isnull=True, proposal__table__slug="morona-santiago")
            .select_related("proposal")
            .get()
        )

    member = browser.new_context(locale="pt-BR", viewport=PHONE).new_page()
    keyboard_login(member, demo_server.url, "member")
    member.goto(
        f"{demo_server.url}/t/morona-santiago/proposals/{open_round.proposal.public_id}/?lang=pt"
    )
    tab_to(member, "[name=stance]")
    member.keyboard.press("ArrowDown")  # from "agree" to "agree with concerns"
    tab_to(member, "[name=reason]")
    member.keyboard.type("Falta o orçamento da vigilância")
    tab_to(member, "form:has([name=stance]) button[type=submit]")
    member.keyboard.press("Enter")
    expect(member.locator("main")).to_contain_text("Falta o orçamento da vigilância")
    with django_db_blocker.unblock():
        position = open_round.positions.get(reason="Falta o orçamento da vigilância")
        assert position.stance == "concerns" and position.author.username == "member"


def test_a_field_import_and_its_mapping_by_keyboard(browser, demo_server, django_db_blocker, shoot):
    with django_db_blocker.unblock():
        inside = Table.objects.get(slug="morona-santiago").territories.first()
        point = inside.shape.representative_point()
    page = browser.new_context(locale="pt-BR", viewport=PHONE).new_page()
    keyboard_login(page, demo_server.url, "monitor")
    page.goto(f"{demo_server.url}/t/morona-santiago/monitoring/import/?lang=pt")
    tab_to(page, "input[type=file]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        {
            "name": "vigilancia.csv",
            "mimeType": "text/csv",
            "buffer": community_survey(point.x, point.y),
        }
    )
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator("[name=confirm]")).to_have_count(1)  # the mapping form
    tab_to(page, "select")  # the first of the mapping's choices is reachable...
    tab_to(page, "button[name=confirm]")  # ...and so is every one after it, up to the button
    shoot(page, "81-keyboard-mapping-pt")
    page.keyboard.press("Enter")
    expect(page.get_by_text("3 novas")).to_be_visible()
    with django_db_blocker.unblock():
        assert Observation.objects.filter(source_key__startswith="uuid:survey-").count() == 3
