import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minga.roadmap.models import Axis, Indicator, Milestone, Objective, Result
from minga.roadmap.progress import Node, rolled_up


def test_it_rolls_weighted_progress_up_the_tree():
    nodes = [Node(1, None, 1, None), Node(2, 1, 1, 100), Node(3, 1, 3, 0), Node(4, None, 1, None)]
    progress = rolled_up(nodes, {4: 25.0})
    assert progress == {2: 100.0, 3: 0.0, 1: 25.0, 4: 25.0}


def test_it_lets_the_secretariat_build_the_roadmap_from_its_page(client_for):
    secretariat = client_for("secretariat")
    base = "/t/morona-santiago/roadmap/"
    secretariat.post(f"{base}axes/", {"name": "Salud intercultural"})
    axis = Axis.objects.get(name="Salud intercultural")
    secretariat.post(
        f"{base}axes/{axis.public_id}/objectives/", {"title": "Botiquines comunitarios"}
    )
    objective = Objective.objects.get(title="Botiquines comunitarios")
    secretariat.post(
        f"{base}objectives/{objective.public_id}/indicators/",
        {
            "name": "Comunidades con botiquín",
            "unit": "comunidades",
            "baseline": 2,
            "target": 20,
            "frequency": "yearly",
            "responsible": axis.table.secretariat.public_id,
        },
    )
    assert Indicator.objects.filter(objective=objective, target=Decimal(20)).exists()
    secretariat.post(
        f"{base}objectives/{objective.public_id}/results/",
        {"title": "Botiquines entregados", "weight": 1},
    )
    parent = Result.objects.get(title="Botiquines entregados")
    secretariat.post(
        f"{base}objectives/{objective.public_id}/results/?parent={parent.public_id}",
        {"title": "Primer lote", "weight": 2},
    )
    child = Result.objects.get(title="Primer lote")
    assert child.parent == parent
    secretariat.post(f"{base}results/{child.public_id}/", {"status": "done"})
    photo = SimpleUploadedFile("entrega.jpg", b"\xff\xd8\xff demo", content_type="image/jpeg")
    secretariat.post(
        f"{base}results/{child.public_id}/milestones/",
        {
            "title": "Entrega en Yawi",
            "reached_on": dt.date(2026, 5, 3).isoformat(),
            "evidence": photo,
        },
    )
    assert Milestone.objects.get(result=child).evidence.name.endswith(".jpg")
    page = Client().get(base + "?lang=es").content.decode()
    assert "Botiquines entregados" in page and "100 %" in page
    assert (
        client_for("member")
        .post(f"{base}results/{child.public_id}/", {"status": "stalled"})
        .status_code
        == 403
    )
