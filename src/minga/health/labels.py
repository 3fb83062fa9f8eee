"""The words people read for each health component, and the facts behind it."""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minga.health.index import Component
from minga.tables.models import InstrumentKind

NAMES = {
    "meetings": gettext_lazy("Regular meetings"),
    "attendance": gettext_lazy("Attendance"),
    "sector_balance": gettext_lazy("Sector balance of positions"),
    "women": gettext_lazy("Women's participation"),
    "youth": gettext_lazy("Youth participation"),
    "reports": gettext_lazy("Reports published on time"),
    "commitments": gettext_lazy("Commitments kept"),
    "instruments": gettext_lazy("Institutionalization instruments in force"),
    "secretariat": gettext_lazy("Funded secretariat"),
    "leadership": gettext_lazy("Shared leadership"),
    "training": gettext_lazy("Training of member organizations"),
}


def explain(c: Component) -> str:
    f: dict[str, Any] = c.facts
    if c.key == "meetings":
        return _("%(held)s meetings held in the last 12 months; %(expected)s expected.") % f
    if c.key == "attendance":
        return _("%(present)s organizations present out of %(expected)s expected seats.") % f
    if c.key == "sector_balance":
        if not f:
            return _("No position stated in a decision round this year.")
        return _(
            "Positions by sector: indigenous %(i)s, government %(g)s, civil society %(c)s."
        ) % {
            "i": f.get("indigenous", 0),
            "g": f.get("government", 0),
            "c": f.get("civil_society", 0),
        }
    if c.key == "women":
        return _("%(women)s women among %(participants)s participants (target: parity).") % f
    if c.key == "youth":
        return (
            _("%(youth)s people under 30 among %(participants)s participants (target 20 %%).") % f
        )
    if c.key == "reports":
        if not f["due"]:
            return _("No quarterly report fell due yet.")
        return _("%(on_time)s of %(due)s quarterly reports on time, %(late)s late.") % f
    if c.key == "commitments":
        if not f["due"]:
            return _("No commitment fell due in the last 12 months.")
        return _("%(kept)s of %(due)s commitments due were kept.") % f
    if c.key == "instruments":
        kinds = [str(InstrumentKind(k).label) for k in f["in_force"]]
        return _("In force: %(kinds)s (of ordinance, multi-year agreement, statute).") % {
            "kinds": ", ".join(kinds) or _("none")
        }
    if c.key == "secretariat":
        return _("The secretariat is funded for %(months)s more months (target 12).") % {
            "months": number_format(f["months"], decimal_pos=None)
        }
    if c.key == "leadership":
        if c.score is None:
            return _("Too few actions recorded by people this year to judge (%(actions)s).") % f
        return _("The most active person recorded %(top)s of %(actions)s actions.") % f
    return (
        _("%(trained)s of %(organizations)s member organizations sent someone to a training.") % f
    )
