"""The satellite charts, drawn on the server (see ``minga.core.charts``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from minga.core import charts
from minga.satellite import queries
from minga.satellite.models import CONFIDENCE_CHOICES

CONF_CLASSES = {1: "low", 2: "high", 3: "highest"}


def loss_chart(loss: dict[int, float], *, title: str) -> Any:
    flagged = {int(a.label) for a in queries.loss_anomalies(loss)}
    years = list(loss)
    return charts.columns(
        [str(y) for y in years],
        [
            (_("Tree cover loss"), [0.0 if y in flagged else loss[y] for y in years], "loss"),
            (_("Unusual year"), [loss[y] if y in flagged else 0.0 for y in years], "flagged"),
        ]
        if flagged
        else [(_("Tree cover loss"), [loss[y] for y in years], "loss")],
        title=title,
        unit="ha",
        every=4,
    )


def alerts_chart(alerts: dict[tuple[int, int], dict[int, float]], *, title: str) -> Any:
    months = list(alerts)
    names = dict(CONFIDENCE_CHOICES)
    return charts.columns(
        [f"{m:02d}/{y % 100:02d}" for y, m in months],
        [
            (str(names[c]), [alerts[k].get(c, 0.0) for k in months], CONF_CLASSES[c])
            for c in (1, 2, 3)
        ],
        title=title,
        unit="ha",
    )
