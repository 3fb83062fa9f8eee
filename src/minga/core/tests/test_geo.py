import itertools
import json

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

from minga.core import geo

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def test_it_measures_a_one_degree_cell_at_the_equator_on_the_ellipsoid():
    # 1°×1° at the equator on WGS 84: 12,308.8 km² (Karney; also GeographicLib's Planimeter).
    hectares = geo.geodesic_hectares(geo.parse_area(SQUARE))
    assert hectares == pytest.approx(1_230_880, rel=1e-4)


def test_it_accepts_features_and_collections():
    feature = {"type": "Feature", "properties": {}, "geometry": SQUARE}
    collection = {"type": "FeatureCollection", "features": [feature]}
    assert geo.parse_area(json.dumps(feature)).area == 1
    assert geo.parse_area(collection).area == 1


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ("{not json", "not valid JSON"),
        ({"type": "Point", "coordinates": [0, 0]}, "Only Polygon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "four positions"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
            "end where it starts",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]},
            "longitude first",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "Self-intersection",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], ["a", 0], [1, 1], [0, 0]]]}, "numbers"),
    ],
)
def test_it_refuses_bad_geometry_without_repairing_it(data, needle):
    with translation.override("en"), pytest.raises(geo.GeometryError, match=needle):
        geo.parse_area(data)


def test_it_writes_counter_clockwise_exteriors():
    clockwise = {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]}
    ring = geo.to_geojson(geo.parse_area(clockwise))["coordinates"][0]
    signed = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert signed > 0


@given(
    st.floats(-170, 169),
    st.floats(-80, 79),
    st.floats(0.01, 1),
    st.floats(0.01, 1),
    st.floats(-10, 10),
)
def test_it_gives_areas_that_do_not_depend_on_longitude_or_hemisphere(west, south, w, h, shift):
    area = geo.geodesic_hectares(box(west, south, west + w, south + h))
    shifted = geo.geodesic_hectares(box(west + shift, south, west + shift + w, south + h))
    mirrored = geo.geodesic_hectares(box(west, -south - h, west + w, -south))
    assert area > 0
    assert shifted == pytest.approx(area, rel=1e-9)
    assert mirrored == pytest.approx(area, rel=1e-9)


def test_it_knows_what_lies_inside():
    assert geo.covered_by(box(0.2, 0.2, 0.8, 0.8), box(0, 0, 1, 1))
    assert not geo.covered_by(box(0.5, 0.5, 1.5, 1.5), box(0, 0, 1, 1))
