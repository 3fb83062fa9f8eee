"""Background work of the field monitoring area, run by `minga worker`."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.tasks import task
from django.utils import timezone

from minga.core import hooks
from minga.core.access import SYSTEM
from minga.core.models import Event, RunStatus
from minga.monitoring import connectors, events, sync
from minga.monitoring.models import FieldImport, FieldSource, SourceSync
from minga.monitoring.services import run_field_import

logger = logging.getLogger("minga.monitoring")


@task()
def run_field_import_task(*, job_id: int) -> str:
    """A large field export, chunk by chunk (resumes after the last committed chunk)."""
    job = FieldImport.objects.select_related("table", "requested_by").get(pk=job_id)
    try:
        job = run_field_import(job)
    except Exception as exc:
        FieldImport.objects.filter(pk=job_id).update(status=RunStatus.FAILED, error=str(exc)[:500])
        raise
    return job.status


@hooks.register(events.FIELD_IMPORT_QUEUED)
def enqueue_field_imports(recorded: list[Event]) -> None:
    """Hand each queued field import to the worker once its row has committed."""
    ids = [e.subject_id for e in recorded]
    for pk in FieldImport.objects.filter(public_id__in=ids).values_list("pk", flat=True):
        run_field_import_task.enqueue(job_id=pk)


@task()
def sync_source_task(*, source_id: int, token: str) -> str:
    """One scheduled sync of a server source; it schedules the next one of its chain. A chain
    started again (the mapping confirmed anew) leaves the older one to stop here."""
    source = FieldSource.objects.select_related("table").filter(pk=source_id).first()
    if source is None or source.schedule_token != token:
        return "superseded"
    try:
        result = sync.sync_source(by=SYSTEM, source=source).line()
    except connectors.SyncError as exc:
        result = f"failed: {exc.code}"
    except Exception as exc:  # anything else is kept on the source; the chain goes on
        FieldSource.objects.filter(pk=source_id).update(
            last_error=f"server: {type(exc).__name__}"[:500], last_failed_at=timezone.now()
        )
        logger.exception("sync of field source %s failed", source_id)
        result = f"failed: {type(exc).__name__}"
    finally:
        source.refresh_from_db()
        if source.every_minutes and source.schedule_token == token:
            later = timezone.now() + dt.timedelta(minutes=source.every_minutes)
            sync_source_task.using(run_after=later).enqueue(source_id=source_id, token=token)
    return result


@hooks.register(events.SOURCE_MAPPED, events.SOURCE_CONNECTED)
def start_sync_schedules(recorded: list[Event]) -> None:
    """A server source whose fields are mapped starts its chain of syncs (now, then on its
    schedule)."""
    ids = {e.subject_id for e in recorded}
    for source in FieldSource.objects.filter(public_id__in=ids, mapping__isnull=False).exclude(
        server_url=""
    ):
        token = secrets.token_hex(8)
        FieldSource.objects.filter(pk=source.pk).update(schedule_token=token)
        sync_source_task.enqueue(source_id=source.pk, token=token)


@task()
def run_source_sync_task(*, job_id: int) -> str:
    """A sync a person asked for, with its progress for the page."""
    job = SourceSync.objects.select_related("field_source__table", "requested_by").get(pk=job_id)
    try:
        job = sync.run_requested_sync(job)
    except Exception as exc:
        SourceSync.objects.filter(pk=job_id).update(
            status=RunStatus.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        raise
    return job.status


@hooks.register(events.SOURCE_SYNC_QUEUED)
def enqueue_source_syncs(recorded: list[Event]) -> None:
    ids = [e.subject_id for e in recorded]
    for pk in SourceSync.objects.filter(public_id__in=ids).values_list("pk", flat=True):
        run_source_sync_task.enqueue(job_id=pk)
