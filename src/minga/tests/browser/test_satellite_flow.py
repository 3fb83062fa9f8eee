"""The secretariat runs a satellite analysis, watches its progress, and a monitor takes a sample
to the field; the verification report reads in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from minga.satellite import services as satellite
from minga.satellite.models import AnalysisRun, VerificationReport
from minga.tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def login(page, server, username):
    page.goto(f"{server.url}/accounts/login/?lang=es")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill("minga-demo")
    page.get_by_role("button", name="Iniciar sesión").click()


def test_it_analyses_shows_progress_and_verifies(browser, demo_server, django_db_blocker, shoot):
    page = browser.new_context(locale="es-EC").new_page()
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((demo_server.url, "data:", "blob:")) else outside.append(r.url)
        ),
    )
    login(page, demo_server, "secretariat")
    page.goto(f"{demo_server.url}/t/morona-santiago/satellite/?lang=es")
    # the hotspots drawn by Leaflet, grouped by zoom or as circles coloured by confidence
    expect(
        page.locator(".map.map-ready :is(.cluster, path.leaflet-interactive)").first
    ).to_be_visible()
    page.locator(".map").screenshot(path=str(SCREENSHOTS / "40-satellite-hotspots-map.png"))
    expect(page.locator("svg.chart").first).to_be_visible()
    shoot(page, "40-satellite-hotspots")

    page.get_by_label("Umbral de dosel (%)").fill("40")
    page.get_by_role("button", name="Ejecutar", exact=True).click()
    progress = page.locator("#run-progress")
    expect(progress).to_contain_text("En cola")
    with django_db_blocker.unblock():
        run = AnalysisRun.objects.filter(table__slug="morona-santiago").first()
        assert run.threshold == 40
        satellite.run_analysis(run)  # what `minga worker` does
    # htmx polls the run every 2 s and swaps in the finished state
    expect(progress).to_contain_text(
        "Ver los resultados", timeout=120_000
    )  # a busy machine is slow
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    shoot(page, "41-satellite-run-done")

    page.get_by_role("link", name="Ver los resultados").click()
    page.get_by_role(
        "link", name="Territorio de Vida y Uso Ancestral Tarímiat Pujutai Nunka"
    ).click()
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.get_by_text("Años inusuales")).to_be_visible()
    shoot(page, "42-satellite-zone")

    page.get_by_label("Desde").first.fill("2022")  # the sample form comes first
    page.get_by_label("Hasta").first.fill("2024")
    page.get_by_label("Puntos en bosque perdido").fill("5")
    page.get_by_label("Puntos en bosque en pie").fill("6")
    page.get_by_label("Puntos en otras tierras").fill("4")
    page.get_by_role("button", name="Sortear").click()
    expect(page.get_by_role("heading", name="Muestra de campo 2022–2024")).to_be_visible()
    expect(page.locator("table.list").last.locator("tbody tr")).to_have_count(15)
    with page.expect_download() as download:
        page.get_by_role("link", name="GPX").click()
    assert download.value.suggested_filename.endswith(".gpx")
    shoot(page, "43-ground-sample")

    with django_db_blocker.unblock():
        report = VerificationReport.objects.filter(table__slug="morona-santiago").first()
    page.goto(f"{demo_server.url}/t/morona-santiago/verifications/{report.public_id}/?lang=pt")
    expect(page.get_by_text("Hectares de guarda verificados").first).to_be_visible()
    expect(page.get_by_text("Exatidão do usuário")).to_be_visible()
    shoot(page, "44-verification-report")
    assert errors == []
    assert outside == []
