"""Sources connected to their servers: add, test, sync (on demand, on a schedule, or pushed by
KoboToolbox's REST Services), with the credential sealed outside the database's reach."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import box
from shapely.geometry import mapping as geo_mapping

from minga.core import secrets as sealed
from minga.core.access import SYSTEM, Actor, Sensitivity, person_user
from minga.core.events import record_event
from minga.core.models import RunStatus
from minga.monitoring import connectors, events, formats, mapping, services
from minga.monitoring.models import FieldSource, Observation, SourceSync
from minga.tables.models import Organization, Table, Territory
from minga.tables.queries import require


def _check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(_("The server's address must start with https:// (or http://)."))
    if parts.username or parts.password:
        raise ValidationError(_("Put the password in its own field, not in the address."))
    if not settings.MINGA_SYNC_LOCAL_SERVERS and _local_address(parts.hostname or ""):
        # This machine and link-local addresses (a cloud's metadata service) are not field
        # servers; a LAN's private addresses are (an ODK Central in the provincial office).
        raise ValidationError(_("minga does not connect to this machine's own addresses."))
    return url.strip().rstrip("/")


def _local_address(host: str) -> bool:
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False  # not resolvable now: the sync will say so
    for address in found:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast:
            return True
    return False


def add_source(
    *,
    by: Actor,
    table: Table,
    tool: str,
    name: str,
    url: str,
    ref: str,
    credential: str,
    every_minutes: int = 60,
    community: Organization | None = None,
    owner_level: bool = False,
) -> tuple[FieldSource, str]:
    """A source on a server. Returns it and its webhook secret, shown this once."""
    require(by, table, "monitoring.sources")
    if tool not in connectors.TOOLS:
        raise ValidationError(_("Choose KoboToolbox, ODK Central, CoMapeo or Global Forest Watch."))
    if not ref.strip():
        raise ValidationError(_("Say which form, project or dataset to read."))
    if tool == "odk" and "/" not in ref.strip("/"):
        raise ValidationError(
            _("For ODK Central, write the project number and the form id: 3/patrulla.")
        )
    if tool == "gfw" and ref not in connectors.GFW_DATASETS:
        raise ValidationError(_("Unknown Global Forest Watch dataset."))
    signature = f"{tool}:{_check_url(url)}:{ref.strip()}"[:200]
    if FieldSource.objects.filter(table=table, signature=signature).exists():
        raise ValidationError(_("This form is already a source of the table."))
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        source = FieldSource.objects.create(
            table=table,
            name=name.strip()[:200] or ref[:200],
            tool=tool,
            signature=signature,
            server_url=_check_url(url),
            remote_ref=ref.strip()[:200],
            credential=sealed.seal(credential.strip()),
            every_minutes=max(0, every_minutes),
            community=community,
            owner_level=owner_level and community is not None,
            webhook_secret=hashlib.sha256(secret.encode()).hexdigest(),
        )
        if tool == "gfw":
            # Alerts have one shape: their mapping needs no one to confirm it.
            source.mapping = mapping.Mapping(
                where="alert/position",
                when=["alert/date"],
                what="category",
                notes=["alert/confidence"],  # a confidence upgrade updates the alert
            ).as_dict()
            source.save(update_fields=["mapping"])
        record_event(
            events.SOURCE_CONNECTED,
            actor=by,
            table=table,
            subject=source,
            payload={"tool": tool, "server": source.server_url, "every_minutes": every_minutes},
        )
    return source, secret


def connection_for(source: FieldSource) -> connectors.Connection:
    host = urllib.parse.urlsplit(source.server_url).hostname or ""
    if not settings.MINGA_SYNC_LOCAL_SERVERS and _local_address(host):
        # Checked again at each connection: a name may point elsewhere since it was added.
        raise connectors.SyncError("refused", f"{host} resolves to this machine's own address")
    connection = connectors.Connection(
        tool=source.tool,
        url=source.server_url,
        ref=source.remote_ref,
        credential=sealed.unseal(source.credential),
        timeout=settings.MINGA_SYNC_TIMEOUT,
        retries=settings.MINGA_SYNC_RETRIES,
        max_bytes=settings.MINGA_MAX_FIELD_FILE_MB * 1024 * 1024,
    )
    if source.tool == "gfw":
        connection.geometry = _area_of(source.table)
    return connection


def _area_of(table: Table) -> dict[str, Any]:
    """The bounding box of the table's territories, the area GFW is asked about."""
    shapes = [t.shape for t in Territory.objects.filter(table=table)]
    if not shapes:
        raise connectors.SyncError("config", "the table has no territory to ask about")
    west = min(s.bounds[0] for s in shapes)
    south = min(s.bounds[1] for s in shapes)
    east = max(s.bounds[2] for s in shapes)
    north = max(s.bounds[3] for s in shapes)
    return dict(geo_mapping(box(west, south, east, north)))


