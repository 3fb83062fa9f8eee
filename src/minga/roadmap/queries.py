"""Reads of the roadmap: the tree of axes, objectives, indicators and results, with progress."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from minga.roadmap.models import STATUS_PROGRESS, Axis, Indicator, Measurement, Objective, Result
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
                result.kids = [k for k in objective.results.all() if k.parent_id == result.pk]  # type: ignore[attr-defined]
            objective.top_results = tops  # type: ignore[attr-defined]
            objective.progress = (  # type: ignore[attr-defined]
                sum(progress[r.pk] * float(r.weight) for r in tops)
                / max(sum(float(r.weight) for r in tops), 1e-9)
                if tops
                else None
            )
    return axes


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
