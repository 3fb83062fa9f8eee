"""Every state change of decisions: proposals, amendments, deliberation, rounds, positions,
outcomes, the table's rule and consultations. Each checks access, writes in one transaction and
records its domain event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minga.core.access import ACTIONS, DECIDING_ROLES, Actor, Role, SystemActor, person_user
from minga.core.events import record_event
from minga.decisions import consensus, events
from minga.decisions.models import (
    Answer,
    Comment,
    Consultation,
    ConsultationStatus,
    Decision,
    DecisionRule,
    Digest,
    DigestPreference,
    Position,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Question,
    Round,
)
from minga.meetings.models import AgendaItem, AttendanceStatus, Meeting
from minga.tables.models import SECTOR_GROUP, Organization, Table
from minga.tables.queries import may, require, seats_for


def acting_organization(
    by: Actor,
    table: Table,
    organization: Organization | None = None,
    *,
    roles: frozenset[str] = DECIDING_ROLES,
) -> Organization:
    """The organization ``by`` speaks for on this table (they must hold one of ``roles`` for it).

    The system actor (demo loading, imports of positions stated on paper) names it explicitly."""
    if isinstance(by, SystemActor) and organization is not None:
        return organization
    seats = seats_for(by, table).filter(role__in=roles)
    if organization is not None:
        seats = seats.filter(organization=organization)
    organizations = {
        m.organization_id: m.organization for m in seats.select_related("organization")
    }
    if not organizations:
        raise PermissionDenied(_("You do not speak for a member organization of this table."))
    if len(organizations) > 1:
        raise ValidationError({"organization": _("Choose the organization you speak for.")})
    return next(iter(organizations.values()))


def rule_of(table: Table) -> DecisionRule:
    """The table's rule; tables that never set one use consent with a sector quorum."""
    return DecisionRule.objects.filter(table=table).first() or DecisionRule(table=table)


@transaction.atomic
def set_rule(
    *,
    by: Actor,
    table: Table,
    base: str,
    sector_quorum: bool,
    fallback_after: int | None = None,
    fallback_percent: int | None = None,
) -> DecisionRule:
    require(by, table, "rules.edit")
    try:
        consensus.Rule(consensus.Base(base), sector_quorum, fallback_after, fallback_percent)
    except ValueError:
        raise ValidationError(
            _(
                "A fallback needs both a number of blocked rounds (at least 1) and a majority above 50 % and at most 100 %."
            )
        ) from None
    rule = rule_of(table)
    rule.base, rule.sector_quorum = base, sector_quorum
    rule.fallback_after, rule.fallback_percent = fallback_after, fallback_percent
    rule.save()
    record_event(
        events.RULE_SET,
        actor=by,
        table=table,
        payload={
            "base": base,
            "sector_quorum": sector_quorum,
            "fallback_after": fallback_after,
            "fallback_percent": fallback_percent,
        },
    )
    return rule


# --- proposals and deliberation ---------------------------------------------------------------


@transaction.atomic
def create_proposal(
    *,
    by: Actor,
    table: Table,
    title: str,
    text: str,
    organization: Organization | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    is_demo: bool = False,
) -> Proposal:
    """A proposal, optionally born in a meeting or answering an item of its agenda."""
    require(by, table, "proposal.create")
    if agenda_item is not None:
        meeting = agenda_item.meeting
    speaker = acting_organization(by, table, organization)
    if not title.strip() or not text.strip():
        raise ValidationError(_("A proposal needs a title and a text."))
    if meeting is not None and meeting.table_id != table.pk:
        raise ValidationError(_("That meeting belongs to another table."))
    proposal = Proposal.objects.create(
        table=table,
        title=title.strip(),
        organization=speaker,
        author=person_user(by),
        meeting=meeting,
        agenda_item=agenda_item,
        is_demo=is_demo,
    )
    ProposalVersion.objects.create(
        proposal=proposal, number=1, text=text.strip(), author=person_user(by), organization=speaker
    )
    record_event(
        events.PROPOSAL_CREATED,
        actor=by,
        table=table,
        subject=proposal,
        payload={"title": proposal.title, "organization": speaker.public_id},
    )
    return proposal


def _open_round(proposal: Proposal) -> Round | None:
    return proposal.rounds.filter(closed_at__isnull=True).first()


