"""What the portal shows: each table's public figures, rolled up into regions and the network.

Everything is read as the public sees it (the anonymous viewer); the portal writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from minga.agreements.models import Agreement, AgreementStatus, Delivery, Incentive
from minga.credits.models import Batch, Retirement
from minga.decisions.models import Decision
from minga.funds.models import Award, Contribution, Transaction, TransactionType
from minga.health import queries as health
from minga.health.models import HealthSnapshot
from minga.initiatives.models import Funding, Initiative, InitiativeStatus
from minga.meetings.models import Meeting, MeetingStatus
from minga.portal import iati_records
from minga.portal.models import TableFigures
from minga.roadmap import queries as roadmap
from minga.satellite import queries as satellite
from minga.tables.models import SECTOR_GROUP, Membership, Organization, Region, Table

PUBLIC = AnonymousUser()


@dataclass
class Figures:
    """One table's public figures (or a sum of tables')."""

    tables: int = 0
    organizations: int = 0
    by_sector_group: dict[str, int] = field(default_factory=dict)
    meetings_last_year: int = 0
    decisions: int = 0
    roadmap_progress: float = 0.0  # mean progress of the axes, percent
    initiatives: int = 0
    money: dict[str, Decimal] = field(default_factory=dict)  # by currency
    agreements_signed: int = 0
    agreement_hectares: Decimal = Decimal(0)  # areas the public may see
    incentives_planned: Decimal = Decimal(0)
    incentives_delivered: Decimal = Decimal(0)
    loss_by_year: dict[int, float] = field(default_factory=dict)
    credits_issued: int = 0
    credits_retired: int = 0
    funds_committed: dict[str, Decimal] = field(default_factory=dict)  # by currency
    funds_disbursed: dict[str, Decimal] = field(default_factory=dict)
    health: float | None = None
    health_as_of: dt.date | None = None
    health_by_month: dict[str, float] = field(default_factory=dict)

    @property
    def delivered_percent(self) -> int:
        if not self.incentives_planned:
            return 0
        return round(100 * self.incentives_delivered / self.incentives_planned)

    @property
    def last_loss(self) -> tuple[int, float] | None:
        return max(self.loss_by_year.items()) if self.loss_by_year else None

    def add(self, other: Figures) -> None:
        """Roll another table's figures into these (means are taken in ``rolled_up``)."""
        self.tables += other.tables
        self.organizations += other.organizations
        for key, value in other.by_sector_group.items():
            self.by_sector_group[key] = self.by_sector_group.get(key, 0) + value
        self.meetings_last_year += other.meetings_last_year
        self.decisions += other.decisions
        self.initiatives += other.initiatives
        for currency, amount in other.money.items():
            self.money[currency] = self.money.get(currency, Decimal(0)) + amount
        self.agreements_signed += other.agreements_signed
        self.agreement_hectares += other.agreement_hectares
        self.incentives_planned += other.incentives_planned
        self.incentives_delivered += other.incentives_delivered
        for year, ha in other.loss_by_year.items():
            self.loss_by_year[year] = self.loss_by_year.get(year, 0.0) + ha
        self.loss_by_year = dict(sorted(self.loss_by_year.items()))
        self.credits_issued += other.credits_issued
        self.credits_retired += other.credits_retired
        for mine, theirs in (
            (self.funds_committed, other.funds_committed),
            (self.funds_disbursed, other.funds_disbursed),
        ):
            for currency, amount in theirs.items():
                mine[currency] = mine.get(currency, Decimal(0)) + amount

    def as_dict(self) -> dict[str, Any]:
        return {
            "tables": self.tables,
            "organizations": self.organizations,
            "organizations_by_sector_group": self.by_sector_group,
            "meetings_last_year": self.meetings_last_year,
            "decisions": self.decisions,
            "roadmap_progress_percent": self.roadmap_progress,
            "initiatives": self.initiatives,
            "money_by_currency": {k: str(v) for k, v in sorted(self.money.items())},
            "agreements_signed": self.agreements_signed,
            "agreement_hectares_public": str(self.agreement_hectares),
            "incentives_delivered_percent": self.delivered_percent,
            "tree_cover_loss_ha_by_year": {
                str(k): round(v, 2) for k, v in self.loss_by_year.items()
            },
            "credits_issued": self.credits_issued,
            "credits_retired": self.credits_retired,
            "funds_committed_by_currency": {k: str(v) for k, v in self.funds_committed.items()},
            "funds_disbursed_by_currency": {k: str(v) for k, v in self.funds_disbursed.items()},
            "health": self.health,
            "health_by_month": self.health_by_month,
        }


