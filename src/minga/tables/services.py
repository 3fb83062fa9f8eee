"""Every state change of the tables area: checks access, validates, writes, records its event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from minga.core import geo
from minga.core.access import Actor, Role, person_user
from minga.core.concurrency import lock_unchanged
from minga.core.events import record_event
from minga.core.ids import new_token
from minga.core.spreadsheet import ImportFailed, messages_of
from minga.tables import events
from minga.tables.models import (
    INVITATION_DAYS,
    Instrument,
    InstrumentKind,
    Invitation,
    Membership,
    Organization,
    Person,
    Region,
    Seat,
    Sector,
    Table,
    Territory,
)
from minga.tables.queries import require

TABLE_EDITABLE = ("name", "province", "description", "launched_on")


def _area(geometry: Any) -> BaseGeometry:
    try:
        return geo.parse_area(geometry)
    except geo.GeometryError as exc:
        raise ValidationError(str(exc), code="geometry") from None


def _check_choice(value: str, choices: Any, field: str, message: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: message % {"value": value}}, code="invalid_choice")


# --- regions, tables, territories -------------------------------------------------------------


@transaction.atomic
def create_region(
    *, by: Actor, name: str, slug: str, geometry: Any, description: str = "", is_demo: bool = False
) -> Region:
    if not getattr(by, "is_superuser", False):
        raise PermissionDenied(_("Only an administrator may create a region."))
    region = Region(name=name, slug=slug, description=description, is_demo=is_demo)
    region.set_area(_area(geometry))
    region.full_clean()
    region.save()
    record_event(events.REGION_CREATED, actor=by, subject=region, payload={"name": name})
    return region


@transaction.atomic
def create_table(
    *,
    by: Actor,
    region: Region,
    name: str,
    slug: str,
    province: str = "",
    country: str = "EC",
    description: str = "",
    launched_on: dt.date | None = None,
    is_demo: bool = False,
) -> Table:
    if not getattr(by, "is_superuser", False):
        raise PermissionDenied(_("Only an administrator may register a new table."))
    table = Table(
        region=region,
        name=name,
        slug=slug or slugify(name),
        province=province,
        country=country,
        description=description,
        launched_on=launched_on,
        is_demo=is_demo,
    )
    table.full_clean()
    table.save()
    record_event(events.TABLE_CREATED, actor=by, table=table, subject=table, payload={"name": name})
    return table


@transaction.atomic
def update_table(*, by: Actor, table: Table, seen: str | None = None, **changes: Any) -> Table:
    """Change the table's profile; ``seen`` is the version the editor started from (a conflict
    if someone saved since)."""
    require(by, table, "table.edit")
    unknown = set(changes) - set(TABLE_EDITABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    table = lock_unchanged(table, seen)
    before = {name: str(getattr(table, name)) for name in changes}
    for name, value in changes.items():
        setattr(table, name, value)
    table.full_clean()
    table.save()
    record_event(
        events.TABLE_UPDATED,
        actor=by,
        table=table,
        subject=table,
        payload={"before": before, "after": {n: str(getattr(table, n)) for n in changes}},
    )
    return table


@transaction.atomic
def set_leadership(
    *, by: Actor, table: Table, convener: Organization | None, secretariat: Organization | None
) -> Table:
    """Name the organizations that convene the table and hold its secretariat."""
    if not getattr(by, "is_superuser", False):
        raise PermissionDenied(_("Only an administrator may change who convenes the table."))
    table.convener = convener
    table.secretariat = secretariat
    table.save(update_fields=["convener", "secretariat", "updated_at"])
    record_event(
        events.LEADERSHIP_SET,
        actor=by,
        table=table,
        subject=table,
        payload={
            "convener": convener.public_id if convener else None,
            "secretariat": secretariat.public_id if secretariat else None,
        },
    )
    return table


@transaction.atomic
def set_territory(
    *,
    by: Actor,
    table: Table,
    name: str,
    geometry: Any,
    description: str = "",
    sensitivity: int = 0,
) -> Territory:
    """Create or replace the named territory of a table; it must lie inside the table's region."""
    require(by, table, "table.edit")
    area = _area(geometry)
    if not geo.covered_by(area, table.region.shape):
        raise ValidationError(
            _("The territory reaches outside the region %(region)s. Check the boundary.")
            % {"region": table.region.name},
            code="outside_region",
        )
    territory = Territory.objects.filter(table=table, name=name).first() or Territory(
        table=table, name=name
    )
    territory.description = description
    territory.sensitivity = sensitivity
    territory.set_area(area)
    territory.full_clean()
    territory.save()
    record_event(
        events.TERRITORY_SET,
        actor=by,
        table=table,
        subject=territory,
        payload={"name": name, "hectares": str(territory.hectares)},
    )
    return territory


