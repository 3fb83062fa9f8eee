"""Names and helpers shared by the test suites of every area."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
    # Imported here: core.testing is imported by conftest before Django is set up.
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


def wait_for[T](
    check: Callable[[], T], *, what: str, timeout: float = 180.0, process: Any = None
) -> T:
    """Call ``check`` until it answers without ``OSError`` (a server or worker a test started
    is coming up). The bound is generous: a busy machine is slow, not broken. If it never comes
    up, or ``process`` exits first, the test fails saying so, with the process's stderr."""
    import pytest  # only ever called from a test

    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            err = process.stderr.read() if process.stderr else ""
            pytest.fail(f"{what} exited with {process.returncode} before answering:\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not answer within {timeout:.0f} s")
        time.sleep(0.2)
