"""The regional network: a region's task force publishes guidance and priorities down to its
tables; each table acknowledges and answers back up."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minga.core.access import Actor, person_user
from minga.core.events import record_event
from minga.tables import events
from minga.tables.models import Guidance, GuidanceAnswer, GuidanceKind, Region, Table
from minga.tables.queries import require, task_force_organization


@transaction.atomic
def publish_guidance(
    *,
    by: Actor,
    region: Region,
    kind: str,
    title: str,
    body: str,
    answer_by: dt.date | None = None,
) -> Guidance:
    organization = task_force_organization(by, region)
    if organization is None:
        raise PermissionDenied(_("Only the region's task force may publish guidance."))
    if kind not in GuidanceKind.values:
        raise ValidationError({"kind": _("%(value)s is not a kind of guidance.") % {"value": kind}})
    if not title.strip() or not body.strip():
        raise ValidationError(_("Give the guidance a title and a text."))
    if answer_by is not None and answer_by < timezone.localdate():
        raise ValidationError({"answer_by": _("The date to answer by has passed.")})
    guidance = Guidance.objects.create(
        region=region,
        kind=kind,
        title=title.strip(),
        body=body.strip(),
        organization=organization,
        answer_by=answer_by,
        published_by=person_user(by),
    )
    record_event(
        events.GUIDANCE_PUBLISHED,
        actor=by,
        subject=guidance,
        payload={"region": region.slug, "kind": kind, "title": guidance.title},
    )
    return guidance


@transaction.atomic
def answer_guidance(
    *, by: Actor, guidance: Guidance, table: Table, answer: str = ""
) -> GuidanceAnswer:
    """Acknowledge the guidance for the table (with an answer, or one added later)."""
    require(by, table, "guidance.answer")
    if table.region_id != guidance.region_id:
        raise ValidationError(_("This guidance is for the tables of another region."))
    found, created = GuidanceAnswer.objects.get_or_create(
        guidance=guidance, table=table, defaults={"answered_by": person_user(by)}
    )
    if not created and not answer.strip():
        raise ValidationError(_("The table has already acknowledged this guidance."))
    if answer.strip():
        found.answer, found.answered_by = answer.strip(), person_user(by)
        found.save(update_fields=["answer", "answered_by", "updated_at"])
    record_event(
        events.GUIDANCE_ANSWERED,
        actor=by,
        table=table,
        subject=guidance,
        payload={"acknowledged": True, "answered": bool(found.answer)},
    )
    return found
