"""Every UI string is translated to Spanish and Portuguese, and no page shows text that never
went through translation (checked by rendering pages in a pseudo-locale)."""

from __future__ import annotations

import contextlib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
import pytest
from django.core.management import call_command
from django.test import Client, override_settings

import minga
from minga.agreements.models import (
    Agreement,
    Consent,
    Delivery,
    FpicConsultation,
    Incentive,
    Obligation,
)
from minga.credits.models import Account, Batch, CreditClass, Payout, Project, Retirement
from minga.decisions.models import Comment, Decision, Position, Proposal, ProposalVersion
from minga.funds.models import (
    Application,
    Call,
    Contribution,
    Fund,
    PlatformLine,
    Review,
    Tranche,
    Transaction,
)
from minga.health.models import (
    Election,
    HandoverPack,
    Incident,
    ResponseTask,
    Risk,
    SecretariatFunding,
    TrainingSession,
)
from minga.initiatives.models import AccountabilityReport, Commitment, ExchangeRate, Initiative
from minga.ledger.models import Checkpoint
from minga.meetings.models import AgendaItem, Attendance, Meeting, Priority, RankingRound
from minga.monitoring.models import FieldSource, Patrol
from minga.monitoring.models import Observation as FieldObservation
from minga.roadmap.models import Axis, Indicator, Measurement, Milestone, Objective, Result
from minga.satellite.models import RasterLayer, SampleDesign, VerificationReport
from minga.tables.models import (
    Guidance,
    GuidanceAnswer,
    Instrument,
    Organization,
    Person,
    Region,
    Table,
    Territory,
)

PACKAGE = Path(minga.__file__).parent
LOCALE = PACKAGE / "locale"


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


# --- pseudo-locale --------------------------------------------------------------------------

PSEUDO = "en-xa"
# Brand, language names (always in their own language), file formats and ISO 4217 codes.
FORMAT_CODES = {
    "kobo", "csv", "json", "odk", "mapeo", "geojson", "smart", "xml", "xlsx", "comapeo", "gfw",
}  # fmt: skip
# The field tools' own names (shown as the tools call themselves).
TOOL_NAMES = {
    "KoboToolbox",
    "ODK",
    "Central",
    "CoMapeo",
    "Mapeo",
    "SMART",
    "Global",
    "Forest",
    "Watch",
}
ALLOWED_RAW = (
    FORMAT_CODES
    | TOOL_NAMES
    | {
        "minga",
        "API",
        "Español",
        "Português",
        "English",
        "Pseudo",
        "CSV",
        "PDF",
        "GPX",
        "GeoJSON",
        "JSON",
        "IATI",
        "XML",
        "ZIP",
        "datapackage",
        "XLSX",
        "ICS",
        "USD",
        "EUR",
    }
)


def _pseudo(text: str) -> str:
    return f"⟦{text}⟧" if text else text


