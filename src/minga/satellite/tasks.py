"""Background work of the satellite area, run by `minga worker`."""

from __future__ import annotations

from django.tasks import task

from minga.core import hooks
from minga.core.models import Event
from minga.satellite import events
from minga.satellite.models import AnalysisRun, LayerFetch
from minga.satellite.services import run_analysis, run_layer_fetch


@task()
def run_satellite_analysis(*, run_id: int) -> str:
    """Zonal statistics, alert series and hotspots for every zone of a table."""
    run = run_analysis(AnalysisRun.objects.select_related("table").get(pk=run_id), workers=None)
    return run.status


@task()
def fetch_satellite_layers(*, fetch_id: int) -> str:
    """The table's layers from their publishers (resumes broken downloads when run again)."""
    fetch = LayerFetch.objects.select_related("table", "requested_by").get(pk=fetch_id)
    return run_layer_fetch(fetch).status


@hooks.register(events.ANALYSIS_QUEUED)
def enqueue_analyses(recorded: list[Event]) -> None:
    """Hand each queued analysis to the worker once its row has committed."""
    ids = [e.subject_id for e in recorded]
    for pk in AnalysisRun.objects.filter(public_id__in=ids).values_list("pk", flat=True):
        run_satellite_analysis.enqueue(run_id=pk)


@hooks.register(events.FETCH_QUEUED)
def enqueue_layer_fetches(recorded: list[Event]) -> None:
    """Hand each queued fetch to the worker once its row has committed."""
    ids = [e.subject_id for e in recorded]
    for pk in LayerFetch.objects.filter(public_id__in=ids).values_list("pk", flat=True):
        fetch_satellite_layers.enqueue(fetch_id=pk)
