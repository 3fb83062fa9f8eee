from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from minga.library.models import Document, Version
from minga.tables.models import Instrument, Table
from minga.tables.queries import readable_by


def documents_for(user: Any, table: Table) -> QuerySet[Document]:
    """The documents this viewer may read: public ones; the table's to its members; owner-only
    ones to the people of the organization whose document it is."""
    latest = Version.objects.order_by("-number")
    return (
        Document.objects.filter(table=table)
        .filter(readable_by(user, table))
        .select_related("owner")
        .annotate(version_count=Count("versions"))
        .prefetch_related(Prefetch("versions", queryset=latest))
    )


def get_document(user: Any, table: Table, public_id: str) -> Document:
    """The document, or 404 for anyone who may not read it (its existence included)."""
    try:
        return documents_for(user, table).get(public_id=public_id)
    except Document.DoesNotExist:
        raise Http404 from None


def instruments_with_files(table: Table) -> QuerySet[Instrument]:
    """The table's legal instruments that carry a document (public, as the table's page shows)."""
    return Instrument.objects.filter(table=table).exclude(document="")
