"""A chart is drawn on the server and carries its own text equivalent: the same figures as a
table, in the reader's number format."""

from __future__ import annotations

import re

from django.utils import translation

from minga.core.charts import columns


def test_a_chart_says_its_figures_as_a_table():
    with translation.override("es"):
        html = columns(
            ["2025", "2026"],
            [("Bosque", [1234.5, 10.0], "a"), ("Agua", [2.0, 3.25], "b")],
            title="Hectáreas por año",
            unit="ha",
        )
    assert 'role="img" aria-label="Hectáreas por año"' in html
    table = html.split('<details class="chart-data">', 1)[1]
    assert "<summary>La gráfica como tabla</summary>" in table
    head = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert head == ["ha", "Bosque", "Agua", "Total"]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>((?:<td>[^<]*</td>)+)</tr>', table)
    assert [(label, re.findall(r"<td>([^<]*)</td>", cells)) for label, cells in rows] == [
        ("2025", ["1\xa0234", "2,00", "1\xa0236"]),  # Spanish groups thousands with a space
        ("2026", ["10,0", "3,25", "13,2"]),
    ]


def test_a_single_series_needs_no_total_and_an_empty_chart_draws_nothing():
    html = columns(["a"], [("Pérdida", [4.0], "loss")], title="t", unit="ha")
    assert re.findall(r'<th scope="col">([^<]*)</th>', html) == ["ha", "Pérdida"]
    assert columns([], [("x", [], "x")], title="t", unit="u") == ""
