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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
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
CODES_PER_DAY = 5
REPLY_FAILURES_PER_DAY = 5
STALE = dt.timedelta(minutes=15)
VERIFICATION = "verification"  # the kind of the messages that carry a phone's code


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
    """+593987654321 from "+593 98 765 4321", "+593-98-765-4321" or, in the operator's country
    (``MINGA_PHONE_COUNTRY_CODE``), "098 765 4321"; refused otherwise."""
    compact = re.sub(r"[\s().-]", "", number or "")
    if compact.isdigit() and settings.MINGA_PHONE_COUNTRY_CODE:
        compact = f"+{settings.MINGA_PHONE_COUNTRY_CODE}{compact.removeprefix('0')}"
    if not PHONE.fullmatch(compact):
        raise ValidationError(
            _("Write the number with its country code, e.g. +593 98 765 4321."), code="phone"
        )
    return compact


def _hash(user: Any, code: str) -> str:
    return hashlib.sha256(f"{user.pk}:{code}:{settings.SECRET_KEY}".encode()).hexdigest()


def send_phone_code(*, user: Any, number: str, language: str) -> Message:
    """Send a six-digit code to the number; the person types it in to prove it is theirs. The
    number verified before stays in use until the new one is."""
    number = normalized(number)
    channel = next((c for c in (Channel.SMS, Channel.WHATSAPP) if gateways.configured(c)), None)
    if channel is None:
        raise ValidationError(_("This site sends no SMS or WhatsApp messages yet."))
    now = timezone.now()
    sent_today = Message.objects.filter(
        user=user, kind=VERIFICATION, created_at__gte=now - dt.timedelta(days=1)
    ).count()
    if sent_today >= CODES_PER_DAY:
        raise ValidationError(_("Too many codes were sent today: try again tomorrow."))
    phone, _created = Phone.objects.get_or_create(user=user)
    if phone.code_sent_at and now - phone.code_sent_at < dt.timedelta(minutes=1):
        raise ValidationError(_("A code was sent less than a minute ago: wait for it."))
    code = f"{secrets.randbelow(10**6):06d}"
    if not phone.code_sent_at or now - phone.code_sent_at > VERIFY_FOR:
        phone.tries = 0  # wrong tries count across the codes of one half hour
    phone.pending, phone.code_hash, phone.code_sent_at = number, _hash(user, code), now
    phone.save()
    with translation.override(language):
        text = _("minga: your code is %(code)s. It is valid for 30 minutes.") % {"code": code}
    return queue(
        user=user, channel=channel, to=number, text=text, kind=VERIFICATION, language=language
    )


def verify_phone(*, user: Any, code: str) -> Phone:
    """The code typed in: the pending number becomes the person's verified one. A wrong try is
    counted (and kept) before the refusal."""
    with transaction.atomic():
        phone = Phone.objects.select_for_update().filter(user=user).first()
        refusal = None
        if phone is None or not phone.code_hash:
            refusal = _("Ask for a code first.")
        elif (
            phone.tries >= VERIFY_TRIES
            or timezone.now() - (phone.code_sent_at or timezone.now() - 2 * VERIFY_FOR) > VERIFY_FOR
        ):
            refusal = _("This code has expired: ask for a new one.")
        elif not secrets.compare_digest(phone.code_hash, _hash(user, code.strip())):
            Phone.objects.filter(pk=phone.pk).update(tries=phone.tries + 1)
            refusal = _("That is not the code we sent.")
        elif (
            Phone.objects.filter(number=phone.pending, verified_at__isnull=False)
            .exclude(user=user)
            .exists()
        ):
            refusal = _("This number cannot be used.")
        else:
            phone.number, phone.pending, phone.code_hash = phone.pending, "", ""
            phone.verified_at = timezone.now()
            phone.save(update_fields=["number", "pending", "code_hash", "verified_at"])
    if refusal is not None or phone is None:
        raise ValidationError(refusal or _("Ask for a code first."))
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
    language: str = "es",
) -> Message:
    """A message for the worker to send (once per ``about``, when given): queued,
    ``notices.tasks`` hands it to the worker once the transaction commits."""
    try:
        with transaction.atomic():
            message = Message.objects.create(
                user=user,
                table=table,
                kind=kind,
                channel=channel,
                to=to,
                text=text,
                about=about,
                language=language,
            )
    except IntegrityError:
        return Message.objects.get(about=about)
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
        channel = choice.channel
        to = getattr(phones.get(user.pk), "number", "") if channel != Channel.EMAIL else ""
        if channel != Channel.EMAIL and not (to and gateways.configured(channel)):
            channel = Channel.EMAIL  # no verified number, or no gateway any more: by e-mail
        if channel == Channel.EMAIL:
            to = _email_of(user)
        if not to:
            continue
        with translation.override(choice.language):
            said = text(user, channel)
        queued.append(
            queue(
                user=user,
                channel=channel,
                to=to,
                text=said,
                kind=kind,
                table=table,
                about=f"{about}:{user.pk}",
                language=choice.language,
            )
        )
    return queued


