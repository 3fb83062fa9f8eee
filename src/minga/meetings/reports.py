"""Sections that upper areas add to a meeting's minutes (decisions taken, commitments made…).

The meetings area cannot import the areas above it; they register a section here instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from minga.meetings.models import Meeting


@dataclass
class Section:
    title: str
    items: list[str] = field(default_factory=list)


_SECTIONS: list[Callable[[Meeting], Section | None]] = []


def register_section(
    build: Callable[[Meeting], Section | None],
) -> Callable[[Meeting], Section | None]:
    if build not in _SECTIONS:
        _SECTIONS.append(build)
    return build


def sections_for(meeting: Meeting) -> list[Section]:
    return [s for s in (build(meeting) for build in _SECTIONS) if s is not None]
