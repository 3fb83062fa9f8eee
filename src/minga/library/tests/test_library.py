"""A table's document library: documents with every version kept, each read only by whom its
sensitivity allows (the document's existence included), and refusals that write nothing."""

from __future__ import annotations

import hashlib
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minga.core.events import Event
from minga.core.testing import DEMO_TABLE
from minga.ledger import services as ledger
from minga.library.models import Document, Version
from minga.tables.models import Membership

BASE = f"/t/{DEMO_TABLE}/library"
PDF_1 = b"%PDF-1.4\n% estatuto, primera lectura\n"
PDF_2 = b"%PDF-1.4\n% estatuto, segunda lectura con las observaciones de la asamblea\n"


def _pdf(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_the_secretariat_files_the_statute_and_its_new_version_keeps_the_first(client_for):
    secretariat = client_for("secretariat")
    added = secretariat.post(
        f"{BASE}/new/",
        {
            "kind": "statute",
            "title": "Estatuto de la mesa",
            "sensitivity": "1",
            "upload": _pdf("estatuto-v1.pdf", PDF_1),
        },
    )
    assert added.status_code == 302
    document = Document.objects.get(title="Estatuto de la mesa")
    page = f"{BASE}/{document.public_id}/"
    refused = secretariat.post(f"{page}versions/?lang=pt", {"note": "x"})
    assert refused.status_code == 400 and "Este campo é obrigatório" in _text(refused)
    secretariat.post(
        f"{page}versions/",
        {"upload": _pdf("estatuto-v2.pdf", PDF_2), "note": "Observaciones de la asamblea"},
    )
    assert list(document.versions.values_list("number", flat=True)) == [2, 1]

    member = client_for("member")
    text = _text(member.get(f"{page}?lang=pt"))
    assert "estatuto-v1.pdf" in text and "estatuto-v2.pdf" in text
    assert "Observaciones de la asamblea" in text and "vigente" in text
    assert hashlib.sha256(PDF_2).hexdigest()[:16] in text
    first = member.get(f"{page}v1/")
    assert first["Content-Disposition"].startswith("attachment")
    assert _body(first) == PDF_1 and _body(member.get(f"{page}v2/")) == PDF_2
    assert "Estatuto de la mesa" in _text(member.get(f"{BASE}/?lang=pt"))
    # a member organization reads it but may not replace the secretariat's document
    assert member.post(f"{page}versions/", {"upload": _pdf("otro.pdf", PDF_1)}).status_code == 403
    assert document.versions.count() == 2

    # the public sees neither the document nor that it exists
    public = Client()
    assert "Estatuto de la mesa" not in _text(public.get(f"{BASE}/"))
    for url in (page, f"{page}v1/", f"{page}v2/"):
        assert public.get(url).status_code == 404
    # the log holds the two steps as commitments: the title is not in the public record
    steps = Event.objects.filter(type__startswith="library.", subject__endswith=document.public_id)
    assert steps.count() == 2
    assert all(e.sensitivity == 1 for e in steps)
    ledger.publish()
    leaves = " ".join(
        Client().get(f"/log/entries/{e.log_entry.index}").content.decode() for e in steps
    )
    assert document.public_id in leaves and "Estatuto de la mesa" not in leaves
    assert "payload_commitment" in leaves


def test_someone_who_speaks_for_two_organizations_says_whose_document_it_is(client_for, personas):
    seat = Membership.objects.get(person__user=personas["member"], table__slug=DEMO_TABLE)
    other = (
        Membership.objects.filter(table__slug=DEMO_TABLE)
        .exclude(organization=seat.organization)
        .exclude(role="observer")
        .first()
        .organization
    )
    Membership.objects.create(
        table=seat.table, organization=other, person=seat.person, role="member", since=seat.since
    )
    member = client_for("member")
    fields = {"kind": "other", "title": "Plan de trabajo", "sensitivity": "2"}
    asked = member.post(f"{BASE}/new/?lang=pt", {**fields, "upload": _pdf("plan.pdf", PDF_1)})
    assert asked.status_code == 400 and "De quem é o documento" in _text(asked)
    assert not Document.objects.filter(title="Plan de trabajo").exists()
    member.post(
        f"{BASE}/new/",
        {**fields, "organization": other.public_id, "upload": _pdf("plan.pdf", PDF_1)},
    )
    assert Document.objects.get(title="Plan de trabajo").owner == other


def test_an_organizations_own_document_is_read_by_its_people_only(client_for):
    member = client_for("member")
    member.post(
        f"{BASE}/new/",
        {
            "kind": "agreement",
            "title": "Texto del acuerdo comunitario",
            "sensitivity": "2",
            "upload": _pdf("acuerdo.pdf", PDF_1),
        },
    )
    document = Document.objects.get(title="Texto del acuerdo comunitario")
    assert document.owner.acronym == "FESUK"
    page = f"{BASE}/{document.public_id}/"
    assert member.get(page).status_code == 200
    for persona in ("secretariat", "observer", "convener", "outsider"):
        assert client_for(persona).get(page).status_code == 404, persona
        assert "Texto del acuerdo" not in _text(client_for(persona).get(f"{BASE}/"))


@pytest.mark.parametrize("lang", ["es", "pt", "en"])
def test_a_file_of_the_wrong_kind_is_refused_and_nothing_is_written(client_for, lang):
    before = Document.objects.count(), Version.objects.count()
    refused = client_for("secretariat").post(
        f"{BASE}/new/?lang={lang}",
        {
            "kind": "other",
            "title": "Programa",
            "sensitivity": "0",
            "upload": SimpleUploadedFile("programa.exe", b"MZ\x90\x00"),
        },
    )
    assert refused.status_code == 400
    assert "programa.exe" in _text(refused) and ".pdf" in _text(refused)
    assert (Document.objects.count(), Version.objects.count()) == before
    assert client_for("observer").get(f"{BASE}/new/").status_code == 403
