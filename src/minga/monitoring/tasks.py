"""Background work of the field monitoring area, run by `minga worker`."""

from __future__ import annotations

from django.tasks import task

from minga.core import hooks
from minga.core.models import Event, RunStatus
from minga.monitoring import events
from minga.monitoring.models import FieldImport
from minga.monitoring.services import run_field_import


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
