"""Every UI string is translated to Spanish and Portuguese, and no page shows text that never
went through translation (checked by rendering pages in a pseudo-locale)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from minga.agreements.models import (
    Agreement,
)
from minga.credits.models import Retirement
from minga.funds.models import (
    Application,
)
from minga.health.models import (
    Incident,
)
from minga.initiatives.models import AccountabilityReport, Initiative
from minga.satellite.models import SampleDesign, VerificationReport
from minga.tables.models import (
    Membership,
    Organization,
    Person,
    Table,
)
from minga.tests.pseudo import LOCALE, PACKAGE, PSEUDO, data_values, leftovers


def untranslated(po: polib.POFile) -> list[str]:
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            missing.append(f"fuzzy: {entry.msgid}")
        elif entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        elif not entry.msgstr:
            missing.append(entry.msgid)
    return missing


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_it_translates_every_msgid(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert len(po) > 100
    assert untranslated(po) == []


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The catalogs as `makemessages` would write them from today's source, in a copy."""
    copy = tmp_path_factory.mktemp("src") / "minga"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    import os

    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages", locale=["es", "pt"], verbosity=0, ignore_patterns=["demo/*"]
            )
    finally:
        os.chdir(cwd)
    return copy / "locale"


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_it_keeps_the_catalogs_in_step_with_the_source(extracted, lang):
    fresh = polib.pofile(str(extracted / lang / "LC_MESSAGES" / "django.po"))
    committed = {
        e.msgid
        for e in polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
        if not e.obsolete
    }
    new = {e.msgid for e in fresh if not e.obsolete} - committed
    assert new == set(), f"run `make messages` and translate: {sorted(new)}"
    assert untranslated(fresh) == []


# --- pseudo-locale (minga.tests.pseudo) ------------------------------------------------------


def test_it_shows_no_untranslated_text_in_a_pseudo_locale(pseudo_locale, personas):
    from minga.tables.models import Invitation

    secretariat = Client()
    secretariat.force_login(personas["secretariat"])
    member = Client()
    member.force_login(personas["member"])
    observer = Client()
    observer.force_login(personas["observer"])
    anonymous = Client()
    secretariat.post(
        f"/t/morona-santiago/members/invite/?lang={PSEUDO}",
        {
            "full_name": "Ruth Demo",
            "email": "ruth@demo.minga.invalid",
            "organization_name": "Org Demo Nueva",
            "sector": "ngo_local",
            "role": "member",
            "seat": "principal",
        },
    )
    invitation = Invitation.objects.latest("created_at")
    organization = Organization.objects.get(acronym="FESUK")
    extra = _meetings_and_decisions(personas, organization)
    table = Table.objects.get(slug="morona-santiago")
    design = SampleDesign.objects.filter(table=table).first()
    territory = table.territories.first()
    extra["zone"] = f"/t/morona-santiago/satellite/territory/{territory.public_id}/"
    incident = Incident.objects.filter(table__slug="sucumbios").first()
    extra["incident"] = f"/t/sucumbios/incidents/{incident.public_id}/"
    awarded = Application.objects.get(table__slug="sucumbios")
    extra["call"] = f"/funds/calls/{awarded.call.public_id}/"
    extra["application"] = f"/funds/applications/{awarded.public_id}/"
    pending = Application.objects.get(call__kind="challenge", table=table)
    pending.reviews.filter(reviewer=personas["member"]).delete()
    extra["morona application"] = f"/funds/applications/{pending.public_id}/"
    from minga.ledger import services as ledger

    ledger.publish()
    extra["retirement"] = f"/credits/retirements/{Retirement.objects.first().public_id}/"
    extra["design"] = f"/t/morona-santiago/samples/{design.public_id}/"
    extra["verification"] = (
        f"/t/morona-santiago/verifications/{VerificationReport.objects.filter(table=table).first().public_id}/"
    )
    person = Person.objects.get(user=personas["member"])
    seat = Membership.objects.active().filter(table=table, role="member").first()
    from minga.meetings import services as meetings

    coming = meetings.create_meeting(
        by=personas["secretariat"],
        table=table,
        title="Reunión que vendrá",
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="Macas",
    )
    extra["coming"] = f"/t/morona-santiago/meetings/{coming.public_id}/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minga.library.services import add_document

    statute = add_document(
        by=personas["secretariat"],
        table=table,
        kind="statute",
        title="Estatuto",
        sensitivity=1,
        upload=SimpleUploadedFile("estatuto.pdf", b"%PDF-1.4"),
    )
    extra["document"] = f"/t/morona-santiago/library/{statute.public_id}/"
    pages = {
        "network": (anonymous, "get", "/", {}),
        "region": (anonymous, "get", "/r/amazonia-ecuatoriana/", {}),
        "table": (secretariat, "get", "/t/morona-santiago/", {}),
        "table (public)": (anonymous, "get", "/t/morona-santiago/", {}),
        "members": (secretariat, "get", "/t/morona-santiago/members/", {}),
        "invite (errors)": (
            secretariat,
            "post",
            "/t/morona-santiago/members/invite/",
            {"email": "x"},
        ),
        "invitation": (
            secretariat,
            "get",
            f"/t/morona-santiago/invitations/{invitation.public_id}/",
            {},
        ),
        "import": (secretariat, "get", "/t/morona-santiago/members/import/", {}),
        "edit": (secretariat, "get", "/t/morona-santiago/edit/", {}),
        "territory (errors)": (
            secretariat,
            "post",
            "/t/morona-santiago/territory/",
            {"territory-name": "x", "territory-geojson": "{"},
        ),
        "instrument": (secretariat, "get", "/t/morona-santiago/instruments/add/", {}),
        "organization": (member, "get", f"/o/{organization.public_id}/", {}),
        "person": (member, "get", f"/p/{person.public_id}/", {}),
        "profile": (member, "get", "/accounts/profile/", {}),
        "my work": (member, "get", "/accounts/work/", {}),
        "library": (secretariat, "get", "/t/morona-santiago/library/", {}),
        "library new": (secretariat, "get", "/t/morona-santiago/library/new/", {}),
        "library document": (secretariat, "get", extra["document"], {}),
        "end membership": (secretariat, "get", f"/t/morona-santiago/members/{seat.pk}/end/", {}),
        "meeting change": (secretariat, "get", extra["coming"] + "change/", {}),
        "meeting cancel": (secretariat, "get", extra["coming"] + "cancel/", {}),
        "login": (anonymous, "get", "/accounts/login/", {}),
        "login (errors)": (
            anonymous,
            "post",
            "/accounts/login/",
            {"username": "nobody", "password": "x"},
        ),
        "join": (anonymous, "get", f"/join/{invitation.token}/", {}),
        "join (errors)": (
            anonymous,
            "post",
            f"/join/{invitation.token}/",
            {"username": "", "password": "1"},
        ),
        "not allowed": (member, "get", "/t/morona-santiago/edit/", {}),
        "not found": (anonymous, "get", "/t/no-such-table/", {}),
        "decisions": (anonymous, "get", "/t/morona-santiago/decisions/", {}),
        "proposal (member)": (member, "get", extra["proposal"], {}),
        "proposal (secretariat)": (secretariat, "get", extra["proposal"], {}),
        "proposal (errors)": (
            member,
            "post",
            extra["proposal"] + "rounds/1/position/",
            {"stance": "block"},
        ),
        "version": (anonymous, "get", extra["proposal"] + "versions/2/", {}),
        "rule": (secretariat, "get", "/t/morona-santiago/decisions/rule/", {}),
        "new proposal": (member, "get", "/t/morona-santiago/proposals/new/", {}),
        "meetings": (secretariat, "get", "/t/morona-santiago/meetings/", {}),
        "new meeting": (secretariat, "get", "/t/morona-santiago/meetings/new/", {}),
        "meeting": (secretariat, "get", extra["meeting"], {}),
        "attendance": (secretariat, "get", extra["meeting"] + "attendance/", {}),
        "sheet": (secretariat, "get", extra["meeting"] + "sheet/", {}),
        "report": (anonymous, "get", extra["meeting"] + "report/", {}),
        "joint agenda": (secretariat, "get", "/t/morona-santiago/agenda/", {}),
        "new priority": (member, "get", "/t/morona-santiago/agenda/priorities/new/", {}),
        "new ranking": (secretariat, "get", "/t/morona-santiago/agenda/rankings/new/", {}),
        "ranking": (member, "get", extra["ranking"], {}),
        "roadmap": (member, "get", "/t/morona-santiago/roadmap/", {}),
        "initiatives": (secretariat, "get", "/t/morona-santiago/initiatives/", {}),
        "initiative": (anonymous, "get", extra["initiative"], {}),
        "3w": (anonymous, "get", "/t/morona-santiago/initiatives/3w/", {}),
        "alignment": (secretariat, "get", "/t/morona-santiago/initiatives/alignment/", {}),
        "import initiatives": (secretariat, "get", "/t/morona-santiago/initiatives/import/", {}),
        "rates": (secretariat, "get", "/t/morona-santiago/initiatives/rates/", {}),
        "commitments": (member, "get", "/t/morona-santiago/commitments/", {}),
        "reports": (secretariat, "get", "/t/morona-santiago/reports/", {}),
        "accountability report": (anonymous, "get", extra["report"], {}),
        "agreements": (anonymous, "get", "/t/morona-santiago/agreements/", {}),
        "agreement (secretariat)": (secretariat, "get", extra["agreement"], {}),
        "new agreement": (secretariat, "get", "/t/morona-santiago/agreements/new/", {}),
        "monitoring": (secretariat, "get", "/t/morona-santiago/monitoring/", {}),
        "field import": (secretariat, "get", "/t/morona-santiago/monitoring/import/", {}),
        "quarantine": (secretariat, "get", "/t/morona-santiago/monitoring/quarantine/", {}),
        "satellite": (secretariat, "get", "/t/morona-santiago/satellite/", {}),
        "satellite zone": (secretariat, "get", extra["zone"], {}),
        "ground sample": (secretariat, "get", extra["design"], {}),
        "verification": (anonymous, "get", extra["verification"], {}),
        "credit registry": (anonymous, "get", "/t/morona-santiago/credits/", {}),
        "retirement certificate": (anonymous, "get", extra["retirement"], {}),
        "health": (secretariat, "get", "/t/morona-santiago/health/", {}),
        "health (public)": (anonymous, "get", "/t/sucumbios/health/", {}),
        "incident": (anonymous, "get", extra["incident"], {}),
        "funds": (anonymous, "get", "/funds/", {}),
        "open data": (anonymous, "get", "/open-data/", {}),
        "portal": (anonymous, "get", "/portal/", {}),
        "portal region": (anonymous, "get", "/portal/r/amazonia-ecuatoriana/", {}),
        "portal table": (anonymous, "get", "/portal/t/morona-santiago/", {}),
        "guidance": (secretariat, "get", "/r/amazonia-ecuatoriana/guidance/", {}),
        "fund": (observer, "get", "/funds/fondo-comun-mesas/", {}),
        "call": (secretariat, "get", extra["call"], {}),
        "application (manager)": (observer, "get", extra["application"], {}),
        "application (reviewer)": (member, "get", extra["morona application"], {}),
    }
    data = data_values()
    problems = {}
    for name, (client, method, url, body) in pages.items():
        separator = "&" if "?" in url else "?"
        response = getattr(client, method)(f"{url}{separator}lang={PSEUDO}", body)
        assert response.status_code in (200, 400, 403, 404), (name, response.status_code)
        if "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        assert f'<html lang="{PSEUDO}">' in html, name
        words = leftovers(html, data)
        if words:
            problems[name] = sorted(words)
    assert problems == {}


def _meetings_and_decisions(personas, organization):
    import datetime as dt

    from django.utils import timezone

    from minga.core.access import SYSTEM
    from minga.decisions import services as decisions
    from minga.meetings import services as meetings

    table = Table.objects.get(slug="morona-santiago")
    meeting = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title="Sesión",
        starts_at=timezone.now() - dt.timedelta(hours=2),
        place="Macas",
    )
    meetings.add_agenda_item(by=SYSTEM, meeting=meeting, title="Informe")
    meetings.record_attendance(
        by=SYSTEM, meeting=meeting, rows=[meetings.AttendanceRow(organization, "present", "Ana")]
    )
    proposal = decisions.create_proposal(
        by=personas["member"], table=table, title="Propuesta", text="Alfa", meeting=meeting
    )
    first = decisions.open_round(
        by=SYSTEM, proposal=proposal, closes_at=timezone.now() + dt.timedelta(days=1)
    )
    decisions.state_position(by=personas["member"], round=first, stance="block", reason="Razón")
    decisions.close_round(by=SYSTEM, round=first)
    decisions.amend_proposal(
        by=personas["member"], proposal=proposal, text="Betaomega", change_note="Cambio"
    )
    second = decisions.open_round(
        by=SYSTEM, proposal=proposal, closes_at=timezone.now() + dt.timedelta(days=1)
    )
    decisions.state_position(by=personas["member"], round=second, stance="concerns", reason="Nota")
    decisions.add_comment(by=personas["secretariat"], proposal=proposal, text="Comentario")
    meetings.save_minutes(by=SYSTEM, meeting=meeting, minutes="Acta")
    meetings.publish_minutes(by=SYSTEM, meeting=meeting)
    priorities = [
        meetings.submit_priority(
            by=personas["member"], table=table, title=f"Prioridad {i}", description="D"
        )
        for i in range(2)
    ]
    ranking = meetings.open_ranking(
        by=SYSTEM,
        table=table,
        title="Ronda",
        method="ranked",
        priorities=priorities,
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    return {
        "agreement": f"/t/morona-santiago/agreements/{Agreement.objects.filter(table=table).first().public_id}/",
        "initiative": f"/t/morona-santiago/initiatives/{Initiative.objects.filter(table=table).first().public_id}/",
        "report": f"/t/morona-santiago/reports/{AccountabilityReport.objects.filter(table=table).first().public_id}/",
        "proposal": f"/t/morona-santiago/proposals/{proposal.public_id}/",
        "meeting": f"/t/morona-santiago/meetings/{meeting.public_id}/",
        "ranking": f"/t/morona-santiago/agenda/rankings/{ranking.public_id}/",
    }


# --- choosing the language -------------------------------------------------------------------


def test_it_follows_the_switcher_then_the_cookie_then_the_browser(db):
    client = Client()
    assert '<html lang="es">' in client.get("/").content.decode()
    assert (
        '<html lang="en">'
        in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).content.decode()
    )
    response = client.get("/t/morona-santiago/?lang=pt")
    assert '<html lang="pt">' in response.content.decode()
    assert "Membros por setor" in response.content.decode()
    assert response.cookies["minga_lang"].value == "pt"
    later = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="pt">' in later
    assert "Rede de mesas de cooperação" in later


def test_it_formats_dates_and_numbers_in_the_viewers_locale(db):
    client = Client()
    es = client.get("/t/morona-santiago/?lang=es").content.decode()
    en = client.get("/t/morona-santiago/?lang=en").content.decode()
    assert "15 de marzo de 2024" in es and "1.230.00" in es.replace("\xa0", ".").replace(" ", ".")
    assert "March 15, 2024" in en and "1,230,00" in en


def test_month_names_are_written_as_each_language_writes_them_in_a_date():
    import datetime as dt

    from django.utils import formats, translation

    day = dt.date(2026, 12, 4)
    with translation.override("pt"):
        assert formats.date_format(day, "DATE_FORMAT") == "4 de dezembro de 2026"
    with translation.override("es"):
        assert formats.date_format(day, "DATE_FORMAT") == "4 de diciembre de 2026"
    with translation.override("en"):
        assert formats.date_format(day, "DATE_FORMAT") == "Dec. 4, 2026"
