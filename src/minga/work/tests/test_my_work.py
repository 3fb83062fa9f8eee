""" "My work": what waits on a person across their tables, on one page and in the digest; each
item leaves the list once their organization has acted on it."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minga.core.access import SYSTEM
from minga.core.testing import DEMO_TABLE, OTHER_TABLE
from minga.decisions import services as decisions
from minga.decisions.models import DigestPreference, Round
from minga.initiatives import services as initiatives
from minga.initiatives.models import AccountabilityReport
from minga.meetings import services as meetings
from minga.meetings.models import Priority
from minga.tables.models import Membership, Table
from minga.work.queries import work_for


def _text(response) -> str:
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def _seat(user) -> Membership:
    return Membership.objects.active().get(person__user=user, table__slug=DEMO_TABLE)


@pytest.fixture
def table(db) -> Table:
    return Table.objects.get(slug=DEMO_TABLE)


def test_it_lists_what_waits_and_drops_each_item_once_done(client_for, personas, table):
    member = personas["member"]
    federation = _seat(member).organization
    now = timezone.now()
    page = client_for("member")

    # a decision round, open on a proposal
    (open_round,) = work_for(member).rounds  # the demo's own round
    assert open_round.url.endswith("#round")

    # a consultation the bank opens: asked of the members, never of the bank itself
    consultation = decisions.open_consultation(
        by=personas["observer"],
        table=table,
        title="Consulta sobre el programa de agua",
        body="Texto",
        questions=["¿Qué priorizar?"],
        deadline=timezone.localdate() + dt.timedelta(days=9),
    )
    assert not work_for(personas["observer"]).consultations

    # a priority ranking, a commitment of the federation that is late and one that is not due yet
    priorities = list(Priority.objects.filter(table=table)[:2])
    ranking = meetings.open_ranking(
        by=personas["secretariat"],
        table=table,
        title="Prioridades de la agenda 2027",
        method="dots",
        priorities=priorities,
        closes_at=now + dt.timedelta(days=5),
    )
    for what, days in (("Entregar el mapa de linderos", -3), ("Plan de vida actualizado", 12)):
        initiatives.make_commitment(
            by=SYSTEM,
            table=table,
            organization=federation,
            what=what,
            to_whom="La mesa",
            due_on=timezone.localdate() + dt.timedelta(days=days),
        )
    initiatives.make_commitment(
        by=SYSTEM,
        table=table,
        organization=federation,
        what="Dentro de un año",
        to_whom="La mesa",
        due_on=timezone.localdate() + dt.timedelta(days=300),
    )

    # the daily task stores the late one as overdue: it still waits, said as late
    initiatives.mark_overdue(by=SYSTEM)

    # a meeting convened for next week
    meeting = meetings.create_meeting(
        by=SYSTEM,
        table=table,
        title="Asamblea de diciembre",
        starts_at=now + dt.timedelta(days=6),
        place="Macas",
    )
    meetings.convene_meeting(by=SYSTEM, meeting=meeting, meeting_url=lambda m: "x")

    text = _text(page.get("/accounts/work/?lang=es"))
    for expected in (
        "Rondas de decisión que esperan la posición de su organización",
        open_round.title,
        "Consulta sobre el programa de agua",
        "Prioridades de la agenda 2027",
        "Entregar el mapa de linderos",
        "vencido desde el",
        "Plan de vida actualizado",
        "Asamblea de diciembre",
    ):
        assert expected in text, expected
    assert "Dentro de un año" not in text  # due too far ahead
    pt = _text(page.get("/accounts/work/?lang=pt"))
    assert "Consultas que aguardam a resposta da sua organização" in pt
    en = _text(page.get("/accounts/work/?lang=en"))
    assert "Your organization's commitments coming due" in en

    # acting takes each item off the list
    decisions.state_position(
        by=member,
        round=Round.objects.get(closed_at__isnull=True, proposal__table=table),
        stance="agree",
    )
    question = consultation.questions.get()
    decisions.answer_consultation(
        by=member, consultation=consultation, answers={question.pk: "Agua"}
    )
    meetings.cast_ballot(by=member, round=ranking, choices={priorities[0].public_id: 3})
    work = work_for(member)
    assert not work.rounds and not work.consultations and not work.rankings
    assert [m.title for m in work.meetings] == ["Asamblea de diciembre"]
    # ...and a cancelled meeting leaves it too
    meetings.cancel_meeting(by=SYSTEM, meeting=meeting, reason="Lluvias", meeting_url=str)
    assert not work_for(member).meetings


def test_an_observer_is_asked_to_attest_reports_until_one_is_attested(client_for, personas):
    observer = personas["observer"]
    assert work_for(observer).attestations  # the demo's reports, none attested yet
    report = AccountabilityReport.objects.filter(
        table__slug=DEMO_TABLE, attested_at__isnull=True
    ).first()
    assert report.shown_title in _text(client_for("observer").get("/accounts/work/?lang=es"))
    initiatives.attest_report(by=observer, report=report, statement="Cifras verificadas")
    assert report.public_id not in " ".join(i.url for i in work_for(observer).attestations)
    # a member organization is never asked to attest
    assert not work_for(personas["member"]).attestations


def test_the_page_needs_a_login_and_says_when_there_is_no_seat(client_for):
    assert Client().get("/accounts/work/").status_code == 302
    text = _text(client_for("outsider").get("/accounts/work/?lang=pt"))
    assert "Você ainda não tem assento em nenhuma mesa" in text


def test_its_queries_do_not_grow_with_the_tables(client_for, personas):
    member = personas["member"]
    page = client_for("member")
    page.get("/accounts/work/")
    with CaptureQueriesContext(connection) as one_table:
        page.get("/accounts/work/")
    seat = _seat(member)
    Membership.objects.create(
        table=Table.objects.get(slug=OTHER_TABLE),
        organization=seat.organization,
        person=seat.person,
        role="member",
        since=timezone.localdate(),
    )
    with CaptureQueriesContext(connection) as two_tables:
        answer = page.get("/accounts/work/").content.decode()
    assert "Sucumbíos" in answer
    assert len(two_tables) == len(one_table)


def test_the_digest_carries_the_list_and_repeats_it_only_with_news(client_for, personas, table):
    client_for("member").post("/accounts/digest/", {"frequency": "daily"})
    call_command("send_digests", "daily", "--site-url", "https://minga.example.org")
    (sent,) = mail.outbox
    assert sent.subject.startswith("minga:")
    body = sent.body
    (waiting,) = work_for(personas["member"]).rounds
    assert "Lo que espera de usted" in body and waiting.title in body
    assert f"https://minga.example.org{waiting.url}" in body
    assert "https://minga.example.org/accounts/work/" in body

    call_command("send_digests", "daily")
    assert len(mail.outbox) == 1  # nothing new, nothing coming due that was not before

    decisions.open_consultation(
        by=personas["observer"],
        table=table,
        title="Consulta nueva para el digest",
        body="Texto",
        questions=["¿Qué opina?"],
        deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    DigestPreference.objects.update(last_sent_at=timezone.now() - dt.timedelta(minutes=1))
    call_command("send_digests", "daily")
    assert len(mail.outbox) == 2
    assert "Consulta nueva para el digest" in mail.outbox[1].body


def test_the_digest_is_written_in_the_language_its_reader_chose_it_in(client_for):
    client_for("member").post("/accounts/digest/?lang=pt", {"frequency": "weekly"})
    call_command("send_digests", "weekly")
    (sent,) = mail.outbox
    assert sent.subject == "minga: o que aguarda por você e o que há de novo nas suas mesas"
    assert "O que aguarda por você" in sent.body and "Rodadas de decisão" in sent.body