def deliver(message_id: int) -> str:
    """Send one queued message; on a passing failure, try again later (backing off, at most an
    hour apart), up to ``MINGA_NOTICE_RETRIES`` times. The message is claimed in a short
    transaction, the gateway called outside any (it may take seconds), the outcome recorded in
    another. Returns its status."""
    claimed = Message.objects.filter(
        pk=message_id, status__in=[Status.QUEUED, Status.RETRYING]
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, sending_since=timezone.now())
    message = Message.objects.get(pk=message_id)
    if not claimed:
        return message.status
    outcome = {"status": Status.SENT, "sent_at": timezone.now(), "last_error": "", "retry_at": None}
    try:
        with translation.override(message.language):
            if message.channel == Channel.EMAIL:
                send_mail(_("minga notice"), message.text, None, [message.to])
            else:
                outcome["provider_id"] = gateways.send(
                    message.channel, message.to, message.text, language=message.language
                )[:120]
    except gateways.Refused as exc:
        outcome = {"status": Status.FAILED, "sent_at": None, "last_error": str(exc)[:300]}
    except Exception as exc:
        error = (str(exc) or type(exc).__name__)[:300]
        if message.attempts > settings.MINGA_NOTICE_RETRIES:
            outcome = {"status": Status.FAILED, "sent_at": None, "last_error": error}
        else:
            wait = min(2 ** (message.attempts - 1), 60)
            outcome = {
                "status": Status.RETRYING,
                "sent_at": None,
                "last_error": error,
                "retry_at": timezone.now() + dt.timedelta(minutes=wait),
            }
    for name, value in outcome.items():
        setattr(message, name, value)
    with transaction.atomic():
        message.save(update_fields=[*outcome.keys()])
    return message.status


def sweep(now: dt.datetime | None = None) -> int:
    """Messages a worker never got to, or died sending, go back to the queue (``minga
    send_notices``)."""
    now = now or timezone.now()
    stale = Message.objects.filter(
        Q(status=Status.QUEUED, created_at__lt=now - STALE)
        | Q(status=Status.SENDING, sending_since__lt=now - STALE)
        | Q(status=Status.RETRYING, retry_at__lt=now - STALE)
    )
    again = 0
    for message in stale:
        message.status = Status.QUEUED
        message.save(update_fields=["status"])
        again += 1
    return again


def delivery_failed(*, provider_id: str, reason: str) -> int:
    """The gateway reported, after accepting it, that a message never reached the phone."""
    if not provider_id:
        return 0
    return Message.objects.filter(provider_id=provider_id, status=Status.SENT).update(
        status=Status.FAILED, last_error=(reason or "not delivered")[:300]
    )


def send_again(*, message: Message) -> Message:
    """The secretariat sends a failed message again (after the person fixed their number, or
    the operator the gateway): to the address the person has now."""
    if message.user is not None:
        phone = phone_of(message.user)
        current = (
            _email_of(message.user) if message.channel == Channel.EMAIL else phone and phone.number
        )
        message.to = current or message.to
    message.status, message.attempts, message.last_error = Status.QUEUED, 0, ""
    message.save(update_fields=["to", "status", "attempts", "last_error"])
    return message


# --- replies -----------------------------------------------------------------------------------

