"""Adding documents and new versions of them; every step is an event in the public log, as a
commitment only when the document is not public."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from minga.core.access import Actor, Sensitivity, SystemActor, person_user
from minga.core.events import record_event
from minga.library import events
from minga.library.models import Document, DocumentKind, Version
from minga.tables.models import Organization, Table
from minga.tables.queries import may, require, seats_for


def organizations_for(by: Actor, table: Table) -> list[Organization]:
    """The member organizations ``by`` speaks for on this table (observer seats aside)."""
    seats = seats_for(by, table).exclude(role="observer").select_related("organization")
    return sorted({s.organization for s in seats}, key=lambda o: o.name)


def _owner_for(by: Actor, table: Table, organization: Organization | None) -> Organization:
    """Whose document it is: the one organization the person speaks for, or the one they name
    among theirs; never a guess between several."""
    if isinstance(by, SystemActor):
        if organization is None:
            raise ValidationError(_("Say whose document it is."))
        return organization
    theirs = organizations_for(by, table)
    if not theirs:
        raise PermissionDenied(_("You do not speak for a member organization of this table."))
    if organization is not None:
        if organization not in theirs:
            raise PermissionDenied(_("You do not speak for that organization on this table."))
        return organization
    if len(theirs) > 1:
        raise ValidationError(
            {
                "organization": _(
                    "You speak for several organizations here: say whose document it is."
                )
            }
        )
    return theirs[0]


def may_add_version(by: Actor, document: Document) -> bool:
    """The document's own organization, or the table's secretariat."""
    table = document.table
    return may(by, table, "document.manage") or (
        may(by, table, "document.add")
        and seats_for(by, table, organization=document.owner).exclude(role="observer").exists()
    )


def _store(document: Document, *, by: Actor, upload: Any, note: str) -> Version:
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    last = document.versions.aggregate(n=Max("number"))["n"] or 0
    version = Version(
        document=document,
        number=last + 1,
        filename=upload.name[:250],
        size=size,
        sha256=digest.hexdigest(),
        note=note,
        uploaded_by=person_user(by),
    )
    version.file.save(upload.name, upload, save=False)
    version.save()
    return version


@transaction.atomic
def add_document(
    *,
    by: Actor,
    table: Table,
    kind: str,
    title: str,
    sensitivity: int,
    upload: Any,
    note: str = "",
    organization: Organization | None = None,
    offline: bool = False,
) -> Document:
    require(by, table, "document.add")
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("%(value)s is not a kind of document.") % {"value": kind}})
    if int(sensitivity) not in Sensitivity.values:
        raise ValidationError({"sensitivity": _("Choose who may read it.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    document = Document.objects.create(
        table=table,
        kind=kind,
        title=title.strip(),
        sensitivity=int(sensitivity),
        owner=_owner_for(by, table, organization),
        created_by=person_user(by),
        offline=offline,
    )
    version = _store(document, by=by, upload=upload, note=note)
    record_event(
        events.DOCUMENT_ADDED,
        actor=by,
        table=table,
        subject=document,
        payload={"kind": kind, "title": document.title, "sha256": version.sha256},
        sensitivity=document.sensitivity,
    )
    return document


@transaction.atomic
def add_version(*, by: Actor, document: Document, upload: Any, note: str = "") -> Version:
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not may_add_version(by, document):
        raise PermissionDenied(
            _("Only the document's organization or the secretariat may do this.")
        )
    version = _store(document, by=by, upload=upload, note=note)
    document.save(update_fields=["updated_at"])
    record_event(
        events.VERSION_ADDED,
        actor=by,
        table=document.table,
        subject=document,
        payload={"number": version.number, "sha256": version.sha256, "note": note},
        sensitivity=document.sensitivity,
    )
    return version


def keep_offline(*, by: Actor, document: Document, offline: bool) -> None:
    """Mark (or unmark) a document for members' phones to keep for reading offline. It changes
    what devices keep, not the record: no event is logged."""
    if not may_add_version(by, document):
        raise PermissionDenied(
            _("Only the document's organization or the secretariat may do this.")
        )
    Document.objects.filter(pk=document.pk).update(offline=offline)