def figures_of(table: Table) -> Figures:
    year_ago = timezone.now() - dt.timedelta(days=365)
    f = Figures(tables=1)
    organizations = (
        Membership.objects.active()
        .filter(table=table)
        .values_list("organization_id", "organization__sector")
        .distinct()
    )
    groups: dict[str, int] = defaultdict(int)
    for _pk, sector in organizations:
        groups[str(SECTOR_GROUP.get(sector, "other"))] += 1
    f.organizations = sum(groups.values())
    f.by_sector_group = dict(groups)
    f.meetings_last_year = Meeting.objects.filter(
        table=table,
        starts_at__gte=year_ago,
        status__in=[MeetingStatus.HELD, MeetingStatus.PUBLISHED],
    ).count()
    f.decisions = Decision.objects.filter(proposal__table=table).count()
    axes = roadmap.axis_progress(table)
    f.roadmap_progress = round(sum(a["progress"] for a in axes) / len(axes), 1) if axes else 0.0
    counted = Initiative.objects.filter(table=table).exclude(status=InitiativeStatus.POOLED)
    f.initiatives = counted.count()
    for currency, amount in (
        Funding.objects.filter(initiative__in=counted)
        .values("currency")
        .annotate(total=Sum("amount"))
        .values_list("currency", "total")
    ):
        f.money[currency] = amount
    signed = Agreement.objects.filter(table=table, status=AgreementStatus.SIGNED)
    f.agreements_signed = signed.count()
    f.agreement_hectares = signed.filter(area_sensitivity=0).aggregate(ha=Sum("hectares"))[
        "ha"
    ] or Decimal(0)
    f.incentives_planned = Incentive.objects.filter(agreement__table=table).aggregate(
        n=Sum("planned")
    )["n"] or Decimal(0)
    f.incentives_delivered = Delivery.objects.filter(incentive__agreement__table=table).aggregate(
        n=Sum("quantity")
    )["n"] or Decimal(0)
    f.loss_by_year = satellite.table_loss(satellite.latest_run(table), PUBLIC, table)
    supply = Batch.objects.filter(project__table=table).aggregate(
        issued=Sum("issued"), retired=Sum("retired")
    )
    f.credits_issued, f.credits_retired = supply["issued"] or 0, supply["retired"] or 0
    for kind, target in (
        (TransactionType.OUTGOING_COMMITMENT, f.funds_committed),
        (TransactionType.DISBURSEMENT, f.funds_disbursed),
    ):
        for currency, amount in (
            Transaction.objects.filter(table=table, type=kind)
            .values("currency")
            .annotate(total=Sum("amount"))
            .values_list("currency", "total")
        ):
            target[currency] = amount
    f.health_as_of = timezone.localdate()
    f.health = health.health_of(table, f.health_as_of).score
    f.health_by_month = {
        s.as_of.strftime("%Y-%m"): float(s.score)
        for s in HealthSnapshot.objects.filter(table=table).order_by("as_of")
    }
    return f


# Stored figures older than this are computed again when read (the nightly refresh keeps them
# younger; any event on a table forgets its row at once).
MAX_AGE = dt.timedelta(days=1)
_DECIMAL_FIELDS = ("agreement_hectares", "incentives_planned", "incentives_delivered")
_MONEY_FIELDS = ("money", "funds_committed", "funds_disbursed")


def dump_figures(figures: Figures) -> dict[str, Any]:
    data = dataclasses.asdict(figures)
    for name in _DECIMAL_FIELDS:
        data[name] = str(data[name])
    for name in _MONEY_FIELDS:
        data[name] = {k: str(v) for k, v in data[name].items()}
    data["loss_by_year"] = {str(k): v for k, v in data["loss_by_year"].items()}
    data["health_as_of"] = figures.health_as_of.isoformat() if figures.health_as_of else None
    return data