# --- organizations, people, memberships -------------------------------------------------------


@transaction.atomic
def create_organization(
    *,
    by: Actor,
    table: Table,
    name: str,
    sector: str,
    acronym: str = "",
    country: str = "EC",
    website: str = "",
    description: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    iati_identifier: str = "",
    funding_activity: str = "",
    is_demo: bool = False,
) -> Organization:
    """Register an organization; ``table`` is the table whose secretariat registers it."""
    require(by, table, "organization.create")
    _check_choice(sector, Sector, "sector", _("%(value)s is not a known sector."))
    organization = Organization(
        name=name.strip(),
        acronym=acronym.strip(),
        sector=sector,
        country=country,
        website=website,
        description=description,
        contact_email=contact_email,
        contact_phone=contact_phone,
        iati_identifier=iati_identifier.strip(),
        funding_activity=funding_activity.strip(),
        is_demo=is_demo,
    )
    organization.full_clean()
    organization.save()
    record_event(
        events.ORGANIZATION_CREATED,
        actor=by,
        table=table,
        subject=organization,
        payload={"name": organization.name, "sector": sector},
    )
    return organization


@transaction.atomic
def create_person(
    *,
    by: Actor,
    table: Table,
    full_name: str,
    email: str = "",
    phone: str = "",
    gender: str = "",
    birth_year: int | None = None,
    people: str = "",
    languages: str = "",
    visibility: int = 1,
    user: Any = None,
    is_demo: bool = False,
) -> Person:
    require(by, table, "membership.invite")
    this_year = timezone.localdate().year
    if birth_year is not None and not (this_year - 120 <= birth_year <= this_year - 10):
        raise ValidationError(
            {"birth_year": _("%(year)s is not a plausible birth year.") % {"year": birth_year}}
        )
    person = Person(
        full_name=full_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        gender=gender.strip(),
        birth_year=birth_year,
        people=people.strip(),
        languages=languages.strip(),
        visibility=visibility,
        user=user,
        is_demo=is_demo,
    )
    person.full_clean()
    person.save()
    record_event(
        events.PERSON_CREATED, actor=by, table=table, subject=person, sensitivity=2, payload={}
    )
    return person


@transaction.atomic
def add_membership(
    *,
    by: Actor,
    table: Table,
    organization: Organization,
    person: Person | None = None,
    role: str = Role.MEMBER,
    seat: str = Seat.PRINCIPAL,
    since: dt.date | None = None,
) -> Membership:
    require(by, table, "membership.invite")
    _check_choice(role, Role, "role", _("%(value)s is not a role of a table."))
    _check_choice(seat, Seat, "seat", _("%(value)s is not a kind of seat."))
    clash = Membership.objects.active().filter(
        table=table, organization=organization, role=role, person=person
    )
    if clash.exists():
        raise ValidationError(
            _("%(organization)s already holds this seat and role on the table.")
            % {"organization": organization.name},
            code="duplicate_membership",
        )
    membership = Membership(
        table=table,
        organization=organization,
        person=person,
        role=role,
        seat=seat,
        since=since or timezone.localdate(),
    )
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError(
            _("%(organization)s already holds this seat and role on the table.")
            % {"organization": organization.name},
            code="duplicate_membership",
        ) from None
    record_event(
        events.MEMBERSHIP_ADDED,
        actor=by,
        table=table,
        subject=membership.organization,
        payload={"membership": membership.pk, "role": role, "seat": seat},
    )
    return membership


