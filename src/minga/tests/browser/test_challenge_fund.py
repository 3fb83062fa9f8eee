"""A challenge fund end to end: a call opens; an ineligible table is refused with its reasons and
an eligible one applies; two reviewers score and a third declares a conflict; an award; tranche 1
is released; tranche 2 is refused while the table's health is below the threshold, with the
reason on the page; a meeting and a published report bring health back; tranche 2 is released."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from minga.core.access import SYSTEM
from minga.demo import data as demo
from minga.funds import services as funds
from minga.funds.models import Fund
from minga.health import queries as health
from minga.initiatives import services as initiatives
from minga.initiatives.models import Commitment
from minga.meetings import services as meetings
from minga.tables import services as tables
from minga.tables.models import Organization, Region, Table

pytestmark = pytest.mark.browser
THRESHOLD = 52


def _new_table(slug: str, name: str, *, healthy: bool) -> Table:
    """A young table: a few members, and (when ``healthy``) two meetings, a statute and an
    ordinance, and this quarter's report; its secretariat logs in as ``slug``."""
    today = timezone.localdate()
    table = tables.create_table(
        by=SYSTEM,
        region=Region.objects.get(slug="amazonia-ecuatoriana"),
        name=name,
        slug=slug,
        province=name.split()[-1],
        launched_on=today - dt.timedelta(days=300),
    )
    government = tables.create_organization(
        by=SYSTEM,
        table=table,
        name=f"Gobierno Provincial de {table.province}",
        sector="provincial_government",
    )
    federation = tables.create_organization(
        by=SYSTEM, table=table, name=f"Federación Kichwa de {table.province}", sector="indigenous"
    )
    user = get_user_model().objects.create_user(slug, password="minga-demo")
    people = [
        ("Rosa Grefa", "mujer", 1990, government, "secretariat", user),
        ("Carmen Tapuy", "mujer", 2001, federation, "member", None),
        ("Luis Andi", "hombre", 1975, federation, "member", None),
        ("Pedro Shiguango", "hombre", 1980, government, "member", None),
    ]
    for full_name, gender, born, organization, role, login in people:
        person = tables.create_person(
            by=SYSTEM, table=table, full_name=full_name, gender=gender, birth_year=born, user=login
        )
        tables.add_membership(
            by=SYSTEM,
            table=table,
            organization=organization,
            person=person,
            role=role,
            seat="principal"
            if role == "secretariat" or (organization == federation and gender == "mujer")
            else "alternate",
            since=table.launched_on,
        )
    if healthy:
        for kind in ("statute", "ordinance"):
            tables.add_instrument(
                by=SYSTEM, table=table, kind=kind, title=kind, signed_on=table.launched_on
            )
        for days in (200, 100):
            _meeting(table, today - dt.timedelta(days=days))
        initiatives.publish_report(
            by=SYSTEM,
            table=table,
            period="quarter",
            day=today.replace(day=1) - dt.timedelta(days=60),
            early=True,
        )
    return table


def _meeting(table: Table, day: dt.date) -> None:
    meeting = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title=f"Sesión {day.isoformat()}",
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        place=table.province,
    )
    meetings.record_attendance(
        by=SYSTEM,
        meeting=meeting,
        rows=[
            meetings.AttendanceRow(o, "present")
            for o in Organization.objects.filter(memberships__table=table).distinct()
        ],
    )


def _login(browser, url: str, username: str):
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{url}/accounts/login/?lang=en")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("minga-demo")
    page.get_by_role("button", name="Log in").click()
    return page


