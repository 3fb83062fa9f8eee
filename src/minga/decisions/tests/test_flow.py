"""Proposal → deliberation → block → amendment → consent → outcome, through the pages."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from minga.core.models import Event
from minga.decisions.models import Decision, Position, Proposal, Round


@pytest.fixture
def ngo(db):
    client = Client()
    client.force_login(get_user_model().objects.get(username="ngo"))
    return client


def later(days=7):
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_it_takes_a_proposal_from_block_to_consent(client_for, ngo):
    member, secretariat, convener = (
        client_for("member"),
        client_for("secretariat"),
        client_for("convener"),
    )
    response = member.post(
        "/t/morona-santiago/proposals/new/",
        {
            "title": "Protocolo de consulta previa",
            "text": "Todo proyecto en el Kutukú se consulta a las comunidades.",
        },
    )
    proposal = Proposal.objects.get(title="Protocolo de consulta previa")
    base = f"/t/morona-santiago/proposals/{proposal.public_id}"
    assert response.url == f"{base}/"
    secretariat.post(f"{base}/comment/", {"text": "La Prefectura apoya; ¿qué plazo?"})
    assert secretariat.post(f"{base}/rounds/", {"closes_at": later()}).status_code == 302
    member.post(
        f"{base}/rounds/1/position/",
        {"stance": "block", "reason": "Faltan los plazos de la consulta"},
    )
    ngo.post(f"{base}/rounds/1/position/", {"stance": "agree"})
    secretariat.post(f"{base}/rounds/1/position/", {"stance": "agree"})
    page = Client().get(f"{base}/?lang=es").content.decode()
    assert (
        "Bloqueada por Federación Shuar del Upano y Kutukú: «Faltan los plazos de la consulta»."
        in page
    )
    secretariat.post(f"{base}/rounds/1/close/")
    assert Round.objects.get(proposal=proposal, number=1).outcome_code == "blocked"

    member.post(
        f"{base}/amend/",
        {
            "text": "Todo proyecto en el Kutukú se consulta a las comunidades con 60 días de plazo.",
            "change_note": "Plazo de 60 días",
        },
    )
    diff = Client().get(f"{base}/versions/2/").content.decode()
    assert "<del>comunidades.</del> <ins>comunidades con 60 días de plazo.</ins>" in diff
    secretariat.post(f"{base}/rounds/", {"closes_at": later()})
    for client in (member, ngo, secretariat):
        client.post(f"{base}/rounds/2/position/", {"stance": "agree"})
    secretariat.post(f"{base}/rounds/2/close/")
    assert Round.objects.get(proposal=proposal, number=2).outcome_code == "passed_by_consent"
    convener.post(
        f"{base}/decision/",
        {
            "statement": "La mesa adopta el protocolo de consulta previa.",
            "review_on": (timezone.localdate() + dt.timedelta(days=365)).isoformat(),
            "confirm": "on",
        },
    )
    decision = Decision.objects.get(proposal=proposal)
    assert decision.round.number == 2
    register = {
        lang: Client().get(f"/t/morona-santiago/decisions/?lang={lang}").content.decode()
        for lang in ("es", "pt", "en")
    }
    assert "Aprobada por consentimiento: nadie bloqueó." in register["es"]
    assert "Aprovada por consentimento: ninguém bloqueou." in register["pt"]
    assert "Passed by consent: nobody blocked." in register["en"]
    assert all(
        "La mesa adopta el protocolo de consulta previa." in page for page in register.values()
    )
    types = list(
        Event.objects.filter(subject__endswith=proposal.public_id).values_list("type", flat=True)
    )
    assert types.count("decisions.round_closed") == 2 and "decisions.outcome_recorded" in types


def open_proposal(client_for):
    client_for("member").post(
        "/t/morona-santiago/proposals/new/", {"title": "Propuesta de prueba", "text": "Texto"}
    )
    proposal = Proposal.objects.get(title="Propuesta de prueba")
    base = f"/t/morona-santiago/proposals/{proposal.public_id}"
    client_for("secretariat").post(f"{base}/rounds/", {"closes_at": later()})
    return proposal, base


def test_it_refuses_a_block_without_reason(client_for):
    proposal, base = open_proposal(client_for)
    response = client_for("member").post(
        f"{base}/rounds/1/position/?lang=es", {"stance": "block", "reason": " "}
    )
    assert response.status_code == 400
    assert "Un bloqueo debe dar su razón." in response.content.decode()
    assert not Position.objects.filter(round__proposal=proposal).exists()


@pytest.mark.parametrize("persona", ["outsider", "other_secretariat", "observer"])
def test_it_refuses_a_position_from_a_non_member(client_for, persona):
    proposal, base = open_proposal(client_for)
    response = client_for(persona).post(f"{base}/rounds/1/position/?lang=es", {"stance": "agree"})
    assert response.status_code == 403
    assert not Position.objects.filter(round__proposal=proposal).exists()


def test_it_refuses_a_position_after_close(client_for):
    proposal, base = open_proposal(client_for)
    Round.objects.filter(proposal=proposal).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client_for("member").post(f"{base}/rounds/1/position/?lang=pt", {"stance": "agree"})
    assert response.status_code == 400
    assert "Esta rodada está encerrada" in response.content.decode()
    assert not Position.objects.filter(round__proposal=proposal).exists()


def test_it_refuses_a_second_position_for_the_same_organization(client_for):
    proposal, base = open_proposal(client_for)
    client_for("secretariat").post(f"{base}/rounds/1/position/", {"stance": "agree"})
    events = Event.objects.count()
    response = client_for("convener").post(
        f"{base}/rounds/1/position/?lang=es", {"stance": "block", "reason": "No"}
    )
    assert response.status_code == 400
    assert (
        "Gobierno Provincial de Morona Santiago ya expresó su posición en esta ronda"
        in response.content.decode()
    )
    assert Position.objects.get(round__proposal=proposal).stance == "agree"
    assert Event.objects.count() == events


def test_it_lets_an_organization_change_its_position_until_close(client_for):
    proposal, base = open_proposal(client_for)
    member = client_for("member")
    member.post(f"{base}/rounds/1/position/", {"stance": "block", "reason": "Aún no"})
    position = Position.objects.get(round__proposal=proposal)
    member.post(f"{base}/rounds/1/position/", {"stance": "agree", "replaces": position.pk})
    position.refresh_from_db()
    assert position.stance == "agree"


def test_it_serves_the_live_panel(client_for):
    _proposal, base = open_proposal(client_for)
    client_for("member").post(
        f"{base}/rounds/1/position/", {"stance": "concerns", "reason": "Presupuesto"}
    )
    panel = Client().get(f"{base}/rounds/1/panel/?lang=en").content.decode()
    assert 'hx-trigger="every 10s"' in panel
    assert "Presupuesto" in panel and "If it closed now:" in panel


def test_it_sets_the_statute_rules(client_for):
    from minga.decisions.models import DecisionRule
    from minga.meetings.models import MeetingRules

    secretariat = client_for("secretariat")
    response = secretariat.post(
        "/t/morona-santiago/decisions/rule/",
        {
            "base": "full_consensus",
            "sector_quorum": "on",
            "fallback_after": 2,
            "fallback_percent": 75,
            "quorum_percent": 60,
        },
    )
    assert response.status_code == 302
    rule = DecisionRule.objects.get(table__slug="morona-santiago")
    assert (rule.base, rule.fallback_after, rule.fallback_percent) == ("full_consensus", 2, 75)
    quorum = MeetingRules.objects.get(table__slug="morona-santiago")
    assert (quorum.quorum_percent, quorum.sectors_required) == (60, False)
    bad = secretariat.post(
        "/t/morona-santiago/decisions/rule/?lang=es",
        {"base": "consent", "fallback_after": 2, "quorum_percent": 50},
    )
    assert bad.status_code == 400
    assert "Un recurso necesita un número de rondas bloqueadas" in bad.content.decode()
    assert DecisionRule.objects.get(table__slug="morona-santiago").base == "full_consensus"


def test_it_links_a_proposal_to_an_agenda_item(client_for):
    from minga.core.access import SYSTEM
    from minga.meetings import services as meetings
    from minga.tables.models import Table

    meeting = meetings.create_meeting(
        by=SYSTEM,
        table=Table.objects.get(slug="morona-santiago"),
        title="Sesión de enero",
        starts_at=timezone.now() + dt.timedelta(days=30),
        place="Macas",
    )
    item = meetings.add_agenda_item(by=SYSTEM, meeting=meeting, title="Plan de agua segura")
    member = client_for("member")
    assert (
        "Sesión de enero · 1. Plan de agua segura"
        in member.get("/t/morona-santiago/proposals/new/").content.decode()
    )
    member.post(
        "/t/morona-santiago/proposals/new/",
        {"title": "Agua para 12 comunidades", "text": "Filtros", "agenda_item": item.pk},
    )
    proposal = Proposal.objects.get(title="Agua para 12 comunidades")
    assert proposal.agenda_item == item and proposal.meeting == meeting
    assert (
        "Agua para 12 comunidades"
        in client_for("secretariat")
        .get(f"/t/morona-santiago/meetings/{meeting.public_id}/")
        .content.decode()
    )
