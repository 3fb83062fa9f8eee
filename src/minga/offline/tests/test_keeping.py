"""What a phone keeps for each person, whose pages are whose, and the files that make minga
installable."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minga.core.access import Sensitivity
from minga.core.outbox import ANONYMOUS, viewer
from minga.core.testing import DEMO_TABLE, OTHER_TABLE
from minga.library import services as library
from minga.offline.queries import kept_for
from minga.tables.models import Table
from minga.work.queries import work_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_each_page_says_whose_it_is(client_for, personas, db):
    anonymous = Client().get("/")
    member = client_for("member").get("/accounts/work/")
    ngo = client_for("ngo").get("/accounts/work/")
    assert anonymous["Minga-Viewer"] == ANONYMOUS
    assert member["Minga-Viewer"] == viewer(personas["member"])
    assert ngo["Minga-Viewer"] not in (member["Minga-Viewer"], ANONYMOUS)
    assert str(personas["member"].pk) != member["Minga-Viewer"]
    assert f'data-viewer="{member["Minga-Viewer"]}"' in member.content.decode()


def test_a_member_keeps_their_work_rounds_meetings_and_marked_documents(personas, db):
    member = personas["member"]
    table = Table.objects.get(slug=DEMO_TABLE)
    upload = SimpleUploadedFile("estatuto.pdf", PDF, content_type="application/pdf")
    marked = library.add_document(
        by=personas["secretariat"],
        table=table,
        kind="statute",
        title="Estatuto para el campo",
        sensitivity=Sensitivity.TABLE,
        upload=upload,
        offline=True,
    )
    unmarked = library.add_document(
        by=personas["secretariat"],
        table=table,
        kind="other",
        title="Borrador",
        sensitivity=Sensitivity.TABLE,
        upload=SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
    )
    kept = kept_for(member)
    assert kept["pages"][0] == "/accounts/work/"
    assert f"/t/{DEMO_TABLE}/" in kept["pages"]
    for item in work_for(member).rounds:
        assert item.url.partition("#")[0] in kept["pages"]
    assert any("/meetings/" in page for page in kept["pages"])
    assert f"/t/{DEMO_TABLE}/library/{marked.public_id}/" in kept["pages"]
    assert f"/t/{DEMO_TABLE}/library/{marked.public_id}/v1/" in kept["files"]
    assert not any(unmarked.public_id in url for url in kept["pages"] + kept["files"])
    assert not any(f"/t/{OTHER_TABLE}/" in url for url in kept["pages"] + kept["files"])


def test_every_kept_address_opens_for_its_person(client_for, personas, db):
    for name in ("member", "secretariat", "monitor"):
        client = client_for(name)
        listed = client.get("/accounts/offline/").json()
        assert listed["viewer"] == viewer(personas[name])
        for url in listed["pages"] + listed["files"]:
            response = client.get(url)
            assert response.status_code == 200, (name, url, response.status_code)
        for url in listed["assets"]:
            assert url.startswith("/static/")


def test_nobody_logged_in_keeps_nothing_of_anyone(db):
    response = Client().get("/accounts/offline/")
    assert response.status_code == 401
    assert response.json() == {"viewer": ANONYMOUS, "pages": [], "files": []}


def test_the_service_worker_is_served_from_the_root_never_cached_long(db):
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert 'importScripts("/static/offline/store.js")' in script
    assert "{{" not in script and "{%" not in script
    precache = json.loads(script.split("var PRECACHE = ", 1)[1].split(";", 1)[0])
    for url in precache:
        assert url.startswith("/static/")


@pytest.mark.parametrize("lang", ["es", "pt", "en"])
def test_the_manifest_installs_minga_in_the_readers_language(db, lang):
    from django.contrib.staticfiles import finders
    from PIL import Image

    response = Client().get("/manifest.webmanifest", headers={"Accept-Language": lang})
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["lang"] == lang
    assert manifest["start_url"] == "/accounts/work/"
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add(image.width)
    assert {192, 512} <= sizes  # what browsers ask of an installable app


def test_only_the_documents_people_mark_it_for_phones(client_for, personas, db):
    table = Table.objects.get(slug=DEMO_TABLE)
    document = library.add_document(
        by=personas["secretariat"],
        table=table,
        kind="statute",
        title="Estatuto",
        sensitivity=Sensitivity.TABLE,
        upload=SimpleUploadedFile("e.pdf", PDF, content_type="application/pdf"),
    )
    assert not document.offline
    url = f"/t/{DEMO_TABLE}/library/{document.public_id}/offline/"
    assert client_for("secretariat").post(url, {"offline": "1"}).status_code == 302
    document.refresh_from_db()
    assert document.offline
    assert client_for("observer").post(url, {"offline": "0"}).status_code in (403, 404)
    document.refresh_from_db()
    assert document.offline
    client_for("secretariat").post(url, {"offline": "0"})
    document.refresh_from_db()
    assert not document.offline


def test_an_open_consultation_and_its_document_are_kept(client_for, personas, db):
    import datetime as dt

    from django.utils import timezone

    from minga.decisions import services as decisions

    consultation = decisions.open_consultation(
        by=personas["observer"],
        table=Table.objects.get(slug=DEMO_TABLE),
        title="Consulta sobre el programa de agua",
        body="Texto",
        questions=["¿Qué priorizar?"],
        deadline=timezone.localdate() + dt.timedelta(days=9),
        document=SimpleUploadedFile("programa.pdf", PDF, content_type="application/pdf"),
    )
    kept = kept_for(personas["member"])
    page = f"/t/{DEMO_TABLE}/consultations/{consultation.public_id}/"
    assert page in kept["pages"]
    assert f"{page}document/" in kept["files"]
    client = client_for("member")
    assert client.get(f"{page}document/").status_code == 200