@transaction.atomic
def end_membership(
    *, by: Actor, membership: Membership, until: dt.date | None = None
) -> Membership:
    require(by, membership.table, "membership.end")
    if membership.until is not None:
        raise ValidationError(_("This membership has already ended."), code="ended")
    until = until or timezone.localdate()
    if until < membership.since:
        raise ValidationError(_("A membership cannot end before it began."), code="until")
    membership.until = until
    membership.save(update_fields=["until", "updated_at"])
    record_event(
        events.MEMBERSHIP_ENDED,
        actor=by,
        table=membership.table,
        subject=membership.organization,
        payload={"membership": membership.pk, "until": until.isoformat()},
    )
    return membership


# --- invitations ------------------------------------------------------------------------------


@dataclass
class NewMember:
    full_name: str
    email: str = ""
    organization: Organization | None = None
    organization_name: str = ""
    sector: str = ""
    role: str = Role.MEMBER
    seat: str = Seat.PRINCIPAL


@transaction.atomic
def invite_member(*, by: Actor, table: Table, new: NewMember, invite_url: Any = None) -> Invitation:
    """Seat a person for an organization and invite them to claim it.

    The organization is an existing one or registered here. With an e-mail address the
    invitation goes out by mail (after commit); without one, the secretariat hands over the
    link or its QR code.
    """
    require(by, table, "membership.invite")
    organization = new.organization
    if organization is None:
        if not new.organization_name.strip():
            raise ValidationError(
                {"organization_name": _("Choose an organization or name a new one.")}
            )
        organization = Organization.objects.filter(
            name__iexact=new.organization_name.strip()
        ).first()
        if organization is None:
            organization = create_organization(
                by=by, table=table, name=new.organization_name, sector=new.sector
            )
    person = create_person(by=by, table=table, full_name=new.full_name, email=new.email)
    membership = add_membership(
        by=by, table=table, organization=organization, person=person, role=new.role, seat=new.seat
    )
    inviter = person_user(by)
    if inviter is None:
        raise PermissionDenied(_("Only a person can send an invitation."))
    invitation = Invitation.objects.create(
        membership=membership,
        email=new.email,
        token=new_token(24),
        created_by=inviter,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    language = translation.get_language() or "es"
    record_event(
        events.MEMBER_INVITED,
        actor=by,
        table=table,
        subject=organization,
        payload={"membership": membership.pk, "by_email": bool(new.email)},
        # ``tables.tasks`` mails the link once this commits; the link holds the secret token.
        private={
            "invitation": invitation.pk,
            "link": invite_url(invitation) if new.email and invite_url is not None else None,
            "language": language,
        },
    )
    return invitation


@transaction.atomic
def accept_invitation(*, user: Any, invitation: Invitation) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if invitation.expires_at < timezone.now():
        raise ValidationError(_("This invitation has expired. Ask the secretariat for a new one."))
    membership = invitation.membership
    person = membership.person
    if person is None:
        raise ValidationError(_("This invitation has no person to claim."))
    existing = Person.objects.filter(user=user).exclude(pk=person.pk).first()
    if existing is not None:
        # The user already has a profile: the seat moves to it, the placeholder goes.
        placeholder = person
        membership.person = existing
        membership.save(update_fields=["person", "updated_at"])
        if not placeholder.memberships.exists():
            placeholder.delete()
        person = existing
    elif person.user_id is None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    elif person.user_id != user.pk:
        raise ValidationError(_("This invitation belongs to someone else."))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    record_event(
        events.INVITATION_ACCEPTED,
        actor=user,
        table=membership.table,
        subject=membership.organization,
        payload={"membership": membership.pk},
    )
    return membership


@transaction.atomic
def accept_invitation_as_new_user(*, invitation: Invitation, username: str, password: str) -> Any:
    """Create the invited person's account and claim the seat with it; returns the user."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    person = invitation.membership.person
    user = User(username=username, email=person.email if person else "")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    accept_invitation(user=user, invitation=invitation)
    return user


# --- instruments ------------------------------------------------------------------------------


@transaction.atomic
def add_instrument(
    *,
    by: Actor,
    table: Table,
    kind: str,
    title: str,
    signed_on: dt.date,
    reference: str = "",
    valid_until: dt.date | None = None,
    document: Any = None,
) -> Instrument:
    require(by, table, "instrument.add")
    _check_choice(kind, InstrumentKind, "kind", _("%(value)s is not a kind of instrument."))
    if valid_until is not None and valid_until < signed_on:
        raise ValidationError(
            {"valid_until": _("An instrument cannot expire before it is signed.")}
        )
    instrument = Instrument(
        table=table,
        kind=kind,
        title=title,
        reference=reference,
        signed_on=signed_on,
        valid_until=valid_until,
    )
    if document is not None:
        instrument.document = document
    instrument.full_clean()
    instrument.save()
    record_event(
        events.INSTRUMENT_ADDED,
        actor=by,
        table=table,
        subject=instrument,
        payload={"kind": kind, "title": title, "signed_on": signed_on.isoformat()},
    )
    return instrument


# --- bulk import ------------------------------------------------------------------------------


@transaction.atomic
def import_members(*, by: Actor, table: Table, rows: list[dict[str, str]]) -> list[Membership]:
    """Register organizations, people and their memberships from spreadsheet rows.

    All or nothing: every row is validated in the same transaction, and one bad row rolls the
    whole import back, so a secretariat never has to find out which half went in.
    """
    require(by, table, "membership.import")
    created: list[Membership] = []
    errors: dict[int, list[str]] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            with transaction.atomic():
                created.append(_import_row(by=by, table=table, row=row))
        except ValidationError as exc:
            errors[number] = messages_of(exc)
    if errors:
        transaction.set_rollback(True)
        raise ImportFailed(errors)
    record_event(
        events.MEMBERS_IMPORTED, actor=by, table=table, subject=table, payload={"rows": len(rows)}
    )
    return created


def _import_row(*, by: Actor, table: Table, row: dict[str, str]) -> Membership:
    sector = row["sector"].strip().lower()
    for missing in ("organization", "sector", "full_name"):
        if not row[missing].strip():
            raise ValidationError({missing: _("This column is required.")})
    organization = Organization.objects.filter(name__iexact=row["organization"].strip()).first()
    if organization is None:
        organization = create_organization(
            by=by, table=table, name=row["organization"], sector=sector, acronym=row["acronym"]
        )
    elif organization.sector != sector:
        raise ValidationError(
            {
                "sector": _("%(organization)s is already registered with the sector %(sector)s.")
                % {"organization": organization.name, "sector": organization.get_sector_display()}
            }
        )
    birth_year = None
    if row["birth_year"].strip():
        try:
            birth_year = int(float(row["birth_year"]))
        except ValueError:
            raise ValidationError({"birth_year": _("Write the birth year as a number.")}) from None
    person = create_person(
        by=by,
        table=table,
        full_name=row["full_name"],
        email=row["email"],
        phone=row["phone"],
        gender=row["gender"],
        birth_year=birth_year,
        people=row["people"],
        languages=row["languages"],
    )
    return add_membership(
        by=by,
        table=table,
        organization=organization,
        person=person,
        role=(row["role"].strip().lower() or Role.MEMBER),
        seat=(row["seat"].strip().lower() or Seat.PRINCIPAL),
    )
