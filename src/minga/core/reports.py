"""Sections that upper areas contribute to a lower area's report (minutes, accountability).

An area may not import the areas above it. A report names a *kind* ("meeting",
"accountability", "agreement", "table"); areas above register builders for that kind in their
``reports.py`` (a ``core.hooks`` extension point named ``report_section.<kind>``), and the report
renders whatever sections are registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from minga.core import hooks


@dataclass
class Section:
    title: str
    items: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


Builder = Callable[..., Section | None]


def hook_name(kind: str) -> str:
    return f"report_section.{kind}"


def register(kind: str) -> Callable[[Builder], Builder]:
    return hooks.register(hook_name(kind))


def sections(kind: str, **context: Any) -> list[Section]:
    built = (build(**context) for build in hooks.get_hooks(hook_name(kind)))
    return [s for s in built if s is not None]
