"""Background work of the monitoring area, run by `minga worker`."""

from __future__ import annotations

from django.tasks import task

from minga.monitoring.models import AnalysisRun


@task()
def run_satellite_analysis(*, run_id: int) -> str:
    """Zonal statistics, alert series and hotspots for every zone of a table."""
    from minga.monitoring.satellite import run_analysis

    run = run_analysis(AnalysisRun.objects.select_related("table").get(pk=run_id), workers=None)
    return run.status


@task()
def run_field_import_task(*, job_id: int) -> str:
    """A large field export, chunk by chunk (resumes after the last committed chunk)."""
    from minga.monitoring.models import FieldImport, RunStatus
    from minga.monitoring.services import run_field_import

    job = FieldImport.objects.select_related("table", "requested_by").get(pk=job_id)
    try:
        job = run_field_import(job)
    except Exception as exc:
        FieldImport.objects.filter(pk=job_id).update(status=RunStatus.FAILED, error=str(exc)[:500])
        raise
    return job.status
