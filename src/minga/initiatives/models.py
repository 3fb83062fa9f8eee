from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minga.core.ids import validate_iati_identifier
from minga.core.models import TimeStampedModel, public_id_field
from minga.core.money import CurrencyField
from minga.core.text import Worded
from minga.meetings.models import Meeting, Priority
from minga.roadmap.models import Axis, Objective
from minga.tables.models import Organization, Table


class ReportingCurrency(models.Model):
    table = models.OneToOneField(Table, on_delete=models.CASCADE, related_name="reporting_currency")
    currency = CurrencyField(_("reporting currency"), default="USD")

    def __str__(self) -> str:
        return f"{self.table}: {self.currency}"


class ExchangeRate(models.Model):
    """How many units of the table's reporting currency one unit of ``currency`` was worth."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="exchange_rates")
    currency = CurrencyField(_("currency"))
    valid_on = models.DateField(_("valid on"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["currency", "-valid_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "currency", "valid_on"], name="rate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} ({self.valid_on})"


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    POOLED = "pooled", _("Pooled into a joint initiative")


class Initiative(TimeStampedModel):
    """A member's project: who does what where, with whose money (3W)."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(_("title"), max_length=250)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="initiatives",
        verbose_name=_("executing organization"),
    )
    description = models.TextField(_("description"), blank=True)
    # what minga wrote itself (a pooled initiative's description), as messages
    system_text = models.JSONField(default=dict, blank=True)
    shown_description = Worded("description")
    axis = models.ForeignKey(
        Axis, null=True, blank=True, on_delete=models.SET_NULL, related_name="initiatives"
    )
    objectives = models.ManyToManyField(Objective, blank=True, related_name="initiatives")
    priorities = models.ManyToManyField(Priority, blank=True, related_name="initiatives")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.PLANNED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    geometry = models.JSONField(_("geometry"), null=True, blank=True)
    west = models.FloatField(null=True, blank=True)
    south = models.FloatField(null=True, blank=True)
    east = models.FloatField(null=True, blank=True)
    north = models.FloatField(null=True, blank=True)
    people = models.PositiveIntegerField(_("people reached"), default=0)
    families = models.PositiveIntegerField(_("families reached"), default=0)
    communities = models.PositiveIntegerField(_("communities reached"), default=0)
    pooled_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("joint initiative"),
    )
    is_joint = models.BooleanField(_("joint initiative"), default=False)
    # A pooled initiative's status before it was pooled, given back if the pooling is undone.
    status_before_pooling = models.CharField(
        max_length=20, blank=True, choices=InitiativeStatus.choices
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        indexes = [
            models.Index(fields=["west", "south", "east", "north"], name="initiative_bbox"),
            models.Index(fields=["table", "title"], name="initiative_table_title"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="initiative_dates_order"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="initiative_progress_max"),
        ]

    def __str__(self) -> str:
        return self.title


class SourceType(models.TextChoices):
    OWN = "own", _("Own funds")
    PUBLIC = "public_budget", _("Public budget")
    GRANT = "grant", _("Grant")
    LOAN = "loan", _("Loan")
    MDB_PLATFORM = "mdb_platform_line", _("MDB operation: platform budget line")
    PRIVATE = "private", _("Private investment")


class Funding(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="fundings")
    funder = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="fundings", verbose_name=_("funder")
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = CurrencyField(_("currency"))
    source_type = models.CharField(_("source type"), max_length=30, choices=SourceType.choices)
    funder_activity = models.CharField(
        _("funder's IATI activity"),
        max_length=120,
        blank=True,
        validators=[validate_iati_identifier],
        help_text=_("The funder's own IATI activity this money comes from, if it has one."),
    )

    class Meta:
        ordering = ["-amount"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {self.amount} {self.currency}"

    @property
    def source_activity(self) -> str:
        """The funder's IATI activity the money comes from: the line's, else the funder's."""
        return self.funder_activity or self.funder.funding_activity


class CommitmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    OVERDUE = "overdue", _("Overdue")
    DROPPED = "dropped", _("Dropped")

    @classmethod
    def on(cls, status: str, due_on: dt.date, day: dt.date | None = None) -> str:
        """The status on that day (today by default): a commitment still open past its date is
        overdue whether or not the daily task has marked it yet."""
        day = day or timezone.localdate()
        if status in (cls.PENDING, cls.IN_PROGRESS) and due_on < day:
            return cls.OVERDUE
        return status


class Commitment(TimeStampedModel):
    """Who promised what, to whom, by when — and whether they kept it."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="commitments")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    what = models.TextField(_("what"))
    to_whom = models.CharField(_("to whom"), max_length=200)
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.PENDING,
    )
    evidence = models.TextField(_("evidence"), blank=True)
    dropped_reason = models.TextField(_("why it was dropped"), blank=True)
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("born in the meeting"),
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    fulfilled_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on"]
        indexes = [models.Index(fields=["table", "due_on"], name="commitment_table_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(dropped_reason=""),
                name="commitment_dropped_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def current_status(self) -> str:
        return CommitmentStatus.on(self.status, self.due_on)

    def get_current_status_display(self) -> str:
        return str(CommitmentStatus(self.current_status).label)


class ReportPeriod(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class AccountabilityReport(models.Model):
    """A published accountability report: its figures are frozen at publication."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=10, choices=ReportPeriod.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    title = models.CharField(_("title"), max_length=200)
    # what minga wrote itself, as messages ({field: message}), shown in the reader's language
    system_text = models.JSONField(default=dict, blank=True)
    shown_title = Worded("title")
    figures = models.JSONField(default=dict)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attested_by = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attested_at = models.DateTimeField(null=True, blank=True)
    attestation = models.TextField(_("attestation"), blank=True)

    class Meta:
        ordering = ["-ends_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "period", "starts_on"], name="report_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return self.title
