"""Initiatives, funds and awards as IATI records (``portal.iati``), public parts only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import shape

from minga.core.access import Sensitivity
from minga.funds.models import Award, Fund, TransactionType
from minga.funds.models import Transaction as FundTransaction
from minga.initiatives.models import Initiative
from minga.initiatives.queries import RateBook
from minga.portal import codes, iati
from minga.roadmap.models import Indicator
from minga.tables.models import Organization, Table

YEAR = dt.timedelta(days=365)
DAY = dt.timedelta(days=1)


def years(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The activity's budget years: from its start, a year at a time, the last cut at its end
    (the ruleset allows no budget period longer than a year)."""
    periods = []
    first = start
    while first <= end:
        try:
            following = first.replace(year=first.year + 1)
        except ValueError:  # 29 February
            following = first.replace(year=first.year + 1, day=28)
        periods.append((first, min(end, following - DAY)))
        first = following
    return periods


def spread(total: Decimal, periods: list[tuple[dt.date, dt.date]]) -> list[Decimal]:
    """``total`` over the periods by their length in days, to the cent, adding up exactly."""
    days = [(end - start).days + 1 for start, end in periods]
    shares = [(total * d / sum(days)).quantize(Decimal("0.01")) for d in days]
    shares[-1] += total - sum(shares)
    return shares


def org(organization: Organization) -> iati.Org:
    kind = codes.ORGANISATION_TYPE.get(organization.sector, "90")
    if organization.sector == "funder" and "banco" in organization.name.lower():
        kind = codes.MULTILATERAL
    return iati.Org(organization.iati_ref, organization.name, kind)


def _url(name: str, *args: str) -> str:
    return f"{settings.MINGA_SITE_URL}{reverse(name, args=args)}"


def _reporter(table: Table) -> Organization:
    found = table.secretariat or table.convener
    if found is None:
        raise ValueError(f"table {table.slug} has no secretariat to report for it")
    return found


def _centroid(geometry: dict[str, Any] | None) -> tuple[float, float] | None:
    if not geometry:
        return None
    point = shape(geometry).representative_point()
    return point.y, point.x


def _indicators(initiative: Initiative) -> tuple[iati.Result, ...]:
    results = []
    for objective in initiative.objectives.all():
        indicators = []
        for indicator in objective.indicators.all():
            latest = indicator.measurements.all()[:1]
            indicators.append(
                iati.Indicator(
                    title=f"{indicator.name} ({indicator.unit})",
                    measure=codes.PERCENTAGE if indicator.unit.strip() == "%" else codes.UNIT,
                    baseline_year=initiative.starts_on.year,
                    baseline=indicator.baseline,
                    period_start=initiative.starts_on,
                    period_end=initiative.ends_on,
                    target=indicator.target,
                    actual=latest[0].value if latest else None,
                )
            )
        if indicators:
            results.append(iati.Result(codes.OUTCOME, objective.title, tuple(indicators)))
    return tuple(results)


def initiative_identifier(initiative: Initiative) -> str:
    """Its IATI activity identifier: the table's reporting organisation's, then its own id."""
    return f"{_reporter(initiative.table).iati_ref}-{initiative.public_id}"


def _budgets(
    initiative: Initiative, rates: RateBook, periods: list[tuple[dt.date, dt.date]]
) -> tuple[iati.Budget, ...]:
    """One indicative budget a year in the activity's currency: every funding line converted at
    the table's stated rate (none when a currency has no rate: a guessed budget is worse)."""
    total = Decimal(0)
    for funding in initiative.fundings.all():
        converted = rates.convert(funding.amount, funding.currency)
        if converted is None:
            return ()
        total += converted
    if not total:
        return ()
    return tuple(
        iati.Budget(start, end, iati.Money(share, rates.currency, start), status=codes.INDICATIVE)
        for (start, end), share in zip(periods, spread(total, periods), strict=True)
    )


