"""Reads shared by views, the API and exports; protected reads check access here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from minga.core.access import Actor, Sensitivity, SystemActor, can, level_for, person_user, redact
from minga.tables.models import (
    Guidance,
    GuidanceAnswer,
    Instrument,
    Invitation,
    Membership,
    Organization,
    Person,
    Region,
    Sector,
    Table,
    Territory,
)


def seats_for(
    by: Actor, table: Table, *, organization: Organization | None = None
) -> QuerySet[Membership]:
    """The active seats through which ``by`` speaks on ``table`` (for ``organization`` only,
    when given); none for the system actor and anonymous visitors."""
    user = person_user(by)
    if user is None:
        return Membership.objects.none()
    seats = Membership.objects.active().filter(table=table, person__user=user)
    return seats if organization is None else seats.filter(organization=organization)


def speaks_for(by: Actor, table: Table, organization: Organization) -> bool:
    """Whether ``by`` holds a seat of ``organization`` on ``table``; the system actor speaks
    for any (demo loading, imports of what was said on paper)."""
    return isinstance(by, SystemActor) or seats_for(by, table, organization=organization).exists()


def roles_for(user: Any, table: Table) -> frozenset[str]:
    """The user's roles on this table through active memberships; empty for the public."""
    if isinstance(user, SystemActor):
        return frozenset()
    if user is None or not user.is_authenticated:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_minga_roles", {})
    if table.pk not in cache:
        cache[table.pk] = frozenset(
            Membership.objects.active()
            .filter(table=table, person__user=user)
            .values_list("role", flat=True)
        )
    return cache[table.pk]


def readable_by(user: Any, table: Table) -> Q:
    """The records of ``table`` (with ``sensitivity`` and an ``owner`` organization) this viewer
    may read: public ones; the table's to its members; owner-level ones only to the people of the
    organization they belong to."""
    level = level_for(roles_for(user, table))
    visible = Q(sensitivity__lte=min(level, Sensitivity.TABLE))
    if user is not None and user.is_authenticated:
        own = Membership.objects.active().filter(person__user=user).values("organization")
        visible |= Q(sensitivity=Sensitivity.OWNER, owner__in=own)
    return visible


def may(user: Any, table: Table, action: str) -> bool:
    if isinstance(user, SystemActor) or getattr(user, "is_superuser", False):
        return True
    return can(roles_for(user, table), action)


def require(user: Any, table: Table, action: str) -> None:
    """Raise PermissionDenied, with the message people see, unless ``user`` may do ``action``."""
    if not may(user, table, action):
        raise PermissionDenied(_("Your role on this table does not allow this."))


def list_regions(*, cards_up_to: int | None = None) -> QuerySet[Region]:
    """Regions with their table count and tables; with ``cards_up_to``, the tables of regions
    holding more than that many are left unloaded (their pages list them)."""
    regions = Region.objects.annotate(table_count=Count("tables"))
    if cards_up_to is None:
        return regions.prefetch_related(Prefetch("tables", queryset=list_tables()))
    small = Region.objects.annotate(n=Count("tables")).filter(n__lte=cards_up_to)
    return regions.prefetch_related(
        Prefetch("tables", queryset=list_tables().filter(region__in=small.values("pk")))
    )


def list_tables() -> QuerySet[Table]:
    return Table.objects.select_related("region").annotate(
        member_count=Count(
            "memberships__organization",
            filter=Q(memberships__until__isnull=True),
            distinct=True,
        ),
    )


def get_region(slug: str) -> Region:
    try:
        return Region.objects.prefetch_related("task_force").get(slug=slug)
    except Region.DoesNotExist:
        raise Http404 from None


def get_table(slug: str) -> Table:
    try:
        return Table.objects.select_related("region", "convener", "secretariat").get(slug=slug)
    except Table.DoesNotExist:
        raise Http404 from None


def territories_for(user: Any, table: Table) -> list[Territory]:
    level = level_for(roles_for(user, table))
    return [t for t in table.territories.all() if t.sensitivity <= level]


def public_territories() -> QuerySet[Territory]:
    return Territory.objects.filter(sensitivity=Sensitivity.PUBLIC).select_related("table")


def instruments_of(table: Table) -> QuerySet[Instrument]:
    return table.instruments.all()


@dataclass
class MemberOrganization:
    organization: Organization
    memberships: list[Membership] = field(default_factory=list)


@dataclass
class SectorRow:
    sector: str
    label: str
    organizations: list[MemberOrganization] = field(default_factory=list)

    @property
    def organization_count(self) -> int:
        return len(self.organizations)


def members_by_sector(table: Table) -> list[SectorRow]:
    """Member organizations with their active seats, grouped by sector in the taxonomy's order."""
    rows = {value: SectorRow(value, str(label)) for value, label in Sector.choices}
    by_org: dict[int, MemberOrganization] = {}
    memberships = (
        Membership.objects.active()
        .filter(table=table)
        .select_related("organization", "person")
        .order_by("organization__name", "role", "seat")
    )
    for membership in memberships:
        entry = by_org.get(membership.organization_id)
        if entry is None:
            entry = by_org[membership.organization_id] = MemberOrganization(membership.organization)
            rows[membership.organization.sector].organizations.append(entry)
        entry.memberships.append(membership)
    return [row for row in rows.values() if row.organizations]


def memberships_of(table: Table) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(table=table)
        .select_related("organization", "person")
        .order_by("until", "organization__name")
    )


def pending_invitations(table: Table) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        membership__table=table, accepted_at__isnull=True
    ).select_related("membership__organization", "membership__person")


