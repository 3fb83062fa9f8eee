"""Every state change of conservation agreements, their FPIC record and incentives."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from shapely import unary_union

from minga.agreements import events
from minga.agreements.models import (
    Agreement,
    AgreementStatus,
    Consent,
    ConsentDecision,
    Delivery,
    FpicConsultation,
    Incentive,
    IncentiveKind,
    Obligation,
    ObligationKind,
)
from minga.core import geo
from minga.core.access import Actor, Sensitivity, SystemActor, person_user
from minga.core.events import record_event
from minga.core.money import validate_currency
from minga.tables.models import Organization, Table
from minga.tables.queries import may, require, seats_for


def speaks_for_community(by: Actor, agreement: Agreement) -> bool:
    if isinstance(by, SystemActor):
        return True
    return seats_for(by, agreement.table, organization=agreement.community).exists()


def may_record(by: Actor, agreement: Agreement) -> bool:
    """The secretariat and convener record for the table; the community records its own."""
    return may(by, agreement.table, "agreement.manage") or speaks_for_community(by, agreement)


def _require_record(by: Actor, agreement: Agreement) -> None:
    if not may_record(by, agreement):
        raise PermissionDenied(_("Only the table's secretariat or the community may record this."))


def _area_inside(table: Table, geometry: Any) -> Any:
    try:
        area = geo.parse_area(geometry)
    except geo.GeometryError as exc:
        raise ValidationError({"geometry": str(exc)}) from None
    territories = [t.shape for t in table.territories.all()]
    if not territories or not geo.covered_by(area, unary_union(territories)):
        raise ValidationError({"geometry": _("The area lies outside the table's territory.")})
    return area


# Shared borders drawn by hand rarely match to the metre: less than this is touching, not overlap.
OVERLAP_MIN_HECTARES = 0.5


def overlapping(table: Table, area: Any, community: Organization) -> list[tuple[Agreement, float]]:
    """Other communities' agreements (draft or signed, their assembly not having refused) whose
    area overlaps this one, with the hectares in common."""
    found = []
    for other in (
        Agreement.objects.filter(
            table=table, status__in=[AgreementStatus.DRAFT, AgreementStatus.SIGNED]
        )
        .exclude(community=community)
        .exclude(geometry__isnull=True)
        .select_related("community")
        .prefetch_related("decisions")
    ):
        if not other.geometry or (
            other.consent and other.consent.decision == ConsentDecision.REFUSE
        ):
            continue
        common = area.intersection(geo.parse_area(other.geometry))
        hectares = geo.geodesic_hectares(common) if not common.is_empty else 0.0
        if hectares >= OVERLAP_MIN_HECTARES:
            found.append((other, hectares))
    return found


@transaction.atomic
def create_agreement(
    *,
    by: Actor,
    table: Table,
    title: str,
    community: Organization,
    counterpart: Organization,
    starts_on: dt.date,
    ends_on: dt.date,
    geometry: Any = None,
    area_sensitivity: int = Sensitivity.PUBLIC,
    renewal: str = "",
    is_demo: bool = False,
    overlap_confirmed: bool = False,
) -> Agreement:
    """A draft agreement. An area overlapping another community's agreement (draft or signed,
    not refused) is saved only once the overlap is confirmed, and the log names it."""
    require(by, table, "agreement.manage")
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("An agreement must end after it starts.")})
    if community.pk == counterpart.pk:
        raise ValidationError({"counterpart": _("An agreement needs two different parties.")})
    agreement = Agreement(
        table=table,
        title=title.strip(),
        community=community,
        counterpart=counterpart,
        starts_on=starts_on,
        ends_on=ends_on,
        area_sensitivity=area_sensitivity,
        renewal=renewal.strip(),
        is_demo=is_demo,
    )
    overlaps: list[tuple[Agreement, float]] = []
    if geometry:
        area = _area_inside(table, geometry)
        agreement.geometry = geo.to_geojson(area)
        agreement.hectares = Decimal(f"{geo.geodesic_hectares(area):.2f}")
        overlaps = overlapping(table, area, community)
    if overlaps and not overlap_confirmed:
        raise ValidationError(
            {
                "overlap_confirmed": [
                    _(
                        "The area overlaps %(hectares)s ha of the agreement “%(title)s” of "
                        "%(community)s. Check the limits with both communities; tick the box to "
                        "save it anyway."
                    )
                    % {
                        "hectares": formats.number_format(ha, 1, use_l10n=True),
                        "title": other.title,
                        "community": other.community.name,
                    }
                    for other, ha in overlaps
                ]
            }
        )
    agreement.full_clean()
    agreement.save()
    payload: dict[str, Any] = {"title": agreement.title, "community": community.public_id}
    if overlaps:
        payload["overlaps"] = [other.public_id for other, _ha in overlaps]
    record_event(
        events.AGREEMENT_CREATED,
        actor=by,
        table=table,
        subject=agreement,
        payload=payload,
    )
    return agreement


@transaction.atomic
def add_obligation(
    *,
    by: Actor,
    agreement: Agreement,
    kind: str,
    description: str = "",
    per_year: int | None = None,
) -> Obligation:
    require(by, agreement.table, "agreement.manage")
    if kind not in ObligationKind.values:
        raise ValidationError(
            {"kind": _("%(value)s is not a kind of obligation.") % {"value": kind}}
        )
    obligation = Obligation.objects.create(
        agreement=agreement, kind=kind, description=description.strip(), per_year=per_year
    )
    record_event(
        events.OBLIGATION_ADDED,
        actor=by,
        table=agreement.table,
        subject=agreement,
        payload={"kind": kind},
    )
    return obligation


@transaction.atomic
def add_incentive(
    *,
    by: Actor,
    agreement: Agreement,
    kind: str,
    planned: Any,
    unit: str,
    description: str = "",
    currency: str = "",
) -> Incentive:
    require(by, agreement.table, "agreement.manage")
    if kind not in IncentiveKind.values:
        raise ValidationError(
            {"kind": _("%(value)s is not a kind of incentive.") % {"value": kind}}
        )
    planned = _quantity(planned, "planned")
    if kind == IncentiveKind.MONETARY:
        try:
            validate_currency(currency.strip().upper())
        except ValidationError as exc:
            raise ValidationError({"currency": exc.messages}) from None
    incentive = Incentive.objects.create(
        agreement=agreement,
        kind=kind,
        planned=planned,
        unit=unit.strip(),
        description=description.strip(),
        currency=currency.strip().upper(),
    )
    record_event(
        events.INCENTIVE_ADDED,
        actor=by,
        table=agreement.table,
        subject=agreement,
        payload={"kind": kind, "planned": str(planned)},
    )
    return incentive


def _quantity(value: Any, field: str) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(
            {field: _("%(value)s is not a quantity.") % {"value": value}}
        ) from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError({field: _("A quantity must be more than zero.")})
    return quantity


@transaction.atomic
def record_consultation(
    *,
    by: Actor,
    agreement: Agreement,
    held_on: dt.date,
    place: str,
    language: str,
    interpreter: str = "",
    participants: int = 0,
    notes: str = "",
) -> FpicConsultation:
    _require_record(by, agreement)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("A consultation is recorded after it was held.")})
    consultation = FpicConsultation.objects.create(
        agreement=agreement,
        held_on=held_on,
        place=place.strip(),
        language=language.strip(),
        interpreter=interpreter.strip(),
        participants=participants,
        notes=notes.strip(),
    )
    record_event(
        events.FPIC_CONSULTATION_RECORDED,
        actor=by,
        table=agreement.table,
        subject=agreement,
        payload={
            "held_on": held_on.isoformat(),
            "language": consultation.language,
            "participants": participants,
        },
    )
    return consultation


@transaction.atomic
def record_consent(
    *, by: Actor, agreement: Agreement, decision: str, decided_on: dt.date, minutes: str
) -> Consent:
    """The community assembly's decision, after at least one recorded consultation. After a
    refusal, a renegotiation (a consultation held after it) may lead to a new decision; the
    refusal stays in the record."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_record(by, agreement)
    if decision not in ConsentDecision.values:
        raise ValidationError({"decision": _("Choose consent or refusal.")})
    if not agreement.consultations.exists():
        raise ValidationError(_("Record the consultations before the assembly's decision."))
    if not minutes.strip():
        raise ValidationError({"minutes": _("Attach the assembly's minutes.")})
    latest = Consent.objects.filter(agreement=agreement).last()
    if latest is not None:
        if latest.decision != ConsentDecision.REFUSE:
            raise ValidationError(_("The assembly's decision is already recorded."))
        if not agreement.consultations.filter(held_on__gt=latest.decided_on).exists():
            raise ValidationError(
                _(
                    "The assembly refused on %(date)s: record the consultation of the "
                    "renegotiation, held after the refusal, before a new decision."
                )
                % {"date": formats.date_format(latest.decided_on, "DATE_FORMAT")}
            )
        if decided_on <= latest.decided_on:
            raise ValidationError(
                {"decided_on": _("A new decision comes after the refusal it answers.")}
            )
    consent = Consent.objects.create(
        agreement=agreement, decision=decision, decided_on=decided_on, minutes=minutes.strip()
    )
    record_event(
        events.CONSENT_RECORDED,
        actor=by,
        table=agreement.table,
        subject=agreement,
        payload={"decision": decision, "decided_on": decided_on.isoformat()},
    )
    return consent


