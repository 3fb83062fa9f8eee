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
