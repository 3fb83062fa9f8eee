"""A community adopts labels (from Local Contexts' list or its Hub project), applies them to its
records, and takes them off. Restricting labels raise the record to owner-only and set its label
floor in the same transaction, so no later write (import, edit, bulk update) can lower it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minga.agreements.models import Agreement
from minga.core.access import Actor, Sensitivity, person_user
from minga.core.events import record_event
from minga.labels import catalog, events, hub, queries
from minga.labels.models import Applied, HubProject, Label, Target
from minga.library.models import Document
from minga.monitoring.models import KIND_CHOICES, CategoryLabel, CategoryMapping, Observation
from minga.tables.models import Organization, Table
from minga.tables.queries import speaks_for

KINDS = {code for code, _name in KIND_CHOICES}


def _require(by: Actor, table: Table, community: Organization) -> None:
    if not speaks_for(by, table, community):
        raise PermissionDenied(
            _("Only a person seated for %(community)s puts its labels on its records.")
            % {"community": community.name}
        )


@transaction.atomic
def adopt(
    *,
    by: Actor,
    table: Table,
    community: Organization,
    category: str,
    label_type: str,
    text: str = "",
) -> Label:
    """The community starts using a label from Local Contexts' list, in its own words if given."""
    _require(by, table, community)
    kind = catalog.known(category, label_type)
    if kind is None:
        raise ValidationError({"label_type": _("That is not a Local Contexts label.")})
    label, created = Label.objects.get_or_create(
        table=table,
        community=community,
        category=category,
        label_type=label_type,
        hub_id="",
        defaults={"name": f"{kind.name} ({kind.abbreviation})", "text": text.strip()},
    )
    if not created and text.strip():
        label.text = text.strip()
        label.save(update_fields=["text", "updated_at"])
    record_event(
        events.LABEL_ADOPTED,
        actor=by,
        table=table,
        subject=label,
        payload={"community": community.name, "category": category, "label_type": label_type},
    )
    return label


def _link(value: Any) -> str:
    """A Hub page's address, kept only when it is a web address."""
    text = str(value or "")[:500]
    return text if text.startswith(("https://", "http://")) else ""


