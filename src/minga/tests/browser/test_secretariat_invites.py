import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_lets_the_secretariat_invite_a_representative(page, demo_server, watched, shoot):
    base = demo_server.url
    page.goto(f"{base}/accounts/login/?lang=es")
    page.get_by_label("Nombre de usuario").fill("secretariat")
    page.get_by_label("Contraseña").fill("minga-demo")
    page.get_by_role("button", name="Iniciar sesión").click()

    page.goto(f"{base}/t/morona-santiago/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".map.map-ready")).to_be_visible()  # Leaflet replaced the SVG outline
    shoot(page, "01-table-home-es")

    page.get_by_role("link", name="Invitar a un representante").first.click()
    page.get_by_label("Nombre completo del representante").fill("Ruth Mashinkiash")
    page.get_by_label("Nombre de la nueva organización").fill("Red de Jóvenes Amazónicos Demo")
    page.get_by_label("Sector de la nueva organización").select_option("ngo_local")
    shoot(page, "02-invite-form")
    page.get_by_role("button", name="Invitar").click()

    expect(page.get_by_role("heading", name="Invitación")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.get_by_text(re.compile(r"/join/"))).to_be_visible()
    shoot(page, "03-invitation-qr")

    page.get_by_role("link", name="Historial de miembros").click()
    page.get_by_role("link", name=re.compile("Mesa de Cooperación")).first.click()
    local_ngos = page.locator("#sector-ngo_local").locator("xpath=..")
    expect(local_ngos).to_contain_text("Red de Jóvenes Amazónicos Demo")
    expect(page.locator("#sector-ngo_local")).to_contain_text("(3)")

    page.get_by_role("link", name="Português").click()
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    expect(page.get_by_role("heading", name="Membros por setor")).to_be_visible()
    expect(page.locator("#sector-ngo_local")).to_contain_text("ONG local")
    shoot(page, "04-table-home-pt")

    # Ending a membership first says what it does, on a phone's width, and needs the box ticked.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/t/morona-santiago/members/")
    row = page.locator("tr", has_text="Red de Jóvenes Amazónicos Demo")
    row.get_by_role("link", name=re.compile("Encerrar")).click()
    expect(page.get_by_role("heading", name="Encerrar uma participação")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ruth Mashinkiash")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "04b-end-membership-pt")
    page.get_by_role("button", name="Encerrar a participação").click()
    expect(page.locator("main [role=alert]")).to_contain_text("Marque a caixa")
    page.locator("[name=confirm]").check()
    page.get_by_role("button", name="Encerrar a participação").click()
    expect(
        page.get_by_text("A participação de Red de Jóvenes Amazónicos Demo terminou")
    ).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 720})

    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "pt")  # remembered in the cookie
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Network of cooperation tables")).to_be_visible()
    shoot(page, "05-network-en")

    # the unticked confirmation answers 400 by design, which Chromium logs
    assert [e for e in watched["errors"] if "status of 400" not in e] == []
    assert watched["outside"] == []


def test_it_draws_the_map_without_javascript(browser, demo_server, shoot):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo_server.url}/t/morona-santiago/?lang=es")
    expect(page.locator(".map > svg path")).to_have_count(1)
    expect(page.get_by_role("heading", name="Miembros por sector")).to_be_visible()
    shoot(page, "06-table-home-no-js")
    context.close()


def test_it_fits_a_phone(browser, demo_server, shoot):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{demo_server.url}/t/morona-santiago/?lang=es")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    shoot(page, "07-table-home-phone")
    context.close()
