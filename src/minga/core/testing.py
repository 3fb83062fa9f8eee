"""Names and helpers shared by the test suites of every area."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PERSONAS = (
    "secretariat",
    "convener",
    "member",
    "monitor",
    "observer",
    "outsider",
    "other_secretariat",
)
ALL_PERSONAS = (*PERSONAS, "public")
DEMO_TABLE = "morona-santiago"
OTHER_TABLE = "sucumbios"
# Demo users beyond the personas: "ngo" represents Fundación Kutukú Vivo (civil society).
EXTRA_DEMO_USERS = ("ngo",)


@contextmanager
def declared_event_types(*types: str) -> Iterator[None]:
    """For tests: event types of a pretend area (``test.thing_done``), declared in the block."""
    from minga.core import events

    for type in types:
        if type in events._DECLARED:
            raise ValueError(f"{type!r} is already declared")
        events._DECLARED[type] = __name__
    try:
        yield
    finally:
        for type in types:
            events._DECLARED.pop(type, None)


# ../shared beside the project: public test vectors, the IATI schemas, real field exports.
SHARED = Path(__file__).resolve().parents[4] / "shared"


def require_shared(*parts: str) -> Path:
    """The path of shared test data; a test without it is skipped with the reason, and fails
    under ``CI=true``, so that CI never passes having skipped the vectors."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        import pytest  # only ever called from a test

        message = f"{path} is absent: put ../shared beside the project (see README, Tests)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path