@transaction.atomic
def sign_agreement(
    *, by: Actor, agreement: Agreement, signed_on: dt.date, signatories: str
) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require(by, agreement.table, "agreement.manage")
    consent = Consent.objects.filter(agreement=agreement).last()
    if consent is None or not consent.stands:
        raise ValidationError(
            _(
                "This agreement cannot be signed without the community's recorded free, prior and informed consent."
            )
        )
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError(_("Only a draft agreement can be signed."))
    if not signatories.strip():
        raise ValidationError({"signatories": _("Name who signs for each party.")})
    agreement.status, agreement.signed_on, agreement.signatories = (
        AgreementStatus.SIGNED,
        signed_on,
        signatories.strip(),
    )
    agreement.save(update_fields=["status", "signed_on", "signatories", "updated_at"])
    record_event(
        events.AGREEMENT_SIGNED,
        actor=by,
        table=agreement.table,
        subject=agreement,
        payload={"signed_on": signed_on.isoformat()},
    )
    return agreement


@transaction.atomic
def record_delivery(
    *, by: Actor, incentive: Incentive, quantity: Any, delivered_on: dt.date, evidence: str = ""
) -> Delivery:
    """A delivery of an incentive; the same delivery twice, or more than planned, is refused."""
    incentive = (
        Incentive.objects.select_for_update()
        .select_related("agreement__table")
        .get(pk=incentive.pk)
    )
    agreement = incentive.agreement
    _require_record(by, agreement)
    if agreement.status != AgreementStatus.SIGNED:
        raise ValidationError(_("Incentives are delivered under a signed agreement."))
    quantity = _quantity(quantity, "quantity")
    if incentive.deliveries.filter(delivered_on=delivered_on).exists():
        raise ValidationError(
            {
                "delivered_on": _("A delivery of this incentive on %(date)s is already recorded.")
                % {"date": delivered_on.isoformat()}
            }
        )
    delivered = incentive.deliveries.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
    if delivered + quantity > incentive.planned:
        raise ValidationError(
            {
                "quantity": _(
                    "Only %(left)s %(unit)s remain to deliver of the %(planned)s planned."
                )
                % {
                    "left": incentive.planned - delivered,
                    "unit": incentive.unit,
                    "planned": incentive.planned,
                }
            }
        )
    delivery = Delivery.objects.create(
        incentive=incentive,
        quantity=quantity,
        delivered_on=delivered_on,
        evidence=evidence.strip(),
        recorded_by=person_user(by),
    )
    record_event(
        events.INCENTIVE_DELIVERED,
        actor=by,
        table=agreement.table,
        subject=agreement,
        payload={
            "incentive": incentive.kind,
            "quantity": str(quantity),
            "delivered_on": delivered_on.isoformat(),
        },
    )
    return delivery


