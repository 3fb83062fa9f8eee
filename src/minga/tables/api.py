"""Tables, organizations and memberships over /api/v1/; every field honours sensitivity."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthenticationError

from minga.tables import queries, services
from minga.tables.models import Membership, Organization, Person, Table

router = Router(tags=["tables"])


class Error(Schema):
    detail: Any


class TableOut(Schema):
    slug: str
    name: str
    region: str
    province: str
    country: str
    description: str
    launched_on: dt.date | None
    hectares: float
    is_demo: bool


class TablePatch(Schema):
    name: str | None = None
    province: str | None = None
    description: str | None = None
    launched_on: dt.date | None = None


class OrganizationOut(Schema):
    public_id: str
    name: str
    acronym: str
    sector: str
    country: str
    website: str
    description: str
    is_demo: bool
    contact_email: str | None = None
    contact_phone: str | None = None
    internal_notes: str | None = None


class OrganizationIn(Schema):
    table: str
    name: str
    sector: str
    acronym: str = ""
    website: str = ""
    description: str = ""
    contact_email: str = ""
    contact_phone: str = ""


class PersonOut(Schema):
    public_id: str
    full_name: str
    email: str | None = None
    phone: str | None = None
    languages: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    people: str | None = None


class MembershipOut(Schema):
    id: int
    organization: OrganizationOut
    person: PersonOut | None
    role: str
    seat: str
    since: dt.date
    until: dt.date | None


class MembershipIn(Schema):
    organization: str
    role: str = "member"
    seat: str = "principal"
    since: dt.date | None = None


def _actor(request: HttpRequest) -> Any:
    if not request.user.is_authenticated:
        raise AuthenticationError
    return request.user


def _table_out(table: Table) -> dict[str, Any]:
    territories = [t for t in table.territories.all() if t.sensitivity == 0]
    return {
        "slug": table.slug,
        "name": table.name,
        "region": table.region.slug,
        "province": table.province,
        "country": table.country,
        "description": table.description,
        "launched_on": table.launched_on,
        "hectares": float(sum(t.hectares for t in territories)),
        "is_demo": table.is_demo,
    }


def _membership_out(viewer: queries.Viewer, membership: Membership) -> dict[str, Any]:
    person: Person | None = membership.person
    return {
        "id": membership.pk,
        "organization": viewer.organization_fields(membership.organization),
        "person": viewer.person_fields(person) if person else None,
        "role": membership.role,
        "seat": membership.seat,
        "since": membership.since,
        "until": membership.until,
    }


@router.get("/tables", response=list[TableOut])
def list_tables(
    request: HttpRequest,
    response: HttpResponse,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """Tables by name, ``limit`` at a time from ``offset``; ``X-Total-Count`` holds how many."""
    tables = queries.list_tables().order_by("name", "pk")
    response["X-Total-Count"] = str(tables.count())
    return [_table_out(t) for t in tables.prefetch_related("territories")[offset : offset + limit]]


@router.get("/tables/{slug}", response={200: TableOut, 404: Error})
def get_table(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _table_out(queries.get_table(slug))


@router.patch("/tables/{slug}", response={200: TableOut, 401: Error, 403: Error, 422: Error})
def patch_table(request: HttpRequest, slug: str, payload: TablePatch) -> dict[str, Any]:
    table = queries.get_table(slug)
    changes = payload.dict(exclude_unset=True)
    table = services.update_table(by=_actor(request), table=table, **changes)
    return _table_out(table)


@router.get("/tables/{slug}/memberships", response={200: list[MembershipOut], 404: Error})
def list_memberships(request: HttpRequest, slug: str, active: bool = True) -> list[dict[str, Any]]:
    table = queries.get_table(slug)
    memberships = queries.memberships_with_people(table)
    if active:
        memberships = memberships.filter(until__isnull=True)
    viewer = queries.Viewer(request.user)
    return [_membership_out(viewer, m) for m in memberships]


@router.post(
    "/tables/{slug}/memberships",
    response={201: MembershipOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
def add_membership(request: HttpRequest, slug: str, payload: MembershipIn) -> Status[Any]:
    table = queries.get_table(slug)
    organization = get_object_or_404(Organization, public_id=payload.organization)
    membership = services.add_membership(
        by=_actor(request),
        table=table,
        organization=organization,
        role=payload.role,
        seat=payload.seat,
        since=payload.since,
    )
    return Status(201, _membership_out(queries.Viewer(request.user), membership))


@router.post(
    "/tables/{slug}/memberships/{membership_id}/end",
    response={200: MembershipOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
def end_membership(request: HttpRequest, slug: str, membership_id: int) -> dict[str, Any]:
    table = queries.get_table(slug)
    membership = get_object_or_404(Membership, pk=membership_id, table=table)
    membership = services.end_membership(by=_actor(request), membership=membership)
    return _membership_out(queries.Viewer(request.user), membership)


@router.get("/organizations", response=list[OrganizationOut])
def list_organizations(request: HttpRequest, table: str | None = None) -> list[dict[str, Any]]:
    organizations = queries.organizations_with_seats()
    if table:
        organizations = organizations.filter(
            memberships__table__slug=table, memberships__until__isnull=True
        ).distinct()
    viewer = queries.Viewer(request.user)
    return [viewer.organization_fields(o) for o in organizations]


@router.post(
    "/organizations",
    response={201: OrganizationOut, 401: Error, 403: Error, 404: Error, 422: Error},
)
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status[Any]:
    table = queries.get_table(payload.table)
    data = payload.dict()
    data.pop("table")
    organization = services.create_organization(by=_actor(request), table=table, **data)
    return Status(201, queries.Viewer(request.user).organization_fields(organization))


@router.get("/organizations/{public_id}", response={200: OrganizationOut, 404: Error})
def get_organization(request: HttpRequest, public_id: str) -> dict[str, Any]:
    _organization, fields = queries.get_organization_for(request.user, public_id)
    return fields


@router.get("/me", response={200: PersonOut | None, 401: Error})
def me(request: HttpRequest) -> dict[str, Any] | None:
    user = _actor(request)
    person = getattr(user, "person", None)
    return queries.Viewer(user).person_fields(person) if person else None
