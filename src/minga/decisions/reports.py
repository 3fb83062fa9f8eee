"""What the decisions area adds to meeting minutes and accountability reports."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from minga.core.reports import Section, register
from minga.decisions.models import Decision, Proposal
from minga.decisions.queries import describe
from minga.meetings.models import Meeting


@register("meeting")
def decisions_taken(meeting: Meeting) -> Section | None:
    decisions = Decision.objects.filter(
        Q(meeting=meeting) | Q(round__meeting=meeting)
    ).select_related("proposal", "round")
    if not decisions:
        return None
    return Section(
        _("Decisions taken"),
        [f"{d.proposal.title}: {d.statement} ({describe(d.round.outcome)})" for d in decisions],
    )


@register("meeting")
def proposals_born(meeting: Meeting) -> Section | None:
    proposals = Proposal.objects.filter(meeting=meeting)
    if not proposals:
        return None
    return Section(_("Proposals born in the meeting"), [p.title for p in proposals])


@register("accountability")
def decisions_in_period(table: Any, starts_on: Any, ends_on: Any) -> Section | None:
    decisions = Decision.objects.filter(
        proposal__table=table, recorded_at__date__gte=starts_on, recorded_at__date__lte=ends_on
    ).select_related("proposal")
    return Section(
        _("Decisions taken"),
        [f"{d.proposal.title}: {d.statement}" for d in decisions],
        {"decisions": len(decisions)},
    )
