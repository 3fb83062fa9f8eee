"""Names and helpers shared by the test suites of every area."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
