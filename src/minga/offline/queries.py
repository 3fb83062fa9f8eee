"""What a person's phone keeps for reading without a connection, and who is looking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from minga.agreements.models import Agreement
from minga.decisions.models import Consultation, ConsultationStatus, Round
from minga.library.models import Document
from minga.meetings.models import Meeting, MeetingStatus
from minga.tables.models import Membership, Table
from minga.tables.queries import may, readable_by
from minga.work.queries import work_for

MEETINGS_AHEAD = dt.timedelta(days=60)
MINUTES_BACK = dt.timedelta(days=180)
# what kept pages load beyond what every page does: maps, the live parts of some forms
ASSETS = [
    "core/map.js",
    "core/print.css",
    "vendor/htmx/htmx.min.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
]


def kept_for(user: Any, now: dt.datetime | None = None) -> dict[str, list[str]]:
    """The pages and files a logged-in person's phone keeps: "My work" and what waits there; the
    open rounds of their tables with their proposals; open consultations with their documents;
    the next meetings and their agendas; recent minutes; the documents their tables marked for
    offline use; their community's agreements.
    Only what this person may read: each address is fetched again with their session."""
    now = now or timezone.now()
    seats = Membership.objects.active().filter(person__user=user)
    table_ids = set(seats.values_list("table_id", flat=True))
    organizations = set(seats.values_list("organization_id", flat=True))
    tables = {t.pk: t for t in Table.objects.filter(pk__in=table_ids)}
    pages = [reverse("my-work"), reverse("network"), reverse("offline-help")]
    pages += [reverse("table", kwargs={"slug": t.slug}) for t in tables.values()]
    for items in work_for(user, now).kinds().values():
        pages += [item.url.partition("#")[0] for item in items]
    rounds = Round.objects.filter(
        proposal__table_id__in=table_ids, closed_at__isnull=True, closes_at__gt=now
    ).select_related("proposal__table")
    pages += [
        reverse(
            "proposal", kwargs={"slug": r.proposal.table.slug, "public_id": r.proposal.public_id}
        )
        for r in rounds
    ]
    # open consultations, with the document they are about
    files: list[str] = []
    consultations = Consultation.objects.filter(
        table_id__in=table_ids,
        status=ConsultationStatus.OPEN,
        deadline__gte=timezone.localdate(now),
    ).select_related("table")
    for consultation in consultations:
        args = {"slug": consultation.table.slug, "public_id": consultation.public_id}
        pages.append(reverse("consultation", kwargs=args))
        if consultation.document:
            files.append(reverse("consultation-document", kwargs=args))
    meetings = Meeting.objects.filter(table_id__in=table_ids).select_related("table")
    ahead = meetings.filter(
        starts_at__gte=now - dt.timedelta(days=1),
        starts_at__lte=now + MEETINGS_AHEAD,
        status__in=[MeetingStatus.CONVENED, MeetingStatus.HELD],
    )
    minutes = meetings.filter(published_at__gte=now - MINUTES_BACK)
    for meeting in [*ahead, *minutes]:
        args = {"slug": meeting.table.slug, "public_id": meeting.public_id}
        pages.append(reverse("meeting", kwargs=args))
        if meeting.published_at is None and may(user, meeting.table, "meeting.manage"):
            # the secretariat types the paper sheet in, wherever the meeting was held
            pages.append(reverse("meeting-attendance", kwargs=args))
    for table in tables.values():
        marked = (
            Document.objects.filter(table=table, offline=True)
            .filter(readable_by(user, table))
            .prefetch_related("versions")
        )
        for document in marked:
            args = {"slug": table.slug, "public_id": document.public_id}
            pages.append(reverse("library-document", kwargs=args))
            latest = max(document.versions.all(), key=lambda v: v.number, default=None)
            if latest is not None:
                files.append(reverse("library-download", kwargs={**args, "number": latest.number}))
    pages += [
        reverse("observation-new", kwargs={"slug": t.slug})
        for t in tables.values()
        if may(user, t, "monitoring.import")
    ]
    # where an incident is reported from
    pages += [
        reverse("health", kwargs={"slug": t.slug})
        for t in tables.values()
        if may(user, t, "incident.report")
    ]
    agreements = Agreement.objects.filter(community_id__in=organizations).select_related("table")
    pages += [
        reverse("agreement", kwargs={"slug": a.table.slug, "public_id": a.public_id})
        for a in agreements
    ]
    return {
        "pages": list(dict.fromkeys(pages)),
        "files": list(dict.fromkeys(files)),
        "assets": [static(name) for name in ASSETS],
    }
