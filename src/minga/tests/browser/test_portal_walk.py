"""Anyone walks the public portal in Spanish, Portuguese and English — network, region, table —
opens a retirement certificate and downloads the table's open-data package."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WORDS = {
    "es": {
        "portal": "Mesas de cooperación de la Amazonía: portal público",
        "compare": "Comparación de las mesas",
        "health": "Salud de la mesa",
        "package": "Descargar el paquete de datos abiertos",
        "certificate": "Punto de control firmado",
    },
    "pt": {
        "portal": "Mesas de cooperação da Amazônia: portal público",
        "compare": "Comparação das mesas",
        "health": "Saúde da mesa",
        "package": "Baixar o pacote de dados abertos",
        "certificate": "Ponto de controle assinado",
    },
    "en": {
        "portal": "Cooperation tables of the Amazon: public portal",
        "compare": "Comparison of the tables",
        "health": "Table health",
        "package": "Download the open-data package",
        "certificate": "Signed checkpoint",
    },
}


@pytest.mark.parametrize("lang", ["es", "pt", "en"])
def test_anyone_walks_the_portal(browser, demo_server, shoot, tmp_path, lang):
    words = WORDS[lang]
    context = browser.new_context(
        locale={"es": "es-EC", "pt": "pt-BR", "en": "en-GB"}[lang], accept_downloads=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{demo_server.url}/portal/?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["portal"])
    expect(page.get_by_role("heading", name=words["compare"])).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    page.get_by_role("link", name="Amazonía ecuatoriana").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amazonía ecuatoriana")
    expect(page.locator("#compare")).to_contain_text("Sucumbíos")
    page.locator("#compare").get_by_role("link", name="Morona Santiago").click()
    expect(page.get_by_role("heading", name=words["health"])).to_be_visible()
    expect(page.locator(".leaflet-container")).to_be_visible()  # the map came up
    shoot(page, f"70-portal-table-{lang}")
    # a retirement certificate, from the table's registry section
    with page.expect_navigation():
        page.locator("a[href^='/credits/retirements/']").first.click()
    expect(page.get_by_role("heading", name=words["certificate"])).to_be_visible()
    page.go_back()
    # the open-data package
    with page.expect_download() as download:
        page.get_by_role("link", name=words["package"]).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        assert {"initiatives.csv", "iati-activities.xml"} <= set(archive.namelist())
    assert descriptor["name"] == "minga-morona-santiago"
    assert errors == []
    context.close()


@pytest.mark.parametrize("lang", ["es", "pt", "en"])
def test_the_portal_fits_a_390_px_phone(browser, demo_server, shoot, lang):
    """The figures' labels wrapped past the screen's edge (the Portuguese portal, 495 px)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    for path in ("/portal/", "/portal/r/amazonia-ecuatoriana/", "/portal/t/morona-santiago/"):
        page.goto(f"{demo_server.url}{path}?lang={lang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    shoot(page, f"portal-phone-{lang}")
    context.close()
