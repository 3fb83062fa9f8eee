"""A table's whole year in the browser, one language per run: convene a meeting and set its
agenda, decide by consent, sign a conservation agreement after the community's consent, bring in
the monitors' field data, verify the forest from the satellite, publish the quarter's report and
read the table's case before the fund.

Every page the walk opens is checked: no server error, no console error, the page in the run's
language, no whole sentence of minga's own left in another language (the pseudo-locale check in
``test_i18n`` covers every word on the pages it renders; this covers what the year writes), and
each figure it meets matches its source in the database."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
import polib
import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation
from playwright.sync_api import expect
from shapely.geometry import box, mapping

import minga
from minga.agreements.models import Agreement
from minga.core import geo
from minga.health import queries as health
from minga.initiatives.models import AccountabilityReport, Commitment
from minga.meetings.models import Meeting
from minga.monitoring.models import CategoryMapping, Observation
from minga.satellite.models import AnalysisRun
from minga.tables.models import Table
from minga.tests.pseudo import PSEUDO, data_values, leftovers

pytestmark = pytest.mark.browser
SLUG = "morona-santiago"
LANGS = ("es", "pt", "en")
ISO_DAY = re.compile(r"(?<![\w/.-])\d{4}-\d{2}-\d{2}(?![\w/-])")
ENGLISH_DAY = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.? \d{1,2}\b")
# What the people of the walk type, in the language of the run (people write in their language).
WRITTEN = {
    "es": {
        "meeting": "Asamblea del segundo semestre",
        "item": "Protocolo de patrullaje conjunto",
        "proposal": "Patrullajes conjuntos en la cordillera",
        "text": "Las comunidades y la Prefectura patrullan juntas una vez al mes.",
        "decision": "La mesa adopta los patrullajes conjuntos mensuales.",
        "agreement": "Acuerdo de conservación del río Kalaglás",
        "minutes": "La asamblea da su consentimiento libre, previo e informado.",
        "signatories": "Síndico de la comunidad; Prefecto",
        "note": "Balsa con motor en el río",
        "place": "Macas",
        "language": "Shuar chicham",
    },
    "pt": {
        "meeting": "Assembleia do segundo semestre",
        "item": "Protocolo de patrulha conjunta",
        "proposal": "Patrulhas conjuntas na cordilheira",
        "text": "As comunidades e a Prefeitura patrulham juntas uma vez por mês.",
        "decision": "A mesa adota as patrulhas conjuntas mensais.",
        "agreement": "Acordo de conservação do rio Kalaglás",
        "minutes": "A assembleia dá o seu consentimento livre, prévio e informado.",
        "signatories": "Síndico da comunidade; Prefeito",
        "note": "Balsa com motor no rio",
        "place": "Macas",
        "language": "Shuar chicham",
    },
    "en": {
        "meeting": "Second-half assembly",
        "item": "Joint patrol protocol",
        "proposal": "Joint patrols in the cordillera",
        "text": "The communities and the Prefecture patrol together once a month.",
        "decision": "The table adopts the monthly joint patrols.",
        "agreement": "Kalaglás river conservation agreement",
        "minutes": "The assembly gives its free, prior and informed consent.",
        "signatories": "The community's trustee; the Prefect",
        "note": "Motor raft on the river",
        "place": "Macas",
        "language": "Shuar chicham",
    },
}


def _catalog_sentences() -> dict[str, set[str]]:
    """Each language's rendering of every msgid that is a whole sentence of several words."""
    found: dict[str, set[str]] = {lang: set() for lang in LANGS}
    locale = Path(minga.__file__).parent / "locale"
    renderings: dict[tuple[str | None, str], dict[str, str]] = {}
    for lang in LANGS:
        for entry in polib.pofile(str(locale / lang / "LC_MESSAGES" / "django.po")):
            if entry.obsolete or entry.msgid_plural or not entry.msgid:
                continue
            key = (entry.msgctxt, entry.msgid)
            renderings.setdefault(key, {})[lang] = entry.msgstr or entry.msgid
    for by_lang in renderings.values():
        for lang, text in by_lang.items():
            if re.search(r"[%{<]", text) or len(text) < 16 or text.count(" ") < 2:
                continue
            found[lang].add(text)
    return found


