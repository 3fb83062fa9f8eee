"""Sections that upper areas contribute to a lower area's report (minutes, accountability).

An area may not import the areas above it. A report names a *kind* ("meeting",
"accountability"); areas above register builders for that kind when their app loads, and the
report renders whatever sections are registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    title: str
    items: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


Builder = Callable[..., Section | None]
_BUILDERS: dict[str, list[Builder]] = {}


def register(kind: str) -> Callable[[Builder], Builder]:
    def decorate(build: Builder) -> Builder:
        builders = _BUILDERS.setdefault(kind, [])
        if build not in builders:
            builders.append(build)
        return build

    return decorate


def sections(kind: str, **context: Any) -> list[Section]:
    return [s for s in (build(**context) for build in _BUILDERS.get(kind, [])) if s is not None]
