"""What each kind of notice says, and to whom: short, in the reader's language, with a short
link to the page (and, for a round closing by SMS, how to reply with a stance)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from minga.core.access import DECIDING_ROLES
from minga.decisions.models import Round
from minga.initiatives.models import Commitment, CommitmentStatus
from minga.meetings.models import Meeting
from minga.monitoring.models import Observation
from minga.notices import services
from minga.notices.models import Channel, Kind
from minga.tables.models import Membership, Table

ROUND_CLOSING_WITHIN = dt.timedelta(hours=24)
COMMITMENT_DUE_WITHIN = dt.timedelta(days=3)
ALERT_FRESH = dt.timedelta(days=3)


def short(text: str, length: int = 60) -> str:
    """A title cut to fit an SMS (accented letters make it Unicode: 70 characters a part)."""
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _people(table: Table, *, roles: Any = None, organizations: Any = None) -> list[Any]:
    seats = Membership.objects.active().filter(table=table, person__user__isnull=False)
    if roles is not None:
        seats = seats.filter(role__in=roles)
    if organizations is not None:
        seats = seats.filter(organization__in=organizations)
    ids = set(seats.values_list("person__user_id", flat=True))
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def round_opened(round_: Round) -> None:
    proposal = round_.proposal
    link = services.short_url(reverse("proposal", args=[proposal.table.slug, proposal.public_id]))

    def text(user: Any, channel: str) -> str:
        return _("minga, %(table)s: new decision round on %(title)s, until %(when)s. %(link)s") % {
            "table": short(proposal.table.name, 40),
            "title": short(proposal.title),
            "when": _when(round_.closes_at),
            "link": link,
        }

    services.notify(
        kind=Kind.ROUND_OPENED,
        users=_people(proposal.table, roles=DECIDING_ROLES),
        table=proposal.table,
        about=f"round_opened:{round_.pk}",
        text=text,
    )


def round_closing(round_: Round) -> None:
    """To the people of the deciding organizations that have not spoken yet."""
    proposal = round_.proposal
    table = proposal.table
    spoken = round_.positions.values_list("organization_id", flat=True)
    seats = Membership.objects.active().filter(table=table, role__in=DECIDING_ROLES)
    waiting = seats.exclude(organization_id__in=spoken).values_list("organization_id", flat=True)
    link = services.short_url(reverse("proposal", args=[table.slug, proposal.public_id]))

    def text(user: Any, channel: str) -> str:
        said = _("minga: the round on %(title)s closes %(when)s.") % {
            "title": short(proposal.title),
            "when": _when(round_.closes_at),
        }
        if channel == Channel.SMS:
            code = services.reply_code(user, round_)
            said += " " + _(
                "Reply A %(code)s (agree), C %(code)s (concerns), S %(code)s (stand aside) or "
                "B %(code)s and your reason (block)."
            ) % {"code": code}
        return f"{said} {link}"

    services.notify(
        kind=Kind.ROUND_CLOSING,
        users=_people(table, roles=DECIDING_ROLES, organizations=list(waiting)),
        table=table,
        about=f"round_closing:{round_.pk}",
        text=text,
    )


def meeting(meeting: Meeting, *, what: str) -> None:
    """``what``: convened, changed or cancelled. Only for a meeting that was convened: a draft
    changes without anyone being told."""
    if meeting.convened_at is None:
        return
    link = services.short_url(reverse("meeting", args=[meeting.table.slug, meeting.public_id]))
    said = {
        "convened": _(
            "minga, %(table)s: meeting %(title)s convened for %(when)s, %(place)s. %(link)s"
        ),
        "changed": _(
            "minga, %(table)s: the meeting %(title)s changed: now %(when)s, %(place)s. %(link)s"
        ),
        "cancelled": _(
            "minga, %(table)s: the meeting %(title)s of %(when)s is cancelled. %(link)s"
        ),
    }

    def text(user: Any, channel: str) -> str:
        return str(said[what]) % {
            "table": short(meeting.table.name, 40),
            "title": short(meeting.shown_title),
            "when": _when(meeting.starts_at),
            "place": short(meeting.place, 40) or _("online"),
            "link": link,
        }

    services.notify(
        kind=Kind.MEETING,
        users=_people(meeting.table),
        table=meeting.table,
        about=f"meeting:{what}:{meeting.pk}:{meeting.sequence}",
        text=text,
    )


def commitment_due(commitment: Commitment) -> None:
    link = services.short_url(reverse("commitments", args=[commitment.table.slug]))

    def text(user: Any, channel: str) -> str:
        return _("minga: your organization's commitment %(what)s is due on %(when)s. %(link)s") % {
            "what": short(commitment.what),
            "when": formats.date_format(commitment.due_on, "SHORT_DATE_FORMAT"),
            "link": link,
        }

    services.notify(
        kind=Kind.COMMITMENT_DUE,
        users=_people(commitment.table, organizations=[commitment.organization_id]),
        table=commitment.table,
        about=f"commitment_due:{commitment.pk}",
        text=text,
    )


def alert(observation: Observation) -> None:
    """To the people of the community whose area it falls in (its agreement's, or its own): a
    fresh alert only (an import brings old ones in as history), one notice per community, kind
    and day however many observations say it."""
    community = observation.owner_id or (
        observation.agreement.community_id if observation.agreement else None
    )
    if community is None or observation.observed_at < timezone.now() - ALERT_FRESH:
        return
    link = services.short_url(reverse("observations", args=[observation.table.slug]))
    day = timezone.localdate(observation.observed_at)

    def text(user: Any, channel: str) -> str:
        return _("minga: alert in your community's area: %(kind)s seen on %(when)s. %(link)s") % {
            "kind": observation.get_kind_display(),
            "when": _when(observation.observed_at),
            "link": link,
        }

    services.notify(
        kind=Kind.ALERT,
        users=_people(observation.table, organizations=[community]),
        table=observation.table,
        about=f"alert:{community}:{observation.kind}:{day.isoformat()}",
        text=text,
    )


def due_now(now: dt.datetime | None = None) -> int:
    """Rounds closing within a day and commitments due within three days, each noticed once
    (``minga send_notices``, from cron every hour)."""
    now = now or timezone.now()
    rounds = Round.objects.filter(
        closed_at__isnull=True, closes_at__gt=now, closes_at__lte=now + ROUND_CLOSING_WITHIN
    ).select_related("proposal__table")
    for round_ in rounds:
        round_closing(round_)
    commitments = Commitment.objects.filter(
        status__in=[CommitmentStatus.PENDING, CommitmentStatus.IN_PROGRESS],
        due_on__gte=timezone.localdate(now),
        due_on__lte=timezone.localdate(now + COMMITMENT_DUE_WITHIN),
    ).select_related("table")
    for commitment in commitments:
        commitment_due(commitment)
    return len(rounds) + len(commitments)