def _untranslated_by_django(lang: str) -> set[str]:
    """Django's own words its catalog leaves in English for ``lang`` (a new Django release's
    words reach its translations later): minga's catalogs carry those its pages show."""
    if lang == "en":
        return set()
    source = Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    with translation.override(lang):
        return {
            entry.msgid
            for entry in polib.pofile(str(source))
            if not entry.obsolete and not entry.msgid_plural and not entry.msgctxt
            and entry.msgid.count(" ") >= 2 and not re.search(r"[%{<]", entry.msgid)
            and translation.gettext(entry.msgid) == entry.msgid
        }  # fmt: skip


def _written_by_people() -> list[str]:
    """The demo's text as people (and their field tools) wrote it: not minga's to translate."""
    # the field tools' own categories, as the source named and labelled them
    vocabulary = [
        text
        for code, labels in CategoryMapping.objects.values_list("code", "labels")
        for text in (code, *(labels or {}).values())
    ]
    return [*data_values(), *vocabulary]


@dataclass
class Walk:
    """One person's browser tab per login, all in the run's language, every page checked."""

    browser: Any
    base: str
    lang: str
    db: Callable[[], contextlib.AbstractContextManager[Any]]
    drain: Callable[[], None]
    shoot: Callable[[Any, str], Any]
    pages: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    visited: int = 0

    @property
    def typed(self) -> str:
        """The language the walk's people type in."""
        return self.lang if self.lang in WRITTEN else "en"

    def __post_init__(self) -> None:
        with self.db():
            self.written: list[str] = []
            self.keep_as_written([*_written_by_people(), *WRITTEN[self.typed].values()])
        sentences = _catalog_sentences()
        mine = sentences.get(self.lang, set())
        others = {s for lang, found in sentences.items() if lang != self.lang for s in found}
        others |= _untranslated_by_django(self.lang)
        # in the pseudo-locale every word outside ⟦…⟧ is raw: ``leftovers`` checks them all
        self.foreign = [] if self.lang == PSEUDO else sorted(others - mine, key=len, reverse=True)

    def login(self, username: str) -> Any:
        context = self.browser.new_context(
            locale={"es": "es-EC", "pt": "pt-BR"}.get(self.lang, "en-GB"),
            viewport={"width": 390, "height": 844},
        )
        page = context.new_page()
        page.on("console", lambda m: self._fail(f"console ({username}): {m.text}", m.type))
        page.on("pageerror", lambda e: self.failures.append(f"script error ({username}): {e}"))
        page.on(
            "response",
            lambda r: self.failures.append(f"{r.status} on {r.url}") if r.status >= 500 else None,
        )
        page.goto(f"{self.base}/accounts/login/?lang={self.lang}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "minga-demo")
        page.locator("main form button[type=submit]").click()
        expect(page.locator("form[action='/accounts/logout/']")).to_have_count(1)
        self.pages[username] = page
        return page

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()

    def _fail(self, text: str, kind: str) -> None:
        if kind == "error":
            self.failures.append(text)

    def visit(self, page: Any, path: str) -> Any:
        sep = "&" if "?" in path else "?"
        page.goto(f"{self.base}{path}{sep}lang={self.lang}")
        return self.check(page)

    def check(self, page: Any) -> Any:
        """The page is in the run's language and holds no sentence of minga's in another."""
        page.wait_for_load_state()
        self.visited += 1
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        text = page.locator("body").inner_text()
        for value in self.written:  # people write in their own language
            text = text.replace(value, " ")
        days = ISO_DAY.findall(text)  # days read as people write them, not 2026-12-04
        if self.lang in ("es", "pt"):
            days += ENGLISH_DAY.findall(text)  # nor as "Dec. 4"
        for day in days:
            self.failures.append(f"{page.url}: the day {day} is not in {self.lang}'s notation")
        for sentence in self.foreign:
            if sentence in text:
                self.failures.append(f"{page.url}: {sentence!r} is not in {self.lang}")
        if self.lang == PSEUDO:
            raw = leftovers(page.content(), self.written)
            if raw:
                self.failures.append(f"{page.url}: untranslated {sorted(raw)}")
        return page

    def submit(self, form: Any) -> Any:
        """Submit a form by its own button and check the page it leads to."""
        with form.page.expect_navigation():
            form.locator("button[type=submit], button:not([type])").last.click()
        return self.check(form.page)

    def keep_as_written(self, values: list[str]) -> None:
        """Text people (or their field tools) wrote: not minga's to translate."""
        self.written = sorted({*self.written, *values}, key=len, reverse=True)

    def t(self, msgid: str) -> str:
        """What minga says for ``msgid`` in the run's language."""
        with translation.override(self.lang):
            return translation.gettext(msgid)

    def number(self, value: float, digits: int = 1) -> str:
        with translation.override(self.lang):
            return formats.number_format(value, digits, use_l10n=True, force_grouping=True)


def _form(page: Any, action: str) -> Any:
    """The form posting to ``action``, its folded section opened as a person would."""
    form = page.locator(f"form[action$='{action}']")
    folded = page.locator("details:not([open])", has=form)
    if folded.count():
        folded.locator("summary").first.click()
    return form


def _a_free_square(table: Table) -> str:
    """A 200 m square inside the table's territory, clear of every agreement."""
    taken = [
        geo.parse_area(a.geometry) for a in Agreement.objects.filter(table=table) if a.geometry
    ]
    for territory in table.territories.all():
        free = territory.shape
        for area in taken:
            free = free.difference(area.buffer(0.01))
        if free.is_empty:
            continue
        point = free.representative_point()
        square = box(point.x - 0.001, point.y - 0.001, point.x + 0.001, point.y + 0.001)
        if free.contains(square):
            return json.dumps(mapping(square))
    raise AssertionError("no free place left in the territory for a new agreement")


def _field_export(lon: float, lat: float, note: str) -> bytes:
    """A KoboToolbox CSV export of a community's own survey: two sightings on the river."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["start", "today", "ubicacion", "amenazas", "observaciones", "meta/instanceID",
         "_submission_time"]
    )  # fmt: skip
    for n in range(2):
        day = timezone.localdate() - dt.timedelta(days=2 - n)
        writer.writerow(
            [f"{day.isoformat()}T07:10:00.000-05:00", day.isoformat(),
             f"{lat + n * 0.0002} {lon + n * 0.0002} 900 5", "dragas_en_el_rio", note,
             f"uuid:walk-{n}", f"{day.isoformat()}T14:00:00"]
        )  # fmt: skip
    return out.getvalue().encode()


def walk_the_year(walk: Walk) -> None:
    base, said = f"/t/{SLUG}", WRITTEN[walk.typed]
    secretariat = walk.login("secretariat")
    member = walk.login("member")  # Federación Shuar del Upano y Kutukú
    ngo = walk.login("ngo")
    convener = walk.login("convener")
    monitor = walk.login("monitor")
    with walk.db():
        table = Table.objects.get(slug=SLUG)
        square = _a_free_square(table)
        river = table.territories.first().shape.representative_point()

    # --- convene: a meeting next week, its agenda, the notice ------------------------------
    page = walk.visit(secretariat, f"{base}/meetings/new/")
    starts = timezone.localtime() + dt.timedelta(days=7)
    page.fill("[name=title]", said["meeting"])
    page.fill("[name=starts_at]", starts.strftime("%Y-%m-%dT09:00"))
    page.fill("[name=place]", said["place"])
    walk.submit(page.locator("main form").last)
    expect(page.get_by_role("heading", name=said["meeting"])).to_be_visible()
    meeting_url = page.url.split("?")[0]
    agenda = _form(page, "/agenda/")
    agenda.locator("[name=title]").fill(said["item"])
    agenda.locator("[name=duration_minutes]").fill("45")
    priority = agenda.locator("[name=priority] option").nth(1)
    priority_title = priority.inner_text().strip()
    agenda.locator("[name=priority]").select_option(index=1)
    walk.submit(agenda)
    item = page.locator("li", has_text=said["item"])
    expect(item).to_contain_text(priority_title)  # the priority it serves, not who proposed it
    walk.submit(_form(page, "/convene/"))
    walk.drain()  # the convening notices go out through the worker
    with walk.db():
        meeting = Meeting.objects.filter(title=said["meeting"]).latest("pk")
        assert meeting.convened_at is not None
    calendar = page.request.get(f"{meeting_url}meeting.ics")
    assert calendar.ok and calendar.headers["content-type"].startswith("text/calendar")
    assert said["meeting"] in calendar.text() and "DTSTART" in calendar.text()
    walk.shoot(page, f"90-{walk.lang}-meeting")

    # --- decide: a proposal on that agenda item, a round, consent -------------------------
    page = walk.visit(member, f"{base}/proposals/new/")
    page.fill("[name=title]", said["proposal"])
    page.fill("[name=text]", said["text"])
    on_agenda = page.locator("[name=agenda_item] option", has_text=said["item"]).last
    page.locator("[name=agenda_item]").select_option(on_agenda.get_attribute("value"))
    walk.submit(page.locator("main form").last)
    expect(page.get_by_role("heading", name=said["proposal"])).to_be_visible()
    proposal_url = page.url.split("?")[0].removeprefix(walk.base)
    page = walk.visit(secretariat, proposal_url)
    opening = _form(page, "/rounds/")
    opening.locator("[name=closes_at]").fill(starts.strftime("%Y-%m-%dT18:00"))
    walk.submit(opening)
    for person in (member, ngo, secretariat):
        page = walk.visit(person, proposal_url)
        position = _form(page, "/position/")
        position.locator("[name=stance][value=agree]").check()
        walk.submit(position)
    page = walk.visit(secretariat, proposal_url)
    walk.submit(_form(page, "/close/"))
    page = walk.visit(convener, proposal_url)
    decide = _form(page, "/decision/")
    decide.locator("[name=statement]").fill(said["decision"])
    decide.locator("[name=review_on]").fill(
        (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    )
    decide.locator("[name=confirm]").check()
    walk.submit(decide)
    page = walk.visit(walk.login("observer"), f"{base}/decisions/")
    expect(page.locator("article.decision", has_text=said["proposal"])).to_contain_text(
        said["decision"]
    )
    walk.shoot(page, f"91-{walk.lang}-decision")

    # --- agreement: drafted, consulted, consented, signed --------------------------------
    page = walk.visit(secretariat, f"{base}/agreements/new/")
    page.fill("[name=title]", said["agreement"])
    page.locator("[name=community]").select_option(index=1)
    page.locator("[name=counterpart]").select_option(index=1)
    page.fill("[name=starts_on]", timezone.localdate().isoformat())
    page.fill("[name=ends_on]", (timezone.localdate() + dt.timedelta(days=5 * 365)).isoformat())
    page.fill("[name=geometry]", square)
    walk.submit(page.locator("main form").last)
    expect(
        page.get_by_role("heading", name=re.compile(re.escape(said["agreement"])))
    ).to_be_visible()
    agreement_url = page.url.split("?")[0].removeprefix(walk.base)
    consult = _form(page, "/consultations/")
    consult.locator("[name=held_on]").fill(timezone.localdate().isoformat())
    consult.locator("[name=place]").fill(said["place"])
    consult.locator("[name=language]").fill(said["language"])
    consult.locator("[name=participants]").fill("42")
    walk.submit(consult)
    consent = _form(walk.visit(secretariat, agreement_url), "/consent/")
    consent.locator("[name=decision]").select_option("consent")
    consent.locator("[name=decided_on]").fill(timezone.localdate().isoformat())
    consent.locator("[name=minutes]").fill(said["minutes"])
    walk.submit(consent)
    sign = _form(walk.visit(secretariat, agreement_url), "/sign/")
    sign.locator("[name=signed_on]").fill(timezone.localdate().isoformat())
    sign.locator("[name=signatories]").fill(said["signatories"])
    sign.locator("[name=confirm]").check()
    walk.submit(sign)
    with walk.db():
        agreement = Agreement.objects.filter(title=said["agreement"]).latest("pk")
        assert agreement.status == "signed"
    page = walk.visit(secretariat, f"{base}/satellite/")
    row = page.locator("tr", has_text=said["agreement"])
    expect(row).to_contain_text(walk.t("Not analysed yet: the next analysis includes it."))
    walk.shoot(page, f"92-{walk.lang}-agreement")

    # --- field data: the community's own survey, its category mapped -----------------------
    page = walk.visit(monitor, f"{base}/monitoring/import/")
    export = _field_export(river.x, river.y, said["note"])
    walk.keep_as_written(
        [cell for row in csv.reader(io.StringIO(export.decode()), delimiter=";") for cell in row]
    )
    page.locator("[name=file]").set_input_files(
        {"name": "vigilancia.csv", "mimeType": "text/csv", "buffer": export}
    )
    walk.submit(page.locator("main form").last)
    walk.submit(page.locator("main form").last)  # the proposed mapping, confirmed
    summary = walk.t(
        "%(new)s new, %(updated)s updated, %(unchanged)s unchanged, %(quarantined)s quarantined"
    )
    expect(page.locator("body")).to_contain_text(
        summary % {"new": 2, "updated": 0, "unchanged": 0, "quarantined": 0}
    )
    page = walk.visit(monitor, f"{base}/monitoring/categories/")
    page.locator("select[name='kind:dragas_en_el_rio']").select_option("mining")
    walk.submit(page.locator("main form").last)
    with walk.db():
        imported = Observation.objects.filter(source_key__startswith="uuid:walk-")
        assert sorted(o.kind for o in imported) == ["mining", "mining"]
        shown = sum(
            "dragas_en_el_rio" in codes
            for codes in Observation.objects.filter(table=table).values_list(
                "categories", flat=True
            )
        )
    assert shown == 2
    page = walk.visit(monitor, f"{base}/monitoring/?category=dragas_en_el_rio")
    expect(page.locator("main h2").filter(has_text=re.compile(rf"^\W*{shown}\b"))).to_have_count(1)
    walk.shoot(page, f"93-{walk.lang}-field")

    # --- verification: an analysis run by the worker, its report --------------------------
    page = walk.visit(secretariat, f"{base}/satellite/")
    run_form = page.locator("form", has=page.locator("[name=threshold]"))
    run_form.locator("[name=threshold]").fill("30")
    walk.submit(run_form)
    walk.drain()
    expect(page.locator("#run-progress progress")).to_have_attribute(
        "value", "100", timeout=120_000
    )
    with walk.db():
        run = AnalysisRun.objects.filter(table=table).latest("created_at")
        assert run.status == "done"
    with page.expect_navigation():
        page.locator("#run-progress a").first.click()
    walk.check(page)
    walk.shoot(page, f"94-{walk.lang}-verification")

    # --- report: the quarter published, its figures from the register ---------------------
    page = walk.visit(secretariat, f"{base}/reports/")
    publish = page.locator("form", has=page.locator("[name=period]"))
    publish.locator("[name=period]").select_option("quarter")
    publish.locator("[name=day]").fill(timezone.localdate().isoformat())
    publish.locator("[name=early]").check()
    publish.locator("[name=confirm]").check()
    walk.submit(publish)
    with walk.db():
        report = AccountabilityReport.objects.filter(table=table).latest("published_at")
        due = Commitment.objects.filter(
            table=table, due_on__gte=report.starts_on, due_on__lte=report.ends_on
        )
        late = due.filter(status="overdue") | due.filter(
            status__in=["pending", "in_progress"], due_on__lt=timezone.localdate()
        )
        committed = Decimal(report.figures["money"]["total"])
    # overdue is read from the due dates on the day of publishing, not from a nightly job
    assert report.figures["commitments"]["counts"]["overdue"] == late.count()
    page = walk.visit(member, f"{base}/reports/{report.public_id}/")
    expect(page.locator("main")).to_contain_text(walk.number(committed, 0))
    walk.shoot(page, f"95-{walk.lang}-report")

    # --- fund: the table's case, its health the same figure everywhere --------------------
    with walk.db():
        score = health.health_of(table).score
    shown_score = walk.number(score)
    for path in (f"{base}/health/", f"/portal/t/{SLUG}/"):
        page = walk.visit(walk.pages["observer"], path)
        expect(page.locator("main")).to_contain_text(shown_score)
    page = walk.visit(walk.pages["observer"], "/funds/")
    walk.shoot(page, f"96-{walk.lang}-fund")


@contextlib.contextmanager
def _unblocked(blocker: Any) -> Iterator[None]:
    with blocker.unblock():
        yield


@pytest.mark.parametrize("lang", [*LANGS, PSEUDO])
def test_a_year_of_a_table(lang, request, browser, demo_server, django_db_blocker, shoot):
    if lang == PSEUDO:
        request.getfixturevalue("pseudo_locale")

    def drain() -> None:
        with django_db_blocker.unblock():
            call_command("worker", "--batch")

    walk = Walk(
        browser=browser,
        base=demo_server.url,
        lang=lang,
        db=lambda: _unblocked(django_db_blocker),
        drain=drain,
        shoot=shoot,
    )
    try:
        walk_the_year(walk)
    finally:
        walk.close()
    assert walk.visited > 20
    assert walk.failures == [], "\n".join(walk.failures)
