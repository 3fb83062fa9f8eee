"""Notices by the channel each person reads: who chose what, the messages queued for the worker
with retries, verified phone numbers, short links, and stances replied by SMS."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minga.decisions import services as decisions
from minga.decisions.models import STANCE_CHOICES, Round
from minga.notices import gateways
from minga.notices.models import (
    Channel,
    Choice,
    Kind,
    Message,
    Phone,
    ReplyCode,
    ShortLink,
    Status,
)
from minga.tables.models import Table

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand
# (no 0/O, 1/I/L, 5/S, 2/Z, 8/B): a short code survives a radio link.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 6
PHONE = re.compile(r"\+[1-9]\d{7,14}")
VERIFY_FOR = dt.timedelta(minutes=30)
VERIFY_TRIES = 5
REPLY_FOR = dt.timedelta(days=3)


# --- choices -----------------------------------------------------------------------------------


def phone_of(user: Any, *, verified: bool = True) -> Phone | None:
    phone = Phone.objects.filter(user=user).first()
    if phone is None or (verified and phone.verified_at is None):
        return None
    return phone


def offered(user: Any) -> list[str]:
    """The channels this person may choose: e-mail if they have an address; SMS and WhatsApp
    once their number is verified and the operator has set the gateway up."""
    channels: list[str] = []
    if _email_of(user):
        channels.append(Channel.EMAIL)
    if phone_of(user) is not None:
        channels += [c for c in (Channel.SMS, Channel.WHATSAPP) if gateways.configured(c)]
    return channels


def choices_of(user: Any) -> dict[str, str]:
    return dict(Choice.objects.filter(user=user).values_list("kind", "channel"))


@transaction.atomic
def choose(*, user: Any, chosen: dict[str, str], language: str) -> None:
    """Set, per kind of notice, the channel (or "" for none) the person hears it by."""
    allowed = offered(user)
    for kind, channel in chosen.items():
        if kind not in Kind.values:
            raise ValidationError(_("That is not a kind of notice."))
        if channel and channel not in allowed:
            raise ValidationError(
                _("%(channel)s is not available to you yet.") % {"channel": Channel(channel).label}
            )
    for kind, channel in chosen.items():
        if channel:
            Choice.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel, "language": language}
            )
        else:
            Choice.objects.filter(user=user, kind=kind).delete()


# --- phone numbers -----------------------------------------------------------------------------


def normalized(number: str) -> str:
    """+593987654321 from "+593 98 765 4321" or "+593-98-765-4321"; refused otherwise."""
    compact = re.sub(r"[\s().-]", "", number or "")
    if not PHONE.fullmatch(compact):
        raise ValidationError(
            _("Write the number with its country code, e.g. +593 98 765 4321."), code="phone"
        )
    return compact


def _hash(user: Any, code: str) -> str:
    return hashlib.sha256(f"{user.pk}:{code}:{settings.SECRET_KEY}".encode()).hexdigest()


def send_phone_code(*, user: Any, number: str, language: str) -> Message:
    """Send a six-digit code to the number; the person types it in to prove it is theirs."""
    number = normalized(number)
    if Phone.objects.filter(number=number, verified_at__isnull=False).exclude(user=user).exists():
        raise ValidationError(_("This number is already someone else's."), code="phone")
    channel = next((c for c in (Channel.SMS, Channel.WHATSAPP) if gateways.configured(c)), None)
    if channel is None:
        raise ValidationError(_("This site sends no SMS or WhatsApp messages yet."))
    phone, _created = Phone.objects.get_or_create(user=user, defaults={"number": number})
    now = timezone.now()
    if phone.code_sent_at and now - phone.code_sent_at < dt.timedelta(minutes=1):
        raise ValidationError(_("A code was sent less than a minute ago: wait for it."))
    code = f"{secrets.randbelow(10**6):06d}"
    phone.number, phone.verified_at = number, None
    phone.code_hash, phone.code_sent_at, phone.tries = _hash(user, code), now, 0
    phone.save()
    with translation.override(language):
        text = _("minga: your code is %(code)s. It is valid for 30 minutes.") % {"code": code}
    return queue(user=user, channel=channel, to=number, text=text, kind="")


@transaction.atomic
def verify_phone(*, user: Any, code: str) -> Phone:
    phone = Phone.objects.select_for_update().filter(user=user).first()
    if phone is None or not phone.code_hash:
        raise ValidationError(_("Ask for a code first."))
    sent = phone.code_sent_at or timezone.now() - VERIFY_FOR * 2
    if phone.tries >= VERIFY_TRIES or timezone.now() - sent > VERIFY_FOR:
        raise ValidationError(_("This code has expired: ask for a new one."))
    if not secrets.compare_digest(phone.code_hash, _hash(user, code.strip())):
        Phone.objects.filter(pk=phone.pk).update(tries=phone.tries + 1)
        raise ValidationError(_("That is not the code we sent."))
    phone.verified_at, phone.code_hash = timezone.now(), ""
    phone.save(update_fields=["verified_at", "code_hash"])
    return phone


# --- short links -------------------------------------------------------------------------------


def short_url(path: str) -> str:
    """A short address for ``path`` on this site: ``https://…/s/K7MX4Q``."""
    link = ShortLink.objects.filter(path=path).first()
    while link is None:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                link = ShortLink.objects.create(code=code, path=path)
        except IntegrityError:
            continue
    return f"{settings.MINGA_SITE_URL}/s/{link.code}"


