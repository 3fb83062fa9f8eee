from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minga.core import outbox
from minga.core.forms import add_errors, run_posted, saved, status_for
from minga.core.pdf import pdf_response
from minga.meetings import queries, services
from minga.meetings.forms import (
    AgendaItemForm,
    CancelMeetingForm,
    MeetingForm,
    MinutesForm,
    PriorityForm,
    PublishMinutesForm,
    RankingForm,
)
from minga.meetings.ics import meeting_calendar
from minga.meetings.models import AttendanceStatus, Meeting, MeetingStatus, Priority, RankingMethod
from minga.meetings.reports import sections_for
from minga.tables import queries as tables
from minga.tables.models import Organization, Table


def _meeting(request: HttpRequest, slug: str, public_id: str) -> tuple[Table, Meeting]:
    table = tables.get_table(slug)
    return table, queries.get_meeting_for(request.user, table, public_id)


def _meeting_url(request: HttpRequest) -> Any:
    return lambda m: request.build_absolute_uri(
        reverse("meeting", kwargs={"slug": m.table.slug, "public_id": m.public_id})
    )


@require_GET
def meetings(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    return render(
        request,
        "meetings/meetings.html",
        {
            "table": table,
            "meetings": list(queries.meetings_for(request.user, table)),
            "may_manage": tables.may(request.user, table, "meeting.manage"),
        },
    )


@require_GET
def feed(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    meetings = list(queries.meetings_for(request.user, table).exclude(status=MeetingStatus.DRAFT))
    body = meeting_calendar(meetings, name=table.name)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
@require_http_methods(["GET", "POST"])
def new_meeting(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "meeting.manage")
    form = MeetingForm(request.POST or None)
    meeting = saved(
        request, form, lambda d: services.create_meeting(by=request.user, table=table, **d)
    )
    if meeting is not None:
        return redirect("meeting", slug=table.slug, public_id=meeting.public_id)
    status = status_for(request)
    return render(
        request, "meetings/meeting_new.html", {"table": table, "form": form}, status=status
    )


def _meeting_page(
    request: HttpRequest, table: Table, meeting: Meeting, *, status: int = 200, **forms: Any
) -> HttpResponse:
    may_manage = tables.may(request.user, table, "meeting.manage")
    return render(
        request,
        "meetings/meeting.html",
        {
            "table": table,
            "meeting": meeting,
            "agenda": list(meeting.agenda.select_related("priority__organization")),
            "attendance": queries.attendance_by_organization(meeting),
            "quorum": queries.quorum_of(meeting) if meeting.attendance.exists() else None,
            "may_manage": may_manage,
            "started": meeting.starts_at <= timezone.now(),
            "agenda_form": forms.get("agenda_form") or AgendaItemForm(table=table),
            "minutes_form": forms.get("minutes_form")
            or MinutesForm(initial={"minutes": meeting.minutes}),
            "publish_form": PublishMinutesForm(auto_id="publish_%s"),
            "sections": sections_for(meeting),
        },
        status=status,
    )


@require_GET
def meeting(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    return _meeting_page(request, table, found)


@login_required
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """Change a meeting before it starts; once convened, its members are sent the change."""
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    if not found.may_change:
        messages.error(request, _("A meeting can only be changed before it starts."))
        return redirect("meeting", slug=table.slug, public_id=found.public_id)
    initial = {
        name: getattr(found, name)
        for name in ("kind", "duration_minutes", "place", "online_url", "language")
    } | {
        "title": found.shown_title,
        "starts_at": timezone.localtime(found.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "interpretation": found.interpretation,
        "is_public": found.is_public,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    url = _meeting_url(request)
    changed = saved(
        request,
        form,
        lambda d: services.change_meeting(by=request.user, meeting=found, meeting_url=url, **d),
    )
    if changed is not None:
        if changed.sequence > found.sequence:
            messages.success(
                request,
                _(
                    "The meeting was changed; its members are sent the change with an updated calendar invitation."
                ),
            )
        else:
            messages.success(request, _("The meeting was changed."))
        return redirect("meeting", slug=table.slug, public_id=found.public_id)
    return render(
        request,
        "meetings/meeting_change.html",
        {
            "table": table,
            "meeting": found,
            "form": form,
            "told": len(queries.meeting_recipients(found)) if found.convened_at else 0,
        },
        status=status_for(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """Say what cancelling does and ask for the reason; cancel on the confirmed POST."""
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    if not found.may_change:
        messages.error(request, _("A meeting can only be cancelled before it starts."))
        return redirect("meeting", slug=table.slug, public_id=found.public_id)
    form = CancelMeetingForm(request.POST or None)
    url = _meeting_url(request)
    done = saved(
        request,
        form,
        lambda d: services.cancel_meeting(
            by=request.user, meeting=found, reason=d["reason"], meeting_url=url
        ),
    )
    if done is not None:
        messages.success(request, _("The meeting was cancelled."))
        return redirect("meeting", slug=table.slug, public_id=found.public_id)
    return render(
        request,
        "meetings/meeting_cancel.html",
        {
            "table": table,
            "meeting": found,
            "form": form,
            "told": len(queries.meeting_recipients(found)) if found.convened_at else 0,
        },
        status=status_for(request),
    )


@require_GET
def meeting_ics(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    _table, found = _meeting(request, slug, public_id)
    body = meeting_calendar([found], link=_meeting_url(request)(found))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.public_id}.ics"'
    return response


@login_required
@require_POST
def agenda_add(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    form = AgendaItemForm(request.POST, table=table)
    if form.is_valid():
        try:
            services.add_agenda_item(by=request.user, meeting=found, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(reverse("meeting", args=[table.slug, found.public_id]) + "#agenda")
    return _meeting_page(request, table, found, status=400, agenda_form=form)


@login_required
@require_POST
def agenda_move(request: HttpRequest, slug: str, public_id: str, position: int) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    item = get_object_or_404(found.agenda, position=position)
    services.move_agenda_item(
        by=request.user, item=item, up=request.POST.get("direction") != "down"
    )
    return redirect(reverse("meeting", args=[table.slug, found.public_id]) + "#agenda")


@login_required
@require_POST
def convene(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    try:
        services.convene_meeting(by=request.user, meeting=found, meeting_url=_meeting_url(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "The meeting was convened; the notice goes out by e-mail with a calendar invitation."
            ),
        )
    return redirect("meeting", slug=table.slug, public_id=found.public_id)


@login_required
@require_GET
def sheet(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    return render(
        request,
        "meetings/sheet.html",
        {"table": table, "meeting": found, "organizations": queries.members_at(found)},
    )


def _fingerprint(recorded: dict[tuple[int, str], str]) -> str:
    """What the sheet held when a form was opened, to tell whether someone saved it since."""
    return hashlib.sha256(repr(sorted(recorded.items())).encode()).hexdigest()[:16]


def _sheet_text(lines: Any) -> str:
    """Sheet lines in words: "organization: status (names)"; organizations by id or public id."""
    labels = dict(AttendanceStatus.choices)
    said: dict[str, list[str]] = {}
    names: dict[Any, str] = {}
    for organization, status, name in lines:
        if organization not in names:
            found = Organization.objects.filter(
                **(
                    {"pk": organization}
                    if isinstance(organization, int)
                    else {"public_id": organization}
                )
            ).first()
            names[organization] = found.name if found else str(organization)
        entry = said.setdefault(f"{names[organization]}: {labels.get(status, status)}", [])
        entry += [n.strip() for n in name.split(",") if n.strip()]
    return "; ".join(f"{k} ({', '.join(v)})" if v else k for k, v in said.items())


@outbox.once
@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """Type in the paper attendance sheet: one line per organization that was a member on the
    meeting's day. A refused sheet comes back as typed, the rows at fault marked."""
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    organizations = queries.members_at(found)
    started = found.starts_at <= timezone.now()
    recorded = {(a.organization_id, a.person_name): a.status for a in found.attendance.all()}
    seen = _fingerprint(recorded)
    posted: Any = request.POST
    error, faults = None, {}
    if request.method == "POST" and request.POST.get("seen", seen) != seen:
        # someone else saved the sheet after this form was opened (on a phone, maybe offline)
        error = _(
            "Someone else saved this sheet after you opened it. Their lines are below; yours were "
            "not saved. Check them and save again."
        )
        outbox.explain(
            request,
            "conflict",
            error,
            yours=_sheet_text(
                (
                    key.removeprefix("status-"),
                    request.POST.get(key, ""),
                    request.POST.get(f"names-{key.removeprefix('status-')}", ""),
                )
                for key in request.POST
                if key.startswith("status-") and request.POST.get(key)
            ),
            theirs=_sheet_text(
                (org, status, name) for (org, name), status in sorted(recorded.items())
            ),
        )
        posted = {}  # the page shows what is recorded now
    elif request.method == "POST":
        typed = {o.public_id: o for o in organizations}
        # A line typed for an organization the sheet no longer offers (a stale form) is still
        # checked, so that it is refused by name rather than silently dropped.
        extra = [
            key.removeprefix("status-")
            for key in request.POST
            if key.startswith("status-") and key.removeprefix("status-") not in typed
        ]
        typed |= {o.public_id: o for o in Organization.objects.filter(public_id__in=extra)}
        rows = []
        for public, organization in typed.items():
            status = request.POST.get(f"status-{public}", "")
            names = [n.strip() for n in request.POST.get(f"names-{public}", "").split(",")]
            names = [n for n in names if n]
            if not status:
                continue
            if status == AttendanceStatus.PRESENT and names:
                rows += [services.AttendanceRow(organization, status, name) for name in names]
            else:
                rows.append(services.AttendanceRow(organization, status))
        try:
            if not rows:
                raise ValidationError(_("Mark at least one organization."))
            services.record_attendance(by=request.user, meeting=found, rows=rows, from_paper=True)
        except ValidationError as exc:
            found.refresh_from_db()
            closed = found.published_at is not None or found.status == MeetingStatus.CANCELLED
            outbox.explain(request, "late" if closed else "refused", " ".join(exc.messages))
            if hasattr(exc, "error_dict"):
                faults = {key: " ".join(texts) for key, texts in exc.message_dict.items()}
                error = _("Nothing was saved: correct the marked lines and save again.")
            else:
                error = " ".join(exc.messages)
            organizations += [o for p, o in typed.items() if p in faults and o not in organizations]
        else:
            messages.success(request, _("The attendance sheet was recorded."))
            return redirect(reverse("meeting", args=[table.slug, found.public_id]) + "#attendance")
    lines = []
    for organization in organizations:
        statuses = [s for (org, _n), s in recorded.items() if org == organization.pk]
        names = [n for (org, n), s in recorded.items() if org == organization.pk and n]
        lines.append(
            {
                "organization": organization,
                "status": posted.get(f"status-{organization.public_id}")
                or (statuses[0] if statuses else ""),
                "names": posted.get(f"names-{organization.public_id}") or ", ".join(names),
                "fault": faults.get(organization.public_id, ""),
            }
        )
    return render(
        request,
        "meetings/attendance.html",
        {
            "table": table,
            "meeting": found,
            "lines": lines,
            "started": started,
            "statuses": AttendanceStatus.choices,
            "error": error,
            "seen": seen,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def minutes(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.save_minutes(
                by=request.user, meeting=found, minutes=form.cleaned_data["minutes"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect(reverse("meeting", args=[table.slug, found.public_id]) + "#minutes")
    return _meeting_page(request, table, found, status=400, minutes_form=form)


@login_required
@require_POST
def publish(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    tables.require(request.user, table, "meeting.manage")
    published = run_posted(
        request,
        PublishMinutesForm(request.POST),
        lambda _data: services.publish_minutes(by=request.user, meeting=found),
        done=_("The minutes are published."),
    )
    if not published:
        return redirect(reverse("meeting", args=[table.slug, found.public_id]) + "#publish")
    return redirect("meeting-report", slug=table.slug, public_id=found.public_id)


def _report_context(table: Table, found: Meeting) -> dict[str, Any]:
    if found.status != MeetingStatus.PUBLISHED:
        raise PermissionDenied(_("The minutes of this meeting are not published yet."))
    return {
        "table": table,
        "meeting": found,
        "agenda": list(found.agenda.all()),
        "attendance": queries.attendance_by_organization(found),
        "quorum": queries.quorum_of(found),
        "sections": sections_for(found),
    }


@require_GET
def report(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    return render(request, "meetings/report.html", _report_context(table, found))


@require_GET
def report_pdf(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table, found = _meeting(request, slug, public_id)
    return pdf_response(
        request,
        "meetings/report_pdf.html",
        _report_context(table, found),
        filename=f"acta-{found.public_id}.pdf",
    )


# --- joint agenda -----------------------------------------------------------------------------


@require_GET
def joint_agenda(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    return render(
        request,
        "meetings/agenda.html",
        {
            "table": table,
            "priorities": list(queries.priorities_of(table)),
            "rankings": list(queries.rankings_of(table)),
            "upcoming": list(
                queries.meetings_for(request.user, table).exclude(status=MeetingStatus.PUBLISHED)
            ),
            "may_submit": tables.may(request.user, table, "priority.submit"),
            "may_manage": tables.may(request.user, table, "ranking.manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_priority(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "priority.submit")
    form = PriorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_priority(by=request.user, table=table, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your priority is on the joint agenda."))
            return redirect("joint-agenda", slug=table.slug)
    status = status_for(request)
    return render(
        request, "meetings/priority_new.html", {"table": table, "form": form}, status=status
    )


@login_required
@require_POST
def select(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "ranking.manage")
    priority = get_object_or_404(Priority, table=table, public_id=public_id)
    meeting = None
    if request.POST.get("meeting"):
        meeting = queries.get_meeting_for(request.user, table, request.POST["meeting"])
    try:
        services.select_priority(by=request.user, priority=priority, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The priority is selected."))
    return redirect("joint-agenda", slug=table.slug)


@login_required
@require_http_methods(["GET", "POST"])
def new_ranking(request: HttpRequest, slug: str) -> HttpResponse:
    table = tables.get_table(slug)
    tables.require(request.user, table, "ranking.manage")
    form = RankingForm(request.POST or None, table=table)
    round_ = saved(
        request, form, lambda d: services.open_ranking(by=request.user, table=table, **d)
    )
    if round_ is not None:
        return redirect("ranking", slug=table.slug, public_id=round_.public_id)
    status = status_for(request)
    return render(
        request, "meetings/ranking_new.html", {"table": table, "form": form}, status=status
    )


def _ranking_page(
    request: HttpRequest, table: Table, round_: Any, *, error: str | None = None
) -> HttpResponse:
    speaker = None
    if request.user.is_authenticated and tables.may(request.user, table, "ranking.vote"):
        try:
            speaker = services.speaking_for(request.user, table)
        except PermissionDenied:
            speaker = None
    own = round_.ballots.filter(organization=speaker).first() if speaker else None
    priorities = list(round_.priorities.select_related("organization").order_by("title"))
    for p in priorities:
        if round_.method == RankingMethod.DOTS:
            p.given = (
                (own.choices.get(p.public_id, 0) if own else 0)
                if not request.POST
                else request.POST.get(f"dots-{p.public_id}", "")
            )
        else:
            ranked = own.choices if own else []
            p.given = (
                (ranked.index(p.public_id) + 1 if p.public_id in ranked else "")
                if not request.POST
                else request.POST.get(f"rank-{p.public_id}", "")
            )
    return render(
        request,
        "meetings/ranking.html",
        {
            "table": table,
            "round": round_,
            "priorities": priorities,
            "results": queries.results(round_),
            "speaker": speaker,
            "own": own,
            "open": round_.closed_at is None and round_.closes_at > timezone.now(),
            "may_manage": tables.may(request.user, table, "ranking.manage"),
            "error": error,
        },
        status=400 if error else 200,
    )


@require_GET
def ranking_round(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    return _ranking_page(request, table, queries.get_ranking(table, public_id))


@login_required
@require_POST
def ballot(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    round_ = queries.get_ranking(table, public_id)
    tables.require(request.user, table, "ranking.vote")
    choices: dict[str, int] | list[str]
    try:
        if round_.method == RankingMethod.DOTS:
            choices = {
                key.removeprefix("dots-"): int(request.POST.get(key) or 0)
                for key in request.POST
                if key.startswith("dots-")
            }
        else:
            ranks = {
                key.removeprefix("rank-"): int(request.POST.get(key) or 0)
                for key in request.POST
                if key.startswith("rank-") and request.POST.get(key)
            }
            choices = sorted(ranks, key=lambda k: ranks[k])
            if len(set(ranks.values())) != len(ranks):
                raise ValidationError(_("Each place can be given to only one priority."))
        services.cast_ballot(by=request.user, round=round_, choices=choices)
    except ValueError:
        return _ranking_page(request, table, round_, error=_("Write whole numbers."))
    except ValidationError as exc:
        return _ranking_page(request, table, round_, error=" ".join(exc.messages))
    messages.success(request, _("Your organization's ballot was recorded."))
    return redirect("ranking", slug=table.slug, public_id=round_.public_id)


@login_required
@require_POST
def close_ranking(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    table = tables.get_table(slug)
    round_ = queries.get_ranking(table, public_id)
    tables.require(request.user, table, "ranking.manage")
    try:
        services.close_ranking(by=request.user, round=round_)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The ranking round is closed; the results are final."))
    return redirect("ranking", slug=table.slug, public_id=round_.public_id)