def test_connection(*, by: Actor, source: FieldSource) -> formats.Export:
    """Ask the server for the first page: its records (to propose a mapping), or SyncError."""
    require(by, source.table, "monitoring.sources")
    connection = connection_for(source)
    connection.page_size, connection.retries = 50, 0
    if source.tool == "kobo":
        connectors.kobo_asset(connection)
        first = next(connectors.kobo_pages(connection), [])
        export = formats.kobo_records(first)
    elif source.tool == "odk":
        page: dict[str, Any] = next(connectors.odk_pages(connection), {"value": []})
        export = formats.read_odk_json(json.dumps(page).encode())
    else:
        export, _cursor = connectors.fetch(connection, "")
    export.signature = source.signature
    return export


def sync_source(
    *, by: Actor, source: FieldSource, progress: Callable[[int, int], None] | None = None
) -> services.Summary:
    """Fetch what changed since the last sync and import it, in one transaction with the new
    cursor: a failure writes nothing (the next sync resumes from the same cursor) and is kept
    on the source for its page."""
    require(by, source.table, "monitoring.sources")
    if source.mapping is None:
        raise connectors.SyncError("config", "its mapping is not confirmed yet")
    try:
        connection = connection_for(source)
        since = source.cursor
        today = timezone.localdate()
        if source.tool == "kobo" and source.full_pull_on != today:
            # Kobo keeps an edited submission's _submission_time: once a day, ask for all.
            since = ""
        export, cursor = connectors.fetch(connection, since, progress)
        cursor = max(cursor, source.cursor)
        export.signature = source.signature
        what = (source.mapping or {}).get("what") or ""
        if source.tool == "kobo" and what:
            # The category's names in the form's languages, for the categories page.
            export.labels = formats.kobo_choice_labels(connectors.kobo_asset(connection), what)
        elif source.tool == "odk" and what:
            export.labels = formats.xlsform_choice_labels(
                connectors.odk_form_xlsx(connection), what
            )
        with transaction.atomic():
            summary = services.import_field(
                by=by,
                table=source.table,
                export=export,
                source=source,
                filename=source.name,
                progress=progress,
            )
            FieldSource.objects.filter(pk=source.pk).update(
                cursor=cursor,
                last_synced_at=timezone.now(),
                last_error="",
                full_pull_on=today if not since else source.full_pull_on,
            )
    except (connectors.SyncError, sealed.SecretUnreadable) as exc:
        code = getattr(exc, "code", "config")
        detail = getattr(exc, "detail", str(exc))
        FieldSource.objects.filter(pk=source.pk).update(
            last_error=f"{code}: {detail}"[:500], last_failed_at=timezone.now()
        )
        raise
    source.refresh_from_db()
    fetch_attachments(source)
    return summary