def _lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def amend_proposal(
    *,
    by: Actor,
    proposal: Proposal,
    text: str,
    change_note: str,
    organization: Organization | None = None,
) -> ProposalVersion:
    """A new version of the text. The proposing organization, the secretariat or the convener
    may amend while no round is open."""
    proposal = _lock(proposal)
    table = proposal.table
    require(by, table, "proposal.create")
    speaker = acting_organization(by, table, organization)
    leads = may(by, table, "round.open")
    if speaker.pk != proposal.organization_id and not leads:
        raise PermissionDenied(
            _("Only the proposing organization, the secretariat or the convener may amend.")
        )
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(_("This proposal is no longer under deliberation."))
    if _open_round(proposal) is not None:
        raise ValidationError(_("Close the open round before amending the proposal."))
    latest = proposal.versions.order_by("-number").first()
    assert latest is not None
    if text.strip() == latest.text:
        raise ValidationError({"text": _("The amendment does not change the text.")})
    if not change_note.strip():
        raise ValidationError({"change_note": _("Say what changed and why.")})
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=latest.number + 1,
        text=text.strip(),
        change_note=change_note.strip(),
        author=person_user(by),
        organization=speaker,
    )
    record_event(
        events.PROPOSAL_AMENDED,
        actor=by,
        table=table,
        subject=proposal,
        payload={"version": version.number, "organization": speaker.public_id},
    )
    return version


@transaction.atomic
def add_comment(
    *, by: Actor, proposal: Proposal, text: str, organization: Organization | None = None
) -> Comment:
    table = proposal.table
    require(by, table, "proposal.comment")
    speaker = acting_organization(by, table, organization, roles=frozenset(Role.values))
    if not text.strip():
        raise ValidationError({"text": _("Write something before sending.")})
    version = proposal.versions.order_by("-number").first()
    assert version is not None  # every proposal is created with its first version
    comment = Comment.objects.create(
        proposal=proposal,
        version=version,
        organization=speaker,
        author=person_user(by),
        text=text.strip(),
    )
    record_event(
        events.COMMENT_ADDED,
        actor=by,
        table=table,
        subject=proposal,
        payload={"comment": comment.pk, "organization": speaker.public_id},
    )
    return comment


# --- rounds and positions ---------------------------------------------------------------------


@transaction.atomic
def open_round(
    *, by: Actor, proposal: Proposal, closes_at: dt.datetime, meeting: Meeting | None = None
) -> Round:
    proposal = _lock(proposal)
    require(by, proposal.table, "round.open")
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(_("This proposal is no longer under deliberation."))
    if _open_round(proposal) is not None:
        raise ValidationError(_("A round is already open on this proposal."))
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("A round must close in the future.")})
    if meeting is not None and meeting.table_id != proposal.table_id:
        raise ValidationError(_("That meeting belongs to another table."))
    number = proposal.rounds.count() + 1
    version = proposal.versions.order_by("-number").first()
    assert version is not None
    round_ = Round.objects.create(
        proposal=proposal,
        number=number,
        version=version,
        closes_at=closes_at,
        meeting=meeting,
        opened_by=person_user(by),
    )
    record_event(
        events.ROUND_OPENED,
        actor=by,
        table=proposal.table,
        subject=proposal,
        payload={"round": number, "version": version.number, "closes_at": closes_at.isoformat()},
    )
    return round_


@transaction.atomic
def state_position(
    *,
    by: Actor,
    round: Round,
    stance: str,
    reason: str = "",
    organization: Organization | None = None,
    replaces: Position | None = None,
) -> Position:
    """State (or, passing ``replaces``, change) an organization's position in an open round."""
    round = Round.objects.select_for_update().select_related("proposal__table").get(pk=round.pk)
    table = round.proposal.table
    require(by, table, "position.state")
    speaker = acting_organization(by, table, organization)
    if round.closed_at is not None or round.closes_at <= timezone.now():
        raise ValidationError(_("This round is closed: positions can no longer change."))
    if stance not in consensus.Stance.__members__.values():
        raise ValidationError({"stance": _("Choose agree, concerns, stand aside or block.")})
    reason = reason.strip()
    if stance == consensus.Stance.BLOCK and not reason:
        raise ValidationError({"reason": _("A block must give its reason.")})
    existing = round.positions.filter(organization=speaker).first()
    if existing is not None and (replaces is None or replaces.pk != existing.pk):
        raise ValidationError(
            _(
                "%(organization)s already stated its position in this round: change it instead of adding a second one."
            )
            % {"organization": speaker.name}
        )
    if existing is None and replaces is not None:
        raise ValidationError(_("That position is not your organization's."))
    position = existing or Position(round=round, organization=speaker)
    before = position.stance if existing else None
    position.stance, position.reason, position.author = stance, reason, person_user(by)
    try:
        with transaction.atomic():
            position.save()
    except IntegrityError:
        raise ValidationError(
            _(
                "%(organization)s already stated its position in this round: change it instead of adding a second one."
            )
            % {"organization": speaker.name}
        ) from None
    record_event(
        events.POSITION_CHANGED if existing else events.POSITION_STATED,
        actor=by,
        table=table,
        subject=round.proposal,
        payload={
            "round": round.number,
            "organization": speaker.public_id,
            "stance": stance,
            "before": before,
        },
    )
    return position


