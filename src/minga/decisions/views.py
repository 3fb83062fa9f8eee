from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.core import outbox
from minga.core.forms import add_errors, saved, status_for
from minga.decisions import queries, services
from minga.decisions.forms import (
    AmendForm,
    CommentForm,
    ConsultationForm,
    DecisionForm,
    DigestForm,
    PositionForm,
    ProposalForm,
    ResponseForm,
    RoundForm,
    RuleForm,
)
from minga.decisions.models import STANCE_CHOICES, ConsultationStatus, Position, Proposal, Round
from minga.meetings import queries as meeting_queries
from minga.meetings import services as meeting_services
from minga.tables import queries as tables
from minga.tables.models import Organization, Table


def _speaker(request: HttpRequest, table: Table) -> Organization | None:
    """The organization the viewer decides for on this table, if any."""
    if not request.user.is_authenticated:
        return None
    try:
        return services.acting_organization(request.user, table)
    except (PermissionDenied, ValidationError):
        return None


def _proposal_page(
    request: HttpRequest, proposal: Proposal, *, status: int = 200, **forms: Any
) -> HttpResponse:
    table = proposal.table
    version = queries.latest_version(proposal)
    rounds = list(proposal.rounds.select_related("version").order_by("number"))
    for r in rounds:
        r.outcome_text = queries.describe(r.outcome)  # type: ignore[attr-defined]
    current = rounds[-1] if rounds else None
    speaker = _speaker(request, table)
    own = None
    if current is not None and speaker is not None:
        own = current.positions.filter(organization=speaker).first()
    position_form = forms.get("position_form") or PositionForm(
        initial={
            "stance": own.stance,
            "reason": own.reason,
            "replaces": own.pk,
            "seen": _version(own),
        }
        if own
        else {"seen": _version(None)}
    )
    may = {
        action.replace(".", "_"): tables.may(request.user, table, action)
        for action in (
            "proposal.comment",
            "round.open",
            "decision.record",
            "position.state",
            "proposal.create",
        )
    }
    decision = getattr(proposal, "decision", None) if proposal.status == "decided" else None
    return render(
        request,
        "decisions/proposal.html",
        {
            "table": table,
            "proposal": proposal,
            "version": version,
            "versions": list(proposal.versions.order_by("number")),
            "comments": list(
                proposal.comments.select_related("organization").order_by("created_at")
            ),
            "rounds": rounds,
            "current": current,
            "panel": queries.panel(current) if current else None,
            "speaker": speaker,
            "own": own,
            "may": may,
            "may_amend": may["proposal_create"]
            and speaker is not None
            and (speaker.pk == proposal.organization_id or may["round_open"]),
            "decision": decision,
            "comment_form": forms.get("comment_form") or CommentForm(),
            "round_form": forms.get("round_form") or RoundForm(),
            "position_form": position_form,
            "decision_form": forms.get("decision_form") or DecisionForm(),
        },
        status=status,
    )


