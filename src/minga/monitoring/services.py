"""Importing field data (idempotent by each tool's stable id), and forgetting owner-level data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyproj import Geod
from shapely.geometry import Point

from minga.agreements.models import Agreement
from minga.core.access import SYSTEM, Actor, Sensitivity, person_user
from minga.core.events import record_event
from minga.core.geo import parse_area
from minga.core.models import RunStatus
from minga.monitoring import events, formats
from minga.monitoring.models import FieldImport, Observation, Patrol, Quarantined
from minga.tables.models import Membership, Table
from minga.tables.queries import require

_GEOD = Geod(ellps="WGS84")
LEVEL = {"public": Sensitivity.PUBLIC, "table": Sensitivity.TABLE, "owner": Sensitivity.OWNER}


@dataclass
class Summary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0

    def line(self) -> str:
        return f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {self.quarantined} quarantined"


def _km(points: list[tuple[float, float]]) -> Decimal:
    if len(points) < 2:
        return Decimal(0)
    lons, lats = zip(*points, strict=True)
    return Decimal(f"{_GEOD.line_length(lons, lats) / 1000:.2f}")


def _agreement_at(
    table: Table, lon: float, lat: float, agreements: list[tuple[Agreement, Any]]
) -> Agreement | None:
    point = Point(lon, lat)
    return next((a for a, area in agreements if area.covers(point)), None)


def import_field(
    *,
    by: Actor,
    table: Table,
    parsed: formats.Parsed,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Bring a parsed export in, in one transaction. Good rows go in (or update by their stable
    id when their version changed); refused rows go to the quarantine with their reason."""
    require(by, table, "monitoring.import")
    summary = Summary()
    batch = _Batch(by, table, parsed)
    total = len(parsed.tracks) + len(parsed.observations)
    with transaction.atomic():
        for done in range(total):
            batch.row(done, summary)
            if progress:
                progress(done + 1, total)
        batch.finish(filename, summary)
        batch.mail_alerts_after_commit()
    return summary


class _Batch:
    """Rows of one parsed export, by position: its tracks first, then its observations."""

    def __init__(self, by: Actor, table: Table, parsed: formats.Parsed) -> None:
        self.by, self.table, self.parsed = by, table, parsed
        self.areas = [
            (a, parse_area(a.geometry)) for a in Agreement.objects.filter(table=table) if a.geometry
        ]
        self.patrols: dict[str, Patrol] = {}
        self.alerts: list[int] = []

    @property
    def total(self) -> int:
        return len(self.parsed.tracks) + len(self.parsed.observations)

    def row(self, position: int, summary: Summary) -> None:
        """Import the row at ``position``. Call it inside a transaction."""
        tracks = self.parsed.tracks
        if position < len(tracks):
            self._track(tracks[position])
        else:
            self._observation(self.parsed.observations[position - len(tracks)], summary)

    def _track(self, track: Any) -> None:
        table, parsed = self.table, self.parsed
        patrol, created = Patrol.objects.get_or_create(
            table=table,
            source=parsed.format,
            source_key=track.key,
            defaults={"started_at": track.started_at},
        )
        if created or patrol.version != track.version:
            patrol.version, patrol.started_at, patrol.monitors = (
                track.version,
                track.started_at,
                track.monitors[:250],
            )
            patrol.track = {
                "type": "LineString",
                "coordinates": [list(p) for p in track.points],
            }
            patrol.kilometres = _km(track.points)
            first = track.points[0] if track.points else None
            patrol.agreement = (
                _agreement_at(table, first[0], first[1], self.areas) if first else None
            )
            patrol.save()
        self.patrols[track.key] = patrol

    def _observation(self, item: Any, summary: Summary) -> None:
        table, parsed = self.table, self.parsed
        existing = Observation.objects.filter(
            table=table, source=parsed.format, source_key=item.key
        ).first()
        if item.deleted:
            if existing is not None:
                existing.delete()
                summary.updated += 1
            else:
                summary.unchanged += 1
            return
        agreement = _agreement_at(table, item.lon, item.lat, self.areas)
        fields = {
            "version": item.version,
            "observed_at": item.observed_at,
            "kind": item.kind,
            "lon": item.lon,
            "lat": item.lat,
            "notes": item.notes,
            "photos": list(item.photos),
            "sensitivity": LEVEL[item.sensitivity],
            "raw": json.loads(json.dumps(item.raw, default=str)),
            "agreement": agreement,
            "owner": agreement.community if agreement else None,
            "patrol": self.patrols.get(item.patrol_key)
            or Patrol.objects.filter(table=table, source_key=item.patrol_key).first(),
        }
        if existing is None:
            observation = Observation.objects.create(
                table=table, source=parsed.format, source_key=item.key, **fields
            )
            summary.new += 1
            if item.kind in formats.SERIOUS:
                self._alert(observation)
        elif existing.version != item.version:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            summary.updated += 1
        else:
            summary.unchanged += 1

    def _alert(self, observation: Observation) -> None:
        """Mining, logging or fire seen on the ground: an event now, one mail after the commit."""
        table = self.table
        record_event(
            events.ALERT_RAISED,
            actor=self.by,
            table=table,
            subject=observation,
            sensitivity=observation.sensitivity,
            payload={
                "kind": observation.kind,
                "observed_at": observation.observed_at.isoformat(),
            },
        )
        self.alerts.append(observation.pk)

    def mail_alerts_after_commit(self) -> None:
        ids, table = self.alerts, self.table
        self.alerts = []
        if ids:
            transaction.on_commit(lambda: _mail_alerts(table, ids))

    def finish(self, filename: str, summary: Summary) -> None:
        """The quarantine and the import's event, once every row is in."""
        table, parsed = self.table, self.parsed
        # A file imported again (fixed, or not) replaces what it left in quarantine before.
        if filename:
            Quarantined.objects.filter(
                table=table, source=parsed.format, filename=filename[:250], resolved=False
            ).update(resolved=True)
        for refused in parsed.rejected:
            Quarantined.objects.create(
                table=table,
                source=parsed.format,
                filename=filename[:250],
                row=str(refused.row),
                reason=refused.reason,
                detail=refused.detail[:250],
                raw=json.loads(json.dumps(refused.raw, default=str)),
            )
            summary.quarantined += 1
        record_event(
            events.FIELD_DATA_IMPORTED,
            actor=self.by,
            table=table,
            payload={"format": parsed.format, "file": filename, **summary.__dict__},
        )