# --- organizations and people -----------------------------------------------------------------


def _active(prefix: str = "") -> Prefetch[Any]:
    return Prefetch(f"{prefix}memberships", queryset=Membership.objects.active(), to_attr="active")


class Viewer:
    """One viewer's seats, read once, answering every sensitivity question without a query per row.

    Owners read owner-level data: a person reads their own, and an organization's
    representatives read the organization's and its people's (CARE principles). Anyone with a
    role on a table reads that table's members' table-level data; everyone reads public data.
    """

    def __init__(self, user: Any) -> None:
        self.user_id: int | None = None
        self.roles: dict[int, set[str]] = {}
        self.organizations: set[int] = set()
        if user is None or isinstance(user, SystemActor) or not user.is_authenticated:
            return
        self.user_id = user.pk
        seats = Membership.objects.active().filter(person__user=user)
        for table_id, role, organization_id in seats.values_list(
            "table_id", "role", "organization_id"
        ):
            self.roles.setdefault(table_id, set()).add(role)
            self.organizations.add(organization_id)

    def level_on(self, table_ids: Iterable[int]) -> Sensitivity:
        return max(
            (level_for(self.roles.get(t, ())) for t in table_ids), default=Sensitivity.PUBLIC
        )

    def organization_fields(self, organization: Organization) -> dict[str, Any]:
        """The organization's fields this viewer may see (prefetch ``_active()`` for lists)."""
        if organization.pk in self.organizations:
            level = Sensitivity.OWNER
        else:
            level = self.level_on(m.table_id for m in _active_memberships(organization))
        values = {name: getattr(organization, name) for name in Organization.SENSITIVITY}
        return redact(values, Organization.SENSITIVITY, level)

    def person_level(self, person: Person) -> Sensitivity:
        seats = _active_memberships(person)
        if person.user_id is not None and person.user_id == self.user_id:
            return Sensitivity.OWNER
        if any(m.organization_id in self.organizations for m in seats):
            return Sensitivity.OWNER
        return self.level_on(m.table_id for m in seats)

    def person_fields(self, person: Person) -> dict[str, Any] | None:
        """The person's fields this viewer may see, or None when even the name is hidden."""
        level = self.person_level(person)
        if person.visibility > level:
            return None
        values = {name: getattr(person, name) for name in Person.SENSITIVITY}
        return redact(values, Person.SENSITIVITY, level)

    def name(self, membership: Membership) -> str | None:
        """The name to show beside a seat in a list, judged on that seat's table."""
        person = membership.person
        if person is None:
            return None
        owns = self.user_id is not None and (
            person.user_id == self.user_id or membership.organization_id in self.organizations
        )
        level = Sensitivity.OWNER if owns else self.level_on([membership.table_id])
        return person.full_name if person.visibility <= level else None

    def annotate(self, memberships: Iterable[Membership]) -> None:
        for membership in memberships:
            membership.visible_name = self.name(membership)  # type: ignore[attr-defined]


def _active_memberships(owner: Organization | Person) -> list[Membership]:
    prefetched = getattr(owner, "active", None)
    if prefetched is not None:
        return list(prefetched)
    return list(owner.memberships.filter(until__isnull=True))


def organizations_with_seats() -> QuerySet[Organization]:
    return Organization.objects.prefetch_related(_active())


def memberships_with_people(table: Table) -> QuerySet[Membership]:
    return memberships_of(table).prefetch_related(_active("organization__"), _active("person__"))


def get_organization_for(user: Any, public_id: str) -> tuple[Organization, dict[str, Any]]:
    try:
        organization = Organization.objects.get(public_id=public_id)
    except Organization.DoesNotExist:
        raise Http404 from None
    return organization, Viewer(user).organization_fields(organization)


def get_person_for(user: Any, public_id: str) -> tuple[Person, dict[str, Any]]:
    try:
        person = Person.objects.get(public_id=public_id)
    except Person.DoesNotExist:
        raise Http404 from None
    fields = Viewer(user).person_fields(person)
    if fields is None:
        raise Http404
    return person, fields


def memberships_of_organization(organization: Organization) -> QuerySet[Membership]:
    return organization.memberships.select_related("table", "person").order_by("until", "table")


def memberships_of_person(person: Person) -> QuerySet[Membership]:
    return person.memberships.select_related("table", "organization").order_by("until", "table")


def get_invitation(token: str) -> Invitation:
    try:
        return Invitation.objects.select_related(
            "membership__table", "membership__organization", "membership__person"
        ).get(token=token)
    except Invitation.DoesNotExist:
        raise Http404 from None


def task_force_organization(user: Any, region: Region) -> Organization | None:
    """The task-force organization this user speaks for in the region (None if none)."""
    if isinstance(user, SystemActor) or getattr(user, "is_superuser", False):
        return region.task_force.order_by("name").first()
    if user is None or not user.is_authenticated:
        return None
    membership = (
        Membership.objects.active()
        .filter(person__user=user, organization__in=region.task_force.all())
        .select_related("organization")
        .order_by("organization__name")
        .first()
    )
    return membership.organization if membership else None


def guidance_of(region: Region) -> QuerySet[Guidance]:
    return (
        Guidance.objects.filter(region=region)
        .select_related("organization")
        .prefetch_related(
            Prefetch("answers", queryset=GuidanceAnswer.objects.select_related("table"))
        )
    )


def pending_guidance(table: Table) -> QuerySet[Guidance]:
    """The region's guidance this table has not acknowledged yet."""
    if table.region_id is None:
        return Guidance.objects.none()
    return Guidance.objects.filter(region_id=table.region_id).exclude(answers__table=table)
