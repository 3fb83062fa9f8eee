"""Importing field data (idempotent by each tool's stable id), and forgetting owner-level data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pyproj import Geod
from shapely.geometry import Point

from minga.agreements.models import Agreement, AgreementStatus, ConsentDecision
from minga.core.access import SYSTEM, Actor, Sensitivity, person_user
from minga.core.events import record_event
from minga.core.geo import parse_area
from minga.core.models import RunStatus
from minga.core.uploads import check_upload
from minga.monitoring import events, formats, mapping
from minga.monitoring.models import (
    KIND_CHOICES,
    TOOL_CHOICES,
    CategoryLabel,
    CategoryMapping,
    FieldImport,
    FieldSource,
    KnownInstance,
    Observation,
    Patrol,
    Quarantined,
)
from minga.tables.models import Membership, Organization, Table, Territory
from minga.tables.queries import may, require

_GEOD = Geod(ellps="WGS84")
LEVEL = {"public": Sensitivity.PUBLIC, "table": Sensitivity.TABLE, "owner": Sensitivity.OWNER}


@dataclass
class Summary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    deleted: int = 0

    def line(self) -> str:
        text = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged,"
            f" {self.quarantined} quarantined"
        )
        return text + (f", {self.deleted} deleted" if self.deleted else "")


def zone() -> ZoneInfo:
    """Where a device time without an offset (a date-only answer) was taken: the tables'."""
    return ZoneInfo(settings.TIME_ZONE)


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


def require_field_work(by: Actor, table: Table) -> None:
    """Bringing field data in: those who import files, and those who manage the table's
    server sources (a convener adds one and confirms its mapping)."""
    if not (may(by, table, "monitoring.import") or may(by, table, "monitoring.sources")):
        require(by, table, "monitoring.import")  # raises, with the message people see


# --- sources and their mappings ----------------------------------------------------------------


def source_for(
    *, by: Actor, table: Table, export: formats.Export, filename: str = ""
) -> FieldSource:
    """The table's source of this export (by the form's identity or the file's layout), made
    the first time with the fields found; its mapping stays empty until a person confirms it."""
    require(by, table, "monitoring.import")
    described = [asdict(f) for f in mapping.describe(export)]
    source, created = FieldSource.objects.get_or_create(
        table=table,
        signature=export.signature[:200],
        defaults={
            "name": (filename or export.format)[:200],
            "tool": export.tool if export.tool in dict(TOOL_CHOICES) else "file",
            "fields": described,
        },
    )
    if not created and described and described != source.fields:
        source.fields = described
        source.save(update_fields=["fields", "updated_at"])
    return source


def confirm_mapping(
    *,
    by: Actor,
    source: FieldSource,
    chosen: mapping.Mapping,
    name: str | None = None,
    community: Organization | None = None,
    owner_level: bool | None = None,
) -> FieldSource:
    """A person confirmed (or changed) how this source's fields map to minga's."""
    require_field_work(by, source.table)
    if (
        community is not None
        and not Membership.objects.active()
        .filter(table=source.table, organization=community)
        .exists()
    ):
        raise ValidationError(_("That community does not sit at this table."))
    with transaction.atomic():
        source.mapping = chosen.as_dict()
        if name:
            source.name = name[:200]
        if community is not None or owner_level is not None:
            source.community = community
        if owner_level is not None:
            source.owner_level = owner_level and community is not None
        source.save()
        record_event(
            events.SOURCE_MAPPED,
            actor=by,
            table=source.table,
            subject=source,
            payload={"tool": source.tool, "mapping": source.mapping},
        )
    return source


def mapping_of(source: FieldSource | None, export: formats.Export) -> mapping.Mapping:
    if source is not None and source.mapping is not None:
        return mapping.Mapping.from_dict(source.mapping)
    return mapping.propose(export)


def learn_labels(table: Table, export: formats.Export) -> int:
    """Category names a source gives (CoMapeo presets and category configs) into the table's
    vocabulary; returns how many categories are new to it."""
    added = 0
    for code, names in export.labels.items():
        key = mapping.normalize(code)
        guess = mapping.guess_kind(key) or next(
            (mapping.guess_from_name(n) for n in names.values() if mapping.guess_from_name(n)), ""
        )
        found, created = CategoryMapping.objects.get_or_create(
            table=table, code=key, defaults={"labels": names, "kind": guess, "guessed": True}
        )
        added += created
        if not created and names != {**found.labels, **names}:
            found.labels = {**found.labels, **names}
            found.save(update_fields=["labels", "updated_at"])
    return added