STANCES = {"A": "agree", "C": "concerns", "S": "stand_aside", "B": "block"}
REPLY = re.compile(
    r"^\s*(?:(?P<stance>[ACSB])\s+(?P<code>\d{6})|(?P<code2>\d{6})\s+(?P<stance2>[ACSB]))"
    r"(?:\s+(?P<reason>.*))?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def reply_code(user: Any, round: Any) -> str:
    """The one-time code a "round closing" SMS carries for this person and round: six digits,
    none the same among the person's live codes."""
    found = ReplyCode.objects.filter(user=user, round=round).first()
    if found is not None:
        return found.code
    live = set(
        ReplyCode.objects.filter(user=user, used_at__isnull=True).values_list("code", flat=True)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    while code in live:
        code = f"{secrets.randbelow(10**6):06d}"
    # the round's own state decides at reply time; the code ends a week after the closing
    # known now (a round extended meanwhile is still answered)
    found, _created = ReplyCode.objects.get_or_create(
        user=user,
        round=round,
        defaults={"code": code, "expires_at": round.closes_at + dt.timedelta(days=7)},
    )
    return found.code


def _wrong_reply(phone: Phone) -> bool:
    """Count a reply with a wrong code; True once the day's allowance is used up."""
    today = timezone.localdate()
    failures = phone.reply_failures + 1 if phone.reply_failures_on == today else 1
    Phone.objects.filter(pk=phone.pk).update(reply_failures=failures, reply_failures_on=today)
    return failures >= REPLY_FAILURES_PER_DAY


def answer_reply(*, number: str, text: str) -> tuple[Any, str]:
    """Record the stance a person replied by SMS; (the person or None, what to answer them).
    Only from a number one person verified, with a live code of theirs, and never over a
    position someone of the organization stated after the notice went out."""
    try:
        number = normalized(number)
    except ValidationError:
        return None, ""
    phones = list(
        Phone.objects.filter(number=number, verified_at__isnull=False).select_related("user")
    )
    if len(phones) != 1:
        return None, ""  # not a number one person verified: no answer, nothing recorded
    phone = phones[0]
    user = phone.user
    language = Choice.objects.filter(user=user).values_list("language", flat=True).first() or "es"
    with translation.override(language):
        today = timezone.localdate()
        if phone.reply_failures_on == today and phone.reply_failures >= REPLY_FAILURES_PER_DAY:
            return None, ""  # too many wrong codes today: silence until tomorrow
        match = REPLY.match(text or "")
        if match is None:
            return user, _(
                "minga: not understood. Reply with A, C, S or B, the code from the message, and "
                "for B your reason."
            )
        stance = STANCES[(match["stance"] or match["stance2"]).upper()]
        code = match["code"] or match["code2"]
        reason = (match["reason"] or "").strip()
        found = ReplyCode.objects.filter(
            user=user, code=code, used_at__isnull=True, expires_at__gt=timezone.now()
        ).first()
        if found is None:
            if _wrong_reply(phone):
                return user, _("minga: too many wrong codes today. Use the page instead.")
            return user, _("minga: that code is not valid or was already used.")
        round_ = Round.objects.select_related("proposal__table").get(pk=found.round_id)
        link = short_url(
            reverse("proposal", args=[round_.proposal.table.slug, round_.proposal.public_id])
        )
        try:
            with transaction.atomic():
                speaker = decisions.acting_organization(user, round_.proposal.table)
                existing = round_.positions.filter(organization=speaker).first()
                if existing is not None and existing.updated_at > found.created_at:
                    said = dict(STANCE_CHOICES)[existing.stance]
                    return user, _(
                        "minga: %(organization)s already stated %(stance)s meanwhile. To change "
                        "it, use the page: %(link)s"
                    ) % {"organization": speaker.name, "stance": str(said).lower(), "link": link}
                decisions.state_position(
                    by=user, round=round_, stance=stance, reason=reason, replaces=existing
                )
                ReplyCode.objects.filter(pk=found.pk).update(used_at=timezone.now())
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            return user, "minga: " + " ".join(messages) + f" {link}"
        said = dict(STANCE_CHOICES)[stance]
        return user, _("minga: recorded, %(stance)s on %(title)s.") % {
            "stance": str(said).lower(),
            "title": round_.proposal.title,
        }