def initiative_activity(initiative: Initiative, rates: RateBook) -> iati.Activity:
    table = initiative.table
    reporter = org(_reporter(table))
    executing = org(initiative.organization)
    participants = [iati.Participant(reporter, codes.ACCOUNTABLE)]
    seen = set()
    transactions = []
    planned = []
    periods = years(initiative.starts_on, initiative.ends_on)
    # a commitment is made by the time it is recorded, never on a start still to come
    committed = min(initiative.starts_on, timezone.localtime(initiative.created_at).date())
    for funding in initiative.fundings.all():
        funder = org(funding.funder)
        source = funding.source_activity
        if funder.ref not in seen:
            seen.add(funder.ref)
            participants.append(iati.Participant(funder, codes.FUNDING, source))
        transactions.append(
            iati.Transaction(
                type=codes.INCOMING_COMMITMENT,
                day=committed,
                money=iati.Money(funding.amount, funding.currency, committed),
                provider=funder,
                provider_activity=source,
                receiver=executing,
            )
        )
        planned += [
            iati.PlannedDisbursement(
                start,
                end,
                iati.Money(share, funding.currency, start),
                provider=funder,
                provider_activity=source,
                receiver=executing,
            )
            for (start, end), share in zip(periods, spread(funding.amount, periods), strict=True)
        ]
    participants.append(iati.Participant(executing, codes.IMPLEMENTING))
    where = _centroid(initiative.geometry)
    identifier = initiative_identifier(initiative)
    return iati.Activity(
        identifier=identifier,
        reporting=reporter,
        title=initiative.title,
        description=initiative.description,
        participants=tuple(participants),
        status=codes.ACTIVITY_STATUS.get(initiative.status, codes.IMPLEMENTATION),
        start=initiative.starts_on,
        end=initiative.ends_on,
        currency=rates.currency,
        countries=(table.country,),
        # an initiative with no axis (or whose axis was removed) is environmental policy
        sectors=(
            codes.sector_for_axis(initiative.axis.name)
            if initiative.axis
            else codes.ENVIRONMENTAL_POLICY,
        ),
        locations=(iati.Location(initiative.place or table.province or table.name, *where),)
        if where
        else (),
        budgets=_budgets(initiative, rates, periods),
        planned_disbursements=tuple(planned),
        transactions=tuple(transactions),
        documents=(
            iati.Document(
                _url("initiative", table.slug, initiative.public_id),
                initiative.title,
                codes.ACTIVITY_WEB_PAGE,
            ),
        ),
        results=_indicators(initiative),
        updated=initiative.updated_at,
    )


def _money_rows(rows: QuerySet[FundTransaction]) -> tuple[iati.Transaction, ...]:
    return tuple(
        iati.Transaction(
            type=t.type,
            day=t.day,
            money=iati.Money(t.amount, t.currency, t.day),
            description=t.description,
            provider=org(t.provider),
            # a pledge traces from the donor's activity as it is recorded now (the money page
            # reads the same), the pledge's own if it named one
            provider_activity=t.contribution.source_activity
            if t.contribution is not None
            else t.provider_activity,
            receiver=org(t.receiver) if t.receiver else None,
            receiver_activity=t.receiver_activity,
        )
        for t in rows
    )


def _fund_countries(fund: Fund) -> tuple[str, ...]:
    """Where the fund's money goes: its awarded tables' countries, else its region's tables',
    else its administrator's."""
    found = set(
        Table.objects.filter(
            applications__call__fund=fund, applications__award__isnull=False
        ).values_list("country", flat=True)
    )
    if not found and fund.region_id:
        found = set(Table.objects.filter(region=fund.region_id).values_list("country", flat=True))
    return tuple(sorted(found)) or (fund.administrator.country,)


def fund_activity(fund: Fund) -> iati.Activity:
    """The fund itself: its donors and the money they pledged and gave (awards are children)."""
    administrator = org(fund.administrator)
    donors = {c.donor.pk: c.donor for c in fund.contributions.select_related("donor")}
    incoming = fund.transactions.filter(
        type__in=[TransactionType.INCOMING_FUNDS, TransactionType.INCOMING_COMMITMENT]
    ).select_related("provider", "receiver", "contribution__donor")
    return iati.Activity(
        identifier=fund.activity_id(),
        reporting=administrator,
        title=fund.name,
        description=fund.description,
        participants=(
            *(iati.Participant(org(d), codes.FUNDING) for d in donors.values()),
            iati.Participant(administrator, codes.ACCOUNTABLE),
            iati.Participant(administrator, codes.EXTENDING),
        ),
        status=codes.IMPLEMENTATION,
        start=fund.starts_on,
        end=fund.ends_on or fund.starts_on + 5 * YEAR,
        currency=fund.currency,
        countries=_fund_countries(fund),
        sectors=(codes.DEMOCRATIC_PARTICIPATION, codes.BIODIVERSITY),
        transactions=_money_rows(incoming),
        documents=(iati.Document(_url("fund", fund.slug), fund.name, codes.ACTIVITY_WEB_PAGE),),
        updated=fund.updated_at,
    )


