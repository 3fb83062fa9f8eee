"""The secretariat moves a convened meeting to another day and then cancels it, on a phone's
screen, in Spanish and Portuguese: each page says what will happen before it happens, and the
worker sends the members the change and then the cancellation as calendar updates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from playwright.sync_api import expect

from minga.core.access import SYSTEM
from minga.meetings import services
from minga.meetings.models import Meeting
from minga.tables.models import Table

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_a_meeting_moved_then_cancelled_from_a_phone(
    browser, demo_server, django_db_blocker, watched, shoot, lang
):
    with django_db_blocker.unblock():
        meeting = services.create_meeting(
            by=SYSTEM,
            table=Table.objects.get(slug="morona-santiago"),
            title="Sesión extraordinaria de prueba",
            starts_at=timezone.now() + dt.timedelta(days=9),
            place="Macas",
        )
    with translation.override(lang):
        say = {
            key: _(key)
            for key in (
                "Convene: send the notice",
                "Change the meeting (time, place…)",
                "Save the change",
                "Cancel the meeting",
                "This meeting was cancelled.",
            )
        }
        moved_notice = _("The meeting was changed; its members are sent the change with an updated calendar invitation.")  # fmt: skip
    page = browser.new_context(locale=lang, viewport=PHONE).new_page()
    page.on("console", lambda m: watched["errors"].append(m.text) if m.type == "error" else None)
    page.goto(f"{demo_server.url}/accounts/login/?lang={lang}")
    page.locator("[name=username]").fill("secretariat")
    page.locator("[name=password]").fill("minga-demo")
    page.locator("form button[type=submit]").click()
    url = f"{demo_server.url}/t/morona-santiago/meetings/{meeting.public_id}/?lang={lang}"
    page.goto(url)
    first = len(mail.outbox)
    page.get_by_role("button", name=say["Convene: send the notice"]).click()

    def drain() -> None:
        with django_db_blocker.unblock():
            call_command("worker", "--batch")

    drain()
    notices = [m for m in mail.outbox[first:] if m.attachments]
    sent = len(notices)
    assert sent >= 5
    # Move it two days later, to another town
    page.get_by_role("link", name=say["Change the meeting (time, place…)"]).click()
    expect(page.locator(".notice")).to_contain_text(str(sent))
    later = timezone.localtime(meeting.starts_at) + dt.timedelta(days=2)
    page.locator("[name=starts_at]").fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.locator("[name=place]").fill("Sucúa, casa comunal")
    shoot(page, f"60-meeting-change-{lang}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name=say["Save the change"]).click()
    expect(page.get_by_text(moved_notice)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Sucúa, casa comunal")
    drain()
    moved = [m for m in mail.outbox[first:] if m.attachments][sent:]
    assert len(moved) == sent
    calendar = Calendar.from_ical(moved[0].attachments[0][1])
    assert calendar["METHOD"] == "REQUEST" and calendar.walk("VEVENT")[0]["SEQUENCE"] == 1
    # Cancel it: the page says what will happen and asks why
    page.get_by_role("link", name=say["Cancel the meeting"]).click()
    expect(page.locator(".notice")).to_contain_text(str(sent))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name=say["Cancel the meeting"]).click()
    expect(page.locator("[role=alert]")).to_be_visible()  # the reason is asked for
    with django_db_blocker.unblock():
        assert Meeting.objects.get(pk=meeting.pk).status == "convened"
    page.locator("[name=reason]").fill("Paro de transporte en la vía Macas–Sucúa")
    page.get_by_role("button", name=say["Cancel the meeting"]).click()
    expect(page.get_by_text(say["This meeting was cancelled."])).to_be_visible()
    expect(page.get_by_text("Paro de transporte en la vía Macas–Sucúa")).to_be_visible()
    expect(page.get_by_role("link", name=say["Change the meeting (time, place…)"])).to_have_count(0)
    shoot(page, f"61-meeting-cancelled-{lang}")
    drain()
    cancelled = [m for m in mail.outbox[first:] if m.attachments][2 * sent :]
    assert len(cancelled) == sent
    assert Calendar.from_ical(cancelled[0].attachments[0][1])["METHOD"] == "CANCEL"
    # the refused form answers 400 by design, which Chromium notes on the console
    assert [e for e in watched["errors"] if "status of 400" not in e] == []
