import datetime as dt

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from minga.decisions.models import Answer, Consultation, DigestPreference
from minga.demo import data as demo


def open_one(client_for, **extra):
    data = {
        "title": "Programa Amazonía Siempre: componente de gobernanza",
        "body": "El BID prepara un programa y consulta a la mesa sobre su diseño.",
        "questions": "¿Qué prioridades debe financiar?\n¿Cómo participan las comunidades?",
        "deadline": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
    }
    data.update(extra)
    return client_for("observer").post("/t/morona-santiago/consultations/new/?lang=es", data)


def test_it_lets_a_bank_consult_the_table_and_the_table_answer(client_for):
    response = open_one(client_for)
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert consultation.requester.name == demo.BANK
    first, second = consultation.questions.all()
    base = f"/t/morona-santiago/consultations/{consultation.public_id}"
    client_for("member").post(
        f"{base}/answer/",
        {
            f"answer-{first.pk}": "Vigilancia comunitaria",
            f"answer-{second.pk}": "Con consulta previa",
        },
    )
    client_for("ngo").post(f"{base}/answer/", {f"answer-{first.pk}": "Cadenas de valor"})
    client_for("member").post(f"{base}/answer/", {f"answer-{first.pk}": "Vigilancia y agua segura"})
    assert Answer.objects.filter(question__consultation=consultation).count() == 3
    assert (
        Answer.objects.get(question=first, organization__acronym="FESUK").text
        == "Vigilancia y agua segura"
    )
    assert "Vigilancia y agua segura" in client_for("observer").get(f"{base}/").content.decode()
    assert "Vigilancia y agua segura" not in Client().get(f"{base}/").content.decode()
    client_for("secretariat").post(
        f"{base}/response/",
        {"response": "La mesa prioriza la vigilancia comunitaria.", "confirm": "on"},
    )
    public = Client().get(f"{base}/?lang=en").content.decode()
    assert "The table's consolidated response" in public
    assert "La mesa prioriza la vigilancia comunitaria." in public
    late = client_for("member").post(f"{base}/answer/?lang=es", {f"answer-{first.pk}": "Tarde"})
    assert (
        late.status_code == 400
        and "Esta consulta ya no recibe respuestas." in late.content.decode()
    )


def test_it_refuses_a_consultation_without_questions_or_time(client_for):
    response = open_one(client_for, questions=" \n ", deadline=timezone.localdate().isoformat())
    assert response.status_code == 400
    assert not Consultation.objects.exists()
    assert (
        client_for("outsider").post("/t/morona-santiago/consultations/new/", {}).status_code == 403
    )


def test_it_sends_each_person_their_chosen_digest(client_for, personas):
    client_for("member").post("/accounts/digest/", {"frequency": "weekly"})
    client_for("observer").post("/accounts/digest/", {"frequency": "daily"})
    assert DigestPreference.objects.get(user=personas["member"]).frequency == "weekly"
    client_for("ngo").post(
        "/t/morona-santiago/proposals/new/",
        {"title": "Propuesta nueva del digest", "text": "Texto"},
    )
    call_command("send_digests", "weekly", "--site-url", "https://minga.example.org")
    assert [m.to for m in mail.outbox] == [["member@demo.minga.invalid"]]
    body = mail.outbox[0].body
    assert "Propuesta nueva del digest" in body and demo.NGO in body
    assert "https://minga.example.org/t/morona-santiago/decisions/" in body
    call_command("send_digests", "weekly")
    assert len(mail.outbox) == 1  # nothing new since the last one


def test_the_consulted_document_is_linked_for_members_and_the_public(client_for):
    pdf = SimpleUploadedFile(
        "borrador-programa.pdf", b"%PDF-1.4\n% borrador\n", content_type="application/pdf"
    )
    assert open_one(client_for, document=pdf).status_code == 302
    consultation = Consultation.objects.get()
    page = f"/t/morona-santiago/consultations/{consultation.public_id}/"
    link = f"{page}document/"
    for client in (client_for("member"), Client()):
        html = client.get(f"{page}?lang=pt").content.decode()
        assert f'href="{link}"' in html and "borrador-programa" in html
        download = client.get(link)
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF-1.4")
        assert "borrador-programa" in download["Content-Disposition"]
    listing = Client().get("/t/morona-santiago/consultations/").content.decode()
    assert f'href="{link}"' in listing
    without = open_one(client_for, title="Sin documento")
    bare = Consultation.objects.get(title="Sin documento")
    assert without.status_code == 302
    missing = f"/t/morona-santiago/consultations/{bare.public_id}/document/"
    assert Client().get(missing).status_code == 404