@pytest.fixture
def pseudo_locale(tmp_path, settings):
    """A catalog that wraps every msgid (ours and Django's) in ⟦…⟧."""
    mo = polib.MOFile()
    mo.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    sources = [LOCALE / "es" / "LC_MESSAGES" / "django.po"]
    django_dir = Path(django.__file__).parent
    sources += [django_dir / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"]
    sources += list((django_dir / "contrib").glob("*/locale/en/LC_MESSAGES/django.po"))
    seen = set()
    for source in sources:
        for entry in polib.pofile(str(source)):
            key = (entry.msgctxt, entry.msgid)
            if entry.obsolete or not entry.msgid or key in seen:
                continue
            seen.add(key)
            item = polib.MOEntry(msgid=entry.msgid, msgctxt=entry.msgctxt)
            if entry.msgid_plural:
                item.msgid_plural = entry.msgid_plural
                item.msgstr_plural = {0: _pseudo(entry.msgid), 1: _pseudo(entry.msgid_plural)}
            else:
                item.msgstr = _pseudo(entry.msgid)
            mo.append(item)
    target = tmp_path / "en_XA" / "LC_MESSAGES"
    target.mkdir(parents=True)
    mo.save(str(target / "django.mo"))
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Pseudo")]
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    yield


class TextCollector(HTMLParser):
    SKIP = {"script", "style", "code"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _data_values() -> list[str]:
    values: list[str] = []
    for model, fields in [
        (Region, ["name", "description"]),
        (Table, ["name", "description", "province"]),
        (Territory, ["name"]),
        (FieldSource, ["name"]),
        (
            Organization,
            ["name", "acronym", "description", "website", "contact_email", "contact_phone"],
        ),
        (Person, ["full_name", "email", "phone", "gender", "people", "languages"]),
        (Instrument, ["title", "reference"]),
        (Meeting, ["title", "place", "language", "minutes"]),
        (AgendaItem, ["title"]),
        (Attendance, ["person_name"]),
        (Proposal, ["title"]),
        (Decision, ["statement"]),
        (ProposalVersion, ["text", "change_note"]),
        (Comment, ["text"]),
        (Position, ["reason"]),
        (Priority, ["title", "description", "axis", "place", "evidence"]),
        (RankingRound, ["title"]),
        (Axis, ["name", "description"]),
        (Objective, ["title"]),
        (Indicator, ["name", "unit"]),
        (Measurement, ["evidence"]),
        (Result, ["title"]),
        (Milestone, ["title"]),
        (Initiative, ["title", "place", "description"]),
        (Commitment, ["what", "to_whom", "evidence", "dropped_reason"]),
        (AccountabilityReport, ["title", "attestation"]),
        (ExchangeRate, ["source"]),
        (Agreement, ["title", "renewal", "signatories"]),
        (Obligation, ["description"]),
        (Incentive, ["description", "unit"]),
        (Delivery, ["evidence"]),
        (FpicConsultation, ["place", "language", "interpreter", "notes"]),
        (Consent, ["minutes", "withdrawal_reason"]),
        (FieldObservation, ["notes"]),
        (Patrol, ["monitors"]),
        (RasterLayer, ["name"]),
        (VerificationReport, ["zone_name"]),
        (CreditClass, ["name", "class_id"]),
        (Project, ["name", "description", "project_id"]),
        (Batch, ["batch_id"]),
        (Account, ["name"]),
        (Retirement, ["beneficiary", "reason", "jurisdiction", "public_id"]),
        (Payout, ["recipient"]),
        (Checkpoint, ["note"]),
        (SecretariatFunding, ["source", "reference"]),
        (TrainingSession, ["title", "topic"]),
        (Election, ["office", "jurisdiction"]),
        (HandoverPack, ["summary"]),
        (Risk, ["title", "mitigation"]),
        (Incident, ["title", "description", "place", "closing_note"]),
        (ResponseTask, ["title", "note"]),
        (Fund, ["name", "description", "slug", "iati_identifier"]),
        (Contribution, ["rate_source"]),
        (PlatformLine, ["operation", "operation_number"]),
        (Call, ["title", "description"]),
        (Application, ["title", "summary"]),
        (Review, ["conflict_note"]),
        (Tranche, ["milestone"]),
        (Transaction, ["description", "provider_activity", "receiver_activity"]),
        (Guidance, ["title", "body"]),
        (GuidanceAnswer, ["answer"]),
    ]:
        for row in model.objects.values_list(*fields):
            values += [v for v in row if v]
    from minga.credits.queries import certificate
    from minga.ledger.services import KeyMissing, verifier_key
    from minga.satellite.services import available_files

    values += available_files()
    for retirement in Retirement.objects.all():
        found = certificate(retirement)
        values += [found.get("leaf", ""), *found.get("proof", [])]
    with contextlib.suppress(KeyMissing):
        values.append(verifier_key())
    values += [
        "secretariat",
        "convener",
        "member",
        "monitor",
        "observer",
        "ruth@demo.minga.invalid",
    ]
    # Eligibility and release checks keep minga's words as messages (read in the reader's
    # language, checked here like any page text); only what people wrote stays as written.
    for checks in [
        *Application.objects.values_list("eligibility", flat=True),
        *Tranche.objects.values_list("last_check", flat=True),
    ]:
        values += [
            value
            for gate in checks.get("gates", [])
            for part in (gate[0], gate[2])
            for value in ([part] if isinstance(part, str) else part.get("p", {}).values())
            if isinstance(value, str)
        ]
    # A published report is frozen in the site's languages; a pseudo-locale falls back to Spanish.
    for figures in AccountabilityReport.objects.values_list("figures", flat=True):
        values += [t for section in figures.get("sections", []) for t in section["titles"].values()]
    return sorted(set(values), key=len, reverse=True)


def leftovers(html: str, data: list[str]) -> set[str]:
    collector = TextCollector()
    collector.feed(html)
    text = "\n".join(collector.parts)
    while True:
        stripped = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
        if stripped == text:
            break
        text = stripped
    text = re.sub(r"https?://\S+", " ", text)
    for value in data:
        text = text.replace(value, " ")
    words = set(re.findall(r"[^\W\d_]{2,}", text))
    return words - ALLOWED_RAW


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
    from minga.credits.models import Retirement
    from minga.ledger import services as ledger

    ledger.publish()
    extra["retirement"] = f"/credits/retirements/{Retirement.objects.first().public_id}/"
    extra["design"] = f"/t/morona-santiago/samples/{design.public_id}/"
    extra["verification"] = (
        f"/t/morona-santiago/verifications/{VerificationReport.objects.filter(table=table).first().public_id}/"
    )
    person = Person.objects.get(user=personas["member"])
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
    data = _data_values()
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