def award_activity(award: Award) -> iati.Activity:
    application = award.application
    fund = application.call.fund
    table = application.table
    administrator = org(fund.administrator)
    territory = table.territories.filter(sensitivity=Sensitivity.PUBLIC).first()
    where = _centroid(territory.geometry) if territory is not None else None
    results = tuple(
        iati.Result(
            codes.OUTPUT,
            t.milestone,
            (
                iati.Indicator(
                    title=t.milestone,
                    measure=codes.UNIT,
                    baseline_year=award.awarded_on.year,
                    baseline=Decimal(0),
                    period_start=award.awarded_on,
                    period_end=award.awarded_on + YEAR,
                    target=Decimal(1),
                    actual=Decimal(1 if t.milestone_met_on else 0),
                ),
            ),
        )
        for t in award.tranches.all()
        if t.milestone
    )
    return iati.Activity(
        identifier=fund.activity_id(award.public_id),
        reporting=administrator,
        title=application.title,
        description=application.summary,
        participants=(
            iati.Participant(administrator, codes.FUNDING, fund.activity_id()),
            iati.Participant(org(_reporter(table)), codes.ACCOUNTABLE),
            iati.Participant(org(application.organization), codes.IMPLEMENTING),
        ),
        status=codes.IMPLEMENTATION if award.disbursed < award.amount else codes.CLOSED,
        start=award.awarded_on,
        end=award.awarded_on + YEAR,
        currency=fund.currency,
        countries=(table.country,),
        sectors=(codes.DEMOCRATIC_PARTICIPATION, codes.BIODIVERSITY),
        locations=(iati.Location(territory.name, *where),) if territory and where else (),
        budgets=(
            iati.Budget(
                award.awarded_on,
                award.awarded_on + YEAR - dt.timedelta(days=1),
                iati.Money(award.amount, fund.currency, award.awarded_on),
            ),
        ),
        transactions=_money_rows(award.transactions.select_related("provider", "receiver")),
        documents=(
            iati.Document(
                _url("application", application.public_id),
                application.title,
                codes.ACTIVITY_WEB_PAGE,
            ),
            iati.Document(
                _url("call", application.call.public_id),
                application.call.title,
                codes.ACTIVITY_WEB_PAGE,
            ),
        ),
        results=results,
        parent=fund.activity_id(),
        hierarchy=2,
        updated=award.updated_at,
    )


def activities(table: Table | None = None) -> list[iati.Activity]:
    """Every initiative (not pooled away) and every award, with their funds, of one table or all."""
    initiatives = (
        Initiative.objects.select_related(
            "table__secretariat", "table__convener", "organization", "axis"
        )
        .prefetch_related(
            "fundings__funder",
            Prefetch(
                "objectives__indicators",
                queryset=Indicator.objects.prefetch_related("measurements"),
            ),
        )
        .order_by("table__slug", "public_id")
    )
    awards = Award.objects.select_related(
        "application__call__fund__administrator", "application__table", "application__organization"
    ).order_by("public_id")
    if table is not None:
        initiatives = initiatives.filter(table=table)
        awards = awards.filter(application__table=table)
    today = timezone.localdate()
    books: dict[int, RateBook] = {}
    found = []
    for initiative in initiatives:
        if initiative.table_id not in books:
            books[initiative.table_id] = RateBook(initiative.table, today)
        found.append(initiative_activity(initiative, books[initiative.table_id]))
    funds = {a.application.call.fund.pk: a.application.call.fund for a in awards}
    if table is None:
        funds |= {f.pk: f for f in Fund.objects.select_related("administrator")}
    found += [fund_activity(f) for f in sorted(funds.values(), key=lambda f: f.slug)]
    found += [award_activity(a) for a in awards]
    return found


def organisations(table: Table | None = None) -> list[iati.Organisation]:
    """The publishers: each table's secretariat and each fund's administrator."""
    tables = Table.objects.select_related("secretariat", "convener").order_by("slug")
    funds = Fund.objects.select_related("administrator").order_by("slug")
    if table is not None:
        tables = tables.filter(pk=table.pk)
        funds = funds.filter(calls__applications__table=table).distinct()
    publishers: dict[int, Organization] = {}
    for t in tables:
        if t.secretariat or t.convener:
            publishers.setdefault(_reporter(t).pk, _reporter(t))
    for f in funds:
        publishers.setdefault(f.administrator.pk, f.administrator)
    return [
        iati.Organisation(
            identifier=o.iati_ref,
            name=o.name,
            reporting=org(o),
            documents=(
                iati.Document(
                    _url("organization", o.public_id), o.name, codes.ORGANISATION_WEB_PAGE
                ),
            ),
        )
        for o in publishers.values()
    ]


def export(kind: str = "activities", table: Table | None = None) -> bytes:
    now = timezone.now()
    if kind == "organisations":
        return iati.organisations_xml(organisations(table), now)
    return iati.activities_xml(activities(table), now)
