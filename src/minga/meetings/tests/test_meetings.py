"""A meeting's life: convened, held, attendance typed in from paper, quorum, minutes published."""

import datetime as dt
import shutil
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from minga.core import pdf
from minga.core.access import SYSTEM
from minga.core.models import Event
from minga.decisions import services as decisions
from minga.demo import data as demo
from minga.meetings import services
from minga.meetings.models import Attendance, Ballot, Meeting
from minga.meetings.queries import quorum_of
from minga.tables.models import Membership, Organization, Table


@pytest.fixture
def table(db):
    return Table.objects.get(slug="morona-santiago")


def org(name):
    return Organization.objects.get(name=name)


def test_it_convenes_with_an_ics_invitation(
    client_for, table, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    secretariat = client_for("secretariat")
    response = secretariat.post(
        "/t/morona-santiago/meetings/new/",
        {
            "title": "Sesión ordinaria de diciembre",
            "kind": "ordinary",
            "starts_at": (timezone.localtime() + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 180,
            "place": "Macas, salón de la Prefectura",
            "language": "Español",
            "interpretation": "Shuar ↔ Español",
            "is_public": "on",
        },
    )
    meeting = Meeting.objects.get(title="Sesión ordinaria de diciembre")
    assert response.status_code == 302
    secretariat.post(
        f"/t/morona-santiago/meetings/{meeting.public_id}/agenda/",
        {"title": "Informe de la secretaría", "duration_minutes": 20},
    )
    with django_capture_on_commit_callbacks(execute=True):
        secretariat.post(f"/t/morona-santiago/meetings/{meeting.public_id}/convene/")
    assert len(mail.outbox) >= 5
    invitation = mail.outbox[0]
    assert "Sesión ordinaria de diciembre" in invitation.subject
    assert "Informe de la secretaría" in invitation.body
    name, ics, mimetype = invitation.attachments[0]
    assert name == "meeting.ics" and mimetype.startswith("text/calendar")
    ics = ics if isinstance(ics, str) else ics.decode()
    assert "BEGIN:VEVENT" in ics and "SUMMARY:Sesión ordinaria de diciembre" in ics
    assert f"UID:{meeting.public_id}@minga" in ics
    feed = Client().get("/t/morona-santiago/meetings.ics").content
    assert f"UID:{meeting.public_id}@minga".encode() in feed


def test_it_refuses_a_private_meetings_ics_to_an_outsider(client_for, table):
    meeting = services.create_meeting(
        by=SYSTEM,
        table=table,
        title="Reunión reservada",
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Macas",
        is_public=False,
    )
    url = f"/t/morona-santiago/meetings/{meeting.public_id}/meeting.ics"
    events = Event.objects.count()
    for persona in ("outsider", "other_secretariat", "public"):
        response = client_for(persona).get(f"{url}?lang=es")
        assert response.status_code == 404
        assert "no está compartida con usted" in response.content.decode()
    assert (
        f"UID:{meeting.public_id}".encode()
        not in client_for("outsider").get("/t/morona-santiago/meetings.ics").content
    )
    assert client_for("observer").get(url).status_code == 200
    assert Event.objects.count() == events


def test_it_publishes_minutes_from_a_paper_sheet_with_quorum_and_decisions(client_for, table):
    meeting = services.create_meeting(
        by=SYSTEM,
        table=table,
        title="Sesión en Taisha",
        starts_at=timezone.now() - dt.timedelta(hours=3),
        place="Taisha",
    )
    member = get_user_model().objects.get(username="member")
    proposal = decisions.create_proposal(
        by=member,
        table=table,
        title="Plan de vigilancia comunitaria",
        text="Patrullajes mensuales.",
        meeting=meeting,
    )
    round_ = decisions.open_round(
        by=SYSTEM,
        proposal=proposal,
        closes_at=timezone.now() + dt.timedelta(hours=1),
        meeting=meeting,
    )
    secretariat = client_for("secretariat")
    base = f"/t/morona-santiago/meetings/{meeting.public_id}"
    assert demo.NGO in secretariat.get(f"{base}/sheet/").content.decode()

    present = [
        demo.FEDERATION,
        "Nacionalidad Achuar del Pastaza Alto",
        demo.PREFECTURE,
        demo.MUNICIPALITY,
        demo.NGO,
        "Universidad Amazónica del Upano",
        "Ministerio del Ambiente, Agua y Transición Ecológica — Dirección Zonal 6",
        demo.COMMUNITY,
        "Asociación de Centros Shuar de Transkutukú",
        "Consejo de Mujeres Shuar y Achuar Nunkui",
        "Comunidad Achuar Wayusentsa",
        "Gobierno Municipal de Morona",
        "Comunidad Shuar Yawi",
        "Comunidad Achuar Kuamar",
    ]
    form = {f"status-{org(n).public_id}": "present" for n in present}
    form[f"names-{org(present[0]).public_id}"] = "Nantar Jimpikit, Rosa Tiwi"
    form[f"status-{org('Selva Viva Internacional').public_id}"] = "excused"
    response = secretariat.post(f"{base}/attendance/", form)
    assert response.status_code == 302
    assert (
        Attendance.objects.filter(meeting=meeting, from_paper=True, status="present").count() == 15
    )
    page = secretariat.get(f"{base}/?lang=es").content.decode()
    held = quorum_of(meeting)  # the page says what the statute's count gives
    assert held.met and held.present == len(present)
    assert (
        f"Hay quórum: {held.present} de {held.members} organizaciones miembro presentes "
        f"({held.needed} necesarias)."
    ) in page

    for username, stance in (("member", "agree"), ("secretariat", "agree"), ("ngo", "agree")):
        decisions.state_position(
            by=get_user_model().objects.get(username=username), round=round_, stance=stance
        )
    decisions.close_round(by=SYSTEM, round=round_)
    decisions.record_decision(
        by=get_user_model().objects.get(username="convener"),
        proposal=proposal,
        statement="Se aprueban patrullajes mensuales en el Kutukú.",
    )

    secretariat.post(
        f"{base}/minutes/", {"minutes": "La mesa revisó el plan de vigilancia comunitaria."}
    )
    unconfirmed = secretariat.post(f"{base}/publish/?lang=en", follow=True).content.decode()
    assert "Tick the box to confirm that you want this to happen." in unconfirmed
    assert "they cannot be changed afterwards" in unconfirmed
    assert secretariat.post(f"{base}/publish/", {"confirm": "on"}).status_code == 302
    report = Client().get(f"{base}/report/?lang=es").content.decode()
    assert (
        "Nantar Jimpikit, Rosa Tiwi" in report
        and "Se aprueban patrullajes mensuales en el Kutukú." in report
    )

    printed = Client().get(f"{base}/report.pdf?lang=es")
    assert printed["Content-Type"] == "application/pdf" and printed.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (apt poppler-utils) is needed to read the PDF back")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=printed.content, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    for name in present[:7]:
        assert name.split(" — ")[0] in flat, name
    assert "Decisiones tomadas" in flat
    assert "Se aprueban patrullajes mensuales en el Kutukú." in flat
    assert "Hay quórum" in flat


def test_it_refuses_to_publish_without_attendance(client_for, table):
    meeting = services.create_meeting(
        by=SYSTEM,
        table=table,
        title="Sin lista",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        place="Macas",
    )
    services.save_minutes(by=SYSTEM, meeting=meeting, minutes="Acta")
    response = client_for("secretariat").post(
        f"/t/morona-santiago/meetings/{meeting.public_id}/publish/?lang=es",
        {"confirm": "on"},
        follow=True,
    )
    assert "Registre la asistencia antes de publicar el acta." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status != "published"
    assert (
        client_for("public")
        .get(f"/t/morona-santiago/meetings/{meeting.public_id}/report/")
        .status_code
        == 403
    )


def ranking_round(table, method="dots", dots=5):
    member = get_user_model().objects.get(username="member")
    priorities = [
        services.submit_priority(
            by=member, table=table, title=f"Prioridad {i}", description="Necesidad local"
        )
        for i in range(3)
    ]
    return services.open_ranking(
        by=SYSTEM,
        table=table,
        title="Priorización 2026",
        method=method,
        dots=dots,
        priorities=priorities,
        closes_at=timezone.now() + dt.timedelta(days=5),
    ), priorities


def test_it_refuses_a_ballot_over_its_dots(client_for, table):
    round_, priorities = ranking_round(table)
    response = client_for("member").post(
        f"/t/morona-santiago/agenda/rankings/{round_.public_id}/ballot/?lang=es",
        {f"dots-{priorities[0].public_id}": 4, f"dots-{priorities[1].public_id}": 3},
    )
    assert response.status_code == 400
    assert "Esta papeleta usa 7 puntos; cada organización tiene 5." in response.content.decode()
    assert not Ballot.objects.filter(round=round_).exists()


def test_it_ranks_priorities_by_dots_and_by_borda(client_for, table):
    round_, priorities = ranking_round(table)
    client_for("member").post(
        f"/t/morona-santiago/agenda/rankings/{round_.public_id}/ballot/",
        {f"dots-{priorities[2].public_id}": 4, f"dots-{priorities[0].public_id}": 1},
    )
    client_for("ngo").post(
        f"/t/morona-santiago/agenda/rankings/{round_.public_id}/ballot/",
        {f"dots-{priorities[0].public_id}": 5},
    )
    page = Client().get(f"/t/morona-santiago/agenda/rankings/{round_.public_id}/").content.decode()
    assert page.index("Prioridad 0") < page.index("Prioridad 2") < page.index("Prioridad 1")

    ranked, ranked_priorities = ranking_round(table, method="ranked")
    client_for("member").post(
        f"/t/morona-santiago/agenda/rankings/{ranked.public_id}/ballot/",
        {f"rank-{ranked_priorities[1].public_id}": 1, f"rank-{ranked_priorities[0].public_id}": 2},
    )
    assert Ballot.objects.get(round=ranked).choices == [
        ranked_priorities[1].public_id,
        ranked_priorities[0].public_id,
    ]
    repeated = client_for("ngo").post(
        f"/t/morona-santiago/agenda/rankings/{ranked.public_id}/ballot/?lang=en",
        {f"rank-{ranked_priorities[1].public_id}": 1, f"rank-{ranked_priorities[0].public_id}": 1},
    )
    assert repeated.status_code == 400
    assert "Each place can be given to only one priority." in repeated.content.decode()


def test_it_turns_a_selected_priority_into_an_agenda_item(client_for, table):
    meeting = services.create_meeting(
        by=SYSTEM,
        table=table,
        title="Próxima sesión",
        starts_at=timezone.now() + dt.timedelta(days=20),
        place="Macas",
    )
    _round, priorities = ranking_round(table)
    client_for("secretariat").post(
        f"/t/morona-santiago/agenda/priorities/{priorities[0].public_id}/select/",
        {"meeting": meeting.public_id},
    )
    item = meeting.agenda.get()
    assert item.priority == priorities[0] and item.title == "Prioridad 0"


def test_the_paper_sheet_offers_only_who_can_be_accepted_and_keeps_a_refused_sheet(
    client_for, table
):
    meeting = services.create_meeting(
        by=SYSTEM,
        table=table,
        title="Sesión en Sucúa",
        starts_at=timezone.now() - dt.timedelta(days=3),
        place="Sucúa",
    )
    late = Organization.objects.create(name="Asociación Kukush", sector="indigenous")
    Membership.objects.create(
        table=table, organization=late, role="member", since=timezone.localdate()
    )
    secretariat = client_for("secretariat")
    base = f"/t/morona-santiago/meetings/{meeting.public_id}"
    for page in ("attendance", "sheet"):
        html = secretariat.get(f"{base}/{page}/").content.decode()
        assert demo.FEDERATION in html and "Asociación Kukush" not in html
    # A form opened before the organization joined... or typed by hand: the whole sheet comes
    # back with what was typed, the row at fault marked.
    typed = {
        f"status-{org(demo.FEDERATION).public_id}": "present",
        f"names-{org(demo.FEDERATION).public_id}": "Nantar Jimpikit",
        f"status-{late.public_id}": "present",
    }
    refused = secretariat.post(f"{base}/attendance/?lang=es", typed)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert not Attendance.objects.filter(meeting=meeting).exists()
    assert "Asociación Kukush no era miembro de la mesa el día de la reunión." in html
    assert 'value="Nantar Jimpikit"' in html
    assert 'aria-invalid="true"' in html
    # A meeting still to come: no form to fill and be refused after.
    coming = services.create_meeting(
        by=SYSTEM,
        table=table,
        title="Sesión futura",
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Macas",
    )
    future = f"/t/morona-santiago/meetings/{coming.public_id}"
    html = secretariat.get(f"{future}/attendance/?lang=es").content.decode()
    assert "La asistencia se registra una vez empezada la reunión." in html
    assert "<select" not in html
    assert f"{future}/attendance/" not in secretariat.get(f"{future}/").content.decode()


def test_an_agenda_item_names_its_priority_and_asks_for_a_duration(client_for, table):
    meeting = services.create_meeting(
        by=SYSTEM,
        table=table,
        title="Sesión ordinaria",
        starts_at=timezone.now() + dt.timedelta(days=5),
        place="Macas",
    )
    member = get_user_model().objects.get(username="member")
    priority = services.submit_priority(
        by=member, table=table, title="Agua segura en Tiwintza", description="Necesidad local"
    )
    secretariat = client_for("secretariat")
    base = f"/t/morona-santiago/meetings/{meeting.public_id}"
    secretariat.post(
        f"{base}/agenda/",
        {"title": "Agua segura", "duration_minutes": "30", "priority": priority.public_id},
    )
    html = secretariat.get(f"{base}/?lang=es").content.decode()
    assert f'#priority-{priority.public_id}">Agua segura en Tiwintza</a>' in html
    assert f"prioridad: {priority.organization.name}" not in html
    assert "Duración (minutos)" in html


def test_minutes_pdf_is_made_once_and_served_again_from_what_was_kept(
    client_for, monkeypatch, settings, tmp_path
):
    weasyprint = pytest.importorskip("weasyprint")
    settings.DATA_DIR = tmp_path
    made = []
    write_pdf = weasyprint.HTML.write_pdf

    def counted(self, *args, **kwargs):
        made.append(1)
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    meeting = Meeting.objects.filter(table__slug="morona-santiago", status="published").first()
    url = f"/t/morona-santiago/meetings/{meeting.public_id}/report.pdf?lang=es"
    first = client_for("public").get(url)
    again = client_for("public").get(url)
    assert first.content.startswith(b"%PDF") and again.content == first.content
    assert len(made) == 1 and len(list((tmp_path / "pdf-cache").glob("*.pdf"))) == 1
    client_for("public").get(url.replace("lang=es", "lang=pt"))  # another page, another PDF
    assert len(made) == 2


def test_the_server_loads_the_pdf_maker_before_its_first_visitor(monkeypatch):
    """`minga serve` and `minga demo` warm WeasyPrint up front (its first PDF in a process waits
    seconds for libraries and fonts); a system without Pango only says False."""
    weasyprint = pytest.importorskip("weasyprint")
    made = []
    write_pdf = weasyprint.HTML.write_pdf
    monkeypatch.setattr(
        weasyprint.HTML, "write_pdf", lambda self, *a, **k: made.append(1) or write_pdf(self)
    )
    assert pdf.warm_up() is True and made == [1]
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # no Pango: the import fails
    assert pdf.warm_up() is False