def import_field(
    *,
    by: Actor,
    table: Table,
    export: formats.Export,
    source: FieldSource | None = None,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Bring an export in through its source's mapping, in one transaction. Good rows go in (or
    update by the tool's identity rules when they changed), deleted ones go, refused rows go to
    the quarantine with their reason."""
    require_field_work(by, table)
    summary = Summary()
    with transaction.atomic():
        learn_labels(table, export)
        parsed = mapping.apply(export, mapping_of(source, export), zone())
        batch = _Batch(by, table, parsed, source)
        total = batch.total
        for done in range(total):
            batch.row(done, summary)
            if progress:
                progress(done + 1, total)
        batch.finish(filename, summary)
        batch.mail_alerts_after_commit()
    return summary


class _Batch:
    """Rows of one mapped export, by position: its tracks first, then its observations."""

    def __init__(
        self,
        by: Actor,
        table: Table,
        parsed: mapping.Parsed,
        source: FieldSource | None = None,
    ) -> None:
        self.by, self.table, self.parsed, self.source = by, table, parsed, source
        # Observations belong to agreements in force or being negotiated: not to one its
        # assembly refused (its latest decision), nor one suspended or expired.
        self.areas = [
            (a, parse_area(a.geometry))
            for a in Agreement.objects.filter(
                table=table, status__in=[AgreementStatus.DRAFT, AgreementStatus.SIGNED]
            ).prefetch_related("decisions")
            if a.geometry and not (a.consent and a.consent.decision == ConsentDecision.REFUSE)
        ]
        self.territories = [t.shape for t in Territory.objects.filter(table=table)]
        # (community, kind or category) → its Local Contexts labels' names, and whether one
        # keeps such observations to the community
        self.category_labels = {
            (owner, code): (names, restricts)
            for owner, code, names, restricts in CategoryLabel.objects.filter(
                table=table
            ).values_list("owner_id", "code", "names", "restricts")
        }
        self.patrols: dict[str, Patrol] = {}
        self.alerts: list[int] = []
        self.vocabulary = {c.code: c for c in CategoryMapping.objects.filter(table=table)}
        # Edited Kobo instances and deleted records: few, read once per batch, not once per row.
        self.instances = {
            k.instance: k for k in KnownInstance.objects.filter(table=table, source=parsed.tool)
        }

    @property
    def total(self) -> int:
        return len(self.parsed.tracks) + len(self.parsed.observations)

    def row(self, position: int, summary: Summary) -> None:
        """Import the row at ``position``. Call it inside a transaction."""
        tracks = self.parsed.tracks
        if position < len(tracks):
            self._track(tracks[position], summary)
        else:
            self._observation(self.parsed.observations[position - len(tracks)], summary)

    def _buried(self, key: str, revision: str) -> bool:
        """Whether the tool deleted this record and this copy is not newer than the deletion (an
        older export must not bring it back); a newer copy lifts the tombstone."""
        base = key.partition("/")[0]
        stone = self.instances.get(base)
        if stone is None or not stone.deleted:
            return False
        if not formats.older(stone.revision, revision):
            return True
        stone.delete()
        del self.instances[base]
        return False

    def _bury(self, key: str, revision: str) -> None:
        base = key.partition("/")[0]
        self.instances[base], _ = KnownInstance.objects.update_or_create(
            table=self.table,
            source=self.parsed.tool,
            instance=base,
            defaults={"root": base, "deleted": True, "revision": revision},
        )

    def _track(self, track: mapping.Track, summary: Summary) -> None:
        table, parsed = self.table, self.parsed
        if self._buried(track.key, track.revision):
            return
        if track.deleted:
            Patrol.objects.filter(table=table, source=parsed.tool, source_key=track.key).delete()
            self._bury(track.key, track.revision)
            return
        patrol, created = Patrol.objects.get_or_create(
            table=table,
            source=parsed.tool,
            source_key=track.key,
            defaults={"started_at": track.started_at},
        )
        if not created and formats.older(track.revision, patrol.revision):
            pass  # a copy the tool has replaced since: the newer track stays
        elif created or patrol.version != track.version:
            patrol.version, patrol.started_at, patrol.monitors, patrol.revision = (
                track.version,
                track.started_at,
                track.monitors[:250],
                track.revision,
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

    def _key(self, item: mapping.Observation) -> str | None:
        """The key the observation is stored under: the first instance id of its edit chain
        (Kobo), else the tool's own id; None for a stale copy of a record edited since."""
        base, sep, rest = item.key.partition("/")
        if self._buried(item.key, item.revision):
            return None
        known = self.instances.get(base)
        if known is not None and known.superseded:
            return None
        root = known.root if known else None
        if item.previous:
            before = item.previous.partition("/")[0]
            earlier = self.instances.get(before)
            root = root or (earlier.root if earlier else before)
            self.instances[before], _ = KnownInstance.objects.update_or_create(
                table=self.table,
                source=self.parsed.tool,
                instance=before,
                defaults={"root": root, "superseded": True},
            )
            if known is None:
                self.instances[base] = KnownInstance.objects.create(
                    table=self.table, source=self.parsed.tool, instance=base, root=root
                )
        return f"{root}{sep}{rest}" if root else item.key

    def category(self, code: str) -> CategoryMapping:
        found = self.vocabulary.get(code)
        if found is None:
            found, _created = CategoryMapping.objects.get_or_create(
                table=self.table,
                code=code,
                defaults={"kind": mapping.guess_kind(code), "guessed": True},
            )
            self.vocabulary[code] = found
        return found

    def kind_of(self, codes: list[str]) -> str:
        kinds = [self.category(c).kind for c in codes]
        mapped = [k for k in kinds if k]
        return next((k for k in mapped if k in mapping.SERIOUS), mapped[0] if mapped else "other")

    def _observation(self, item: mapping.Observation, summary: Summary) -> None:
        table, parsed = self.table, self.parsed
        key = self._key(item)
        if key is None:
            summary.unchanged += 1
            return
        existing = Observation.objects.filter(
            table=table, source=parsed.tool, source_key=key
        ).first()
        if item.deleted:
            # The record and its repeat rows (a deleted submission takes its observations).
            gone, _by_model = Observation.objects.filter(
                Q(source_key=key) | Q(source_key__startswith=f"{key}/"),
                table=table,
                source=parsed.tool,
            ).delete()
            if gone:
                summary.deleted += gone
            else:
                summary.unchanged += 1
            if not item.key.partition("/")[2]:
                self._bury(item.key, item.revision)
            return
        codes = [mapping.normalize(c) for c in item.codes]
        codes = [c for c in codes if c]
        kind = self.kind_of(codes)
        agreement = _agreement_at(table, item.lon, item.lat, self.areas)
        source = self.source
        level = item.sensitivity or ("owner" if source and source.owner_level else "table")
        if kind == "sacred_site":
            level = "owner"
        where = Point(item.lon, item.lat)
        fields: dict[str, Any] = {
            "version": item.version,
            "revision": item.revision,
            "observed_at": item.observed_at,
            "kind": kind,
            "categories": codes,
            "lon": item.lon,
            "lat": item.lat,
            "notes": item.notes,
            "photos": item.media,
            "observer": item.observer[:200],
            "area": {"type": "Polygon", "coordinates": [[list(p) for p in item.area]]}
            if len(item.area) >= 4
            else None,
            "outside": bool(self.territories)
            and not any(t.covers(where) for t in self.territories),
            "sensitivity": LEVEL[level],
            "raw": item.raw if isinstance(item.raw, dict) else {"value": item.raw},
            "label_floor": 0,
            "agreement": agreement,
            "owner": (source.community if source and source.community else None)
            or (agreement.community if agreement else None),
            "field_source": source,
            "patrol": self.patrols.get(item.patrol_key)
            or (
                Patrol.objects.filter(table=table, source_key=item.patrol_key).first()
                if item.patrol_key
                else None
            ),
        }
        owner = fields["owner"]
        labelled = [
            self.category_labels[(owner.pk, c)]
            for c in dict.fromkeys([kind, *codes])
            if owner is not None and (owner.pk, c) in self.category_labels
        ]
        if any(restricts for _names, restricts in labelled):
            fields["sensitivity"] = fields["label_floor"] = Sensitivity.OWNER
        if existing is None:
            shown = "; ".join(dict.fromkeys(n for found, _r in labelled for n in found.split("; ")))
            observation = Observation.objects.create(
                table=table, source=parsed.tool, source_key=key, labels=shown[:500], **fields
            )
            summary.new += 1
            if kind in mapping.SERIOUS:
                self._alert(observation)
        elif formats.older(item.revision, existing.revision):
            summary.unchanged += 1  # a copy the tool has replaced since: the newer one stays
        elif existing.version != item.version:
            was = existing.kind
            fields["label_floor"] = max(existing.label_floor, fields["label_floor"])
            kept = [n for n in existing.labels.split("; ") if n]
            kept += [n for found, _r in labelled for n in found.split("; ") if n and n not in kept]
            fields["labels"] = "; ".join(kept)[:500]
            fields["sensitivity"] = max(fields["sensitivity"], fields["label_floor"])
            if existing.sensitivity > fields["sensitivity"]:
                # A record a community's source made its own stays its own, whatever path
                # (another file, another source) brings it again.
                fields["sensitivity"] = existing.sensitivity
                fields["owner"] = existing.owner or fields["owner"]
                fields["field_source"] = existing.field_source or fields["field_source"]
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            summary.updated += 1
            if kind in mapping.SERIOUS and was not in mapping.SERIOUS:
                self._alert(existing)
        else:
            summary.unchanged += 1

    def _alert(self, observation: Observation) -> None:
        """Mining, logging or fire seen on the ground: an event now, one mail after the commit."""
        raise_alert(self.by, observation)
        self.alerts.append(observation.pk)

    def mail_alerts_after_commit(self) -> None:
        ids, table = self.alerts, self.table
        self.alerts = []
        if ids:
            transaction.on_commit(lambda: _mail_alerts(table, ids))

    def finish(self, filename: str, summary: Summary) -> None:
        """The quarantine and the import's event, once every row is in."""
        table, parsed = self.table, self.parsed
        # A file imported again (fixed, or not) replaces what it left in quarantine before; a
        # row refused again for the same reason, unchanged, stays as it was.
        waiting: dict[tuple[str, str, str], list[Quarantined]] = {}
        if filename:
            for kept in Quarantined.objects.filter(
                table=table, source=parsed.format, filename=filename[:250], resolved=False
            ):
                waiting.setdefault((kept.row, kept.reason, kept.detail), []).append(kept)
        for refused in parsed.rejected:
            raw = mapping.safe_json(
                refused.raw if isinstance(refused.raw, dict) else {"value": refused.raw}
            )
            row, reason, detail = str(refused.row)[:40], refused.reason[:40], refused.detail[:250]
            summary.quarantined += 1
            same = waiting.get((row, reason, detail), [])
            found = next((kept for kept in same if kept.raw == raw), None)
            if found is not None:
                same.remove(found)
                continue
            Quarantined.objects.create(
                table=table,
                source=parsed.format,
                filename=filename[:250],
                row=row,
                reason=reason,
                detail=detail,
                raw=raw,
            )
        gone = [kept.pk for rows in waiting.values() for kept in rows]
        if gone:
            Quarantined.objects.filter(pk__in=gone).update(resolved=True)
        record_event(
            events.FIELD_DATA_IMPORTED,
            actor=self.by,
            table=table,
            payload={
                "format": parsed.format,
                "file": filename,
                "source": self.source.public_id if self.source else "",
                **summary.__dict__,
            },
        )


def raise_alert(by: Actor, observation: Observation) -> None:
    record_event(
        events.ALERT_RAISED,
        actor=by,
        table=observation.table,
        subject=observation,
        sensitivity=observation.sensitivity,
        payload={
            "kind": observation.kind,
            "observed_at": observation.observed_at.isoformat(),
        },
    )


def map_category(*, by: Actor, table: Table, code: str, kind: str) -> int:
    """Say what a category means; past observations with it are classified again, and those
    that become mining, logging or fire raise the alert they should have raised. Returns how
    many observations changed kind."""
    require(by, table, "monitoring.import")
    if kind not in mapping.KINDS and kind != "":
        raise ValidationError(_("Unknown type of observation."))
    changed: list[int] = []
    with transaction.atomic():
        category, _created = CategoryMapping.objects.get_or_create(table=table, code=code)
        unchanged = category.kind == kind  # a guess confirmed: no observation changes kind
        category.kind, category.guessed = kind, False
        category.save()
        vocabulary = {c.code: c.kind for c in CategoryMapping.objects.filter(table=table)}
        for observation in (
            Observation.objects.none()
            if unchanged
            else Observation.objects.filter(table=table).exclude(categories=[]).iterator()
        ):
            if code not in (observation.categories or []):
                continue
            kinds = [vocabulary.get(c, "") for c in observation.categories]
            mapped = [k for k in kinds if k]
            new = next(
                (k for k in mapped if k in mapping.SERIOUS), mapped[0] if mapped else "other"
            )
            if new == observation.kind:
                continue
            was = observation.kind
            observation.kind = new
            if new == "sacred_site":
                observation.sensitivity = Sensitivity.OWNER
            # the community's labels on its new type bind it as they bind what comes in
            labelled = CategoryLabel.objects.filter(
                table=table, owner_id=observation.owner_id, code=new
            ).first()
            if labelled is not None:
                names = [n for n in observation.labels.split("; ") if n]
                names += [n for n in labelled.names.split("; ") if n and n not in names]
                observation.labels = "; ".join(names)[:500]
                if labelled.restricts:
                    observation.sensitivity = observation.label_floor = Sensitivity.OWNER
            observation.save(
                update_fields=["kind", "sensitivity", "label_floor", "labels", "updated_at"]
            )
            changed.append(observation.pk)
            if new in mapping.SERIOUS and was not in mapping.SERIOUS:
                raise_alert(by, observation)
        record_event(
            events.CATEGORY_MAPPED,
            actor=by,
            table=table,
            payload={"category": code, "kind": kind, "observations": len(changed)},
        )
        serious = list(
            Observation.objects.filter(pk__in=changed, kind__in=mapping.SERIOUS).values_list(
                "pk", flat=True
            )
        )
        if serious:
            transaction.on_commit(lambda: _mail_alerts(table, serious))
    return len(changed)


# --- imports in the background ----------------------------------------------------------------


def keep_upload(
    *, by: Actor, table: Table, content: bytes, filename: str, fmt: str, source: FieldSource
) -> FieldImport:
    """Keep a file whose source's mapping a person has yet to confirm (nothing imported yet)."""
    require_field_work(by, table)
    return FieldImport.objects.create(
        table=table,
        filename=filename[:250],
        format=fmt,
        content=FieldImport.keep(content),
        field_source=source,
        requested_by=person_user(by),
    )


def queue_field_import(
    *,
    by: Actor,
    table: Table,
    content: bytes = b"",
    filename: str = "",
    fmt: str | None = None,
    total: int = 0,
    source: FieldSource | None = None,
    job: FieldImport | None = None,
) -> FieldImport:
    """Have the worker import a file (large files): a new one, or one kept until its mapping
    was confirmed (``job``)."""
    require_field_work(by, table)
    with transaction.atomic():
        if job is None:
            job = FieldImport.objects.create(
                table=table,
                filename=filename[:250],
                format=fmt or "",
                content=FieldImport.keep(content),
                total=total,
                field_source=source,
                requested_by=person_user(by),
            )
        else:
            job.total = total or job.total
            job.save(update_fields=["total", "updated_at"])
        # The worker is asked by a hook of ``monitoring.tasks`` once this commits.
        record_event(
            events.FIELD_IMPORT_QUEUED,
            actor=by,
            table=table,
            subject=job,
            sensitivity=Sensitivity.TABLE,
            payload={"format": job.format, "rows": job.total},
        )
    return job


def import_kept(*, by: Actor, job: FieldImport) -> Summary:
    """Import a kept file now, through its source's (now confirmed) mapping."""
    export = formats.read(job.file(), job.format or None, job.filename)
    summary = import_field(
        by=by, table=job.table, export=export, source=job.field_source, filename=job.filename
    )
    job.summary, job.status, job.content = summary.__dict__, RunStatus.DONE, b""
    job.done = job.total = summary.new + summary.updated + summary.unchanged + summary.deleted
    job.finished_at = timezone.now()
    job.save()
    return summary


def _parts(export: formats.Export, chosen: mapping.Mapping, size: int) -> Iterator[mapping.Parsed]:
    """The export mapped a slice of ``size`` records at a time, so that only one slice's
    observations are held at once. An export with repeat rows is mapped whole: a repeat row
    reads its submission's fields, which may lie in another slice."""
    tz = zone()
    if any(record.parent for record in export.records):
        yield mapping.apply(export, chosen, tz)
        return
    for start in range(0, max(len(export.records), 1), size):
        part = replace(export, records=export.records[start : start + size], problems=[])
        if start == 0:
            part.problems = export.problems  # the rows the reader refused, once
        yield mapping.apply(part, chosen, tz)


def run_field_import(job: FieldImport, *, chunk: int | None = None) -> FieldImport:
    """Import ``job``'s file in chunks, each committed with the position it reached and the
    running summary. Started again after a crash, it goes on from the last committed chunk: no
    row is imported twice and none is lost. The file is mapped a slice at a time (twice: once to
    count the rows and gather the refused ones, once to import), so memory holds the file's
    records and one slice's observations, not every observation of a 50 MB export."""

    chunk = chunk or settings.MINGA_IMPORT_CHUNK
    if job.status == RunStatus.DONE:
        return job
    data, job.content = job.file(), b""  # one copy of the file, not two
    export = formats.read(data, job.format or None, job.filename)
    del data
    source = job.field_source
    with transaction.atomic():
        learn_labels(job.table, export)
    chosen = mapping_of(source, export)
    slice_size = max(chunk, settings.MINGA_IMPORT_CHUNK) * 4
    sizes: list[int] = []
    refused = mapping.Parsed(export.format, export.signature, export.tool)
    for parsed in _parts(export, chosen, slice_size):
        sizes.append(len(parsed.tracks) + len(parsed.observations))
        refused.rejected += parsed.rejected
    total = sum(sizes)
    by = job.requested_by or SYSTEM
    FieldImport.objects.filter(pk=job.pk).update(status=RunStatus.RUNNING, total=total)
    offset = 0
    for size, parsed in zip(sizes, _parts(export, chosen, slice_size), strict=True):
        if offset + size <= job.done:  # imported before a restart
            offset += size
            continue
        batch = _Batch(by, job.table, parsed, source)
        while True:
            with transaction.atomic():
                # Not the file again with every chunk: it is read once, above.
                job = FieldImport.objects.select_for_update().defer("content").get(pk=job.pk)
                if job.done >= offset + size:
                    break
                summary = Summary(**job.summary)
                end = min(job.done + chunk, offset + size)
                for position in range(job.done, end):
                    batch.row(position - offset, summary)
                job.done, job.summary = end, summary.__dict__
                job.save(update_fields=["done", "summary", "updated_at"])
                batch.mail_alerts_after_commit()
        offset += size
    with transaction.atomic():
        job = FieldImport.objects.select_for_update().defer("content").get(pk=job.pk)
        if job.status != RunStatus.DONE:
            summary = Summary(**job.summary)
            _Batch(by, job.table, refused, source).finish(job.filename, summary)
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


# --- one observation typed on a phone --------------------------------------------------------

WEB = "minga"  # the tool name observations recorded in minga's own form are kept under


def record_observation(
    *,
    by: Actor,
    table: Table,
    key: str,
    kind: str,
    observed_at: dt.datetime,
    lat: float,
    lon: float,
    notes: str = "",
    photo: Any = None,
) -> Observation:
    """One observation a monitor records in minga's form (on a phone, often with no link: the
    device's idempotency key is its identity, so that it is kept once). It goes the way of an
    imported row: the agreement it falls in, its community, outside the territory or not, an
    alert for mining, logging or fire, and the import's event in the log."""
    require(by, table, "monitoring.import")
    if kind not in dict(KIND_CHOICES):
        raise ValidationError({"kind": _("Choose what was seen.")})
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"lat": _("These are not coordinates on Earth.")})
    if observed_at > timezone.now() + dt.timedelta(minutes=10):
        raise ValidationError({"observed_at": _("This date is in the future.")})
    media = []
    if photo is not None:
        check_upload(photo, "photo")
        suffix = photo.name.rsplit(".", 1)[-1].lower()
        stored = default_storage.save(f"observations/{table.slug}/{key}.{suffix}", photo)
        kind_of_file = {"jpg": "jpeg"}.get(suffix, suffix)
        media.append({"name": photo.name[:200], "url": stored, "type": f"image/{kind_of_file}"})
    person = person_user(by)
    observer = (person.get_full_name() or person.username) if person else ""
    parsed = mapping.Parsed(
        format=WEB,
        signature=WEB,
        tool=WEB,
        observations=[
            mapping.Observation(
                key=key,
                version="1",
                observed_at=observed_at,
                lon=lon,
                lat=lat,
                codes=[kind],
                notes=notes.strip(),
                media=media,
                observer=observer,
            )
        ],
    )
    try:
        with transaction.atomic():
            batch = _Batch(by, table, parsed, None)
            # the form's choice is the kind itself, not a code of the table's vocabulary to learn
            batch.vocabulary[kind] = CategoryMapping(table=table, code=kind, kind=kind)
            summary = Summary()
            batch.row(0, summary)
            batch.finish("", summary)
            batch.mail_alerts_after_commit()
    except Exception:
        for item in media:  # the observation is not kept: neither is its photo
            default_storage.delete(item["url"])
        raise
    return Observation.objects.get(table=table, source=WEB, source_key=key)
