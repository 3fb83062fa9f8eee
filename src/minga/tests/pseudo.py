"""The pseudo-locale check's parts: a catalog that wraps every msgid in ⟦…⟧, the data people
wrote (not minga's to translate), and the words a page leaves outside ⟦…⟧."""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import polib
from django.conf import settings

import minga
from minga.agreements.models import (
    Agreement,
    Consent,
    Delivery,
    FpicConsultation,
    Incentive,
    Obligation,
)
from minga.core.text import is_message, say
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
from minga.library.models import Document, Version
from minga.meetings.models import AgendaItem, Attendance, Meeting, Priority, RankingRound
from minga.monitoring.models import FieldSource, Patrol
from minga.monitoring.models import Observation as FieldObservation
from minga.roadmap.models import Axis, Indicator, Measurement, Milestone, Objective, Result
from minga.satellite.models import RasterLayer, VerificationReport
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


def install_pseudo_locale(tmp_path, settings):
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


def data_values() -> list[str]:
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
        (Document, ["title"]),
        (Version, ["filename", "note", "sha256"]),
    ]:
        for row in model.objects.values_list(*fields):
            values += [v for v in row if v]
    # Imported here: these reach the services and ledger layers, loaded only for this list.
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
    # minga's own words stored in the site's language (shown through ``Worded``) are not data:
    # a page that showed them raw would be a page left untranslated
    return sorted(set(values) - minga_words(), key=len, reverse=True)


def minga_words() -> set[str]:
    """Stored fields that still say what minga wrote as a message (``core.text.worded``)."""
    found = set()
    for model in (
        Risk,
        Incident,
        Meeting,
        AgendaItem,
        AccountabilityReport,
        Transaction,
        Initiative,
    ):
        for row in model.objects.exclude(system_text={}):
            for name, kept in row.system_text.items():
                stored = getattr(row, name, None)
                if is_message(kept) and stored == say(kept, settings.LANGUAGE_CODE):
                    found.add(stored)
    return found


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
