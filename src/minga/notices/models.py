"""Who hears about what, by which channel; the messages sent, and what became of each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minga.tables.models import Table


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Kind(models.TextChoices):
    ROUND_OPENED = "round_opened", _("A new decision round")
    ROUND_CLOSING = "round_closing", _("A decision round closing soon")
    MEETING = "meeting", _("A meeting convened or changed")
    COMMITMENT_DUE = "commitment_due", _("A commitment of my organization coming due")
    ALERT = "alert", _("An alert in my community's area")


class Phone(models.Model):
    """A person's mobile number, verified by a code sent to it before anything else is."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_phone"
    )
    # the verified number (empty until one is), and the one a code was sent to, not yet typed in
    number = models.CharField(_("mobile number"), max_length=20, blank=True)
    pending = models.CharField(max_length=20, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    # wrong reply codes today: past a few, replies are refused until tomorrow
    reply_failures = models.PositiveSmallIntegerField(default=0)
    reply_failures_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(verified_at__isnull=False),
                name="notice_phone_verified_once",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Choice(models.Model):
    """By which channel a person hears of one kind of notice (none when there is no row)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_choices"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # the language the person read minga in when they chose: their notices are written in it
    language = models.CharField(max_length=8, default="es")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notice_choice_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.channel}"


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One notice to one person by one channel, queued for the worker, with its fate."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    table = models.ForeignKey(
        Table, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = models.CharField(max_length=254)
    text = models.TextField()
    language = models.CharField(max_length=8, default="es")
    # what the notice is about, so that it is sent once ("round_opened:12:34")
    about = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=120, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["about"], condition=~models.Q(about=""), name="notice_once_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to}: {self.status}"

    @property
    def kind_label(self) -> str:
        """What it was about (not its text: a round-closing SMS carries a person's reply code)."""
        if self.kind == "verification":
            return str(_("Phone number code"))
        return str(dict(Kind.choices).get(self.kind, _("Answer to a reply")))


class ShortLink(models.Model):
    """A short code for a page, that fits an SMS and reads well over a radio link."""

    code = models.CharField(max_length=12, unique=True)
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.code} → {self.path}"


class ReplyCode(models.Model):
    """The one-time code in a "round closing" SMS: replied with a stance from the verified
    number it was sent to, it records the position for that person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey("decisions.Round", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "round"], name="reply_code_once")]

    def __str__(self) -> str:
        return self.code
