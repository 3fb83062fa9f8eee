import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import User
from openpyxl import Workbook
from playwright.sync_api import expect

from minga.demo import data as demo
from minga.monitoring.queries import observations_for
from minga.tables.models import Table

pytestmark = pytest.mark.browser

HEADER = [
    "id",
    "title",
    "organization",
    "axis",
    "starts_on",
    "ends_on",
    "longitude",
    "latitude",
    "funder",
    "amount",
    "currency",
    "people",
]


def workbook(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def test_it_imports_flags_pools_and_reports(
    browser, demo_server, shoot, tmp_path, django_db_blocker
):
    from minga.initiatives.models import AccountabilityReport
    from minga.tables.models import Table

    with django_db_blocker.unblock():
        table = Table.objects.get(slug="morona-santiago")
        spot = table.territories.get().shape.representative_point()
        axis = table.axes.first().name
    base = demo_server.url
    page = browser.new_context(locale="es-EC", accept_downloads=True).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/accounts/login/?lang=es")
    page.get_by_label("Nombre de usuario").fill("secretariat")
    page.get_by_label("Contraseña").fill("minga-demo")
    page.get_by_role("button", name="Iniciar sesión").click()

    first = [
        "",
        "Agua segura Yawi (prueba)",
        demo.NGO,
        axis,
        "2031-01-01",
        "2031-03-31",
        spot.x,
        spot.y,
        demo.FUNDER,
        12000,
        "USD",
        300,
    ]
    second = [
        "",
        "Filtros de agua Yawi (prueba)",
        "Universidad Amazónica del Upano",
        axis,
        "2031-02-01",
        "2031-06-30",
        spot.x + 0.004,
        spot.y,
        demo.FUNDER,
        8000,
        "USD",
        200,
    ]
    outside = [*second[:6], -60.0, -10.0, *second[8:]]
    bad_money = [*first[:10], "DÓLARES", 300]
    page.goto(f"{base}/t/morona-santiago/initiatives/import/")
    page.get_by_label("Hoja de cálculo (.xlsx o .csv)").set_input_files(
        workbook(tmp_path / "malo.xlsx", [bad_money, outside])
    )
    page.get_by_role("button", name="Importar").click()
    errors_table = page.locator("table.row-errors")
    expect(errors_table).to_contain_text("2")
    expect(errors_table).to_contain_text("3")
    expect(errors_table).to_contain_text("DÓLARES no es un código de moneda ISO 4217")
    expect(errors_table).to_contain_text("El lugar está fuera del territorio de la mesa.")
    expect(page.get_by_text("No se importó nada")).to_be_visible()
    shoot(page, "20-import-errors")
    with django_db_blocker.unblock():
        assert not table.initiatives.filter(title__endswith="(prueba)").exists()

    page.get_by_label("Hoja de cálculo (.xlsx o .csv)").set_input_files(
        workbook(tmp_path / "bueno.xlsx", [first, second])
    )
    page.get_by_role("button", name="Importar").click()
    expect(page.get_by_text("Se importaron 2 iniciativas.")).to_be_visible()
    expect(page.locator(".map path.overlap").first).to_be_visible()
    pair = (
        page.locator("li.overlap")
        .filter(has_text="Agua segura Yawi (prueba)")
        .filter(has_text="Filtros de agua Yawi (prueba)")
    )
    expect(pair).to_have_count(1)
    shoot(page, "21-overlap-on-map")
    pair.get_by_role("button", name="Unir en una iniciativa conjunta").click()
    # Pooling asks first: what it does, and the joint initiative's title.
    expect(page.get_by_role("heading", name="Unir en una iniciativa conjunta")).to_be_visible()
    page.get_by_label("Título de la iniciativa conjunta").fill("Agua segura en Yawi")
    shoot(page, "22-pool-confirm")
    page.get_by_role("button", name="Agruparlas").click()
    expect(
        page.get_by_text("Las iniciativas se unieron en una iniciativa conjunta.")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Universidad Amazónica del Upano")

    page.goto(f"{base}/t/morona-santiago/reports/")
    page.get_by_label("Período:", exact=True).select_option("quarter")
    # A quarter far from the demo's own reports, which follow today's date.
    page.get_by_label("Cualquier día del período").fill("2031-02-15")
    page.get_by_label("Publicar antes de que termine el periodo").check()
    page.locator("[name=confirm]").check()
    page.get_by_role("button", name="Publicar", exact=True).click()
    expect(
        page.get_by_role("heading", name="Informe de rendición de cuentas 2031-T1")
    ).to_be_visible()
    shoot(page, "22-report")
    pdf = page.request.get(page.url + "report.pdf?lang=es")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (apt poppler-utils) is needed to read the PDF back")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.body(), capture_output=True, check=True
    ).stdout.decode()
    with django_db_blocker.unblock():
        figures = AccountabilityReport.objects.get(table=table, starts_on="2031-01-01").figures
    assert (
        f"{figures['initiatives']} iniciativas de {figures['organizations']} organizaciones"
        in " ".join(text.split())
    )
    committed = next(line for line in text.splitlines() if "comprometidos" in line)
    total = Decimal(figures["money"]["total"]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert re.sub(r"\D", "", committed) == str(total)
    flat = " ".join(text.split())
    assert "Dinero por financiador" in flat and demo.FUNDER in flat, flat
    # The refused upload answers 400 on purpose; Chromium logs that as a failed resource.
    assert [e for e in errors if "status of 400" not in e] == []


def test_it_clusters_the_field_observations_on_the_map(
    browser, demo_server, django_db_blocker, shoot
):
    page = browser.new_context(locale="es-EC").new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{demo_server.url}/accounts/login/?lang=es")
    page.get_by_label("Nombre de usuario").fill("secretariat")
    page.get_by_label("Contraseña").fill("minga-demo")
    page.get_by_role("button", name="Iniciar sesión").click()
    with page.expect_response(lambda r: "clusters.geojson" in r.url and "bbox=" in r.url) as first:
        page.goto(f"{demo_server.url}/t/morona-santiago/monitoring/?lang=es")
    groups = page.locator(".map .cluster")
    expect(groups.first).to_be_visible()
    expect(groups.first).to_have_attribute("title", re.compile(r"^\d+ observaciones$"))
    shoot(page, "30-observations-clustered")
    # every observation counts on the map, not only the newest ones
    data = first.value.json()
    with django_db_blocker.unblock():
        secretariat = User.objects.get(username="secretariat")
        table = Table.objects.get(slug="morona-santiago")
        assert data["total"] == observations_for(secretariat, table).count() > 0
    zoom = data["zoom"]
    # a group opens onto its part of the map, where the server groups again for the new zoom
    with page.expect_response(lambda r: "clusters.geojson" in r.url and "bbox=" in r.url) as closer:
        groups.first.click()
    assert closer.value.json()["zoom"] > zoom
    expect(
        page.locator(".map :is(.cluster, path.leaflet-interactive):visible").first
    ).to_be_visible()
    shoot(page, "31-observations-closer")
    assert errors == []