@transaction.atomic
def withdraw_consent(
    *, by: Actor, agreement: Agreement, withdrawn_on: dt.date, reason: str
) -> Agreement:
    """The community withdraws its consent: the agreement is suspended and the community's
    owner-level data is deleted; the log keeps only a hash commitment of what was deleted.

    Upper areas delete their own owner-level data in an in-transaction hook on
    ``agreements.consent_withdrawn`` (field monitoring: its observations), recording their own
    event, so the withdrawal and every deletion commit together or not at all."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_record(by, agreement)
    consent = Consent.objects.filter(agreement=agreement).last()
    if consent is None or not consent.stands:
        raise ValidationError(_("There is no standing consent to withdraw."))
    consent.withdrawn_on, consent.withdrawal_reason = withdrawn_on, reason.strip()
    consent.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    commitments = []
    if agreement.area_sensitivity == Sensitivity.OWNER and agreement.geometry:
        commitments.append(
            hashlib.sha256(json.dumps(agreement.geometry, sort_keys=True).encode()).hexdigest()
        )
        agreement.geometry = None
        agreement.hectares = None
    agreement.status = AgreementStatus.SUSPENDED
    agreement.save(update_fields=["status", "geometry", "hectares", "updated_at"])
    record_event(
        events.CONSENT_WITHDRAWN,
        actor=by,
        table=agreement.table,
        subject=agreement,
        sensitivity=Sensitivity.OWNER,
        payload={"deleted_sha256": commitments, "withdrawn_on": withdrawn_on.isoformat()},
    )
    return agreement
