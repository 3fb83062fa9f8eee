import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point, box

from minga.initiatives.alignment import Item, overlaps, uncovered, unserved

JAN, JUN, DEC = dt.date(2026, 1, 1), dt.date(2026, 6, 1), dt.date(2026, 12, 31)


def test_it_flags_same_axis_same_place_same_time():
    items = [
        Item("a", "conservation", box(0, 0, 1, 1), JAN, JUN),
        Item("b", "conservation", Point(0.5, 0.5), JUN, DEC),
        Item("c", "production", box(0, 0, 1, 1), JAN, DEC),  # other axis
        Item("d", "conservation", box(5, 5, 6, 6), JAN, DEC),  # elsewhere
        Item(
            "e", "conservation", box(0, 0, 1, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1)
        ),  # later
    ]
    assert overlaps(items) == [("a", "b")]


def test_it_counts_points_with_their_reach():
    items = [Item("a", "x", Point(0, 0), JAN, DEC), Item("b", "x", Point(0.03, 0), JAN, DEC)]
    assert overlaps(items) == [("a", "b")]
    assert overlaps(items, reach_deg=0.01) == []


def test_it_finds_gaps():
    assert unserved(["o1", "o2", "o3"], [["o1"], ["o1", "o3"]]) == ["o2"]
    rest, share = uncovered(box(0, 0, 2, 1), [Item("a", "x", box(0, 0, 1, 1), JAN, DEC)], "x")
    assert round(share, 6) == 0.5 and rest.equals(box(1, 0, 2, 1))


@given(st.lists(st.tuples(st.floats(0, 10), st.floats(0, 10), st.sampled_from("xy")), max_size=15))
def test_it_reports_each_overlap_once_and_symmetrically(points):
    items = [Item(str(i), axis, Point(x, y), JAN, DEC) for i, (x, y, axis) in enumerate(points)]
    found = overlaps(items)
    assert len(found) == len(set(found)) and all(a < b for a, b in found)
    for a, b in found:
        ia, ib = items[int(a)], items[int(b)]
        assert ia.axis == ib.axis and ia.geometry.distance(ib.geometry) <= 2 * 0.018 + 1e-9