def load_figures(data: dict[str, Any]) -> Figures:
    values = dict(data)
    for name in _DECIMAL_FIELDS:
        values[name] = Decimal(values[name])
    for name in _MONEY_FIELDS:
        values[name] = {k: Decimal(v) for k, v in values[name].items()}
    values["loss_by_year"] = {int(k): v for k, v in values["loss_by_year"].items()}
    day = values.get("health_as_of")
    values["health_as_of"] = dt.date.fromisoformat(day) if day else None
    return Figures(**values)


def store_figures(table: Table) -> Figures:
    """Compute a table's figures and keep them."""

    figures = figures_of(table)
    TableFigures.objects.update_or_create(
        table=table,
        defaults={"figures": dump_figures(figures), "computed_at": timezone.now()},
    )
    return figures


def _fresh_since() -> dt.datetime:
    """Kept figures count as fresh from this moment: younger than ``MAX_AGE`` and computed today
    (the health index and "overdue" are as of a day, so yesterday's figures are not today's)."""

    now = timezone.now()
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    return max(now - MAX_AGE, midnight)


def stored_figures(tables_: list[Table]) -> dict[int, Figures]:
    """Each table's figures: the kept ones when fresh, the others computed and kept."""

    fresh = _fresh_since()
    found = {
        table_id: load_figures(data)
        for table_id, data in TableFigures.objects.filter(
            table__in=tables_, computed_at__gte=fresh
        ).values_list("table_id", "figures")
    }
    for table in tables_:
        if table.pk not in found:
            found[table.pk] = store_figures(table)
    return found


def table_figures(table: Table) -> Figures:
    return stored_figures([table])[table.pk]


def rolled_up(tables_: list[Table]) -> tuple[Figures, list[tuple[Table, Figures]]]:
    """The sum of the tables' figures (health and roadmap progress as means), and each table's."""
    return _rolled_up(tables_)


# Roll-ups of the network and of each region, kept in this process while the stored figures
# they came from are unchanged: {key: (signature, result)}.
_MEMO: dict[str, tuple[tuple[Any, ...], tuple[Figures, list[tuple[Table, Figures]]]]] = {}


def _signature(where: dict[str, Any]) -> tuple[int, int, Any]:
    """(tables, fresh stored figures, latest stored time) of the tables matching ``where``."""

    fresh = _fresh_since()
    stamp = Table.objects.filter(**where).aggregate(
        tables=Count("pk"),
        stored=Count("portal_figures", filter=Q(portal_figures__computed_at__gte=fresh)),
        latest=Max("portal_figures__computed_at"),
    )
    return stamp["tables"], stamp["stored"], stamp["latest"]


def rolled_up_where(key: str, **where: Any) -> tuple[Figures, list[tuple[Table, Figures]]]:
    """``rolled_up`` of the tables matching ``where`` (all when empty), by name. One aggregate
    query tells whether the kept result still holds: any event on a table deletes its stored
    figures, which changes the count or the latest time."""
    signature = _signature(where)
    kept = _MEMO.get(key)
    if kept is not None and kept[0] == signature and signature[1] == signature[0]:
        return kept[1]
    members = list(Table.objects.filter(**where).select_related("region").order_by("name", "pk"))
    result = _rolled_up(members)
    _MEMO[key] = (_signature(where), result)  # after the missing figures were stored
    return result


def _rolled_up(tables_: list[Table]) -> tuple[Figures, list[tuple[Table, Figures]]]:
    kept = stored_figures(tables_)
    each = [(table, kept[table.pk]) for table in tables_]
    total = Figures()
    for _table, figures in each:
        total.add(figures)
    scores = [f.health for _t, f in each if f.health is not None]
    total.health = round(sum(scores) / len(scores), 1) if scores else None
    days = [f.health_as_of for _t, f in each if f.health_as_of is not None]
    total.health_as_of = max(days) if days else None
    if each:
        total.roadmap_progress = round(sum(f.roadmap_progress for _t, f in each) / len(each), 1)
    months: dict[str, list[float]] = defaultdict(list)
    for _table, figures in each:
        for month, score in figures.health_by_month.items():
            months[month].append(score)
    total.health_by_month = {m: round(sum(v) / len(v), 1) for m, v in sorted(months.items())}
    return total, each


def region_tables(region: Region) -> list[Table]:
    return list(Table.objects.filter(region=region).select_related("region").order_by("name", "pk"))


def latest_retirements(table: Table, limit: int = 10) -> list[Retirement]:
    return list(
        Retirement.objects.filter(batch__project__table=table)
        .select_related("batch")
        .order_by("-created_at")[:limit]
    )