# --- imports in the background ----------------------------------------------------------------


def queue_field_import(
    *, by: Actor, table: Table, content: bytes, filename: str, fmt: str | None, total: int
) -> FieldImport:
    """Keep the file and have the worker import it (large files)."""
    require(by, table, "monitoring.import")
    with transaction.atomic():
        job = FieldImport.objects.create(
            table=table,
            filename=filename[:250],
            format=fmt or "",
            content=content,
            total=total,
            requested_by=person_user(by),
        )
        # The worker is asked by a hook of ``monitoring.tasks`` once this commits.
        record_event(
            events.FIELD_IMPORT_QUEUED,
            actor=by,
            table=table,
            subject=job,
            sensitivity=Sensitivity.TABLE,
            payload={"format": fmt or "", "rows": total},
        )
    return job


def run_field_import(job: FieldImport, *, chunk: int | None = None) -> FieldImport:
    """Import ``job``'s file in chunks, each committed with the position it reached and the
    running summary. Started again after a crash, it goes on from the last committed chunk: no
    row is imported twice and none is lost."""

    chunk = chunk or settings.MINGA_IMPORT_CHUNK
    if job.status == RunStatus.DONE:
        return job
    parsed = formats.parse(bytes(job.content), job.format or None, job.filename)
    by = job.requested_by or SYSTEM
    batch = _Batch(by, job.table, parsed)
    FieldImport.objects.filter(pk=job.pk).update(status=RunStatus.RUNNING, total=batch.total)
    while True:
        with transaction.atomic():
            job = FieldImport.objects.select_for_update().get(pk=job.pk)
            if job.done >= batch.total:
                break
            summary = Summary(**job.summary)
            end = min(job.done + chunk, batch.total)
            for position in range(job.done, end):
                batch.row(position, summary)
            job.done, job.summary = end, summary.__dict__
            job.save(update_fields=["done", "summary", "updated_at"])
            batch.mail_alerts_after_commit()
    with transaction.atomic():
        job = FieldImport.objects.select_for_update().get(pk=job.pk)
        if job.status != RunStatus.DONE:
            summary = Summary(**job.summary)
            batch.finish(job.filename, summary)
            job.summary, job.status = summary.__dict__, RunStatus.DONE
            job.finished_at = timezone.now()
            job.content = b""  # the rows are in; the file need not be kept
            job.save()
    return job


def observed_since(table: Table, since: dt.datetime) -> int:
    return Observation.objects.filter(table=table, observed_at__gte=since).count()


def _mail_alerts(table: Table, ids: list[int]) -> None:
    """Tell the secretariat at once: mining, logging or fire seen on the ground."""

    emails = sorted(
        set(
            Membership.objects.active()
            .filter(table=table, role__in=["secretariat", "convener"])
            .exclude(person__email="")
            .values_list("person__email", flat=True)
        )
    )
    found = list(Observation.objects.filter(pk__in=ids))
    if not emails or not found:
        return
    lines = [
        f"- {o.get_kind_display()} · {o.observed_at:%Y-%m-%d} · {o.lat:.5f}, {o.lon:.5f}"
        for o in found
        if o.sensitivity < 2
    ]
    hidden = len(found) - len(lines)
    if hidden:
        lines.append(
            _("- %(count)s more, recorded by communities as theirs only") % {"count": hidden}
        )
    send_mail(
        _("Alert on the %(table)s: %(count)s serious observations")
        % {"table": table.name, "count": len(found)},
        "\n".join(lines),
        None,
        emails,
    )