def deciding_members(table: Table) -> list[consensus.Member]:
    organizations = Organization.objects.filter(
        memberships__table=table,
        memberships__until__isnull=True,
        memberships__role__in=DECIDING_ROLES,
    ).distinct()
    return [consensus.Member(o.public_id, o.name, SECTOR_GROUP[o.sector]) for o in organizations]


def evaluate(round: Round) -> consensus.Outcome:
    """The outcome of the round's positions under the table's rule, as if it closed now."""
    proposal = round.proposal
    rule = rule_of(proposal.table)
    members = deciding_members(proposal.table)
    known = {m.id for m in members}
    positions = [
        consensus.Position(p.organization.public_id, consensus.Stance(p.stance), p.reason)
        for p in round.positions.select_related("organization")
    ]
    # A seat that ended during the round keeps its stated position in the count.
    for p in round.positions.select_related("organization"):
        if p.organization.public_id not in known:
            members.append(
                consensus.Member(
                    p.organization.public_id,
                    p.organization.name,
                    SECTOR_GROUP[p.organization.sector],
                )
            )
            known.add(p.organization.public_id)
    present = None
    if round.meeting is not None:
        present = set(
            round.meeting.attendance.filter(status=AttendanceStatus.PRESENT).values_list(
                "organization__public_id", flat=True
            )
        )
    blocked_before = proposal.rounds.filter(
        number__lt=round.number, outcome_code=consensus.Code.BLOCKED
    ).count()
    return consensus.decide(
        consensus.Rule(
            consensus.Base(rule.base),
            rule.sector_quorum,
            rule.fallback_after,
            rule.fallback_percent,
        ),
        members,
        positions,
        present=present,
        blocked_rounds_before=blocked_before,
    )


def outcome_record(outcome: consensus.Outcome) -> dict[str, Any]:
    return {
        "code": outcome.code.value,
        "passed": outcome.passed,
        "tally": outcome.tally,
        "blocks": [list(b) for b in outcome.blocks],
        "concerns": [list(c) for c in outcome.concerns],
        "missing_members": list(outcome.missing_members),
        "missing_groups": list(outcome.missing_groups),
        "support_percent": outcome.support_percent,
        "required_percent": outcome.required_percent,
        "explanation": outcome.explain(),
    }


@transaction.atomic
def close_round(*, by: Actor, round: Round) -> Round:
    round = Round.objects.select_for_update().select_related("proposal__table").get(pk=round.pk)
    require(by, round.proposal.table, "round.open")
    if round.closed_at is not None:
        raise ValidationError(_("This round is already closed."))
    outcome = evaluate(round)
    round.closed_at = timezone.now()
    round.outcome_code = outcome.code.value
    round.outcome = outcome_record(outcome)
    round.save(update_fields=["closed_at", "outcome_code", "outcome"])
    record_event(
        events.ROUND_CLOSED,
        actor=by,
        table=round.proposal.table,
        subject=round.proposal,
        payload={"round": round.number, "outcome": outcome.code.value, "tally": outcome.tally},
    )
    return round


@transaction.atomic
def record_decision(
    *,
    by: Actor,
    proposal: Proposal,
    statement: str,
    review_on: dt.date | None = None,
    meeting: Meeting | None = None,
) -> Decision:
    """The convener records the outcome of the last closed round."""
    proposal = _lock(proposal)
    table = proposal.table
    require(by, table, "decision.record")
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(_("This proposal is no longer under deliberation."))
    if _open_round(proposal) is not None:
        raise ValidationError(_("Close the open round before recording the outcome."))
    last = proposal.rounds.order_by("-number").first()
    if last is None:
        raise ValidationError(_("No round has been held on this proposal."))
    if not statement.strip():
        raise ValidationError({"statement": _("Write the decision statement.")})
    if review_on is not None and review_on <= timezone.localdate():
        raise ValidationError({"review_on": _("The review date must be in the future.")})
    decision = Decision.objects.create(
        proposal=proposal,
        round=last,
        statement=statement.strip(),
        review_on=review_on,
        meeting=meeting or last.meeting,
        recorded_by=person_user(by),
    )
    proposal.status = ProposalStatus.DECIDED
    proposal.save(update_fields=["status", "updated_at"])
    record_event(
        events.OUTCOME_RECORDED,
        actor=by,
        table=table,
        subject=proposal,
        payload={
            "round": last.number,
            "outcome": last.outcome_code,
            "statement": decision.statement,
        },
    )
    return decision


