"""What monitoring adds to an agreement's page: patrol coverage and compliance with patrols."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    title = _("Patrols and compliance since %(date)s") % {"date": date_format(start, "DATE_FORMAT")}
    found = coverage(agreement, since=dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC))
    if not found["patrols"]:
        return Section(title, [_("No patrol recorded.")])
    items = [
        ngettext(
            "%(n)s patrol, %(km)s km walked.", "%(n)s patrols, %(km)s km walked.", found["patrols"]
        )
        % {"n": found["patrols"], "km": number_format(found["km"], 1, force_grouping=True)},
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
                    else ngettext(
                        "%(obligation)s: %(n)s observation against it.",
                        "%(obligation)s: %(n)s observations against it.",
                        seen,
                    )
                )
                % {"obligation": obligation.get_kind_display(), "n": seen}
            )
    return Section(title, items)
