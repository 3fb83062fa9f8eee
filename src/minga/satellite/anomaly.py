"""Is a zone's recent loss out of line with its own past? Pure: no Django, no numpy needed.

The method (docs/decisions/0003-loss-anomalies.md): for each period, the baseline is the
median of the zone's previous ``window`` periods and its spread the median absolute deviation
(MAD), scaled by 1.4826 to match a standard deviation for normal data. A period is flagged when
its robust z-score exceeds ``threshold`` *and* it exceeds the baseline by at least ``min_excess``
hectares — a zone with almost no loss is not flagged for going from 0.1 to 0.4 ha. The spread
never falls below ``floor_share`` of the median, so a flat series does not make every wiggle an
event. Only increases are flagged: less loss is good news, not an anomaly to chase.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class Anomaly:
    index: int
    label: str
    value: float
    baseline: float
    spread: float
    z: float


def anomalies(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    window: int = 5,
    threshold: float = 3.5,
    min_excess: float = 1.0,
    floor_share: float = 0.1,
) -> list[Anomaly]:
    """The periods of ``values`` that depart upward from their own rolling baseline."""
    if len(labels) != len(values):
        raise ValueError("labels and values differ in length")
    found = []
    for i in range(window, len(values)):
        past = list(values[i - window : i])
        median = statistics.median(past)
        mad = statistics.median(abs(v - median) for v in past) * MAD_TO_SD
        spread = max(mad, floor_share * median, 1e-9)
        excess = values[i] - median
        z = excess / spread
        if z > threshold and excess >= min_excess:
            found.append(
                Anomaly(i, labels[i], float(values[i]), float(median), float(spread), float(z))
            )
    return found
