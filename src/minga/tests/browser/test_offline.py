"""A phone with a link that comes and goes: the pages a person needs are kept and readable with
no connection, saying when they were kept; a position, a paper attendance sheet and a field
observation with its photo typed offline wait on the device and land once each when the link
returns; a round that closed meanwhile gives
the late answer, with its outcome; logging out clears the device, and the next person on the
same phone never sees the previous one's pages."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from minga.core.access import SYSTEM
from minga.core.models import Submission
from minga.core.outbox import viewer
from minga.core.testing import DEMO_TABLE
from minga.decisions import services as decisions
from minga.decisions.models import Position, Round
from minga.meetings import services as meetings
from minga.meetings.models import Attendance, Meeting, MeetingStatus
from minga.monitoring.models import Observation
from minga.tables.models import Membership
from minga.tests.routes import tiny_png
from minga.work.queries import work_for

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _until(page, expression: str, timeout: float = 60) -> object:
    """Poll a page expression (the pages' policy forbids the eval Playwright's waits use)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"never true: {expression}")


def _words(lang: str) -> dict[str, str]:
    with translation.override(lang):
        return {
            "work": _("My work"),
            "waiting": _("Waiting to send"),
            "late": _("Arrived late"),
            "logout": _("Log out"),
            "login": _("Log in"),
            "kept": _("No connection: this is the copy kept on this device on %(when)s.").split(
                "%(when)s"
            )[0],
            "state": _("State the position"),
            "record": _("Record the observation"),
        }


