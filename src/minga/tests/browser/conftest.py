"""Playwright drives Debian's Chromium; nothing is downloaded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from minga.demo.load import load_demo

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SCREENSHOTS = Path(os.environ.get("MINGA_SCREENSHOTS", "test-results/screenshots"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


@pytest.fixture
def demo_server(live_server: Any, django_db_blocker: Any) -> Any:
    """The live server with the demo loaded (live-server tests flush the database after)."""
    with django_db_blocker.unblock():
        load_demo(say=lambda line: None)
    return live_server


@pytest.fixture
def shoot() -> Any:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def watched(page: Any, demo_server: Any) -> dict[str, list[str]]:
    """Console errors and any request that would leave the server."""
    seen: dict[str, list[str]] = {"errors": [], "outside": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((demo_server.url, "data:")) else seen["outside"].append(r.url)
        ),
    )
    return seen


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None, tmp_path_factory: Any) -> None:
    """The live server's thread and the test's share the database. An in-memory SQLite database
    shares through a cache that fails at once with "database table is locked" where a file
    waits its turn (as minga's own database does): the browser tests use a file. It takes effect
    when a browser test sets the session's database up, as in `make test-browser` (`-m browser`);
    run together with other tests, the browser tests share their in-memory database."""
    from django.conf import settings  # read when the session's database is set up

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = str(tmp_path_factory.mktemp("db") / "browser.sqlite3")
