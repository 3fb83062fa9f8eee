"""What monitoring adds to an agreement's page: patrol coverage and compliance with patrols."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from minga.core.reports import Section, register
from minga.monitoring.queries import coverage


@register("agreement")
def patrol_coverage(agreement: Any, user: Any = None) -> Section | None:
    since = timezone.now() - dt.timedelta(days=365)
    found = coverage(agreement, since=since)
    if not found["patrols"]:
        return Section(_("Patrols in the last twelve months"), [_("No patrol recorded.")])
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
    return Section(_("Patrols in the last twelve months"), items)
