"""Inviting, claiming and importing representatives."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.test import Client
from openpyxl import Workbook

from minga.core.models import Event
from minga.demo import data as demo
from minga.tables.models import Invitation, Membership, Organization, Person, Table
from minga.tables.queries import members_by_sector


def invite(client, **overrides):
    data = {
        "full_name": "Ruth Mashinkiash",
        "email": "",
        "organization_name": "Red de Jóvenes Shuar Demo",
        "sector": "indigenous",
        "role": "member",
        "seat": "principal",
    }
    data.update(overrides)
    return client.post("/t/morona-santiago/members/invite/", data)


def test_it_invites_by_email_and_lists_the_organization_by_sector(
    client_for, django_capture_on_commit_callbacks, settings
):
    # The task runs in-process here; test_worker.py runs the real database worker.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client = client_for("secretariat")
    table = Table.objects.get(slug="morona-santiago")
    indigenous = {r.sector: r.organization_count for r in members_by_sector(table)}["indigenous"]
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, email="ruth@demo.minga.invalid")
    invitation = Invitation.objects.get(email="ruth@demo.minga.invalid")
    assert response.status_code == 302
    assert response.url == f"/t/morona-santiago/invitations/{invitation.public_id}/"
    assert len(mail.outbox) == 1
    assert f"/join/{invitation.token}/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["ruth@demo.minga.invalid"]
    home = client.get("/t/morona-santiago/?lang=en").content.decode()
    section = home.split('id="sector-indigenous"')[1].split("</section>")[0]
    assert "Red de Jóvenes Shuar Demo" in section
    assert f"({indigenous + 1})" in section  # the sector's count, this organization included
    assert Event.objects.filter(type="tables.member_invited").exists()


def test_it_invites_without_email_with_a_link_and_a_qr_code(client_for):
    client = client_for("secretariat")
    invite(
        client,
        organization_name="",
        organization=Organization.objects.get(acronym="FESUK").public_id,
    )
    invitation = Invitation.objects.latest("created_at")
    page = client.get(f"/t/morona-santiago/invitations/{invitation.public_id}/").content.decode()
    assert f"http://testserver/join/{invitation.token}/" in page
    assert "<svg" in page and "<path" in page
    assert mail.outbox == []


def test_it_lets_the_invited_person_create_an_account(client_for):
    invite(client_for("secretariat"))
    invitation = Invitation.objects.latest("created_at")
    visitor = Client()
    assert visitor.get(f"/join/{invitation.token}/").status_code == 200
    response = visitor.post(
        f"/join/{invitation.token}/", {"username": "ruth", "password": "selva-viva-2025"}
    )
    assert response.status_code == 302
    person = Person.objects.get(user__username="ruth")
    assert person.full_name == "Ruth Mashinkiash"
    assert visitor.get("/t/morona-santiago/members/").status_code == 200
    again = Client().post(
        f"/join/{invitation.token}/", {"username": "ruth2", "password": "selva-viva-2025"}
    )
    assert again.status_code == 400


def test_it_refuses_a_weak_password_and_keeps_the_invitation_open(client_for):
    invite(client_for("secretariat"))
    invitation = Invitation.objects.latest("created_at")
    response = Client().post(
        f"/join/{invitation.token}/?lang=es", {"username": "ruth", "password": "12345678"}
    )
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Person.objects.filter(user__username="ruth").exists()


def spreadsheet(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["organization", "sector", "full_name", "email", "role", "birth_year"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "miembros.xlsx"
    return buffer


def test_it_imports_a_spreadsheet(client_for):
    client = client_for("secretariat")
    upload = spreadsheet(
        [
            ["Asociación Kakaram Demo", "community", "Tuntiak Kajekai", "", "monitor", 1990],
            [
                demo.NGO,
                "ngo_local",
                "Elena Paredes",
                "elena@demo.minga.invalid",
                "",
                "",
            ],
        ]
    )
    response = client.post("/t/morona-santiago/members/import/", {"spreadsheet": upload})
    assert response.status_code == 302
    assert Membership.objects.filter(
        table__slug="morona-santiago", person__full_name="Tuntiak Kajekai", role="monitor"
    ).exists()
    assert Organization.objects.get(name="Asociación Kakaram Demo").sector == "community"


def test_it_imports_nothing_when_one_row_is_bad(client_for):
    client = client_for("secretariat")
    upload = spreadsheet(
        [
            ["Asociación Kakaram Demo", "community", "Tuntiak Kajekai", "", "monitor", 1990],
            ["Otra Org Demo", "martians", "Elena Paredes", "", "", ""],
            ["Tercera Org Demo", "ngo_local", "", "", "", ""],
        ]
    )
    people = Person.objects.count()
    response = client.post("/t/morona-santiago/members/import/?lang=es", {"spreadsheet": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No se importó nada" in page
    assert "martians no es un sector conocido." in page
    assert Person.objects.count() == people
    assert not Organization.objects.filter(name="Asociación Kakaram Demo").exists()


def test_it_reads_csv_with_semicolons_and_refuses_other_files(client_for):
    client = client_for("secretariat")
    csv_file = io.BytesIO(b"organization;sector;full_name\nColectivo Demo;ngo_local;Ana Prueba\n")
    csv_file.name = "miembros.csv"
    assert (
        client.post("/t/morona-santiago/members/import/", {"spreadsheet": csv_file}).status_code
        == 302
    )
    other = io.BytesIO(b"hello")
    other.name = "notes.txt"
    response = client.post("/t/morona-santiago/members/import/?lang=pt", {"spreadsheet": other})
    assert response.status_code == 400
    page = response.content.decode()
    assert "notes.txt" in page and ".xlsx, .csv" in page


def test_it_ends_a_membership_and_keeps_the_history(client_for):
    client = client_for("secretariat")
    membership = (
        Membership.objects.active().filter(table__slug="morona-santiago", role="member").first()
    )
    url = f"/t/morona-santiago/members/{membership.pk}/end/"
    page = client.get(f"{url}?lang=pt").content.decode()
    assert "Suas posições, votos, relatórios e documentos permanecem" in page
    refused = client.post(f"{url}?lang=pt")  # the box is not ticked: nothing ends
    assert refused.status_code == 400
    assert "Marque a caixa para confirmar" in refused.content.decode()
    membership.refresh_from_db()
    assert membership.until is None
    client.post(url, {"confirm": "on"})
    membership.refresh_from_db()
    assert membership.until is not None
    assert (
        membership.organization.name in client.get("/t/morona-santiago/members/").content.decode()
    )


@pytest.mark.parametrize("lang", ["es", "pt", "en"])
def test_it_edits_the_table(client_for, lang):
    client = client_for("secretariat")
    response = client.post(
        f"/t/morona-santiago/edit/?lang={lang}",
        {
            "name": "Mesa de Morona Santiago",
            "province": "Morona Santiago",
            "description": "Nueva",
            "launched_on": "2024-03-15",
        },
    )
    assert response.status_code == 302
    assert "Mesa de Morona Santiago" in client.get("/t/morona-santiago/").content.decode()


def test_it_adds_an_instrument_as_convener(client_for):
    client = client_for("convener")
    response = client.post(
        "/t/morona-santiago/instruments/add/",
        {"kind": "statute", "title": "Estatuto de la Mesa", "signed_on": "2025-02-01"},
    )
    assert response.status_code == 302
    assert "Estatuto de la Mesa" in client.get("/t/morona-santiago/").content.decode()
    bad = client.post(
        "/t/morona-santiago/instruments/add/?lang=es",
        {
            "kind": "statute",
            "title": "Al revés",
            "signed_on": "2025-02-01",
            "valid_until": "2024-01-01",
        },
    )
    assert bad.status_code == 400


def test_it_serves_an_instrument_document_and_refuses_other_files(client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("secretariat")
    pdf = SimpleUploadedFile("ordenanza.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    response = client.post(
        "/t/morona-santiago/instruments/add/",
        {
            "kind": "ordinance",
            "title": "Ordenanza con documento",
            "signed_on": "2025-03-01",
            "document": pdf,
        },
    )
    assert response.status_code == 302
    home = client.get("/t/morona-santiago/").content.decode()
    link = home.split("Ordenanza con documento")[1].split('href="')[1].split('"')[0]
    download = Client().get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"
    exe = SimpleUploadedFile("virus.exe", b"MZ")
    bad = client.post(
        "/t/morona-santiago/instruments/add/?lang=es",
        {"kind": "ordinance", "title": "Otro", "signed_on": "2025-03-01", "document": exe},
    )
    assert bad.status_code == 400
    assert "virus.exe" in bad.content.decode() and ".pdf, .odt" in bad.content.decode()


def test_it_shows_the_admin_to_superusers_only(client_for):
    from django.contrib.auth import get_user_model

    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    assert admin.get("/admin/tables/table/").status_code == 200
    assert client_for("secretariat").get("/admin/tables/table/").status_code == 302


def test_the_invite_form_offers_only_this_table_s_organizations(client_for):
    page = client_for("secretariat").get("/t/morona-santiago/members/invite/").content.decode()
    mine = Organization.objects.filter(memberships__table__slug="morona-santiago").distinct()
    theirs = Organization.objects.filter(memberships__table__slug="sucumbios").exclude(pk__in=mine)
    assert theirs.exists()
    assert all(f'value="{o.public_id}"' in page for o in mine)
    assert not any(f'value="{o.public_id}"' in page for o in theirs)


def test_an_acronym_equal_to_the_name_is_not_repeated(client_for):
    bank = Organization.objects.filter(memberships__table__slug="morona-santiago").first()
    Organization.objects.filter(pk=bank.pk).update(name="BID", acronym="BID")
    page = client_for("public").get(f"/o/{bank.public_id}/").content.decode()
    assert "BID (BID)" not in page and "BID" in page


def test_one_imported_representative_reads_in_the_singular(client_for):
    client = client_for("secretariat")
    upload = spreadsheet([["Asociación Kakaram Demo", "community", "Nantu Kajekai", "", "", ""]])
    response = client.post(
        "/t/morona-santiago/members/import/?lang=pt", {"spreadsheet": upload}, follow=True
    )
    page = response.content.decode()
    assert "1 representante foi importado." in page and "representantes foram" not in page
