import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def login(browser, base, username):
    context = browser.new_context(locale="es-EC")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/accounts/login/?lang=es")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill("minga-demo")
    page.get_by_role("button", name="Iniciar sesión").click()
    page.errors = errors
    return page


def state(page, url, stance, reason=""):
    page.goto(url)
    page.get_by_label(stance, exact=True).check()
    if reason:
        page.get_by_label("Razón").fill(reason)
    page.get_by_role("button", name=re.compile("Expresar la posición|Cambiar la posición")).click()
    expect(page.get_by_text("Se registró la posición de su organización.")).to_be_visible()


def test_it_takes_a_proposal_through_block_amendment_and_consent(browser, demo_server, shoot):
    base = demo_server.url
    federation = login(browser, base, "member")  # Federación Shuar del Upano y Kutukú
    prefecture = login(browser, base, "secretariat")  # Gobierno Provincial de Morona Santiago
    ngo = login(browser, base, "ngo")  # Fundación Kutukú Vivo
    convener = login(browser, base, "convener")

    federation.goto(f"{base}/t/morona-santiago/decisions/")
    federation.get_by_role("link", name="Nueva propuesta").click()
    federation.get_by_label("Título").fill("Protocolo de consulta previa en el Kutukú")
    federation.get_by_label("Propuesta").fill(
        "Todo proyecto en la cordillera del Kutukú se consulta a las comunidades."
    )
    federation.get_by_role("button", name="Proponer").click()
    expect(
        federation.get_by_role("heading", name="Protocolo de consulta previa en el Kutukú")
    ).to_be_visible()
    url = federation.url

    prefecture.goto(url)
    prefecture.get_by_label("Su aporte").fill("La Prefectura apoya el protocolo. ¿Con qué plazos?")
    prefecture.get_by_role("button", name="Enviar").click()
    closes = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    prefecture.get_by_label("Las posiciones pueden cambiar hasta").fill(closes)
    prefecture.get_by_role("button", name="Abrir una ronda de decisión").click()

    state(federation, url, "Bloqueo", "Faltan los plazos y la lengua de la consulta")
    state(ngo, url, "De acuerdo")
    state(prefecture, url, "De acuerdo")
    expect(prefecture.locator("#round-live")).to_contain_text(
        "Bloqueada por Federación Shuar del Upano y Kutukú"
    )
    shoot(prefecture, "10-round-blocked")
    prefecture.get_by_role("button", name="Cerrar la ronda ahora").click()

    federation.goto(url)
    federation.get_by_role("link", name="Enmendar").click()
    federation.get_by_label("Texto nuevo").fill(
        "Todo proyecto en la cordillera del Kutukú se consulta a las comunidades, en su lengua y con 60 días de plazo."
    )
    federation.get_by_label("Qué cambió y por qué").fill("Plazo de 60 días y lengua propia")
    federation.get_by_role("button", name="Guardar la nueva versión").click()
    federation.get_by_role("link", name="v2").click()
    expect(federation.locator(".diff ins")).to_contain_text("60 días de plazo")
    shoot(federation, "11-amendment-diff")

    prefecture.goto(url)
    prefecture.get_by_label("Las posiciones pueden cambiar hasta").fill(closes)
    prefecture.get_by_role("button", name="Abrir una ronda de decisión").click()
    for page in (federation, ngo, prefecture):
        state(page, url, "De acuerdo")
    # The federation's page updates live (htmx) as the others state their positions.
    expect(federation.locator("#round-live .tally")).to_contain_text(
        "De acuerdo: 3",
        timeout=60_000,  # the poll is every few seconds; a busy machine is slow
    )
    prefecture.get_by_role("button", name="Cerrar la ronda ahora").click()
    expect(
        prefecture.get_by_text("Aprobada por consentimiento: nadie bloqueó.").first
    ).to_be_visible()

    convener.goto(url)
    convener.get_by_label("Texto de la decisión").fill(
        "La mesa adopta el protocolo de consulta previa para el Kutukú."
    )
    convener.get_by_label("Revisar el").fill(
        (timezone.localdate() + dt.timedelta(days=365)).isoformat()
    )
    convener.locator("[name=confirm]").check()  # it enters the register and the public log
    convener.get_by_role("button", name="Registrar el resultado").click()

    public = browser.new_context().new_page()
    expected = {
        "es": ("Registro de decisiones", "Aprobada por consentimiento: nadie bloqueó."),
        "pt": ("Registro de decisões", "Aprovada por consentimento: ninguém bloqueou."),
        "en": ("Decision register", "Passed by consent: nobody blocked."),
    }
    for lang, (heading, outcome) in expected.items():
        public.goto(f"{base}/t/morona-santiago/decisions/?lang={lang}")
        expect(public.locator("html")).to_have_attribute("lang", lang)
        expect(public.get_by_role("heading", name=heading)).to_be_visible()
        decision = public.locator("article.decision").filter(
            has_text="Protocolo de consulta previa en el Kutukú"
        )
        expect(decision).to_contain_text(outcome)
        expect(decision).to_contain_text(
            "La mesa adopta el protocolo de consulta previa para el Kutukú."
        )
        shoot(public, f"12-register-{lang}")
    for page in (federation, prefecture, ngo, convener):
        assert page.errors == []
