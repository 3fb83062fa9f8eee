import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minga.core.access import SYSTEM
from minga.roadmap import services
from minga.roadmap.models import Axis, Indicator, Milestone, Objective, Result
from minga.roadmap.progress import Node, rolled_up
from minga.roadmap.queries import roadmap_of
from minga.tables.models import Table


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


def test_an_objective_counts_its_indicators_and_a_status_never_contradicts_its_progress(db):
    table = Table.objects.get(slug="morona-santiago")
    axis = services.create_axis(by=SYSTEM, table=table, name="Vigilancia")
    objective = services.create_objective(by=SYSTEM, axis=axis, title="Patrullajes comunitarios")
    indicator = services.create_indicator(
        by=SYSTEM,
        objective=objective,
        name="Patrullajes registrados",
        unit="patrullajes",
        baseline=Decimal(0),
        target=Decimal(48),
        responsible=table.secretariat,
    )
    assert _objective(table, objective).progress is None  # nothing measured: no figure
    services.record_measurement(
        by=SYSTEM, indicator=indicator, measured_on=dt.date(2026, 6, 30), value=Decimal(40)
    )
    assert round(_objective(table, objective).progress, 1) == 83.3  # 40 of 48, not 0 %
    parent = services.create_result(by=SYSTEM, objective=objective, title="Rutas cubiertas")
    services.create_result(
        by=SYSTEM, objective=objective, title="Ruta norte", parent=parent, progress=Decimal(75)
    )
    found = _objective(table, objective)
    assert round(found.progress, 1) == round((83.33 + 75) / 2, 1)  # indicators and results
    shown = next(r for r in found.top_results if r.pk == parent.pk)
    assert shown.rolled == 75.0 and shown.shown_status == "advanced"  # not "Not started 75 %"
    page = Client().get("/t/morona-santiago/roadmap/?lang=es").content.decode()
    block = page.split("Rutas cubiertas", 1)[1][:200]
    assert "Muy avanzado" in block and "Sin empezar" not in block


def _objective(table, objective):
    return next(o for a in roadmap_of(table) for o in a.objectives.all() if o.pk == objective.pk)
