"""The secretariat retires credits from the registry page; anyone opens the certificate, whose
proof checks out against the signed checkpoint without minga."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from minga.demo import data as demo
from minga.ledger import services as ledger

pytestmark = pytest.mark.browser
SCRIPT = Path(__file__).resolve().parents[4] / "docs" / "verify_certificate.py"


def test_it_retires_and_the_certificate_verifies(
    browser, demo_server, django_db_blocker, shoot, tmp_path
):
    page = browser.new_context(locale="es-EC").new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{demo_server.url}/accounts/login/?lang=es")
    page.get_by_label("Nombre de usuario").fill("secretariat")
    page.get_by_label("Contraseña").fill("minga-demo")
    page.get_by_role("button", name="Iniciar sesión").click()
    page.goto(f"{demo_server.url}/t/morona-santiago/credits/?lang=es")
    expect(page.get_by_role("cell", name="BJ01-001-20170101-20241231-001")).to_be_visible()
    page.get_by_text("Emitir, transferir o retirar créditos").click()
    retire = page.locator("form").filter(has=page.locator("input[name=action][value=retire]"))
    retire.get_by_label("Cuenta").select_option(label="Compradores del lanzamiento (marzo 2024)")
    retire.locator("[name=amount]").fill("120")
    retire.locator("[name=beneficiary]").fill(demo.BANK)
    retire.locator("[name=reason]").fill("Compensación voluntaria 2026")
    retire.locator("[name=confirm]").check()
    retire.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Créditos retirados: el certificado está abajo.")).to_be_visible()
    shoot(page, "50-credit-registry")
    # the worker's step: sequence the event and sign a checkpoint
    with django_db_blocker.unblock():
        ledger.publish()
    page.get_by_role("link", name="120 · Banco Interamericano de Desarrollo (BID)").click()
    expect(page.get_by_role("heading", name="Punto de control firmado")).to_be_visible()
    shoot(page, "51-retirement-certificate")
    page.get_by_role("link", name="JSON").click()
    body = json.loads(page.locator("body").inner_text())
    path = tmp_path / "certificate.json"
    path.write_text(json.dumps(body))
    checked = subprocess.run(
        [sys.executable, str(SCRIPT), str(path), "--site", demo_server.url,
         "--pins", str(tmp_path / "pins.json")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout
    assert "120 credits" in checked.stdout
    assert errors == []