def request_sync(*, by: Actor, source: FieldSource) -> SourceSync:
    """A sync asked for on the Sources page, for the worker: its page shows the progress. One
    already waiting or running is returned instead of a second."""
    require(by, source.table, "monitoring.sources")
    if source.mapping is None:
        raise ValidationError(_("Confirm how its fields are read first (Test connection)."))
    with transaction.atomic():
        waiting = SourceSync.objects.filter(
            field_source=source, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        ).first()
        if waiting is not None:
            return waiting
        job = SourceSync.objects.create(
            table=source.table, field_source=source, requested_by=person_user(by)
        )
        # The worker is asked by a hook of ``monitoring.tasks`` once this commits.
        record_event(
            events.SOURCE_SYNC_QUEUED,
            actor=by,
            table=source.table,
            subject=job,
            sensitivity=Sensitivity.TABLE,
            payload={"source": source.public_id, "tool": source.tool},
        )
    return job


def run_requested_sync(job: SourceSync) -> SourceSync:
    """The worker's side of ``request_sync``: the sync with its progress, then the attachments."""
    source = job.field_source
    by: Actor = job.requested_by or SYSTEM

    def progress(done: int, total: int) -> None:
        SourceSync.objects.filter(pk=job.pk).update(done=done, total=max(total, done))

    SourceSync.objects.filter(pk=job.pk).update(status=RunStatus.RUNNING)
    try:
        summary = sync_source(by=by, source=source, progress=progress)
    except (connectors.SyncError, PermissionDenied) as exc:
        code = getattr(exc, "code", "forbidden")  # PermissionDenied: the asker lost the right
        SourceSync.objects.filter(pk=job.pk).update(
            status=RunStatus.FAILED, error=code, finished_at=timezone.now()
        )
    else:
        SourceSync.objects.filter(pk=job.pk).update(
            status=RunStatus.DONE, summary=summary.__dict__, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def fetch_attachments(source: FieldSource) -> int:
    """Photos and recordings of the source's observations, downloaded once each (by their
    SHA-256) within the photo size limit; one that fails is tried again at the next sync."""
    connection = connection_for(source)
    limit = settings.MINGA_MAX_PHOTO_MB * 1024 * 1024
    root = Path(settings.MEDIA_ROOT) / "field"
    fetched = 0
    for observation in Observation.objects.filter(field_source=source).exclude(photos=[]):
        changed = False
        for item in observation.photos:
            if not isinstance(item, dict) or item.get("file") or not item.get("url"):
                continue
            if not str(item["url"]).startswith(("http://", "https://")):
                continue
            try:
                data = connectors.download(connection, item["url"], limit)
            except connectors.SyncError as exc:
                item["error"] = exc.code
                changed = True
                continue
            digest = hashlib.sha256(data).hexdigest()
            suffix = Path(str(item.get("name") or "")).suffix.lower()[:8]
            target = root / f"{digest}{suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(data)
            item.update({"file": f"field/{target.name}", "sha256": digest, "size": len(data)})
            item.pop("error", None)
            changed = True
            fetched += 1
        if changed:
            Observation.objects.filter(pk=observation.pk).update(photos=observation.photos)
    return fetched


def due_sources(now: dt.datetime | None = None) -> list[FieldSource]:
    now = now or timezone.now()
    found = []
    for source in FieldSource.objects.exclude(server_url="").filter(
        every_minutes__gt=0, mapping__isnull=False
    ):
        last = source.last_synced_at or source.last_failed_at
        if last is None or last + dt.timedelta(minutes=source.every_minutes) <= now:
            found.append(source)
    return found


def check_webhook_secret(source: FieldSource, given: str) -> bool:
    if not source.webhook_secret or not given:
        return False
    digest = hashlib.sha256(given.encode()).hexdigest()
    return hmac.compare_digest(digest, source.webhook_secret)


def receive_pushed(*, source: FieldSource, body: bytes) -> services.Summary:
    """One submission pushed by KoboToolbox's REST Services, imported through the mapping."""
    document = json.loads(body)
    records = document if isinstance(document, list) else [document]
    export = formats.kobo_records(records)
    export.signature = source.signature
    return services.import_field(
        by=SYSTEM, table=source.table, export=export, source=source, filename=source.name
    )