def resolve(code: str) -> str | None:
    link = ShortLink.objects.filter(code=code.strip().upper().replace("-", "")).first()
    return link.path if link else None


# --- sending -----------------------------------------------------------------------------------


def _email_of(user: Any) -> str:
    person = getattr(user, "person", None)
    return user.email or (person.email if person else "")


def queue(
    *,
    user: Any,
    channel: str,
    to: str,
    text: str,
    kind: str,
    table: Table | None = None,
    about: str = "",
) -> Message:
    """A message for the worker to send (once per ``about`` and channel, when given): queued,
    ``notices.tasks`` hands it to the worker once the transaction commits."""
    try:
        with transaction.atomic():
            message = Message.objects.create(
                user=user, table=table, kind=kind, channel=channel, to=to, text=text, about=about
            )
    except IntegrityError:
        return Message.objects.get(about=about, channel=channel)
    return message


def notify(
    *,
    kind: str,
    users: Iterable[Any],
    table: Table | None,
    about: str,
    text: Callable[[Any, str], str],
) -> list[Message]:
    """Queue the notice ``text(user, channel)`` for each of ``users`` who chose ``kind``, by
    their channel and in their language; once per subject (``about``) and person."""
    users = list(users)
    chosen = {
        c.user_id: c
        for c in Choice.objects.filter(user__in=users, kind=kind).select_related("user")
    }
    phones = {p.user_id: p for p in Phone.objects.filter(user__in=users, verified_at__isnull=False)}
    queued = []
    for user in users:
        choice = chosen.get(user.pk)
        if choice is None:
            continue
        to = (
            _email_of(user)
            if choice.channel == Channel.EMAIL
            else getattr(phones.get(user.pk), "number", "")
        )
        if not to:
            continue
        with translation.override(choice.language):
            said = text(user, choice.channel)
        queued.append(
            queue(
                user=user,
                channel=choice.channel,
                to=to,
                text=said,
                kind=kind,
                table=table,
                about=f"{about}:{user.pk}",
            )
        )
    return queued


