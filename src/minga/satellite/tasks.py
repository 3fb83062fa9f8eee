"""Background work of the satellite area, run by `minga worker`."""

from __future__ import annotations

from django.tasks import task

from minga.core import hooks
from minga.core.models import Event
from minga.satellite import events
from minga.satellite.models import AnalysisRun
from minga.satellite.services import run_analysis


@task()
def run_satellite_analysis(*, run_id: int) -> str:
    """Zonal statistics, alert series and hotspots for every zone of a table."""
    run = run_analysis(AnalysisRun.objects.select_related("table").get(pk=run_id), workers=None)
    return run.status


@hooks.register(events.ANALYSIS_QUEUED)
def enqueue_analyses(recorded: list[Event]) -> None:
    """Hand each queued analysis to the worker once its row has committed."""
    ids = [e.subject_id for e in recorded]
    for pk in AnalysisRun.objects.filter(public_id__in=ids).values_list("pk", flat=True):
        run_satellite_analysis.enqueue(run_id=pk)