def regions_with_counts() -> list[Region]:
    return list(Region.objects.annotate(table_count=Count("tables")).order_by("name"))


def axis_rows(table: Table) -> list[dict[str, Any]]:
    return [
        {"label": row["axis"].name, "value": row["progress"], "share": row["progress"]}
        for row in roadmap.axis_progress(table)
    ]


def latest_decisions(table: Table, limit: int = 5) -> list[Decision]:
    return list(
        Decision.objects.filter(proposal__table=table)
        .select_related("proposal")
        .order_by("-recorded_at")[:limit]
    )


def money_rows(figures: Figures) -> list[tuple[str, Decimal]]:
    return sorted(figures.money.items())


def batches_of(table: Table) -> list[Batch]:
    return list(Batch.objects.filter(project__table=table).order_by("batch_id"))


# --- following a funder's money ----------------------------------------------------------------


@dataclass
class Flow:
    """Money from one IATI activity into one of minga's: an initiative, a fund or an award."""

    kind: str  # "initiative", "fund" or "award"
    identifier: str  # the receiving activity's IATI identifier
    title: str
    table: Table | None
    amount: Decimal
    currency: str
    share: int = 0  # percent of the largest flow of its currency, for the bars
    target: Any = None  # the record, for its page
    onward: list[Flow] = field(default_factory=list)


def _from(activity: str, field_name: str, owner: str) -> Q:
    """Lines naming ``activity`` themselves, or naming none while their funder's is it."""
    return Q(**{field_name: activity}) | Q(
        **{field_name: "", f"{owner}__funding_activity": activity}
    )


def _scaled(flows: list[Flow]) -> list[Flow]:
    largest: dict[str, Decimal] = defaultdict(Decimal)
    for flow in flows:
        largest[flow.currency] = max(largest[flow.currency], flow.amount)
    for flow in flows:
        top = largest[flow.currency]
        flow.share = int(flow.amount * 100 / top) if top else 0
        _scaled(flow.onward)
    return flows


def trace(activity: str) -> list[Flow]:
    """Where the money of a funder's IATI ``activity`` goes in minga: each initiative funding
    line and fund contribution traced from it, and each fund's awards onward. The same links
    the IATI file writes as ``provider-activity-id``."""
    flows = []
    fundings = (
        Funding.objects.filter(_from(activity, "funder_activity", "funder"))
        .select_related("initiative__table__secretariat", "initiative__table__convener")
        .order_by("initiative__table__name", "-amount")
    )
    for funding in fundings:
        initiative = funding.initiative
        flows.append(
            Flow(
                "initiative",
                iati_records.initiative_identifier(initiative),
                initiative.title,
                initiative.table,
                funding.amount,
                funding.currency,
                target=initiative,
            )
        )
    contributions = (
        Contribution.objects.filter(_from(activity, "donor_activity", "donor"))
        .select_related("fund__administrator")
        .order_by("fund__name", "pledged_on")
    )
    for contribution in contributions:
        fund = contribution.fund
        awards = Award.objects.filter(application__call__fund=fund).select_related(
            "application__table"
        )
        flows.append(
            Flow(
                "fund",
                fund.activity_id(),
                fund.name,
                None,
                contribution.amount,
                contribution.currency,
                target=fund,
                onward=[
                    Flow(
                        "award",
                        fund.activity_id(award.public_id),
                        award.application.title,
                        award.application.table,
                        award.amount,
                        fund.currency,
                        target=award.application,
                    )
                    for award in awards.order_by("awarded_on")
                ],
            )
        )
    return _scaled(flows)


def traced_totals(flows: list[Flow]) -> list[tuple[str, Decimal]]:
    """What the activity puts into minga's tables, per currency."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for flow in flows:
        totals[flow.currency] += flow.amount
    return sorted(totals.items())


def traced_activities() -> list[str]:
    """Every funder activity minga traces money from, for the page's list."""
    found = set(
        Funding.objects.exclude(funder_activity="").values_list("funder_activity", flat=True)
    )
    found |= set(
        Contribution.objects.exclude(donor_activity="").values_list("donor_activity", flat=True)
    )
    found |= set(
        Organization.objects.exclude(funding_activity="").values_list("funding_activity", flat=True)
    )
    return sorted(found)
