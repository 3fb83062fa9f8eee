"""Olofsson et al. (2014) section 5's worked example, to the published figures, and bad input."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minga.satellite.estimation import EstimationError, allocate, estimate_area

# Table 4 of the paper: 30 m pixels (0.09 ha); rows = map class, columns = reference class.
CLASSES = ["deforestation", "forest_gain", "stable_forest", "stable_non_forest"]
MAPPED = [200000, 150000, 3200000, 6450000]
MATRIX = [[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]]
# Published (section 5.2): area ± 95 % interval in ha, user's and producer's accuracy.
PUBLISHED = {
    "deforestation": (21158, 6158, 0.88, 0.75),
    "forest_gain": (11686, 3756, 0.73, 0.85),
    "stable_forest": (285770, 15510, 0.93, 0.93),
    "stable_non_forest": (581386, 16282, 0.96, 0.96),
}


def test_it_reproduces_the_worked_example():
    result = estimate_area(CLASSES, MAPPED, MATRIX)
    for name, (area, ci, users, producers) in PUBLISHED.items():
        got = result.get(name)
        assert round(got.area * 0.09) == area
        assert round(got.ci95 * 0.09) == ci
        assert round(got.users_accuracy, 2) == users
        assert round(got.producers_accuracy, 2) == pytest.approx(producers, abs=0.011)
    assert round(result.overall_accuracy, 2) == 0.95


def test_the_command_prints_the_json_shape(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"classes": CLASSES, "mapped_area": MAPPED, "error_matrix": MATRIX}))
    out = io.StringIO()
    call_command("estimate-area", str(path), stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"classes", "overall_accuracy"}
    deforestation = data["classes"]["deforestation"]
    assert set(deforestation) == {"area", "ci95", "users_accuracy", "producers_accuracy"}
    assert deforestation["area"] == pytest.approx(21158 / 0.09, rel=1e-4)  # in the input's unit
    assert 0 <= deforestation["users_accuracy"] <= 1


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 0], [3, 40]], "map class 'a' has 1 sample unit"),
        ([[0, 0], [3, 40]], "map class 'a' has 0 sample unit"),
        ([[1, 1]], r"must be 2 × 2"),
        ([[1, "x"], [3, 40]], "not a number"),
        ([[-1, 3], [3, 40]], "negative"),
    ],
)
def test_it_refuses_what_cannot_be_estimated(matrix, message):
    with pytest.raises(EstimationError, match=message):
        estimate_area(["a", "b"], [10, 90], matrix)


def test_the_command_exits_2_with_the_reason(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(
            {"classes": ["a", "b"], "mapped_area": [10, 90], "error_matrix": [[1, 0], [3, 40]]}
        )
    )
    with pytest.raises(CommandError, match="at least two") as caught:
        call_command("estimate-area", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2


def test_allocation_gives_rare_strata_their_minimum():
    counts = allocate(MAPPED, total=600, minimum=50)
    assert counts[:2] == [50, 50]
    assert sum(counts) == pytest.approx(600, abs=2)
    with pytest.raises(EstimationError):
        allocate(MAPPED, total=100, minimum=50)
