"""Reads of the roadmap: the tree of axes, objectives, indicators and results, with progress."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from minga.roadmap.models import (
    STATUS_PROGRESS,
    Axis,
    Indicator,
    Measurement,
    Objective,
    Result,
    ResultStatus,
)
from minga.roadmap.progress import Node, rolled_up
from minga.tables.models import Table


@dataclass
class IndicatorView:
    indicator: Indicator
    latest: Measurement | None

    @property
    def achieved(self) -> float | None:
        """Share of the way from baseline to target, 0..100."""
        if self.latest is None:
            return None
        span = self.indicator.target - self.indicator.baseline
        done = (self.latest.value - self.indicator.baseline) / span * 100
        return float(max(Decimal(0), min(Decimal(100), done)))


def roadmap_of(table: Table) -> list[Axis]:
    """Axes with objectives, indicators (with their latest measurement) and result progress."""
    axes = list(
        Axis.objects.filter(table=table).prefetch_related(
            Prefetch(
                "objectives",
                queryset=Objective.objects.prefetch_related(
                    Prefetch(
                        "indicators",
                        queryset=Indicator.objects.select_related("responsible").prefetch_related(
                            Prefetch(
                                "measurements",
                                queryset=Measurement.objects.order_by("-measured_on"),
                            )
                        ),
                    ),
                    Prefetch("results", queryset=Result.objects.prefetch_related("milestones")),
                ),
            )
        )
    )
    results = [r for a in axes for o in a.objectives.all() for r in o.results.all()]
    progress = progress_of(results)
    for axis in axes:
        for objective in axis.objectives.all():
            objective.indicator_views = [  # type: ignore[attr-defined]
                IndicatorView(i, next(iter(i.measurements.all()), None))
                for i in objective.indicators.all()
            ]
            tops = [r for r in objective.results.all() if r.parent_id is None]
            for result in objective.results.all():
                result.rolled = progress.get(result.pk, 0.0)  # type: ignore[attr-defined]
                result.shown_status = shown_status(result.status, result.rolled)  # type: ignore[attr-defined]
                result.shown_label = ResultStatus(result.shown_status).label  # type: ignore[attr-defined]
                result.kids = [k for k in objective.results.all() if k.parent_id == result.pk]  # type: ignore[attr-defined]
            objective.top_results = tops  # type: ignore[attr-defined]
            objective.progress = objective_progress(  # type: ignore[attr-defined]
                [(progress[r.pk], float(r.weight)) for r in tops],
                [v.achieved for v in objective.indicator_views],  # type: ignore[attr-defined]
            )
    return axes


def objective_progress(
    results: list[tuple[float, float]], indicators: list[float | None]
) -> float | None:
    """An objective's progress: the mean of its results' part (their weighted mean) and its
    indicators' part (how far the measured ones went from baseline to target). An indicator
    not yet measured counts in neither; with nothing to count there is no figure."""
    parts = []
    if results:
        total = sum(weight for _value, weight in results)
        parts.append(
            sum(value * weight for value, weight in results) / total
            if total > 0
            else sum(value for value, _weight in results) / len(results)
        )
    measured = [value for value in indicators if value is not None]
    if measured:
        parts.append(sum(measured) / len(measured))
    return sum(parts) / len(parts) if parts else None


def shown_status(status: str, progress: float) -> str:
    """The status a result shows, agreeing with its progress: a result whose sub-results
    (or its own figure) moved is not "not started", nor one at 100 % anything but done."""
    if progress >= 100:
        return ResultStatus.DONE
    if status == ResultStatus.STALLED:
        return status
    if progress <= 0:
        return ResultStatus.NOT_STARTED
    if progress >= STATUS_PROGRESS[ResultStatus.ADVANCED]:
        return ResultStatus.ADVANCED
    return ResultStatus.STARTED


def progress_of(results: list[Result]) -> dict[int, float]:
    nodes = [
        Node(
            r.pk,
            r.parent_id,
            float(r.weight),
            float(r.progress) if r.progress is not None else None,
        )
        for r in results
    ]
    return rolled_up(nodes, {r.pk: STATUS_PROGRESS[r.status] for r in results})


def axis_progress(table: Table) -> list[dict[str, Any]]:
    """One row per axis: mean progress of its objectives' top results, for reports and charts."""
    rows = []
    for axis in roadmap_of(table):
        values = [o.progress for o in axis.objectives.all() if o.progress is not None]  # type: ignore[attr-defined]
        rows.append(
            {"axis": axis, "progress": round(sum(values) / len(values), 1) if values else 0.0}
        )
    return rows
