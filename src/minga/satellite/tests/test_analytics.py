"""Anomalies on synthetic series with injected events, and alert hotspots."""

import numpy as np
import pytest

from minga.satellite.anomaly import anomalies
from minga.satellite.hotspots import cluster


def noisy(n, level, seed):
    rng = np.random.default_rng(seed)
    return list(level + rng.normal(0, level * 0.08, n))


@pytest.mark.parametrize("seed", range(5))
def test_an_injected_event_is_flagged_and_nothing_else(seed):
    values = noisy(20, 100.0, seed)
    values[15] += 120  # a road opens: more than double the usual loss
    found = anomalies([str(2005 + i) for i in range(20)], values)
    assert [a.label for a in found] == ["2020"]
    assert found[0].z > 3.5


@pytest.mark.parametrize("seed", range(5))
def test_a_quiet_series_raises_nothing(seed):
    assert anomalies([str(i) for i in range(20)], noisy(20, 100.0, seed)) == []


def test_a_slow_trend_is_not_an_event():
    values = [100 + 4 * i for i in range(20)]
    assert anomalies([str(i) for i in range(20)], values) == []


def test_less_loss_is_never_an_anomaly():
    values = noisy(12, 50.0, 1)
    values[-1] = 0.0
    assert anomalies([str(i) for i in range(12)], values) == []


def test_tiny_zones_need_a_real_excess():
    values = [0.0] * 10 + [0.4]
    assert anomalies([str(i) for i in range(11)], values) == []
    values[-1] = 5.0
    assert [a.index for a in anomalies([str(i) for i in range(11)], values)] == [10]


def test_a_short_series_has_no_baseline():
    assert anomalies(["a", "b", "c"], [1.0, 1.0, 50.0]) == []


def alerts_around(lon, lat, n, rng, spread=0.001):
    return rng.normal(lon, spread, n), rng.normal(lat, spread, n)


def test_two_separate_clearings_are_two_hotspots():
    rng = np.random.default_rng(3)
    x1, y1 = alerts_around(-77.5, -2.0, 40, rng)
    x2, y2 = alerts_around(-77.3, -2.1, 15, rng)
    lon, lat = np.r_[x1, x2], np.r_[y1, y2]
    n = lon.size
    found = cluster(
        lon,
        lat,
        np.arange(n) + 20000,
        np.where(np.arange(n) < 40, 1, 3),
        np.full(n, 0.07),
        cell_m=300,
    )
    assert len(found) == 2
    big, small = sorted(found, key=lambda h: -h.alerts)
    assert (big.alerts, small.alerts) == (40, 15)
    assert big.lon == pytest.approx(-77.5, abs=0.001)
    assert small.confidence == 3
    assert small.first_day == 20040


def test_a_long_front_is_split_into_walkable_hotspots():
    lon = np.linspace(-77.6, -77.4, 800)  # ~22 km along a road
    lat = np.full(800, -2.0)
    found = cluster(
        lon, lat, np.full(800, 20000), np.ones(800, int), np.full(800, 0.07), max_extent_m=1500
    )
    assert len(found) >= 14
    assert max(h.radius_m for h in found) < 1100
    assert sum(h.alerts for h in found) >= 795  # only a stub under min_alerts at an edge drops


def test_isolated_pixels_are_not_hotspots():
    lon = np.array([-77.0, -77.1, -77.2])
    lat = np.array([-2.0, -2.1, -2.2])
    assert cluster(lon, lat, np.ones(3), np.ones(3, int), np.ones(3)) == []
    assert cluster(np.empty(0), np.empty(0), np.empty(0), np.empty(0), np.empty(0)) == []
