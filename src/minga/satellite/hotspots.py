"""Alert pixels grouped into hotspots a patrol can go to. Pure: numpy only.

Alerts are binned on a grid of ``cell_m`` metres; cells with alerts that touch (8 neighbours)
form one hotspot. Linear in the number of alerts, no distance matrix, same input → same output.
Each hotspot carries where it is, how much forest the alerts cover, when they started and ended,
and its strongest confidence, so the table can send the monitors to the worst first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class Hotspot:
    lon: float
    lat: float
    west: float
    south: float
    east: float
    north: float
    alerts: int
    hectares: float
    first_day: int
    last_day: int
    confidence: int  # highest among its alerts: 1 low, 2 high, 3 highest

    @property
    def radius_m(self) -> float:
        half_w = (self.east - self.west) / 2 * M_PER_DEG * math.cos(math.radians(self.lat))
        half_h = (self.north - self.south) / 2 * M_PER_DEG
        return max(30.0, math.hypot(half_w, half_h))

    @property
    def score(self) -> float:
        return self.hectares * self.confidence


def cluster(
    lon: np.ndarray,
    lat: np.ndarray,
    day: np.ndarray,
    confidence: np.ndarray,
    hectares: np.ndarray,
    *,
    cell_m: float = 300.0,
    max_extent_m: float = 1500.0,
    min_alerts: int = 5,
) -> list[Hotspot]:
    """Hotspots from alert pixels (one entry per pixel), largest score first.

    A clearing front along a road can run for kilometres; no hotspot spans more than
    ``max_extent_m`` a side, so each one is a place a patrol can walk in a day.
    """
    if lon.size == 0:
        return []
    lat0 = float(np.mean(lat))
    size_x = cell_m / (M_PER_DEG * math.cos(math.radians(lat0)))
    size_y = cell_m / M_PER_DEG
    cx = np.floor((lon - lon.min()) / size_x).astype(np.int64)
    cy = np.floor((lat - lat.min()) / size_y).astype(np.int64)
    width = int(cx.max()) + 3
    key = (cy + 1) * width + (cx + 1)
    cells, inverse = np.unique(key, return_inverse=True)
    per = max(1, int(max_extent_m // cell_m))
    cell_y, cell_x = np.divmod(cells, width)
    block = (cell_y // per) * (width // per + 1) + cell_x // per
    # connected components by label propagation: every cell takes the smallest label among its
    # 8 neighbours in the same block until nothing changes (blocks are small, so few rounds)
    pairs_a, pairs_b = [], []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if (dy, dx) <= (0, 0):
                continue
            neighbour = cells + dy * width + dx
            pos = np.minimum(np.searchsorted(cells, neighbour), cells.size - 1)
            hit = np.flatnonzero((cells[pos] == neighbour) & (block[pos] == block))
            pairs_a.append(hit)
            pairs_b.append(pos[hit])
    a = np.concatenate(pairs_a)
    b = np.concatenate(pairs_b)
    roots = np.arange(cells.size)
    while True:
        before = roots.copy()
        np.minimum.at(roots, a, roots[b])
        np.minimum.at(roots, b, roots[a])
        roots = roots[roots]
        if np.array_equal(roots, before):
            break
    label = roots[inverse]
    order = np.argsort(label, kind="stable")
    starts = np.flatnonzero(np.r_[True, label[order][1:] != label[order][:-1]])
    out = []
    for group in np.split(order, starts[1:]):
        if group.size < min_alerts:
            continue
        ha = hectares[group]
        x, y = lon[group], lat[group]
        out.append(
            Hotspot(
                lon=float(np.average(x, weights=ha)),
                lat=float(np.average(y, weights=ha)),
                west=float(x.min()),
                south=float(y.min()),
                east=float(x.max()),
                north=float(y.max()),
                alerts=int(group.size),
                hectares=float(ha.sum()),
                first_day=int(day[group].min()),
                last_day=int(day[group].max()),
                confidence=int(confidence[group].max()),
            )
        )
    out.sort(key=lambda h: (-h.score, h.lon, h.lat))
    return out