@require_GET
def register(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    proposals = list(queries.open_proposals(table))
    for p in proposals:
        p.open_round = next((r for r in p.rounds.all() if r.closed_at is None), None)  # type: ignore[attr-defined]
    decisions = list(queries.register(table))
    for decision in decisions:
        decision.outcome_text = queries.describe(decision.round.outcome)  # type: ignore[attr-defined]
    return render(
        request,
        "decisions/register.html",
        {
            "table": table,
            "decisions": decisions,
            "proposals": proposals,
            "may_propose": tables.may(request.user, table, "proposal.create"),
            "may_edit_rule": tables.may(request.user, table, "rules.edit"),
            "rule": services.rule_of(table),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "rules.edit")
    current = services.rule_of(table)
    quorum = meeting_queries.rules_of(table)
    form = RuleForm(
        request.POST or None,
        initial={
            "base": current.base,
            "sector_quorum": current.sector_quorum,
            "fallback_after": current.fallback_after,
            "fallback_percent": current.fallback_percent,
            "quorum_percent": quorum.quorum_percent,
            "sectors_required": quorum.sectors_required,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        statute = {
            "quorum_percent": data.pop("quorum_percent"),
            "sectors_required": data.pop("sectors_required"),
        }
        try:
            with transaction.atomic():
                services.set_rule(by=request.user, table=table, **data)
                meeting_services.set_meeting_rules(by=request.user, table=table, **statute)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The decision rule was saved."))
            return redirect("decision-register", slug=table.slug)
    status = status_for(request)
    return render(request, "decisions/rule.html", {"table": table, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_proposal(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "proposal.create")
    form = ProposalForm(request.POST or None, table=table)
    proposal = saved(
        request, form, lambda d: services.create_proposal(by=request.user, table=table, **d)
    )
    if proposal is not None:
        return redirect("proposal", slug=table.slug, public_id=proposal.public_id)
    status = status_for(request)
    return render(
        request, "decisions/proposal_new.html", {"table": table, "form": form}, status=status
    )


@require_GET
def proposal(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    return _proposal_page(request, queries.get_proposal(table, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def amend(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    proposal = queries.get_proposal(table, public_id)
    tables.require(request.user, table, "proposal.create")
    latest = queries.latest_version(proposal)
    form = AmendForm(request.POST or None, initial={"text": latest.text})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.amend_proposal(
                by=request.user, proposal=proposal, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(number)s is now under deliberation.") % {"number": version.number},
            )
            return redirect("proposal", slug=table.slug, public_id=proposal.public_id)
    status = status_for(request)
    return render(
        request,
        "decisions/amend.html",
        {"table": table, "proposal": proposal, "form": form},
        status=status,
    )


@require_GET
def version(request: HttpRequest, slug: str, public_id: str, number: int) -> HttpResponse:
    table = tables.get_table(slug)
    proposal = queries.get_proposal(table, public_id)
    shown = queries.get_version(proposal, number)
    previous = queries.get_version(proposal, number - 1) if number > 1 else None
    return render(
        request,
        "decisions/version.html",
        {
            "table": table,
            "proposal": proposal,
            "version": shown,
            "previous": previous,
            "diff": queries.diff_html(previous.text, shown.text) if previous else None,
        },
    )


@login_required
@require_POST
def comment(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    proposal = queries.get_proposal(table, public_id)
    tables.require(request.user, table, "proposal.comment")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(by=request.user, proposal=proposal, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(f"{proposal_url(proposal)}#thread")
    return _proposal_page(request, proposal, status=400, comment_form=form)


def proposal_url(proposal: Proposal) -> str:
    return reverse(
        "proposal", kwargs={"slug": proposal.table.slug, "public_id": proposal.public_id}
    )


@login_required
@require_POST
def open_round(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    proposal = queries.get_proposal(table, public_id)
    tables.require(request.user, table, "round.open")
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            services.open_round(
                by=request.user, proposal=proposal, closes_at=form.cleaned_data["closes_at"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(f"{proposal_url(proposal)}#round")
    return _proposal_page(request, proposal, status=400, round_form=form)


@require_GET
def round_panel(request: HttpRequest, slug: str, public_id: str, number: int) -> HttpResponse:
    table = tables.get_table(slug)
    round_ = queries.get_round(queries.get_proposal(table, public_id), number)
    return render(
        request,
        "decisions/_panel.html",
        {"panel": queries.panel(round_), "table": table, "proposal": round_.proposal},
    )


@outbox.once
@login_required
@require_POST
def position(request: HttpRequest, slug: str, public_id: str, number: int) -> HttpResponse:
    table = tables.get_table(slug)
    proposal = queries.get_proposal(table, public_id)
    round_: Round = queries.get_round(proposal, number)
    tables.require(request.user, table, "position.state")
    form = PositionForm(request.POST)
    if form.is_valid():
        replaces = (
            round_.positions.filter(pk=form.cleaned_data["replaces"]).first()
            if form.cleaned_data["replaces"]
            else None
        )
        current = round_.positions.filter(organization=_speaker(request, table)).first()
        try:
            if "seen" in request.POST and _version(current) != form.cleaned_data["seen"]:
                # the form the person filled in now knows that version: sent again, it replaces it
                form = PositionForm({**request.POST.dict(), "seen": _version(current)})
                form.is_valid()
                raise ValidationError(
                    _("Your organization's position was changed by someone else meanwhile.")
                )
            services.state_position(
                by=request.user,
                round=round_,
                stance=form.cleaned_data["stance"],
                reason=form.cleaned_data["reason"],
                replaces=replaces,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            if outbox.from_device(request):
                _explain_position(request, round_, form, replaces)
        else:
            messages.success(request, _("Your organization's position was recorded."))
            return redirect(f"{proposal_url(proposal)}#round")
    return _proposal_page(request, proposal, status=400, position_form=form)


def _version(position: Position | None) -> str:
    return position.updated_at.isoformat() if position is not None else "none"


def _stance(position: Position | dict[str, Any]) -> str:
    stance, reason = (
        (position.stance, position.reason)
        if isinstance(position, Position)
        else (position.get("stance", ""), position.get("reason", ""))
    )
    said = str(dict(STANCE_CHOICES).get(stance, stance))
    return f"{said}: {reason}" if reason else said


def _explain_position(
    request: HttpRequest, round_: Round, form: PositionForm, replaces: Position | None
) -> None:
    """Why a position a phone kept while offline was not taken, in words it can show: the round
    closed meanwhile (with its outcome), or someone of the organization stated one first."""
    round_.refresh_from_db()
    yours = _stance(form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {})
    if round_.closed_at is not None or round_.closes_at <= timezone.now():
        closed = formats.date_format(
            timezone.localtime(round_.closed_at or round_.closes_at), "DATETIME_FORMAT"
        )
        message = _("The round closed on %(when)s, before this position arrived.") % {
            "when": closed
        }
        if round_.outcome:
            message = f"{message} {queries.describe(round_.outcome)}"
        outbox.explain(request, "late", message, yours=yours)
        return
    speaker = _speaker(request, round_.proposal.table)
    current = round_.positions.filter(organization=speaker).select_related("author").first()
    stale = "seen" in request.POST and _version(current) != request.POST["seen"]
    if current is not None and (stale or replaces is None or replaces.pk != current.pk):
        author = (
            (current.author.get_full_name() or current.author.username) if current.author else ""
        )
        theirs = _stance(current) + (f" ({author})" if author else "")
        message = _("Your organization's position was changed by someone else meanwhile.")
        outbox.explain(request, "conflict", message, yours=yours, theirs=theirs)
        return
    errors = [str(e) for errors in form.errors.values() for e in errors]
    outbox.explain(request, "refused", " ".join(errors), yours=yours)


@login_required
@require_POST
def close_round(request: HttpRequest, slug: str, public_id: str, number: int) -> HttpResponse:
    table = tables.get_table(slug)
    proposal = queries.get_proposal(table, public_id)
    tables.require(request.user, table, "round.open")
    try:
        closed = services.close_round(by=request.user, round=queries.get_round(proposal, number))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, queries.describe(closed.outcome))
    return redirect(f"{proposal_url(proposal)}#round")


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    proposal = queries.get_proposal(table, public_id)
    tables.require(request.user, table, "decision.record")
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.record_decision(by=request.user, proposal=proposal, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The outcome is recorded in the decision register."))
            return redirect("decision-register", slug=table.slug)
    return _proposal_page(request, proposal, status=400, decision_form=form)


# --- consultations ----------------------------------------------------------------------------


@require_GET
def consultations(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    return render(
        request,
        "decisions/consultations.html",
        {
            "table": table,
            "consultations": list(queries.consultations_of(table)),
            "may_open": tables.may(request.user, table, "consultation.open"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_consultation(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "consultation.open")
    form = ConsultationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.open_consultation(
                by=request.user,
                table=table,
                title=data["title"],
                body=data["body"],
                questions=data["questions"].splitlines(),
                deadline=data["deadline"],
                document=data["document"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("consultation", slug=table.slug, public_id=consultation.public_id)
    status = status_for(request)
    return render(
        request, "decisions/consultation_new.html", {"table": table, "form": form}, status=status
    )


def _answers_version(own: dict[int, str]) -> str:
    """What the organization had answered when a form was opened (to tell a later change)."""
    return hashlib.sha256(repr(sorted(own.items())).encode()).hexdigest()[:16]


def _consultation_page(
    request: HttpRequest,
    table: Table,
    consultation: Any,
    *,
    error: str | None = None,
    response_form: Any = None,
) -> HttpResponse:
    speaker = (
        _speaker(request, table) if tables.may(request.user, table, "consultation.answer") else None
    )
    questions = list(consultation.questions.all())
    own = {}
    if speaker is not None:
        own = {
            a.question_id: a.text
            for a in queries.answers_of(consultation).filter(organization=speaker)
        }
    for question in questions:
        question.own = request.POST.get(f"answer-{question.pk}", own.get(question.pk, ""))
    seen = _answers_version(own)
    reads_answers = bool(tables.roles_for(request.user, table)) or request.user.is_superuser
    return render(
        request,
        "decisions/consultation.html",
        {
            "table": table,
            "consultation": consultation,
            "questions": questions,
            "answers": queries.answers_by_question(consultation) if reads_answers else {},
            "reads_answers": reads_answers,
            "speaker": speaker,
            "seen": seen,
            "open": queries.consultation_open(consultation),
            "may_publish": tables.may(request.user, table, "consultation.publish"),
            "response_form": response_form or ResponseForm(),
            "error": error,
        },
        status=400 if error or (response_form is not None and response_form.errors) else 200,
    )


@require_GET
def consultation(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    return _consultation_page(request, table, queries.get_consultation(table, public_id))


@require_GET
def consultation_document(request: HttpRequest, slug: str, public_id: str) -> FileResponse:
    """The consulted document, for whoever may read the consultation (it is public)."""
    table = tables.get_table(slug)
    found = queries.get_consultation(table, public_id)
    if not found.document:
        raise Http404
    return FileResponse(found.document.open("rb"), filename=found.document_filename)


@outbox.once
@login_required
@require_POST
def answer(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_consultation(table, public_id)
    tables.require(request.user, table, "consultation.answer")
    answers = {
        int(key.removeprefix("answer-")): request.POST.get(key, "")
        for key in request.POST
        if key.startswith("answer-") and key.removeprefix("answer-").isdigit()
    }
    speaker = _speaker(request, table)
    own = {
        a.question_id: a.text
        for a in queries.answers_of(found).filter(organization=speaker).select_related("author")
    }
    texts = {q.pk: q.text for q in found.questions.all()}
    typed = " / ".join(f"{texts.get(k, k)}: {v}" for k, v in answers.items() if v.strip())
    if "seen" in request.POST and request.POST["seen"] != _answers_version(own):
        message = _("Your organization's answers were changed by someone else meanwhile.")
        outbox.explain(
            request,
            "conflict",
            message,
            yours=typed,
            theirs=" / ".join(f"{texts.get(k, k)}: {v}" for k, v in sorted(own.items())),
        )
        return _consultation_page(request, table, found, error=message)
    try:
        services.answer_consultation(by=request.user, consultation=found, answers=answers)
    except ValidationError as exc:
        found.refresh_from_db()
        closed = found.status != ConsultationStatus.OPEN or found.deadline < timezone.localdate()
        outbox.explain(
            request, "late" if closed else "refused", " ".join(exc.messages), yours=typed
        )
        return _consultation_page(request, table, found, error=" ".join(exc.messages))
    messages.success(request, _("Your organization's answers were recorded."))
    return redirect("consultation", slug=table.slug, public_id=found.public_id)


@login_required
@require_POST
def publish_response(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    found = queries.get_consultation(table, public_id)
    tables.require(request.user, table, "consultation.publish")
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            services.publish_response(
                by=request.user, consultation=found, response=form.cleaned_data["response"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The table's response is published."))
            return redirect("consultation", slug=table.slug, public_id=found.public_id)
    return _consultation_page(request, table, found, response_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def digest(request: HttpRequest) -> HttpResponse:
    current = queries.digest_frequency(request.user)
    form = DigestForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        services.set_digest(
            user=request.user,
            frequency=form.cleaned_data["frequency"],
            language=request.LANGUAGE_CODE,
        )
        messages.success(request, _("Your digest preference was saved."))
        return redirect("digest")
    return render(request, "decisions/digest.html", {"form": form})
