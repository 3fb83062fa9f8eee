"""A monitor brings in a community's own survey (not minga's form): minga proposes which field
says where, when and what, the monitor confirms, maps two categories minga did not know, and sees
the observations on the map and the alert a mapped category raised."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from minga.monitoring.models import Observation
from minga.tables.models import Table
from minga.tests.browser.samples import community_survey

pytestmark = pytest.mark.browser


def login(page, server, username):
    page.goto(f"{server.url}/accounts/login/?lang=es")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill("minga-demo")
    page.get_by_role("button", name="Iniciar sesión").click()


def test_a_monitor_brings_in_a_community_survey(browser, demo_server, django_db_blocker, shoot):
    with django_db_blocker.unblock():
        table = Table.objects.get(slug="morona-santiago")
        inside = table.territories.first().shape.representative_point()
    page = browser.new_context(locale="es-EC", viewport={"width": 390, "height": 844}).new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, demo_server, "monitor")
    page.goto(f"{demo_server.url}/t/morona-santiago/monitoring/import/?lang=es")
    page.get_by_label("Archivo").set_input_files(
        {
            "name": "vigilancia.csv",
            "mimeType": "text/csv",
            "buffer": community_survey(inside.x, inside.y),
        }
    )
    page.get_by_role("button", name="Importar").click()

    expect(page.get_by_role("heading", name="Qué campo dice qué")).to_be_visible()
    expect(page.get_by_label("Dónde (su ubicación)")).to_have_value("ubicacion")
    expect(page.get_by_label("Cuándo (si no, la hora de envío)")).to_have_value("start")
    expect(page.get_by_label("Qué (su categoría)")).to_have_value("amenazas")
    expect(page.get_by_label("Notas")).to_have_value("observaciones")
    preview = page.locator("table.list tbody tr")
    expect(preview).to_have_count(3)
    expect(preview.first).to_contain_text("dragas_en_el_rio")
    shoot(page, "50-field-mapping")
    with django_db_blocker.unblock():
        assert not Observation.objects.filter(source_key__startswith="uuid:survey-").exists()
    page.get_by_role("button", name="Confirmar e importar").click()

    expect(page.get_by_text("3 nuevas")).to_be_visible()
    page.get_by_role("link", name="Categorías").click()
    for code in ("dragas_en_el_rio", "motosierras_escuchadas"):
        row = page.locator("tr", has=page.locator("code", has_text=code))
        expect(row).to_contain_text("por asignar")
    page.get_by_label("Tipo: dragas_en_el_rio").select_option("mining")
    page.get_by_label("Tipo: motosierras_escuchadas").select_option("illegal_logging")
    shoot(page, "51-field-categories")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Guardado: 3 observaciones reclasificadas.")).to_be_visible()

    page.goto(f"{demo_server.url}/t/morona-santiago/monitoring/?lang=es&category=dragas_en_el_rio")
    expect(page.locator("h2", has_text="2 observaciones")).to_be_visible()
    expect(page.locator("ul.alerts")).to_contain_text("Minería")
    expect(page.locator(".map.map-ready")).to_be_visible()
    expect(
        page.locator(".map :is(.cluster, path.leaflet-interactive):visible").first
    ).to_be_visible()
    shoot(page, "52-field-observations")
    with django_db_blocker.unblock():
        found = Observation.objects.filter(source_key__startswith="uuid:survey-")
        assert sorted(o.kind for o in found) == ["illegal_logging", "mining", "mining"]
        assert not any(o.outside for o in found)
    assert errors == []
