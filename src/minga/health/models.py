"""Table health and its risks: the facts the index reads that no lower area records (secretariat
funding, training), the risk register, elections, incidents and their response, and snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minga.core.models import TimeStampedModel, public_id_field
from minga.core.money import CurrencyField
from minga.core.text import Worded
from minga.meetings.models import Meeting
from minga.tables.models import Organization, Person, Table


class SecretariatFunding(TimeStampedModel):
    """Money that keeps the table's secretariat running over a period (a budget line)."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="secretariat_funding")
    source = models.CharField(_("source"), max_length=200)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = CurrencyField(_("currency"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reference = models.CharField(_("reference"), max_length=120, blank=True)

    class Meta:
        ordering = ["-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="funding_period"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.starts_on}–{self.ends_on}"


class TrainingSession(TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="training_sessions")
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=4)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="trainings")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person}"


class Election(TimeStampedModel):
    """An election in the table's jurisdiction: the authorities who convene the table may change."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="elections")
    office = models.CharField(_("office"), max_length=200)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=200)
    held_on = models.DateField(_("election day"))
    takes_office_on = models.DateField(_("new authorities take office"), null=True, blank=True)

    class Meta:
        ordering = ["held_on"]

    def __str__(self) -> str:
        return f"{self.office} {self.held_on}"


class HandoverPack(TimeStampedModel):
    """What the table hands to incoming authorities: its history, commitments and contacts."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="handover_packs")
    prepared_on = models.DateField(_("prepared on"))
    summary = models.TextField(_("contents"))

    class Meta:
        ordering = ["-prepared_on"]

    def __str__(self) -> str:
        return f"{self.table} {self.prepared_on}"


class RiskKind(models.TextChoices):
    TURNOVER = "turnover", _("Political turnover")
    LEADERSHIP = "leadership", _("Leadership dependency")
    RESOURCES = "resources", _("Resource constraints")
    SHOCK = "shock", _("External shock")
    OTHER = "other", _("Other")


class Risk(TimeStampedModel):
    """One line of a table's risk register: written by the secretariat, or raised by minga from
    the facts (then ``key`` names the fact, and minga closes it when the fact is gone)."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="risks")
    kind = models.CharField(_("kind"), max_length=20, choices=RiskKind.choices)
    title = models.CharField(_("risk"), max_length=250)
    # what minga wrote itself, as messages ({field: message}), shown in the reader's language
    system_text = models.JSONField(default=dict, blank=True)
    shown_title = Worded("title")
    shown_mitigation = Worded("mitigation")
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), default=3)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), default=3)
    mitigation = models.TextField(_("mitigation"), blank=True)
    key = models.CharField(max_length=80, blank=True)
    open = models.BooleanField(default=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-open", "-likelihood", "-impact", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scale",
            ),
            models.UniqueConstraint(
                fields=["table", "key"], condition=~Q(key=""), name="risk_key_unique"
            ),
        ]

    @property
    def level(self) -> int:
        return self.likelihood * self.impact

    def __str__(self) -> str:
        return self.title


class IncidentKind(models.TextChoices):
    OIL_SPILL = "oil_spill", _("Oil spill")
    WILDFIRE = "wildfire", _("Wildfire")
    CONFLICT = "conflict", _("Conflict")
    ILLEGAL_ACTIVITY = "illegal_activity", _("Illegal mining or logging")
    OTHER = "other", _("Other")


class Incident(TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("occurred on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    from_alert = models.CharField(max_length=80, blank=True)  # the field alert that raised it
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(_("how it ended"), blank=True)
    # what minga wrote itself (an incident raised by a field alert), kept as messages
    system_text = models.JSONField(default=dict, blank=True)
    shown_title = Worded("title")
    shown_description = Worded("description")

    class Meta:
        ordering = ["closed_at", "-occurred_on"]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def __str__(self) -> str:
        return self.title


class ResponseTask(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=250)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    due_on = models.DateField(_("by when"))
    done_on = models.DateField(null=True, blank=True)
    note = models.TextField(_("what was done"), blank=True)

    class Meta:
        ordering = ["done_on", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class HealthSnapshot(models.Model):
    """The index on one day, with the facts and weights it came from (so it can be recomputed)."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="health_snapshots")
    as_of = models.DateField()
    score = models.DecimalField(max_digits=4, decimal_places=1)
    facts = models.JSONField()
    weights = models.JSONField()
    components = models.JSONField()

    class Meta:
        ordering = ["as_of"]
        constraints = [
            models.UniqueConstraint(fields=["table", "as_of"], name="snapshot_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.as_of}: {self.score}"
