"""Fixtures shared by minga's cross-area tests."""

from __future__ import annotations

from typing import Any

import pytest

from minga.tests.pseudo import install_pseudo_locale


@pytest.fixture
def pseudo_locale(tmp_path: Any, settings: Any) -> None:
    """Pages rendered with ``?lang=en-xa`` show every msgid wrapped in ⟦…⟧."""
    install_pseudo_locale(tmp_path, settings)