# --- consultations ----------------------------------------------------------------------------


@transaction.atomic
def open_consultation(
    *,
    by: Actor,
    table: Table,
    title: str,
    body: str,
    questions: list[str],
    deadline: dt.date,
    document: Any = None,
    organization: Organization | None = None,
) -> Consultation:
    """An outside party — a bank preparing a project, a ministry — consults the table."""
    require(by, table, "consultation.open")
    requester = acting_organization(by, table, organization, roles=ACTIONS["consultation.open"])
    questions = [q.strip() for q in questions if q.strip()]
    if not title.strip() or not body.strip():
        raise ValidationError(_("A consultation needs a title and says what is consulted."))
    if not questions:
        raise ValidationError({"questions": _("Ask at least one question.")})
    if deadline <= timezone.localdate():
        raise ValidationError(
            {"deadline": _("Give the table time to answer: the deadline must be in the future.")}
        )
    consultation = Consultation(
        table=table,
        requester=requester,
        title=title.strip(),
        body=body.strip(),
        deadline=deadline,
        created_by=person_user(by),
    )
    if document is not None:
        consultation.document = document
    consultation.full_clean()
    consultation.save()
    for position, text in enumerate(questions, start=1):
        Question.objects.create(consultation=consultation, position=position, text=text)
    record_event(
        events.CONSULTATION_OPENED,
        actor=by,
        table=table,
        subject=consultation,
        payload={
            "title": consultation.title,
            "requester": requester.public_id,
            "questions": len(questions),
        },
    )
    return consultation


@transaction.atomic
def answer_consultation(
    *,
    by: Actor,
    consultation: Consultation,
    answers: dict[int, str],
    organization: Organization | None = None,
) -> list[Answer]:
    """A member organization's answers, one per question, changeable until the deadline."""
    table = consultation.table
    require(by, table, "consultation.answer")
    speaker = acting_organization(by, table, organization)
    if (
        consultation.status != ConsultationStatus.OPEN
        or consultation.deadline < timezone.localdate()
    ):
        raise ValidationError(_("This consultation no longer takes answers."))
    questions = {q.pk: q for q in consultation.questions.all()}
    texts = {pk: text.strip() for pk, text in answers.items() if text.strip()}
    if not texts:
        raise ValidationError(_("Answer at least one question."))
    if set(texts) - set(questions):
        raise ValidationError(_("These answers are for another consultation."))
    saved = []
    for pk, text in texts.items():
        answer, _created = Answer.objects.update_or_create(
            question=questions[pk],
            organization=speaker,
            defaults={"text": text, "author": person_user(by)},
        )
        saved.append(answer)
    record_event(
        events.CONSULTATION_ANSWERED,
        actor=by,
        table=table,
        subject=consultation,
        payload={"organization": speaker.public_id, "answers": len(saved)},
    )
    return saved


@transaction.atomic
def publish_response(*, by: Actor, consultation: Consultation, response: str) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    require(by, consultation.table, "consultation.publish")
    if consultation.status == ConsultationStatus.PUBLISHED:
        raise ValidationError(_("The table's response is already published."))
    if not response.strip():
        raise ValidationError({"response": _("Write the table's consolidated response.")})
    consultation.response = response.strip()
    consultation.status = ConsultationStatus.PUBLISHED
    consultation.published_at = timezone.now()
    consultation.save(update_fields=["response", "status", "published_at", "updated_at"])
    record_event(
        events.CONSULTATION_RESPONSE_PUBLISHED,
        actor=by,
        table=consultation.table,
        subject=consultation,
        payload={"answers": Answer.objects.filter(question__consultation=consultation).count()},
    )
    return consultation


# --- notifications ----------------------------------------------------------------------------


@transaction.atomic
def set_digest(*, user: Any, frequency: str, language: str = "es") -> DigestPreference:
    if frequency not in Digest.values:
        raise ValidationError({"frequency": _("Choose never, daily or weekly.")})
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    preference, _created = DigestPreference.objects.update_or_create(
        user=user, defaults={"frequency": frequency, "language": language}
    )
    record_event(events.DIGEST_SET, actor=user, payload={"frequency": frequency})
    return preference
