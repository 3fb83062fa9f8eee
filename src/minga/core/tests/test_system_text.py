"""Text minga writes itself (risk titles, fund gates, report titles, crisis meetings, fund
transactions) is kept as a message and its values and read in the reader's language; text
people write stays as written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, timezone, translation

from minga.core.access import SYSTEM
from minga.core.text import message, say, worded
from minga.funds.models import Application, Transaction
from minga.health import services as health
from minga.health.models import Risk, SecretariatFunding
from minga.initiatives import services as initiatives
from minga.initiatives.models import Initiative
from minga.meetings.models import Meeting
from minga.tables.models import Table


def test_a_message_reads_in_each_language_with_nested_values():
    gate = message("Table health at least %(min)s", min="55")
    assert say(gate, "pt") == "Saúde da mesa de pelo menos 55"
    assert say(gate, "en") == "Table health at least 55"
    assert say(message("%(n)s pending", n=2), "es") == "2 pendientes"
    assert say("Texto de una persona", "pt") == "Texto de una persona"


def test_each_reader_gets_minga_s_words_in_their_language(client_for, personas):
    table = Table.objects.get(slug="sucumbios")
    SecretariatFunding.objects.filter(table=table).delete()
    health.assess_risks(table=table, today=timezone.localdate())
    risk = Risk.objects.get(table=table, key="resources")
    assert risk.title.startswith("La secretaría")  # stored in the site's language
    secretariat = client_for("other_secretariat")
    pt = secretariat.get("/t/sucumbios/health/?lang=pt").content.decode()
    assert "A secretaria tem financiamento para mais" in pt and "La secretaría" not in pt

    application = Application.objects.get(call__kind="challenge", table=table)
    page = client_for("public").get(f"/funds/applications/{application.public_id}/?lang=pt")
    html = page.content.decode()
    assert "Saúde da mesa de pelo menos" in html and "Salud de la mesa" not in html

    report = initiatives.publish_report(
        by=SYSTEM, table=table, period="quarter", day=dt.date(timezone.localdate().year - 2, 2, 1)
    )
    assert report.title.startswith("Informe de rendición de cuentas")
    en = client_for("public").get("/t/sucumbios/reports/?lang=en").content.decode()
    assert f"Accountability report {report.title.rsplit(' ', 1)[-1]}" in en

    incident = health.report_incident(
        by=personas["other_secretariat"],
        table=table,
        kind="wildfire",
        title="Incendio cerca de Dureno",
        description="Fuego en el bosque",
        occurred_on=timezone.localdate(),
    )
    assert incident.meeting.title == "Reunión de crisis: Incendio cerca de Dureno"
    meeting = secretariat.get(f"/t/sucumbios/meetings/{incident.meeting.public_id}/?lang=pt")
    assert "Reunião de crise: Incendio cerca de Dureno" in meeting.content.decode()

    parts = list(Initiative.objects.filter(table=table, is_joint=False)[:2])
    joint = initiatives.pool_initiatives(
        by=SYSTEM, table=table, initiatives=parts, title="Vigilancia conjunta"
    )
    assert joint.description.startswith("Iniciativa conjunta de")
    page = client_for("public").get(f"/t/sucumbios/initiatives/{joint.public_id}/?lang=en")
    assert "Joint initiative of: " in page.content.decode()

    row = Transaction.objects.filter(system_text__has_key="description").first()
    assert row is not None
    fund_page = client_for("public").get(f"/funds/{row.fund.slug}/?lang=en").content.decode()
    assert say(row.system_text["description"], "en") in fund_page
    assert row.description not in fund_page or row.description == say(
        row.system_text["description"], "en"
    )


def test_a_person_s_edit_makes_the_text_theirs():
    meeting = Meeting(**worded(title=message("Crisis meeting: %(title)s", title="Fuego")))
    with translation.override("pt"):
        assert meeting.shown_title == "Reunião de crise: Fuego"
        meeting.title = "Sesión extraordinaria por el incendio"
        assert meeting.shown_title == "Sesión extraordinaria por el incendio"


def test_a_day_in_a_message_is_kept_iso_and_shown_in_the_reader_s_notation():
    last = message("last: %(day)s", day="2026-12-04")
    assert say(last, "en") == "last: Dec. 4, 2026"
    assert say(last, "pt") == "último: 4 de dezembro de 2026"
    assert say(message("%(n)s pending", n="2026-99-99"), "en") == "2026-99-99 pending"


def test_an_incident_a_field_alert_raised_reads_in_each_language(client_for):
    """The incident, its crisis meeting and the meeting's agenda are minga's words."""
    table = Table.objects.get(slug="sucumbios")
    event = type("Alert", (), {"subject": "obs-7"})()
    observed = timezone.localtime() - dt.timedelta(hours=3)
    health.report_from_alert(event, table, "illegal_activity", observed)
    incident = table.incidents.get(from_alert="obs-7")
    assert incident.title == "Un patrullaje de campo reporta: Minería o tala ilegal"
    secretariat = client_for("other_secretariat")
    pt = secretariat.get(f"/t/sucumbios/incidents/{incident.public_id}/?lang=pt").content.decode()
    with translation.override("pt"):
        title, description = incident.shown_title, incident.shown_description
    assert title == "Uma patrulha de campo relata: Mineração ou extração ilegal de madeira"
    assert title in pt
    assert "obs-7" in description and description in pt
    assert "Minería o tala ilegal" not in pt
    health_page = secretariat.get("/t/sucumbios/health/?lang=en").content.decode()
    assert "A field patrol reports: Illegal mining or logging" in health_page
    meeting = secretariat.get(
        f"/t/sucumbios/meetings/{incident.meeting.public_id}/?lang=en"
    ).content.decode()
    assert "Crisis meeting: A field patrol reports: Illegal mining or logging" in meeting
    assert "What happened" in meeting and "Response tasks and who does them" in meeting
    assert "Qué pasó" not in meeting


def test_a_frozen_report_shows_its_rates_and_days_in_the_reader_s_notation(client_for):
    """A published report keeps its exchange rates as ``"1.08150000"`` and their days as ISO."""
    table = Table.objects.get(slug="morona-santiago")
    report = initiatives.publish_report(
        by=SYSTEM, table=table, period="quarter", day=timezone.localdate(), early=True
    )
    currency, rate, day, _source = report.figures["money"]["rates"][0]
    assert day == dt.date.fromisoformat(day).isoformat() and rate.endswith("0")
    page = client_for("public").get(f"/t/morona-santiago/reports/{report.public_id}/?lang=pt")
    html = " ".join(page.content.decode().split())
    with translation.override("pt"):
        shown_rate = formats.number_format(Decimal(rate).normalize(), use_l10n=True)
        shown_day = formats.date_format(dt.date.fromisoformat(day), "DATE_FORMAT")
    assert f"1 {currency} = {shown_rate} USD ({shown_day}" in html
    assert day not in html and rate not in html