def deliver(message_id: int) -> str:
    """Send one queued message; on a passing failure, try again later (backing off), up to
    ``MINGA_NOTICE_RETRIES`` times (``retry_at``: ``notices.tasks`` schedules it). Returns its
    status."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status in (Status.SENT, Status.FAILED):
            return message.status
        message.attempts += 1
        try:
            if message.channel == Channel.EMAIL:
                send_mail(_("minga notice"), message.text, None, [message.to])
            else:
                message.provider_id = gateways.send(message.channel, message.to, message.text)[:120]
        except gateways.Refused as exc:
            message.status, message.last_error = Status.FAILED, str(exc)[:300]
        except (gateways.Unavailable, OSError) as exc:
            message.last_error = str(exc)[:300] or type(exc).__name__
            if message.attempts > settings.MINGA_NOTICE_RETRIES:
                message.status = Status.FAILED
            else:
                message.status = Status.RETRYING
                message.retry_at = timezone.now() + dt.timedelta(
                    minutes=2 ** (message.attempts - 1)
                )
        else:
            message.status, message.sent_at, message.last_error = Status.SENT, timezone.now(), ""
        message.save()
    return message.status


def delivery_failed(*, provider_id: str, reason: str) -> int:
    """The gateway reported, after accepting it, that a message never reached the phone."""
    if not provider_id:
        return 0
    return Message.objects.filter(provider_id=provider_id, status=Status.SENT).update(
        status=Status.FAILED, last_error=(reason or "not delivered")[:300]
    )


def send_again(*, message: Message) -> Message:
    """The secretariat sends a failed message again (after fixing the number, or the gateway)."""
    message.status, message.attempts, message.last_error = Status.QUEUED, 0, ""
    message.save(update_fields=["status", "attempts", "last_error"])
    return message


# --- replies -----------------------------------------------------------------------------------

STANCES = {"A": "agree", "C": "concerns", "S": "stand_aside", "B": "block"}
REPLY = re.compile(
    r"^\s*(?:(?P<stance>[ACSB])\s+(?P<code>\d{4,8})|(?P<code2>\d{4,8})\s+(?P<stance2>[ACSB]))"
    r"(?:\s+(?P<reason>.*))?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def reply_code(user: Any, round: Any) -> str:
    """The one-time code a "round closing" SMS carries for this person and round."""
    found = ReplyCode.objects.filter(user=user, round=round).first()
    if found is not None:
        return found.code
    code = f"{secrets.randbelow(10**4):04d}"
    ReplyCode.objects.create(
        user=user, round=round, code=code, expires_at=round.closes_at + dt.timedelta(minutes=1)
    )
    return code


def answer_reply(*, number: str, text: str) -> tuple[Any, str]:
    """Record the stance a person replied by SMS; (the person or None, what to answer them)."""
    try:
        number = normalized(number)
    except ValidationError:
        return None, ""
    phone = (
        Phone.objects.filter(number=number, verified_at__isnull=False)
        .select_related("user")
        .first()
    )
    if phone is None:
        return None, ""  # not a number anyone verified: no answer, nothing recorded
    user = phone.user
    language = Choice.objects.filter(user=user).values_list("language", flat=True).first() or "es"
    with translation.override(language):
        match = REPLY.match(text or "")
        if match is None:
            return user, _(
                "minga: not understood. Reply with A, C, S or B, the code from the message, and "
                "for B your reason."
            )
        stance = STANCES[(match["stance"] or match["stance2"]).upper()]
        code = match["code"] or match["code2"]
        reason = (match["reason"] or "").strip()
        found = (
            ReplyCode.objects.select_related("round__proposal__table")
            .filter(user=user, code=code, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if found is None:
            return user, _("minga: that code is not valid or was already used.")
        round_ = Round.objects.get(pk=found.round_id)
        try:
            with transaction.atomic():
                speaker = decisions.acting_organization(user, round_.proposal.table)
                existing = round_.positions.filter(organization=speaker).first()
                decisions.state_position(
                    by=user, round=round_, stance=stance, reason=reason, replaces=existing
                )
                ReplyCode.objects.filter(pk=found.pk).update(used_at=timezone.now())
        except ValidationError as exc:
            return user, "minga: " + " ".join(exc.messages)
        said = dict(STANCE_CHOICES)[stance]
        return user, _("minga: recorded, %(stance)s on %(title)s.") % {
            "stance": str(said).lower(),
            "title": round_.proposal.title,
        }
