"""The decisions area's section of a meeting's minutes: what the table decided there."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from minga.decisions.models import Decision, Proposal
from minga.decisions.queries import describe
from minga.meetings.models import Meeting
from minga.meetings.reports import Section, register_section


@register_section
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


@register_section
def proposals_born(meeting: Meeting) -> Section | None:
    proposals = Proposal.objects.filter(meeting=meeting)
    if not proposals:
        return None
    return Section(_("Proposals born in the meeting"), [p.title for p in proposals])
