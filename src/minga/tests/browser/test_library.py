"""The secretariat files the table's statute in the library from a phone, in Portuguese, then
its second reading as a new version; a member reads both versions; the public never sees it."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def login(page, url: str, username: str, lang: str) -> None:
    page.goto(f"{url}/accounts/login/?lang={lang}")
    page.locator("[name=username]").fill(username)
    page.locator("[name=password]").fill("minga-demo")
    page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("lang", ["pt", "es"])
def test_the_statute_and_its_second_reading(browser, demo_server, watched, shoot, lang, tmp_path):
    with translation.override(lang):
        say = {
            k: _(k)
            for k in ("Document library", "Add a document", "Add to the library", "Add the version")
        }
    first = tmp_path / "estatuto-primeira-leitura.pdf"
    first.write_bytes(b"%PDF-1.4\n% primeira leitura\n")
    second = tmp_path / "estatuto-segunda-leitura.pdf"
    second.write_bytes(b"%PDF-1.4\n% segunda leitura\n")
    page = browser.new_context(locale=lang, viewport=PHONE).new_page()
    page.on("console", lambda m: watched["errors"].append(m.text) if m.type == "error" else None)
    login(page, demo_server.url, "secretariat", lang)
    page.goto(f"{demo_server.url}/t/morona-santiago/?lang={lang}")
    page.get_by_role("link", name=say["Document library"]).click()
    page.get_by_role("link", name=say["Add a document"]).click()
    page.locator("[name=kind]").select_option("statute")
    page.locator("[name=title]").fill(f"Estatuto da mesa ({lang})")
    page.locator("[name=sensitivity]").select_option("1")
    page.locator("[name=upload]").set_input_files(str(first))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, f"90-library-new-{lang}")
    page.get_by_role("button", name=say["Add to the library"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Estatuto da mesa ({lang})")
    page.locator("[name=upload]").set_input_files(str(second))
    page.locator("[name=note]").fill("Com as observações da assembleia")
    page.get_by_role("button", name=say["Add the version"]).click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("estatuto-segunda-leitura.pdf")
    expect(rows.last).to_contain_text("estatuto-primeira-leitura.pdf")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, f"91-library-document-{lang}")
    document_url = page.url

    member = browser.new_context(locale=lang, viewport=PHONE).new_page()
    login(member, demo_server.url, "member", lang)
    member.goto(document_url)
    with member.expect_download() as download:
        member.locator("table.list tbody tr").last.get_by_role("link").click()
    assert download.value.suggested_filename == "estatuto-primeira-leitura.pdf"
    assert download.value.path().read_bytes() == first.read_bytes()

    public = browser.new_context(locale=lang).new_page()
    assert public.goto(document_url).status == 404
    public.goto(f"{demo_server.url}/t/morona-santiago/library/?lang={lang}")
    expect(public.locator("main")).not_to_contain_text("Estatuto da mesa")
    # the public's 404 is Chromium's only console error
    assert [e for e in watched["errors"] if "status of 404" not in e] == []
