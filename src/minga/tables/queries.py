"""Reads shared by views, the API and exports; protected reads check access here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from minga.core.access import PUBLIC, Sensitivity, SystemActor, can, level_for, redact
from minga.tables.models import (
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


def role_label(user: Any, table: Table) -> str:
    roles = roles_for(user, table)
    return ", ".join(sorted(roles)) if roles else PUBLIC


def may(user: Any, table: Table, action: str) -> bool:
    if isinstance(user, SystemActor) or getattr(user, "is_superuser", False):
        return True
    return can(roles_for(user, table), action)


def tables_of(user: Any) -> QuerySet[Table]:
    if user is None or not user.is_authenticated:
        return Table.objects.none()
    return Table.objects.filter(
        memberships__person__user=user, memberships__until__isnull=True
    ).distinct()


def represents(user: Any, organization: Organization) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.active().filter(organization=organization, person__user=user).exists()


# --- network, regions, tables ------------------------------------------------------------------


def list_regions() -> QuerySet[Region]:
    return Region.objects.annotate(table_count=Count("tables")).prefetch_related(
        Prefetch("tables", queryset=list_tables())
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


class NameVisibility:
    """Decides, for one viewer, whose names a list of memberships may show (no query per row)."""

    def __init__(self, user: Any, table: Table | None = None) -> None:
        self.user_id = user.pk if user is not None and user.is_authenticated else None
        self.own_orgs: set[int] = set()
        if self.user_id is not None:
            self.own_orgs = set(
                Membership.objects.active()
                .filter(person__user_id=self.user_id)
                .values_list("organization_id", flat=True)
            )
        self.user = user
        self.levels: dict[int, Sensitivity] = {}

    def _level(self, table: Table) -> Sensitivity:
        if table.pk not in self.levels:
            self.levels[table.pk] = level_for(roles_for(self.user, table))
        return self.levels[table.pk]

    def name(self, membership: Membership) -> str | None:
        person = membership.person
        if person is None:
            return None
        owns = self.user_id is not None and (
            person.user_id == self.user_id or membership.organization_id in self.own_orgs
        )
        level = Sensitivity.OWNER if owns else self._level(membership.table)
        return person.full_name if person.visibility <= level else None

    def annotate(self, memberships: Iterable[Membership]) -> None:
        for membership in memberships:
            membership.visible_name = self.name(membership)  # type: ignore[attr-defined]


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


def _viewer_level(user: Any, tables: list[Table], *, owns: bool) -> Sensitivity:
    if owns:
        return Sensitivity.OWNER
    level = Sensitivity.PUBLIC
    for table in tables:
        level = max(level, level_for(roles_for(user, table)))
    return level


def get_organization_for(user: Any, public_id: str) -> tuple[Organization, dict[str, Any]]:
    """The organization and the fields this viewer may see."""
    try:
        organization = Organization.objects.get(public_id=public_id)
    except Organization.DoesNotExist:
        raise Http404 from None
    return organization, organization_fields_for(user, organization)


def organization_fields_for(user: Any, organization: Organization) -> dict[str, Any]:
    tables = list(
        Table.objects.filter(
            memberships__organization=organization, memberships__until__isnull=True
        ).distinct()
    )
    level = _viewer_level(user, tables, owns=represents(user, organization))
    values = {name: getattr(organization, name) for name in Organization.SENSITIVITY}
    return redact(values, Organization.SENSITIVITY, level)


def _owns_person(user: Any, person: Person) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if person.user_id == user.pk:
        return True
    own_orgs = Membership.objects.active().filter(person__user=user).values("organization")
    return Membership.objects.active().filter(person=person, organization__in=own_orgs).exists()


def person_fields_for(user: Any, person: Person) -> dict[str, Any] | None:
    """The person's fields this viewer may see, or None when even the name is hidden."""
    tables = list(
        Table.objects.filter(memberships__person=person, memberships__until__isnull=True).distinct()
    )
    level = _viewer_level(user, tables, owns=_owns_person(user, person))
    if person.visibility > level:
        return None
    values = {name: getattr(person, name) for name in Person.SENSITIVITY}
    return redact(values, Person.SENSITIVITY, level)


def get_person_for(user: Any, public_id: str) -> tuple[Person, dict[str, Any]]:
    try:
        person = Person.objects.get(public_id=public_id)
    except Person.DoesNotExist:
        raise Http404 from None
    fields = person_fields_for(user, person)
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