def test_a_challenge_fund_from_call_to_second_tranche(
    browser, demo_server, django_db_blocker, shoot
):
    url = demo_server.url
    with django_db_blocker.unblock():
        orellana = _new_table("orellana", "Mesa de Orellana", healthy=True)
        _new_table("napo", "Mesa de Napo", healthy=False)
        fund = Fund.objects.get(slug="fondo-comun-mesas")
        convener = get_user_model().objects.get(username="convener")
        funds.add_role(
            by=SYSTEM,
            fund=fund,
            user=convener,
            role="reviewer",
            organization=Organization.objects.get(name=demo.PREFECTURE),
        )
        start = health.health_of(orellana).score
    assert start >= THRESHOLD

    # the fund's manager opens the call
    manager = _login(browser, url, "observer")
    manager.goto(f"{url}/funds/{fund.slug}/?lang=en")
    manager.get_by_text("Pledges, receipts and calls").click()
    form = manager.locator("form").filter(has=manager.locator("input[name=action][value=call]"))
    form.get_by_label("Kind").select_option("challenge")
    form.get_by_label("Title").fill("Challenge 2027: tables that work")
    form.get_by_label("Aligned goal").select_option("ndc")
    form.get_by_label("Closes on").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    form.get_by_label("Largest award").fill("20000")
    form.get_by_label("Minimum table health").fill(str(THRESHOLD))
    form.get_by_label("A report published in the last (months)").fill("6")
    form.get_by_role("button", name="Save").click()
    expect(manager.get_by_text("Call opened.")).to_be_visible()
    call_url = manager.url

    # an ineligible table sees why and cannot apply
    napo = _login(browser, url, "napo")
    napo.goto(call_url)
    expect(napo.locator("#gates-napo")).to_contain_text(f"✘ Table health at least {THRESHOLD}")
    napo.get_by_label("Title").fill("Monitoreo")
    napo.get_by_label("What the money will do").fill("Equipos")
    napo.get_by_label("Amount requested").fill("5000")
    napo.get_by_role("button", name="Submit the application").click()
    expect(napo.get_by_text("Mesa de Napo is not eligible")).to_be_visible()

    # an eligible table applies
    secretariat = _login(browser, url, "orellana")
    secretariat.goto(call_url)
    expect(secretariat.locator("#gates-orellana")).not_to_contain_text("✘")
    secretariat.get_by_label("Title").fill("Guardianes del Napo")
    secretariat.get_by_label("What the money will do").fill("Patrols and water monitoring.")
    secretariat.get_by_label("Amount requested").fill("10000")
    secretariat.get_by_role("button", name="Submit the application").click()
    expect(secretariat.get_by_text("Application submitted.")).to_be_visible()
    application_url = secretariat.url

    # two reviewers score, each declaring no conflict; a third declares one and does not score
    for reviewer, scores in (("ngo", "4433"), ("member", "5443")):
        page = _login(browser, url, reviewer)
        page.goto(application_url)
        review = page.locator("#review")
        expect(review.get_by_label("I have a conflict of interest")).not_to_be_checked()
        for field, score in zip(
            (
                "Alignment with the goal",
                "Participation of indigenous peoples, women and youth",
                "Feasibility and budget",
                "Continuity after the grant",
            ),
            scores,
            strict=True,
        ):
            review.get_by_label(field).fill(score)
        review.get_by_role("button", name="Record the review").click()
        expect(page.get_by_text("Review recorded.")).to_be_visible()
    conflicted = _login(browser, url, "convener")
    conflicted.goto(application_url)
    conflicted.get_by_label("I have a conflict of interest").check()
    conflicted.get_by_label("Conflict of interest declaration").fill(
        "Our prefecture co-finances the patrols."
    )
    conflicted.get_by_role("button", name="Record the review").click()
    expect(conflicted.locator("#reviews")).to_contain_text("declared a conflict of interest")

    # the award, in two tranches; tranche 1 is released
    manager.goto(application_url)
    award = manager.locator("#award")
    award.get_by_label("Award:", exact=True).fill("10000")
    award.get_by_label("Tranche 1:", exact=True).fill("5000")
    award.get_by_label("Tranche 2:", exact=True).fill("5000")
    award.get_by_role("button", name="Make the award").click()
    expect(manager.get_by_text("Award made.")).to_be_visible()
    manager.get_by_role("button", name="Release tranche 1").click()
    expect(manager.get_by_text("Tranche released.")).to_be_visible()

    # two commitments fall due unkept: health drops below the threshold
    with django_db_blocker.unblock():
        federation = Organization.objects.get(name="Federación Kichwa de Orellana")
        for what in ("Plan de vigilancia", "Informe de patrullas"):
            Commitment.objects.create(
                table=orellana,
                organization=federation,
                what=what,
                to_whom="la mesa",
                due_on=timezone.localdate() - dt.timedelta(days=3),
            )
        low = health.health_of(orellana).score
    assert low < THRESHOLD
    manager.get_by_role("button", name="Release tranche 2").click()
    refusal = manager.locator("#refusal-2")
    expect(refusal).to_contain_text(f"Table health at least {THRESHOLD}")
    with translation.override("en"):  # the manager reads the page in English
        today = date_format(timezone.localdate(), "DATE_FORMAT")
    expect(refusal).to_contain_text(f"the table's index {low} on {today}")
    shoot(manager, "60-tranche-refused")

    # a meeting held and a report published: health recovers and tranche 2 is released
    with django_db_blocker.unblock():
        _meeting(orellana, timezone.localdate() - dt.timedelta(days=1))
        initiatives.publish_report(
            by=SYSTEM,
            table=orellana,
            period="quarter",
            day=timezone.localdate().replace(day=1) - dt.timedelta(days=150),
            early=True,
        )
        recovered = health.health_of(orellana).score
    assert recovered >= THRESHOLD > low
    manager.reload()
    manager.get_by_role("button", name="Release tranche 2").click()
    expect(manager.get_by_text("Tranche released.")).to_be_visible()
    expect(manager.locator("#tranche-2")).to_contain_text("Released on")
    shoot(manager, "61-tranche-released")
    manager.goto(f"{url}/funds/{fund.slug}/?lang=en")
    # minga's words in the reader's language; the title people wrote stays as written
    expect(manager.locator("table.list")).to_contain_text("Tranche 2 of Guardianes del Napo")