def _hub_labels(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [(catalog.TK, item) for item in body.get("tk_labels") or [] if isinstance(item, dict)]
    found += [(catalog.BC, item) for item in body.get("bc_labels") or [] if isinstance(item, dict)]
    for item in body.get("notice") or body.get("notices") or []:
        if isinstance(item, dict):
            found.append((catalog.NOTICE, {**item, "label_type": item.get("notice_type", "")}))
    return found


@transaction.atomic
def keep_hub_project(
    *, by: Actor, table: Table, community: Organization, body: dict[str, Any]
) -> HubProject:
    """Keep a Hub project and its labels here, as the Hub (or its file) says them. A label kept
    before is updated in place, so where it is applied stays."""
    _require(by, table, community)
    body = hub.check(body)
    held = HubProject.objects.filter(table=table, hub_id=str(body["unique_id"])[:64]).first()
    if held is not None and held.community_id != community.pk:
        raise ValidationError(
            _("That Hub project is kept here for %(community)s.")
            % {"community": held.community.name}
        )
    project, _created = HubProject.objects.update_or_create(
        table=table,
        hub_id=str(body["unique_id"])[:64],
        defaults={
            "community": community,
            "title": str(body.get("title") or body["unique_id"])[:300],
            "page": _link(body.get("project_page")),
            "fetched_at": timezone.now(),
            "body": body,
        },
    )
    for category, item in _hub_labels(body):
        label_type = str(item.get("label_type") or "")[:40]
        if not label_type or not item.get("unique_id"):
            continue
        Label.objects.update_or_create(
            table=table,
            community=community,
            category=category,
            label_type=label_type,
            hub_id=str(item["unique_id"])[:64],
            defaults={
                "name": str(item.get("name") or label_type)[:200],
                "text": str(item.get("label_text") or item.get("default_text") or ""),
                "language": str(item.get("language_tag") or "")[:40],
                "translations": [t for t in item.get("translations") or [] if isinstance(t, dict)],
                "hub_project": project,
                "page": _link(item.get("label_page")),
            },
        )
    record_event(
        events.HUB_PROJECT_CACHED,
        actor=by,
        table=table,
        subject=project,
        payload={"community": community.name, "hub_project": project.hub_id},
    )
    return project


def fetch_hub_project(
    *, by: Actor, table: Table, community: Organization, project_id: str
) -> HubProject:
    """Ask the Hub for the project now (outside any transaction), then keep it."""
    _require(by, table, community)
    return keep_hub_project(by=by, table=table, community=community, body=hub.fetch(project_id))


# --- applying ----------------------------------------------------------------------------------


def _record(label: Label, target: str, target_id: str) -> Any:
    """The labelled record, checked to be the community's own."""
    table, community = label.table, label.community
    if target == Target.CATEGORY:
        codes = set(CategoryMapping.objects.filter(table=table).values_list("code", flat=True))
        if target_id not in KINDS | codes:
            raise ValidationError({"target_id": _("That is not a type or category of this table.")})
        return None
    models: dict[str, tuple[Any, str]] = {
        Target.AGREEMENT: (Agreement, "community"),
        Target.OBSERVATION: (Observation, "owner"),
        Target.DOCUMENT: (Document, "owner"),
    }
    model, owner = models[target]
    found = model.objects.filter(table=table, public_id=target_id).first()
    if found is None:
        raise ValidationError({"target_id": _("No such record on this table.")})
    if getattr(found, f"{owner}_id") != community.pk:
        raise ValidationError(
            {"target_id": _("Only %(community)s's own records carry its labels.")
             % {"community": community.name}}
        )  # fmt: skip
    return found


def _category_observations(table: Table, community: Organization, code: str) -> list[int]:
    return [
        pk
        for pk, kind, categories in Observation.objects.filter(
            table=table, owner=community
        ).values_list("pk", "kind", "categories")
        if kind == code or code in (categories or [])
    ]


def _restricting(table: Table, community: Organization, target: str, target_id: str) -> bool:
    """Whether a restricting label of the community is still on this record."""
    return any(
        (a.label.category, a.label.label_type) in catalog.RESTRICTING
        for a in Applied.objects.filter(
            label__table=table, label__community=community, target=target, target_id=target_id
        ).select_related("label")
    )


def _floor(label: Label, target: str, target_id: str, record: Any, floor: int) -> None:
    """Set the label floor of the record (raising its sensitivity to it)."""
    owner = Sensitivity.OWNER
    if target == Target.AGREEMENT:
        record.label_floor = floor
        record.area_sensitivity = max(record.area_sensitivity, floor)
        record.save(update_fields=["label_floor", "area_sensitivity", "updated_at"])
    elif target in (Target.OBSERVATION, Target.DOCUMENT):
        if not floor and target == Target.OBSERVATION and _still_bound(record):
            return  # its type or category still holds it
        record.label_floor = floor
        record.sensitivity = max(record.sensitivity, floor)
        record.save(update_fields=["label_floor", "sensitivity", "updated_at"])
    else:
        table, community = label.table, label.community
        if floor:
            Observation.objects.filter(
                pk__in=_category_observations(table, community, target_id)
            ).update(sensitivity=owner, label_floor=owner)
            return
        for observation in Observation.objects.filter(
            pk__in=_category_observations(table, community, target_id)
        ):
            if not _still_bound(observation):
                observation.label_floor = 0
                observation.save(update_fields=["label_floor", "updated_at"])


def _keep_names(label: Label, target: str, target_id: str) -> None:
    """Write the labels' names where the lower areas read them: the category's row (which
    the import pipeline applies to new observations) and each observation concerned."""
    table, community = label.table, label.community
    if target == Target.CATEGORY:
        on_code = [
            a.label
            for a in Applied.objects.filter(
                label__table=table, label__community=community, target=target, target_id=target_id
            ).select_related("label")
        ]
        if on_code:
            CategoryLabel.objects.update_or_create(
                table=table,
                owner=community,
                code=target_id,
                defaults={
                    "names": queries.names(on_code),
                    "restricts": any(lb.restricts for lb in on_code),
                },
            )
        else:
            CategoryLabel.objects.filter(table=table, owner=community, code=target_id).delete()
        concerned = Observation.objects.filter(
            pk__in=_category_observations(table, community, target_id)
        )
    elif target == Target.OBSERVATION:
        concerned = Observation.objects.filter(table=table, public_id=target_id)
    else:
        return
    found = list(concerned)
    names = queries.on_observations(found)
    for observation in found:
        shown = queries.names(names.get(observation.public_id, []))[:500]
        if observation.labels != shown:
            Observation.objects.filter(pk=observation.pk).update(labels=shown)


def _still_bound(observation: Observation) -> bool:
    """An observation a restricting label still holds: on itself, or on its type or category."""
    if observation.owner is None:
        return False
    if _restricting(
        observation.table, observation.owner, Target.OBSERVATION, observation.public_id
    ):
        return True
    codes = {observation.kind, *(observation.categories or [])}
    return CategoryLabel.objects.filter(
        table=observation.table, owner=observation.owner, code__in=codes, restricts=True
    ).exists()


def _level(label: Label, record: Any) -> int:
    if label.restricts:
        return Sensitivity.OWNER
    if isinstance(record, (Observation, Document)):
        return int(record.sensitivity)
    return Sensitivity.PUBLIC


@transaction.atomic
def apply(*, by: Actor, label: Label, target: str, target_id: str) -> Applied:
    """Put the community's label on one of its records. A restricting label keeps the record
    to the community from now on: what the public log already holds of it stays there."""
    _require(by, label.table, label.community)
    if target not in Target.values:
        raise ValidationError({"target": _("Labels go on agreements, observations, categories "
                                           "and documents.")})  # fmt: skip
    target_id = target_id.strip()
    record = _record(label, target, target_id)
    applied, created = Applied.objects.get_or_create(
        label=label,
        target=target,
        target_id=target_id,
        defaults={"applied_by": person_user(by)},
    )
    _keep_names(label, target, target_id)
    if label.restricts:
        _floor(label, target, target_id, record, Sensitivity.OWNER)
    if created:
        record_event(
            events.LABEL_APPLIED,
            actor=by,
            table=label.table,
            subject=label,
            # which record a restricting label guards is the community's to know, and a
            # record the public cannot see is not named to it either
            sensitivity=_level(label, record),
            payload={
                "label": label.public_id,
                "category": label.category,
                "label_type": label.label_type,
                "target": target,
                "target_id": target_id,
            },
        )
    return applied


@transaction.atomic
def remove(*, by: Actor, applied: Applied) -> None:
    """Take a label off. The record's sensitivity stays where it is: the community lowers it
    itself if it wants to, once no restricting label holds it."""
    label = applied.label
    _require(by, label.table, label.community)
    target, target_id = applied.target, applied.target_id
    try:
        record = _record(label, target, target_id)
    except ValidationError:
        record = None  # the record is gone: only the label's trace goes with it
    applied.delete()
    _keep_names(label, target, target_id)
    if (
        label.restricts
        and not _restricting(label.table, label.community, target, target_id)
        and (record is not None or target == Target.CATEGORY)
    ):
        _floor(label, target, target_id, record, 0)
    record_event(
        events.LABEL_REMOVED,
        actor=by,
        table=label.table,
        subject=label,
        sensitivity=_level(label, record),
        payload={"label": label.public_id, "target": target, "target_id": target_id},
    )
