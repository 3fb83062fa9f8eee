"""Small server-drawn SVG charts: no JavaScript, a few hundred bytes, readable when printed."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def _nice(top: float) -> float:
    if top <= 0:
        return 1.0
    step = 10 ** len(str(int(top))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if top <= step * factor:
            return float(step * factor)
    return top


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    title: str,
    unit: str,
    every: int = 0,
) -> SafeString:
    """Stacked columns: ``series`` is ``(name, values, css class)``; labels under every ``every``."""
    n = len(labels)
    if n == 0:
        return mark_safe("")
    totals = [sum(s[1][i] for s in series) for i in range(n)]
    top = _nice(max(totals))
    width, height, left, bottom = 600, 180, 44, 22
    slot = (width - left) / n
    bar = max(slot * 0.72, 1)
    every = every or max(1, round(n / 12))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + bottom}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{height}" x2="{width}" y2="{height}" class="axis"/>',
        f'<text x="{left - 4}" y="10" class="tick" text-anchor="end">{_fmt(top)}</text>',
        f'<text x="{left - 4}" y="{height}" class="tick" text-anchor="end">0</text>',
        f'<text x="{left - 4}" y="{height / 2 + 4:.0f}" class="tick" text-anchor="end">{escape(unit)}</text>',
    ]
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar) / 2
        y = float(height)
        tip = [f"{label}: {_fmt(totals[i])} {unit}"]
        for name, values, css in series:
            h = values[i] / top * (height - 6) if top else 0
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" class="{css}"/>'
                )
            if len(series) > 1:
                tip.append(f"{name}: {_fmt(values[i])}")
        parts.append(
            f'<rect x="{left + i * slot:.1f}" y="0" width="{slot:.1f}" height="{height}" '
            f'class="hit"><title>{escape(" · ".join(tip))}</title></rect>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{left + (i + 0.5) * slot:.1f}" y="{height + 15}" class="tick" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    if len(series) > 1:
        legend = "".join(
            f'<span class="key {css}"></span>{escape(name)} ' for name, _values, css in series
        )
        parts.append(f'<p class="legend">{legend}</p>')
    parts.append(_figures(labels, series, totals, unit))
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _figures(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    totals: Sequence[float],
    unit: str,
) -> str:
    """The chart's text equivalent: its figures as a table, folded under the chart."""
    several = len(series) > 1
    names = [name for name, _values, _css in series] + ([_("Total")] if several else [])
    head = f'<th scope="col">{escape(unit)}</th>' + "".join(
        f'<th scope="col">{escape(name)}</th>' for name in names
    )
    rows = []
    for i, label in enumerate(labels):
        cells = [values[i] for _name, values, _css in series] + ([totals[i]] if several else [])
        rows.append(
            f'<tr><th scope="row">{escape(label)}</th>'
            + "".join(f"<td>{_fmt(v)}</td>" for v in cells)
            + "</tr>"
        )
    summary = escape(_("The chart as a table"))
    return (
        f'<details class="chart-data"><summary>{summary}</summary>'
        f'<div class="scroll"><table class="list"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></details>"
    )


def _fmt(value: float) -> str:
    """In the reader's language (1 234,5 in Spanish, 1,234.5 in English)."""

    places = 0 if value >= 100 else 1 if value >= 10 else 2
    return str(number_format(round(value, places), places, use_l10n=True, force_grouping=True))
