"""Every change to funds: pledges and receipts, calls, applications, reviews, awards, tranches,
expenditure and platform budget lines.

Money moves only here. Each movement locks the fund (then the award) row, is checked against what
is there — the database refuses a negative balance or a disbursement above the award as a last
line — and writes one ``Transaction`` with its IATI type, provider and receiver, plus an event
that the transparency log carries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from minga.core.access import Actor, person_user
from minga.core.events import record_event
from minga.core.ids import validate_iati_identifier
from minga.core.money import validate_currency
from minga.core.text import message, say
from minga.funds import events
from minga.funds.models import (
    Application,
    ApplicationStatus,
    Award,
    Call,
    CallKind,
    CallStatus,
    Contribution,
    Fund,
    FundRole,
    FundRoleKind,
    GovernanceSeat,
    PlatformLine,
    Review,
    SeatKind,
    Tranche,
    Transaction,
    TransactionType,
)
from minga.health import index
from minga.health import services as health
from minga.health.queries import WOMEN, facts_for
from minga.initiatives.models import AccountabilityReport
from minga.meetings.services import speaking_for
from minga.tables.models import Membership, Organization, Person, Table
from minga.tables.queries import require

CENT = Decimal("0.01")
SCORE_MAX = 5
REVIEWS_NEEDED = 2
DEFAULT_RUBRIC = [
    {"key": "alignment", "label": "Alignment with the goal", "weight": 3},
    {
        "key": "participation",
        "label": "Participation of indigenous peoples, women and youth",
        "weight": 3,
    },
    {"key": "feasibility", "label": "Feasibility and budget", "weight": 2},
    {"key": "continuity", "label": "Continuity after the grant", "weight": 2},
]


class FundsError(ValidationError):
    """A money operation refused, with the reason for the person who asked."""

    def __str__(self) -> str:
        return " ".join(self.messages)


def roles_in(user: Any, fund: Fund) -> set[str]:
    if getattr(user, "is_superuser", False):
        return {FundRoleKind.MANAGER}
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(FundRole.objects.filter(fund=fund, user=user).values_list("role", flat=True))


def _require_manager(by: Actor, fund: Fund) -> None:
    if FundRoleKind.MANAGER not in roles_in(by, fund):
        raise PermissionDenied(_("Only the fund's managers may do this."))


def _amount(value: Decimal, field: str = "amount") -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise FundsError({field: _("The amount must be above zero.")})
    if value != value.quantize(CENT):
        raise FundsError({field: _("Amounts have at most two decimals.")})
    return value


def _money(fund: Fund, amount: Decimal) -> str:
    return f"{number_format(amount, 2, force_grouping=True)} {fund.currency}"


def _move(
    fund: Fund,
    type: str,
    *,
    by: Actor,
    amount: Decimal,
    day: dt.date,
    provider: Organization,
    receiver: Organization | None,
    description: tuple[str, dict[str, Any] | None],
    table: Table | None = None,
    provider_activity: str = "",
    receiver_activity: str = "",
    currency: str | None = None,
    **links: Any,
) -> Transaction:
    """Write one money movement and its event (inside the caller's transaction). The
    description is a message and its values (None for text a person typed): the text is stored
    in the site's default language, the message in ``system_text`` for each reader's."""
    text, values = description
    system_text = {}
    if values is not None:  # minga's words: kept as a message, shown in the reader's language
        system_text = {"description": message(text, **values)}
        text = say(system_text["description"], settings.LANGUAGE_CODE)
    row = Transaction.objects.create(
        system_text=system_text,
        fund=fund,
        type=type,
        day=day,
        amount=amount,
        currency=currency or fund.currency,
        provider=provider,
        provider_activity=provider_activity,
        receiver=receiver,
        receiver_activity=receiver_activity,
        description=text[:250],
        table=table,
        **links,
    )
    record_event(
        events.TRANSACTION_RECORDED,
        actor=by,
        table=table,
        subject=row,
        payload={
            "fund": fund.slug,
            "transaction_type": type,
            "day": day.isoformat(),
            "amount": str(amount),
            "currency": row.currency,
            "provider": provider.name,
            "provider_activity": provider_activity,
            "receiver": receiver.name if receiver else "",
            "receiver_activity": receiver_activity,
            "description": row.description,
        },
    )
    return row


# --- funds, seats, roles -----------------------------------------------------------------------


@transaction.atomic
def create_fund(
    *,
    by: Actor,
    name: str,
    slug: str,
    administrator: Organization,
    currency: str = "USD",
    description: str = "",
    region: Any = None,
    iati_identifier: str = "",
    health_weights: dict[str, Any] | None = None,
    is_demo: bool = False,
) -> Fund:
    if not getattr(by, "is_superuser", False):
        raise PermissionDenied(_("Only an administrator may create a fund."))
    validate_currency(currency)
    try:
        weights = index.weights_from(health_weights)
    except index.WeightsError as exc:
        raise FundsError(
            {"health_weights": _("Health weights: %(error)s.") % {"error": exc}}
        ) from None
    fund = Fund.objects.create(
        name=name.strip(),
        slug=slug,
        administrator=administrator,
        currency=currency,
        description=description.strip(),
        region=region,
        iati_identifier=iati_identifier,
        health_weights={k: v for k, v in (health_weights or {}).items() if k in weights},
        is_demo=is_demo,
    )
    record_event(events.FUND_CREATED, actor=by, subject=fund, payload={"slug": slug, "name": name})
    return fund


@transaction.atomic
def add_role(
    *, by: Actor, fund: Fund, user: Any, role: str, organization: Organization
) -> FundRole:
    _require_manager(by, fund)
    if role not in FundRoleKind.values:
        raise FundsError({"role": _("%(value)s is not a role in a fund.") % {"value": role}})
    found, _created = FundRole.objects.get_or_create(
        fund=fund, user=user, role=role, defaults={"organization": organization}
    )
    record_event(
        events.ROLE_ADDED,
        actor=by,
        subject=fund,
        payload={"user": user.get_username(), "role": role, "organization": organization.name},
    )
    return found


@transaction.atomic
def add_seat(*, by: Actor, fund: Fund, organization: Organization, kind: str) -> GovernanceSeat:
    _require_manager(by, fund)
    if kind not in SeatKind.values:
        raise FundsError({"kind": _("%(value)s is not a kind of seat.") % {"value": kind}})
    if GovernanceSeat.objects.filter(fund=fund, organization=organization).exists():
        raise FundsError(_("%(org)s already holds a seat.") % {"org": organization.name})
    seat = GovernanceSeat.objects.create(fund=fund, organization=organization, kind=kind)
    record_event(
        events.SEAT_ADDED,
        actor=by,
        subject=fund,
        payload={"organization": organization.name, "sector": organization.sector, "kind": kind},
    )
    return seat


# --- contributions -----------------------------------------------------------------------------


@transaction.atomic
def pledge(
    *,
    by: Actor,
    fund: Fund,
    donor: Organization,
    amount: Decimal,
    currency: str,
    pledged_on: dt.date,
    rate: Decimal | None = None,
    rate_source: str = "",
    donor_activity: str = "",
) -> Contribution:
    """A donor's pledge in its own currency, with the rate to the fund's currency; with
    ``donor_activity`` (or the donor's own), the money is traced from that IATI activity."""
    _require_manager(by, fund)
    if pledged_on > timezone.localdate():
        raise FundsError({"pledged_on": _("A pledge is recorded once it is made, not before.")})
    donor_activity = donor_activity.strip()
    try:
        validate_iati_identifier(donor_activity)
    except ValidationError as exc:
        raise FundsError({"donor_activity": exc.messages}) from None
    try:
        validate_currency(currency)
    except ValidationError as exc:
        raise FundsError({"currency": exc.messages}) from None
    _amount(amount)
    if currency == fund.currency:
        rate = Decimal(1)
    elif rate is None or not rate.is_finite() or rate <= 0:
        raise FundsError(
            {
                "rate": _("Give the rate from %(from)s to %(to)s, and its source.")
                % {"from": currency, "to": fund.currency}
            }
        )
    contribution = Contribution.objects.create(
        fund=fund,
        donor=donor,
        amount=amount,
        currency=currency,
        rate=rate,
        rate_source=rate_source.strip(),
        amount_in_fund=(amount * rate).quantize(CENT),
        pledged_on=pledged_on,
        donor_activity=donor_activity,
    )
    _move(
        fund,
        TransactionType.INCOMING_COMMITMENT,
        by=by,
        amount=amount,
        currency=currency,
        day=pledged_on,
        provider=donor,
        provider_activity=contribution.source_activity,
        receiver=fund.administrator,
        receiver_activity=fund.activity_id(),
        description=(gettext_noop("Pledge of %(donor)s"), {"donor": donor.name}),
        contribution=contribution,
    )
    return contribution


@transaction.atomic
def receive(*, by: Actor, contribution: Contribution, received_on: dt.date) -> Contribution:
    """The pledged money arrived: it becomes available to award."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    fund = Fund.objects.select_for_update().get(pk=contribution.fund_id)
    _require_manager(by, fund)
    if contribution.received_on is not None:
        raise FundsError(_("This contribution was already received."))
    if received_on > timezone.localdate():
        raise FundsError({"received_on": _("Money is recorded once it arrives, not before.")})
    if received_on < contribution.pledged_on:
        raise FundsError({"received_on": _("Money is received after it is pledged.")})
    contribution.received_on = received_on
    contribution.save(update_fields=["received_on", "updated_at"])
    fund.received += contribution.amount_in_fund
    fund.available += contribution.amount_in_fund
    fund.save(update_fields=["received", "available", "updated_at"])
    _move(
        fund,
        TransactionType.INCOMING_FUNDS,
        by=by,
        amount=contribution.amount,
        currency=contribution.currency,
        day=received_on,
        provider=contribution.donor,
        provider_activity=contribution.source_activity,
        receiver=fund.administrator,
        receiver_activity=fund.activity_id(),
        description=(gettext_noop("Contribution of %(donor)s"), {"donor": contribution.donor.name}),
        contribution=contribution,
    )
    return contribution


# --- calls and applications --------------------------------------------------------------------


def _rubric(rubric: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    rows = rubric or DEFAULT_RUBRIC
    keys = [r.get("key") for r in rows]
    if len(set(keys)) != len(keys) or not all(isinstance(k, str) and k for k in keys):
        raise FundsError({"rubric": _("Each criterion needs a key of its own.")})
    for row in rows:
        weight = row.get("weight")
        if not isinstance(weight, int | float) or weight <= 0:
            raise FundsError({"rubric": _("Each criterion needs a weight above zero.")})
    return [
        {"key": r["key"], "label": str(r.get("label", r["key"])), "weight": r["weight"]}
        for r in rows
    ]


@transaction.atomic
def open_call(
    *,
    by: Actor,
    fund: Fund,
    title: str,
    kind: str,
    goal: str,
    closes_on: dt.date,
    max_award: Decimal,
    min_health: Decimal = Decimal(60),
    report_within_months: int = 6,
    description: str = "",
    rubric: list[dict[str, Any]] | None = None,
) -> Call:
    _require_manager(by, fund)
    if kind not in CallKind.values:
        raise FundsError({"kind": _("%(value)s is not a kind of call.") % {"value": kind}})
    if not title.strip():
        raise FundsError({"title": _("Give the call a title.")})
    if closes_on <= timezone.localdate():
        raise FundsError({"closes_on": _("A call closes after the day it opens.")})
    _amount(max_award, "max_award")
    if not Decimal(0) <= min_health <= Decimal(100):
        raise FundsError({"min_health": _("Table health goes from 0 to 100.")})
    if not 1 <= report_within_months <= 36:
        raise FundsError({"report_within_months": _("Use from 1 to 36 months.")})
    call = Call(
        fund=fund,
        kind=kind,
        title=title.strip(),
        goal=goal,
        description=description.strip(),
        closes_on=closes_on,
        max_award=max_award,
        min_health=min_health,
        report_within_months=report_within_months,
        rubric=_rubric(rubric),
        opened_by=person_user(by),
    )
    call.full_clean()
    call.save()
    record_event(
        events.CALL_OPENED,
        actor=by,
        subject=call,
        payload={
            "fund": fund.slug,
            "title": call.title,
            "kind": kind,
            "goal": goal,
            "min_health": str(min_health),
            "max_award": str(max_award),
        },
    )
    return call


@dataclass
class Gate:
    """One eligibility or release condition. ``label`` and ``detail`` are messages (kept so in
    an application's eligibility and a tranche's last check) or text; ``shown`` words them."""

    label: Any
    passed: bool
    detail: Any

    def shown(self) -> Gate:
        return Gate(say(self.label), self.passed, say(self.detail))

    def stored(self) -> list[Any]:
        return [self.label, self.passed, self.detail]


def shown_gates(gates: Iterable[Gate | list[Any]]) -> list[Gate]:
    """Gates, computed now or stored as [label, passed, detail], in the reader's language."""
    return [(g if isinstance(g, Gate) else Gate(*g)).shown() for g in gates]


def _failures(gates: list[Gate]) -> str:
    return "; ".join(f"{say(g.label)} ({say(g.detail)})" for g in gates if not g.passed)


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(year, month + 1, min(today.day, 28))


def _health_gate(table: Table, weights: Any, minimum: Decimal, day: dt.date) -> Gate:
    """The health gate, read with the fund's weights; its detail names the table's own index of
    the same day too, the figure every other page shows, so the two are never confused."""
    facts = facts_for(table, day)
    weighted = index.compute(facts, weights).score
    own = index.compute(facts).score
    if weighted == own:
        detail = message(
            gettext_noop("the table's index %(index)s on %(day)s"), index=own, day=day.isoformat()
        )
    else:
        detail = message(
            gettext_noop(
                "%(score)s with the fund's weights; the table's index %(index)s on %(day)s"
            ),
            score=weighted,
            index=own,
            day=day.isoformat(),
        )
    return Gate(
        message(gettext_noop("Table health at least %(min)s"), min=str(minimum)),
        Decimal(str(weighted)) >= minimum,
        detail,
    )


def eligibility(call: Call, table: Table, fellow: Person | None = None) -> list[Gate]:
    """The call's gates for this table (and fellow), each with the fact that decided it."""
    today = timezone.localdate()
    last = AccountabilityReport.objects.filter(table=table).order_by("-published_at").first()
    since = _months_ago(today, call.report_within_months)
    gates = [
        _health_gate(table, call.fund.health_weights, call.min_health, today),
        Gate(
            message(
                gettext_noop("A report published in the last %(n)s months"),
                n=call.report_within_months,
            ),
            last is not None and last.published_at.date() >= since,
            message(gettext_noop("last: %(day)s"), day=last.published_at.date().isoformat())
            if last
            else message(gettext_noop("none published")),
        ),
    ]
    if call.kind == CallKind.FELLOWSHIP:
        seated = (
            fellow is not None and Membership.objects.filter(table=table, person=fellow).exists()
        )
        woman = fellow is not None and fellow.gender.strip().lower() in WOMEN
        young = (
            fellow is not None
            and bool(fellow.birth_year)
            and today.year - (fellow.birth_year or 0) < 30
        )
        gates.append(
            Gate(
                message(
                    gettext_noop("The fellow is a woman or under 30 and holds a seat at the table")
                ),
                seated and (woman or young),
                fellow.full_name if fellow else message(gettext_noop("no fellow named")),
            )
        )
    return gates


@transaction.atomic
def apply(
    *,
    by: Actor,
    call: Call,
    table: Table,
    title: str,
    summary: str,
    amount: Decimal,
    fellow: Person | None = None,
) -> Application:
    require(by, table, "fund.apply")
    if call.status != CallStatus.OPEN or call.closes_on < timezone.localdate():
        raise FundsError(_("This call is closed."))
    _amount(amount)
    if amount > call.max_award:
        raise FundsError(
            {
                "amount": _("The call awards at most %(max)s.")
                % {"max": _money(call.fund, call.max_award)}
            }
        )
    if not title.strip() or not summary.strip():
        raise FundsError(_("Give the application a title and say what the money will do."))
    gates = eligibility(call, table, fellow)
    failed = [g for g in gates if not g.passed]
    if failed:
        raise FundsError(
            _("%(table)s is not eligible: %(reasons)s.")
            % {"table": table.name, "reasons": _failures(failed)}
        )
    duplicate = Application.objects.filter(call=call, table=table, fellow=fellow)
    if duplicate.exists():
        raise FundsError(_("This table has already applied to this call."))
    application = Application.objects.create(
        call=call,
        table=table,
        organization=speaking_for(by, table),
        fellow=fellow,
        title=title.strip(),
        summary=summary.strip(),
        amount=amount,
        eligibility={"gates": [g.stored() for g in gates]},
        submitted_by=person_user(by),
    )
    record_event(
        events.APPLICATION_SUBMITTED,
        actor=by,
        table=table,
        subject=application,
        payload={"call": call.public_id, "title": application.title, "amount": str(amount)},
    )
    return application


@transaction.atomic
def review(
    *,
    by: Actor,
    application: Application,
    conflict: bool,
    conflict_note: str = "",
    scores: dict[str, int] | None = None,
) -> Review:
    """A reviewer declares any conflict of interest, then scores (or recuses)."""
    fund = application.call.fund
    reviewer = person_user(by)
    role = FundRole.objects.filter(fund=fund, user=reviewer, role=FundRoleKind.REVIEWER).first()
    if reviewer is None or role is None:
        raise PermissionDenied(_("Only the fund's reviewers may score applications."))
    if role.organization_id == application.organization_id:
        raise FundsError(
            _("You cannot score an application from your own organization (%(org)s).")
            % {"org": role.organization.name}
        )
    if application.status != ApplicationStatus.SUBMITTED:
        raise FundsError(_("This application has been decided already."))
    if Review.objects.filter(application=application, reviewer=reviewer).exists():
        raise FundsError(_("You have already reviewed this application."))
    total: Decimal | None = None
    if conflict:
        if not conflict_note.strip():
            raise FundsError({"conflict_note": _("Say what the conflict of interest is.")})
        scores = {}
    else:
        rubric = application.call.rubric
        scores = scores or {}
        missing = [c["label"] for c in rubric if c["key"] not in scores]
        if missing:
            raise FundsError(
                _("Score every criterion: %(missing)s.") % {"missing": ", ".join(missing)}
            )
        for criterion in rubric:
            value = scores[criterion["key"]]
            if not isinstance(value, int) or not 0 <= value <= SCORE_MAX:
                raise FundsError(_("Scores go from 0 to %(max)s.") % {"max": SCORE_MAX})
        weight = sum((Decimal(str(c["weight"])) for c in rubric), Decimal(0))
        points = sum((Decimal(str(c["weight"])) * scores[c["key"]] for c in rubric), Decimal(0))
        total = (points / weight).quantize(CENT)
    row = Review.objects.create(
        application=application,
        reviewer=reviewer,
        organization=role.organization,
        conflict=conflict,
        conflict_note=conflict_note.strip(),
        scores={k: scores[k] for k in scores},
        total=total,
    )
    record_event(
        events.APPLICATION_REVIEWED,
        actor=by,
        table=application.table,
        subject=application,
        payload={
            "reviewer_organization": role.organization.name,
            "conflict": conflict,
            "total": str(total) if total is not None else None,
        },
    )
    return row


# --- awards and tranches -----------------------------------------------------------------------


@dataclass
class TranchePlan:
    amount: Decimal
    milestone: str = ""
    min_health: Decimal | None = None  # the call's threshold when left out


@transaction.atomic
def award(
    *, by: Actor, application: Application, amount: Decimal, tranches: list[TranchePlan]
) -> Award:
    """Commit money from the fund to an application, in tranches that add up to the award."""
    call = application.call
    fund = Fund.objects.select_for_update().get(pk=call.fund_id)
    _require_manager(by, fund)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED:
        raise FundsError(_("This application has been decided already."))
    _amount(amount)
    if amount > application.amount:
        raise FundsError({"amount": _("The award cannot exceed the amount requested.")})
    if not tranches or sum((t.amount for t in tranches), Decimal(0)) != amount:
        raise FundsError(_("The tranches must add up to the award."))
    for plan in tranches:
        _amount(plan.amount)
    scored = application.reviews.filter(conflict=False).count()
    if scored < REVIEWS_NEEDED:
        raise FundsError(
            _("An award needs %(n)s reviews without conflict of interest; it has %(have)s.")
            % {"n": REVIEWS_NEEDED, "have": scored}
        )
    if fund.available < amount:
        raise FundsError(
            _("The fund has %(available)s available: it cannot commit %(amount)s.")
            % {"available": _money(fund, fund.available), "amount": _money(fund, amount)}
        )
    fund.available -= amount
    fund.awarded += amount
    fund.save(update_fields=["available", "awarded", "updated_at"])
    application.status = ApplicationStatus.AWARDED
    application.save(update_fields=["status", "updated_at"])
    row = Award.objects.create(
        application=application, amount=amount, awarded_on=timezone.localdate()
    )
    Tranche.objects.bulk_create(
        Tranche(
            award=row,
            number=i,
            amount=plan.amount,
            milestone=plan.milestone.strip(),
            min_health=call.min_health if plan.min_health is None else plan.min_health,
        )
        for i, plan in enumerate(tranches, start=1)
    )
    _move(
        fund,
        TransactionType.OUTGOING_COMMITMENT,
        by=by,
        amount=amount,
        day=row.awarded_on,
        provider=fund.administrator,
        provider_activity=fund.activity_id(),
        receiver=application.organization,
        receiver_activity=fund.activity_id(row.public_id),
        description=(gettext_noop("Award: %(title)s"), {"title": application.title}),
        table=application.table,
        award=row,
    )
    return row


@transaction.atomic
def add_tranche(
    *,
    by: Actor,
    award: Award,
    amount: Decimal,
    milestone: str = "",
    min_health: Decimal | None = None,
) -> Tranche:
    """A further tranche; all tranches together never exceed the award."""
    award = (
        Award.objects.select_for_update().select_related("application__call__fund").get(pk=award.pk)
    )
    call = award.application.call
    _require_manager(by, call.fund)
    _amount(amount)
    planned = sum((t.amount for t in award.tranches.all()), Decimal(0))
    if planned + amount > award.amount:
        raise FundsError(
            _(
                "Tranches of %(planned)s are already planned: %(amount)s more would exceed the award of %(award)s."
            )
            % {
                "planned": _money(call.fund, planned),
                "amount": _money(call.fund, amount),
                "award": _money(call.fund, award.amount),
            }
        )
    tranche = Tranche.objects.create(
        award=award,
        number=award.tranches.count() + 1,
        amount=amount,
        milestone=milestone.strip(),
        min_health=call.min_health if min_health is None else min_health,
    )
    record_event(
        events.TRANCHE_ADDED,
        actor=by,
        table=award.application.table,
        subject=award,
        payload={"number": tranche.number, "amount": str(amount)},
    )
    return tranche


@transaction.atomic
def mark_milestone(*, by: Actor, tranche: Tranche, met_on: dt.date) -> Tranche:
    _require_manager(by, tranche.award.application.call.fund)
    if not tranche.milestone:
        raise FundsError(_("This tranche has no milestone."))
    if met_on > timezone.localdate():
        raise FundsError(_("A milestone is met on a day that has come."))
    tranche.milestone_met_on = met_on
    tranche.save(update_fields=["milestone_met_on"])
    record_event(
        events.MILESTONE_MET,
        actor=by,
        table=tranche.award.application.table,
        subject=tranche.award,
        payload={"tranche": tranche.number, "milestone": tranche.milestone, "met_on": str(met_on)},
    )
    return tranche


def release_conditions(tranche: Tranche, today: dt.date | None = None) -> list[Gate]:
    """What must hold to release this tranche, checked now from the recorded facts."""
    today = today or timezone.localdate()
    award = tranche.award
    table = award.application.table
    fund = award.application.call.fund
    earlier = award.tranches.filter(number__lt=tranche.number, released_on__isnull=True).count()
    gates = [
        Gate(
            message(gettext_noop("Earlier tranches released")),
            earlier == 0,
            message(gettext_noop("%(n)s pending"), n=earlier),
        ),
        _health_gate(table, fund.health_weights, tranche.min_health, today),
    ]
    if tranche.milestone:
        gates.append(
            Gate(
                message(gettext_noop("Milestone met: %(milestone)s"), milestone=tranche.milestone),
                tranche.milestone_met_on is not None,
                message("%(day)s", day=tranche.milestone_met_on.isoformat())
                if tranche.milestone_met_on
                else message(gettext_noop("not yet")),
            )
        )
    return gates


def release_tranche(*, by: Actor, tranche: Tranche) -> Tranche:
    """Disburse a tranche when its conditions hold; otherwise record the refusal with its
    reasons (visible on the award's page) and refuse."""
    fund = tranche.award.application.call.fund
    _require_manager(by, fund)
    if tranche.released_on is not None:
        raise FundsError(_("This tranche was already released."))
    today = timezone.localdate()
    gates = release_conditions(tranche, today)
    failed = [g for g in gates if not g.passed]
    check = {
        "day": today.isoformat(),
        "released": not failed,
        "gates": [g.stored() for g in gates],
    }
    if failed:
        reason = _("Tranche %(n)s refused: %(reasons)s.") % {
            "n": tranche.number,
            "reasons": _failures(failed),
        }
        with transaction.atomic():
            Tranche.objects.filter(pk=tranche.pk).update(last_check=check)
            record_event(
                events.TRANCHE_REFUSED,
                actor=by,
                table=tranche.award.application.table,
                subject=tranche.award,
                payload={"tranche": tranche.number, "reason": reason},
            )
        raise FundsError(reason)
    return _disburse(by, tranche, today, check)


@transaction.atomic
def _disburse(by: Actor, tranche: Tranche, day: dt.date, check: dict[str, Any]) -> Tranche:
    fund = Fund.objects.select_for_update().get(pk=tranche.award.application.call.fund_id)
    award = Award.objects.select_for_update().get(pk=tranche.award_id)
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
    if tranche.released_on is not None:
        raise FundsError(_("This tranche was already released."))
    if award.disbursed + tranche.amount > award.amount:
        raise FundsError(
            _("Disbursing %(amount)s would exceed the award of %(award)s.")
            % {"amount": _money(fund, tranche.amount), "award": _money(fund, award.amount)}
        )
    award.disbursed += tranche.amount
    award.save(update_fields=["disbursed", "updated_at"])
    fund.disbursed += tranche.amount
    fund.save(update_fields=["disbursed", "updated_at"])
    tranche.released_on, tranche.last_check = day, check
    tranche.save(update_fields=["released_on", "last_check"])
    application = award.application
    _move(
        fund,
        TransactionType.DISBURSEMENT,
        by=by,
        amount=tranche.amount,
        day=day,
        provider=fund.administrator,
        provider_activity=fund.activity_id(),
        receiver=application.organization,
        receiver_activity=fund.activity_id(award.public_id),
        description=(
            gettext_noop("Tranche %(n)s of %(title)s"),
            {"n": tranche.number, "title": application.title},
        ),
        table=application.table,
        award=award,
    )
    return tranche


@transaction.atomic
def record_expenditure(
    *, by: Actor, award: Award, amount: Decimal, description: str, day: dt.date | None = None
) -> Transaction:
    """The table reports what it spent of the money disbursed to it."""
    award = (
        Award.objects.select_for_update().select_related("application__call__fund").get(pk=award.pk)
    )
    application = award.application
    require(by, application.table, "fund.apply")
    _amount(amount)
    if award.spent + amount > award.disbursed:
        raise FundsError(
            _("Only %(left)s disbursed is not yet spent.")
            % {"left": _money(application.call.fund, award.disbursed - award.spent)}
        )
    if not description.strip():
        raise FundsError({"description": _("Say what the money was spent on.")})
    award.spent += amount
    award.save(update_fields=["spent", "updated_at"])
    return _move(
        application.call.fund,
        TransactionType.EXPENDITURE,
        by=by,
        amount=amount,
        day=day or timezone.localdate(),
        provider=application.organization,
        provider_activity=application.call.fund.activity_id(award.public_id),
        receiver=None,
        description=(description.strip(), None),
        table=application.table,
        award=award,
    )


# --- the platform budget line of a development bank's operation --------------------------------


@transaction.atomic
def record_platform_line(
    *,
    by: Actor,
    table: Table,
    bank: Organization,
    operation: str,
    operation_number: str,
    operation_amount: Decimal,
    amount: Decimal,
    starts_on: dt.date,
    ends_on: dt.date,
    currency: str = "USD",
) -> PlatformLine:
    """An operation's budget line for the table's upkeep; it funds the secretariat over its
    period, so table health sees it."""
    require(by, table, "health.manage")
    validate_currency(currency)
    _amount(operation_amount, "operation_amount")
    _amount(amount)
    if amount > operation_amount:
        raise FundsError({"amount": _("The line cannot exceed the operation.")})
    line = PlatformLine.objects.create(
        table=table,
        bank=bank,
        operation=operation.strip(),
        operation_number=operation_number.strip(),
        operation_amount=operation_amount,
        amount=amount,
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    health.record_secretariat_funding(
        by=by,
        table=table,
        source=_("Platform line of %(operation)s") % {"operation": line.operation_number},
        organization=bank,
        amount=amount,
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
        reference=line.operation_number,
    )
    record_event(
        events.PLATFORM_LINE_ADDED,
        actor=by,
        table=table,
        subject=line,
        payload={
            "bank": bank.name,
            "operation_number": line.operation_number,
            "share_percent": line.share_percent,
            "amount": str(amount),
            "currency": currency,
        },
    )
    return line
