"""The sections of a meeting's minutes that upper areas add (decisions taken, commitments made…)."""

from __future__ import annotations

from minga.core import reports
from minga.core.reports import Section
from minga.meetings.models import Meeting

__all__ = ["Section", "sections_for"]


def sections_for(meeting: Meeting) -> list[Section]:
    return reports.sections("meeting", meeting=meeting)
