"""Shared test set-up: the demo world is loaded once per database, personas come from it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from minga.core.testing import EXTRA_DEMO_USERS, PERSONAS
from minga.demo.load import load_demo


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Tests that commit for real (``flushes_db``) run last: their flush empties the demo."""
    items.sort(key=lambda item: item.get_closest_marker("flushes_db") is not None)


@pytest.fixture(scope="session", autouse=True)
def _fast_hashing() -> None:
    """A cheap hasher for the whole run, set before the demo users get their passwords."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()  # type: ignore[attr-defined]
    get_hashers_by_algorithm.cache_clear()  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINGA_SECRETS_KEY_FILE = tmp_path / "keys" / "secrets.key"


@pytest.fixture(autouse=True)
def _fresh_log_cache() -> None:
    """Each test rolls its database back; the log's node cache must not outlive it."""
    from minga.ledger.queries import forget_cache

    forget_cache()


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: Any, django_db_blocker: Any, _fast_hashing: None, tmp_path_factory: Any
) -> None:
    from django.conf import settings

    settings.MINGA_RASTER_ROOT = tmp_path_factory.mktemp("rasters")
    settings.MINGA_LOG_KEY_FILE = tmp_path_factory.mktemp("keys") / "log.key"
    with django_db_blocker.unblock():
        load_demo(say=lambda line: None)


@pytest.fixture
def personas(db: Any) -> dict[str, Any]:
    """secretariat, convener, member, monitor, observer (Morona Santiago), other_secretariat
    (Sucumbíos), outsider (no role) and public (anonymous); plus ngo, a second member."""
    User = get_user_model()
    found: dict[str, Any] = {
        u.username: u for u in User.objects.filter(username__in=[*PERSONAS, *EXTRA_DEMO_USERS])
    }
    found["public"] = AnonymousUser()
    return found


@pytest.fixture
def client_for(client: Any, personas: dict[str, Any]) -> Any:
    """client_for("member") is a test client logged in as that persona."""
    from django.test import Client

    def make(name: str) -> Client:
        c = Client()
        if name != "public":
            c.force_login(personas[name])
        return c

    return make


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    """Records of every kind on the demo table, for routes to be filled from (tests/routes.py)."""
    from minga.tests.routes import build_world

    return build_world(personas)
