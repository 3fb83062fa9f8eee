"""The satellite sections of agreement pages and the table home (see ``core.reports``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from minga.core.reports import Section, register
from minga.satellite.charts import loss_chart
from minga.satellite.queries import latest_run, loss_anomalies, series, table_loss, zones_of_kind


def _satellite_section(title: str, loss: dict[int, float], items: list[str], link: str) -> Section:
    return Section(
        title,
        items,
        figures={
            "chart": loss_chart(loss, title=_("Tree cover loss per year (ha)")),
            "link": link,
            "link_label": _("Satellite monitoring"),
        },
    )


@register("agreement")
def satellite_loss(agreement: Any, since: dt.date | None = None) -> Section | None:
    """The agreement area's forest and loss per year, from the table's latest analysis."""
    run = latest_run(agreement.table)
    zones = zones_of_kind(agreement.table, "agreement", agreement.public_id)
    if run is None or not zones:
        return None
    s = series(run, zones[0])
    if not s.loss:
        return None
    items = [
        _("Forest in 2000: %(ha)s ha; tree cover loss since 2001: %(loss)s ha.")
        % {
            "ha": number_format(s.forest, 0, force_grouping=True),
            "loss": number_format(s.total_loss, 1, force_grouping=True),
        }
    ]
    if agreement.signed_on:
        after = sum(ha for y, ha in s.loss.items() if y >= agreement.signed_on.year)
        items.append(
            _("Since the signing year (%(year)s): %(loss)s ha.")
            % {
                "year": agreement.signed_on.year,
                "loss": number_format(after, 1, force_grouping=True),
            }
        )
    items += [
        _("%(year)s is unusual: %(ha)s ha against a baseline of %(base)s ha.")
        % {
            "year": a.label,
            "ha": number_format(a.value, 1, force_grouping=True),
            "base": number_format(a.baseline, 1, force_grouping=True),
        }
        for a in loss_anomalies(s.loss)
    ]
    link = reverse("satellite-zone", args=[agreement.table.slug, "agreement", agreement.public_id])
    return _satellite_section(_("Forest from satellites"), s.loss, items, link)


@register("table")
def table_satellite(table: Any, user: Any) -> Section | None:
    loss = table_loss(latest_run(table), user, table)
    if not loss:
        return None
    recent = sum(ha for y, ha in loss.items() if y > max(loss) - 5)
    items = [
        _("Tree cover loss in the territories, last five years: %(ha)s ha.")
        % {"ha": number_format(recent, 0, force_grouping=True)}
    ]
    return _satellite_section(
        _("Forest from satellites"), loss, items, reverse("satellite", args=[table.slug])
    )
