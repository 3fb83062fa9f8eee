"""What monitoring adds to an agreement's page: patrol coverage and compliance with patrols."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from minga.core.reports import Section, register
from minga.monitoring.queries import coverage

# Obligations an observation of these kinds inside the area breaks.
BROKEN_BY = {
    "no_mining": "mining",
    "no_clearing": "illegal_logging",
    "no_logging": "illegal_logging",
    "fire_prevention": "fire",
    "hunting_rules": "hunting",
}


@register("agreement")
def patrol_coverage(agreement: Any, since: dt.date | None = None) -> Section | None:
    """Coverage and compliance since ``since`` (default: the last twelve months)."""
    start = since or (timezone.localdate() - dt.timedelta(days=365))
    title = _("Patrols and compliance since %(date)s") % {"date": start.isoformat()}
    found = coverage(agreement, since=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC))
    if not found["patrols"]:
        return Section(title, [_("No patrol recorded.")])
    items = [
        _("%(n)s patrols, %(km)s km walked.") % {"n": found["patrols"], "km": f"{found['km']:.1f}"},
    ]
    if found["share"] is not None and agreement.area_sensitivity == 0:
        items.append(
            _("%(share)s %% of the area lies within 1 km of a track.") % {"share": found["share"]}
        )
    for obligation in agreement.obligations.all():
        if obligation.kind == "patrols" and obligation.per_year:
            kept = found["patrols"] >= obligation.per_year
            items.append(
                (
                    _("Patrol obligation kept: %(n)s of %(required)s a year.")
                    if kept
                    else _("Patrol obligation not kept: %(n)s of %(required)s a year.")
                )
                % {"n": found["patrols"], "required": obligation.per_year}
            )
        elif obligation.kind in BROKEN_BY:
            seen = agreement.observations.filter(
                kind=BROKEN_BY[obligation.kind], observed_at__date__gte=start
            ).count()
            items.append(
                (
                    _("%(obligation)s: kept, nothing seen.")
                    if not seen
                    else _("%(obligation)s: %(n)s observations against it.")
                )
                % {"obligation": obligation.get_kind_display(), "n": seen}
            )
    return Section(title, items)


def _satellite_section(title: str, loss: dict[int, float], items: list[str], link: str) -> Section:
    from minga.monitoring.charts import loss_chart

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
    from django.urls import reverse

    from minga.monitoring.queries import latest_run, loss_anomalies, series, zones_of_kind

    run = latest_run(agreement.table)
    zones = zones_of_kind(agreement.table, "agreement", agreement.public_id)
    if run is None or not zones:
        return None
    s = series(run, zones[0])
    if not s.loss:
        return None
    items = [
        _("Forest in 2000: %(ha)s ha; tree cover loss since 2001: %(loss)s ha.")
        % {"ha": f"{s.forest:,.0f}", "loss": f"{s.total_loss:,.1f}"}
    ]
    if agreement.signed_on:
        after = sum(ha for y, ha in s.loss.items() if y >= agreement.signed_on.year)
        items.append(
            _("Since the signing year (%(year)s): %(loss)s ha.")
            % {"year": agreement.signed_on.year, "loss": f"{after:,.1f}"}
        )
    items += [
        _("%(year)s is unusual: %(ha)s ha against a baseline of %(base)s ha.")
        % {"year": a.label, "ha": f"{a.value:,.1f}", "base": f"{a.baseline:,.1f}"}
        for a in loss_anomalies(s.loss)
    ]
    link = reverse("satellite-zone", args=[agreement.table.slug, "agreement", agreement.public_id])
    return _satellite_section(_("Forest from satellites"), s.loss, items, link)


@register("table")
def table_satellite(table: Any, user: Any) -> Section | None:
    from django.urls import reverse

    from minga.monitoring.queries import latest_run, table_loss

    loss = table_loss(latest_run(table), user, table)
    if not loss:
        return None
    recent = sum(ha for y, ha in loss.items() if y > max(loss) - 5)
    items = [
        _("Tree cover loss in the territories, last five years: %(ha)s ha.")
        % {"ha": f"{recent:,.0f}"}
    ]
    return _satellite_section(
        _("Forest from satellites"), loss, items, reverse("satellite", args=[table.slug])
    )
