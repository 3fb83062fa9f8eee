"""Who may see and do what: roles on a table and sensitivity levels, in one place.

Deny by default: an action not listed here is allowed to nobody. Areas ask ``can()`` and
``level_for()``; they never compare role names themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    CONVENER = "convener", _("Convener")
    MEMBER = "member", _("Member representative")
    MONITOR = "monitor", _("Community monitor")
    OBSERVER = "observer", _("Observer")


PUBLIC = "public"  # the anonymous viewer, and anyone without a role on the table


class Sensitivity(models.IntegerChoices):
    PUBLIC = 0, _("Public")
    TABLE = 1, _("Table members")
    OWNER = 2, _("Owner only")


# Every action that needs a role, and the roles that may do it on a table.
ACTIONS: dict[str, frozenset[str]] = {
    "table.edit": frozenset({Role.SECRETARIAT}),
    "membership.invite": frozenset({Role.SECRETARIAT}),
    "membership.import": frozenset({Role.SECRETARIAT}),
    "membership.end": frozenset({Role.SECRETARIAT}),
    "organization.create": frozenset({Role.SECRETARIAT}),
    "instrument.add": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    "document.add": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR}),
    "document.manage": frozenset({Role.SECRETARIAT}),
    "guidance.answer": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    # meetings and the joint agenda
    "meeting.manage": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    "priority.submit": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR}),
    "ranking.manage": frozenset({Role.SECRETARIAT}),
    "ranking.vote": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR}),
    # conservation agreements
    "agreement.manage": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    # field monitoring
    "monitoring.import": frozenset({Role.SECRETARIAT, Role.MONITOR}),
    "monitoring.sources": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MONITOR}),
    # satellite layers and verification
    "satellite.manage": frozenset({Role.SECRETARIAT}),
    "verification.sample": frozenset({Role.SECRETARIAT, Role.MONITOR}),
    "verification.issue": frozenset({Role.SECRETARIAT}),
    # the credit registry
    "credits.manage": frozenset({Role.SECRETARIAT}),
    # table health, risks, incidents and capacity
    "health.manage": frozenset({Role.SECRETARIAT}),
    "notices.manage": frozenset({Role.SECRETARIAT}),
    "incident.report": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR}),
    "incident.manage": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    # funds: a table applies to a call through its secretariat or convener
    "fund.apply": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    # roadmap, initiatives, commitments and reports
    "roadmap.edit": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    "initiative.manage": frozenset({Role.SECRETARIAT}),
    "initiative.report": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR}),
    "commitment.manage": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    "report.publish": frozenset({Role.SECRETARIAT}),
    "report.attest": frozenset({Role.OBSERVER}),
    # decisions and consultations
    "rules.edit": frozenset({Role.SECRETARIAT}),
    "proposal.create": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR}),
    "proposal.comment": frozenset(
        {Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR, Role.OBSERVER}
    ),
    "round.open": frozenset({Role.SECRETARIAT, Role.CONVENER}),
    "position.state": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR}),
    "decision.record": frozenset({Role.CONVENER}),
    "consultation.open": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.OBSERVER}),
    "consultation.answer": frozenset({Role.SECRETARIAT, Role.CONVENER, Role.MEMBER, Role.MONITOR}),
    "consultation.publish": frozenset({Role.SECRETARIAT}),
}

# Roles whose organization takes part in decisions; observers read and deliberate only.
DECIDING_ROLES = ACTIONS["position.state"]

# Roles that read the table's non-owner data. Every role does; observers read, never write.
_TABLE_READERS = frozenset(Role.values)


def can(roles: Iterable[str], action: str) -> bool:
    allowed = ACTIONS.get(action)
    if allowed is None:
        raise KeyError(f"unknown action {action!r}: add it to minga.core.access.ACTIONS")
    return not allowed.isdisjoint(roles)


def level_for(roles: Iterable[str], *, owns: bool = False) -> Sensitivity:
    """The highest sensitivity a viewer may read: owners read their own data (CARE principles)."""
    if owns:
        return Sensitivity.OWNER
    if not _TABLE_READERS.isdisjoint(roles):
        return Sensitivity.TABLE
    return Sensitivity.PUBLIC


def redact(values: Mapping[str, Any], policy: Mapping[str, int], level: int) -> dict[str, Any]:
    """Keep only the fields whose sensitivity is at or below ``level``; unlisted fields are owner-only."""
    return {k: v for k, v in values.items() if policy.get(k, Sensitivity.OWNER) <= level}


class SystemActor:
    """The actor for work no person did: demo loading, CLI maintenance, scheduled tasks."""

    is_authenticated = False
    is_superuser = True
    pk = None

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()

# Who does something: a signed-in user, an anonymous visitor, or the system itself.
type Actor = User | AnonymousUser | SystemActor


def person_user(actor: Actor | None) -> User | None:
    """The user to store as author of a row: None for the system actor and anonymous visitors."""
    return cast("User", actor) if getattr(actor, "is_authenticated", False) else None