def _phone(browser, lang: str):
    context = browser.new_context(locale=lang, viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _log_in(page, base: str, username: str, lang: str) -> None:
    page.goto(f"{base}/accounts/login/?lang={lang}")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill("minga-demo")
    page.locator("form button[type=submit]").click()
    page.goto(f"{base}/accounts/work/")
    _until(page, "navigator.serviceWorker.controller !== null")
    # "My work" tells when the phone has kept the person's pages
    _until(
        page,
        "/\\d/.test(document.querySelector('#kept-status [data-kept-text]').textContent)"
        " && document.querySelector('#kept-status progress').hidden",
    )


KEPT_PAGES = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith("minga-pages-")) continue;
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      const text = (response.headers.get("Content-Type") || "").startsWith("text/html")
        ? await response.text() : "";
      const viewer = (text.match(/data-viewer="([^"]*)"/) || [])[1] || null;
      found.push({cache: name, url: request.url, viewer: viewer});
    }
  }
  return found;
}"""


def _round_url(user) -> str:
    (item,) = work_for(user).rounds
    return item.url.partition("#")[0]


def _organization(user):
    return Membership.objects.active().get(person__user=user, table__slug=DEMO_TABLE).organization


def test_a_member_reads_and_decides_offline_then_hands_the_phone_over(
    browser, demo_server, personas, shoot
):
    lang = "pt"
    say = _words(lang)
    member, secretariat = personas["member"], personas["secretariat"]
    base = demo_server.url
    proposal = _round_url(member)
    context, page, errors = _phone(browser, lang)
    _log_in(page, base, "member", lang)
    shoot(page, "80-offline-kept-pt")

    # no connection: "My work" and the proposal open from the phone, saying when they were kept
    context.set_offline(True)
    page.goto(f"{base}/accounts/work/")
    expect(page.get_by_role("heading", level=1)).to_have_text(say["work"])
    expect(page.locator(".offline-banner")).to_contain_text(say["kept"])
    page.goto(f"{base}{proposal}")
    expect(page.locator(".offline-banner")).to_contain_text(say["kept"])

    # the position is stated with no connection: it waits on the phone
    page.locator("[name=stance][value=concerns]").check()
    page.locator("[name=reason]").fill("Falta o orçamento detalhado")
    page.get_by_role("button", name=say["state"]).click()
    expect(page.locator("#outbox")).to_contain_text(say["waiting"])
    expect(page.locator("#outbox")).to_contain_text("(1)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "81-offline-waiting-pt")
    organization = _organization(member)
    assert not Position.objects.filter(organization=organization, round__closed_at=None).exists()

    # the link returns: the next visit sends it, once
    context.set_offline(False)
    page.goto(f"{base}/accounts/work/")
    expect(page.locator("#outbox")).to_have_count(0, timeout=30_000)
    position = Position.objects.get(organization=organization, round__closed_at=None)
    assert (position.stance, position.reason) == ("concerns", "Falta o orçamento detalhado")
    assert Submission.objects.filter(user=member).count() == 1
    assert _until(page, "mingaStore.all('outbox').then(items => items.length === 0)")

    # logging out clears the device: only the public page it lands on is kept, for anyone
    page.get_by_role("button", name=say["logout"]).click()
    expect(page.get_by_role("link", name=say["login"])).to_be_visible()
    left = page.evaluate(KEPT_PAGES)
    assert {(k["cache"], k["viewer"]) for k in left} <= {("minga-pages--", "-")}
    assert page.evaluate("mingaStore.all('outbox')") == []

    # the next person on the same phone keeps only their own pages, and never sees the member's
    _log_in(page, base, "secretariat", lang)
    kept = page.evaluate(KEPT_PAGES)
    assert kept, "the secretariat's pages are kept"
    assert {k["cache"] for k in kept} == {f"minga-pages-{viewer(secretariat)}"}
    assert {k["viewer"] for k in kept if k["viewer"]} == {viewer(secretariat)}
    context.set_offline(True)
    page.goto(f"{base}/accounts/work/")
    expect(page.locator("body")).to_have_attribute("data-viewer", viewer(secretariat))

    # in the field with no link, an observation with its photo waits too, and lands once
    page.goto(f"{base}/t/{DEMO_TABLE}/monitoring/new/")
    expect(page.locator(".offline-banner")).to_contain_text(say["kept"])
    page.locator("[name=kind]").select_option("fire")
    page.locator("[name=lat]").fill("-2.31")
    page.locator("[name=lon]").fill("-78.12")
    page.locator("[name=notes]").fill("Quema junto a la chacra")
    page.locator("[name=photo]").set_input_files(
        {"name": "quema.png", "mimeType": "image/png", "buffer": tiny_png()}
    )
    page.get_by_role("button", name=say["record"]).click()
    expect(page.locator("#outbox")).to_contain_text(say["waiting"])
    shoot(page, "82-offline-observation-waiting-pt")
    context.set_offline(False)
    page.goto(f"{base}/accounts/work/")
    expect(page.locator("#outbox")).to_have_count(0, timeout=30_000)
    (observation,) = Observation.objects.filter(source="minga", notes="Quema junto a la chacra")
    assert observation.kind == "fire" and len(observation.photos) == 1
    assert errors == []
    context.close()


def test_a_sheet_lands_once_and_a_late_position_shows_the_outcome(
    browser, demo_server, personas, shoot
):
    lang = "es"
    say = _words(lang)
    base = demo_server.url
    member, secretariat = personas["member"], personas["secretariat"]
    proposal = _round_url(member)
    # the next session was convened and began an hour ago, in a community with no link
    meeting = Meeting.objects.get(table__slug=DEMO_TABLE, status=MeetingStatus.DRAFT)
    meetings.convene_meeting(by=secretariat, meeting=meeting, meeting_url=lambda m: base)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    attendance = f"/t/{DEMO_TABLE}/meetings/{meeting.public_id}/attendance/"

    secretariat_phone, sheet, sheet_errors = _phone(browser, lang)
    _log_in(sheet, base, "secretariat", lang)
    member_phone, page, errors = _phone(browser, lang)
    _log_in(page, base, "member", lang)

    # the secretariat types the paper sheet in with no connection
    secretariat_phone.set_offline(True)
    sheet.goto(f"{base}{attendance}")
    expect(sheet.locator(".offline-banner")).to_contain_text(say["kept"])
    selects = sheet.locator("select[name^=status-]")
    names = sheet.locator("input[name^=names-]")
    selects.nth(0).select_option("present")
    names.nth(0).fill("Nantu Wampash, Rosa Tsamaraint")
    selects.nth(1).select_option("absent")
    sheet.locator("form[data-outbox] button[type=submit]").click()
    expect(sheet.locator("#outbox")).to_contain_text(say["waiting"])
    shoot(sheet, "84-offline-sheet-waiting-es")

    # the member states a position offline; the round closes before the link returns
    member_phone.set_offline(True)
    page.goto(f"{base}{proposal}")
    page.locator("[name=stance][value=block]").check()
    page.locator("[name=reason]").fill("No se consultó a las comunidades")
    page.get_by_role("button", name=say["state"]).click()
    expect(page.locator("#outbox")).to_contain_text(say["waiting"])
    round_ = Round.objects.get(proposal__public_id=proposal.split("/")[-2], closed_at=None)
    decisions.close_round(by=SYSTEM, round=round_)

    member_phone.set_offline(False)
    page.goto(f"{base}{proposal}")
    late = page.locator(".outbox-late")
    expect(late).to_contain_text(say["late"], timeout=30_000)
    round_.refresh_from_db()
    with translation.override(lang):
        from minga.decisions.queries import describe

        expect(late).to_contain_text(describe(round_.outcome))
    assert not Position.objects.filter(round=round_, organization=_organization(member)).exists()
    shoot(page, "83-offline-late-es")

    # the sheet lands once, however the link behaves
    secretariat_phone.set_offline(False)
    sheet.goto(f"{base}/accounts/work/")
    expect(sheet.locator("#outbox")).to_have_count(0, timeout=30_000)
    rows = Attendance.objects.filter(meeting=meeting)
    assert sorted(rows.values_list("person_name", flat=True)) == sorted(
        ["", "Nantu Wampash", "Rosa Tsamaraint"]
    )
    assert Submission.objects.filter(user=secretariat, status="accepted").count() == 1
    assert errors == sheet_errors == []
    secretariat_phone.close()
    member_phone.close()
