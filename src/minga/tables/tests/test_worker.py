"""The real database task worker sends invitation e-mails (committed transactions, so this test
runs after the others and reloads the demo the database flush removes)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from minga.demo.load import load_demo
from minga.tables.models import Invitation


@pytest.mark.django_db(transaction=True)
def test_it_sends_the_invitation_through_the_worker():
    load_demo(say=lambda line: None)
    client = Client()
    client.post("/accounts/login/", {"username": "secretariat", "password": "minga-demo"})
    response = client.post(
        "/t/morona-santiago/members/invite/?lang=pt",
        {
            "full_name": "Ruth Mashinkiash",
            "email": "ruth@demo.minga.invalid",
            "organization_name": "Rede Demo",
            "sector": "ngo_local",
            "role": "member",
            "seat": "principal",
        },
    )
    assert response.status_code == 302
    assert mail.outbox == []  # queued, not sent inside the request
    queued = DBTaskResult.objects.filter(status="READY")
    # the invitation e-mail, and the log's sequencer for the events the request recorded
    kinds = [t.task_path.rsplit(".", 1)[-1] for t in queued]
    assert kinds.count("send_invitation_email") == 1 and set(kinds) == {
        "integrate_log",
        "send_invitation_email",
    }
    call_command("worker", "--batch")
    assert {t.status for t in DBTaskResult.objects.all()} == {"SUCCESSFUL"}
    invitation = Invitation.objects.get(email="ruth@demo.minga.invalid")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Convite para a Mesa de Cooperación")
    assert f"/join/{invitation.token}/" in mail.outbox[0].body
