"""Pooled funds, challenge calls, awards and tranches, and every money movement with the fields
the IATI export reads (transaction type, provider and receiver organizations and activities)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from minga.core.ids import validate_iati_identifier
from minga.core.models import TimeStampedModel, public_id_field
from minga.core.money import CurrencyField
from minga.core.text import Worded
from minga.tables.models import Organization, Person, Region, Table


class Fund(TimeStampedModel):
    """A pooled multi-donor fund. ``available`` is money received and not yet awarded: the
    database refuses to let it go below zero."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    currency = CurrencyField(_("currency"), default="USD")
    administrator = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("administered by"),
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="funds"
    )
    iati_identifier = models.CharField(_("IATI activity identifier"), max_length=120, blank=True)
    starts_on = models.DateField(_("from"), default=dt.date.today)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    health_weights = models.JSONField(
        _("health index weights"),
        default=dict,
        blank=True,
        help_text=_(
            "Weights of the health components for this fund's calls; unnamed ones keep "
            "their default."
        ),
    )
    available = models.DecimalField(default=0, max_digits=16, decimal_places=2)
    received = models.DecimalField(default=0, max_digits=16, decimal_places=2)
    awarded = models.DecimalField(default=0, max_digits=16, decimal_places=2)
    disbursed = models.DecimalField(default=0, max_digits=16, decimal_places=2)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(available__gte=0), name="fund_never_negative"),
            models.CheckConstraint(
                condition=Q(available=F("received") - F("awarded")), name="fund_balance_adds_up"
            ),
            models.CheckConstraint(condition=Q(disbursed__lte=F("awarded")), name="fund_disbursed"),
        ]

    def __str__(self) -> str:
        return self.name

    def activity_id(self, suffix: str = "") -> str:
        """The fund's IATI activity identifier, or one of its awards' (``suffix``)."""
        base = self.iati_identifier or f"{self.administrator.iati_ref}-{self.slug}"
        return f"{base}-{suffix}" if suffix else base


class FundRoleKind(models.TextChoices):
    MANAGER = "manager", _("Fund manager")
    REVIEWER = "reviewer", _("Reviewer")


class FundRole(models.Model):
    """Who runs a fund's calls (managers) and who scores applications (reviewers)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=FundRoleKind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "user", "role"], name="fund_role_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"


class SeatKind(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Voting member")
    OBSERVER = "observer", _("Observer")


class GovernanceSeat(models.Model):
    """A seat on the fund's governing board: donors, governments and indigenous organizations."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="seats")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("seat"), max_length=20, choices=SeatKind.choices)

    class Meta:
        ordering = ["kind", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "organization"], name="fund_seat_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.kind}"


class Contribution(TimeStampedModel):
    """A donor's pledge (IATI 11, incoming commitment) and its receipt (IATI 1, incoming funds)."""

    public_id = public_id_field()
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="contributions")
    donor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = CurrencyField(_("currency"))
    rate = models.DecimalField(_("rate to the fund's currency"), max_digits=18, decimal_places=8)
    rate_source = models.CharField(_("source of the rate"), max_length=200, blank=True)
    amount_in_fund = models.DecimalField(max_digits=16, decimal_places=2)
    pledged_on = models.DateField(_("pledged on"))
    donor_activity = models.CharField(
        _("donor's IATI activity"),
        max_length=120,
        blank=True,
        validators=[validate_iati_identifier],
        help_text=_("The donor's own IATI activity this money comes from, if it has one."),
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)

    class Meta:
        ordering = ["pledged_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, rate__gt=0), name="contribution_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.donor} {self.amount} {self.currency}"

    @property
    def source_activity(self) -> str:
        """The donor's IATI activity the money comes from: the pledge's, else the donor's."""
        return self.donor_activity or self.donor.funding_activity


class PlatformLine(TimeStampedModel):
    """The platform budget line of a development bank's operation that pays for a table's
    upkeep, tracked as its share of the operation (the paper recommends 1–2 %)."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="platform_lines")
    bank = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    operation = models.CharField(_("operation"), max_length=200)
    operation_number = models.CharField(_("operation number"), max_length=60)
    operation_amount = models.DecimalField(_("operation amount"), max_digits=16, decimal_places=2)
    amount = models.DecimalField(_("platform line"), max_digits=16, decimal_places=2)
    currency = CurrencyField(_("currency"), default="USD")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=F("operation_amount")),
                name="platform_line_within_operation",
            )
        ]

    @property
    def share_percent(self) -> float:
        return round(100 * float(self.amount) / float(self.operation_amount), 2)

    def __str__(self) -> str:
        return f"{self.operation_number} {self.amount} {self.currency}"


class CallKind(models.TextChoices):
    CHALLENGE = "challenge", _("Cooperation Table Challenge Fund")
    FELLOWSHIP = "fellowship", _("Fellowship for women and youth")


class Goal(models.TextChoices):
    COP30 = "cop30", _("COP30 commitments (Belém 2025)")
    NDC = "ndc", _("Nationally determined contribution")
    NATIONAL = "national_target", _("National conservation target")
    TERRITORIAL = "territorial_plan", _("Territorial life plan")


class CallStatus(models.TextChoices):
    OPEN = "open", _("Open for applications")
    CLOSED = "closed", _("Closed")


class Call(TimeStampedModel):
    public_id = public_id_field()
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="calls")
    kind = models.CharField(_("kind"), max_length=20, choices=CallKind.choices)
    title = models.CharField(_("title"), max_length=200)
    goal = models.CharField(_("aligned goal"), max_length=30, choices=Goal.choices)
    description = models.TextField(_("description"), blank=True)
    closes_on = models.DateField(_("closes on"))
    max_award = models.DecimalField(_("largest award"), max_digits=16, decimal_places=2)
    min_health = models.DecimalField(
        _("minimum table health"), max_digits=4, decimal_places=1, default=60
    )
    report_within_months = models.PositiveSmallIntegerField(
        _("a report published in the last (months)"), default=6
    )
    rubric = models.JSONField(default=list)  # [{"key", "label", "weight"}], scores 0..5
    status = models.CharField(max_length=10, choices=CallStatus.choices, default=CallStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    AWARDED = "awarded", _("Awarded")
    DECLINED = "declined", _("Declined")


class Application(TimeStampedModel):
    public_id = public_id_field()
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="applications")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("applicant")
    )
    fellow = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what the money will do"))
    amount = models.DecimalField(_("amount requested"), max_digits=16, decimal_places=2)
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    eligibility = models.JSONField(default=dict)  # the facts checked when it was submitted
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "table"],
                condition=Q(fellow__isnull=True),
                name="application_once_per_table",
            ),
            models.UniqueConstraint(
                fields=["call", "fellow"],
                condition=Q(fellow__isnull=False),
                name="application_once_per_fellow",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Review(TimeStampedModel):
    """One reviewer's scores on one application, after declaring any conflict of interest."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    conflict = models.BooleanField(_("I have a conflict of interest"), default=False)
    conflict_note = models.TextField(_("conflict of interest declaration"), blank=True)
    scores = models.JSONField(default=dict)
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_once"),
            models.CheckConstraint(
                condition=Q(conflict=True, total__isnull=True)
                | Q(conflict=False, total__isnull=False),
                name="review_scored_unless_conflicted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.organization}"


class Award(TimeStampedModel):
    public_id = public_id_field()
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    disbursed = models.DecimalField(default=0, max_digits=16, decimal_places=2)
    spent = models.DecimalField(default=0, max_digits=16, decimal_places=2)
    awarded_on = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, disbursed__lte=F("amount"), spent__lte=F("disbursed")),
                name="award_never_overdrawn",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.amount}"


class Tranche(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField()
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    milestone = models.CharField(_("milestone"), max_length=250, blank=True)
    milestone_met_on = models.DateField(null=True, blank=True)
    min_health = models.DecimalField(_("minimum table health"), max_digits=4, decimal_places=1)
    released_on = models.DateField(null=True, blank=True)
    last_check = models.JSONField(default=dict, blank=True)  # the last release attempt's facts

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="tranche_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.award} #{self.number}"


class TransactionType(models.TextChoices):
    """The IATI TransactionType codes minga records (codelist values, kept as data)."""

    INCOMING_FUNDS = "1", _("Incoming funds")
    OUTGOING_COMMITMENT = "2", _("Outgoing commitment")
    DISBURSEMENT = "3", _("Disbursement")
    EXPENDITURE = "4", _("Expenditure")
    INCOMING_COMMITMENT = "11", _("Incoming commitment")


class Transaction(models.Model):
    """One money movement, as the IATI export will publish it."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="transactions")
    type = models.CharField(max_length=2, choices=TransactionType.choices)
    day = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = CurrencyField()
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    provider_activity = models.CharField(max_length=120, blank=True)
    receiver = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver_activity = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=250)
    # what minga wrote itself, as messages ({field: message}), shown in the reader's language
    system_text = models.JSONField(default=dict, blank=True)
    shown_description = Worded("description")
    table = models.ForeignKey(
        Table, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contribution = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    award = models.ForeignKey(
        Award, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )

    class Meta:
        ordering = ["day", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transaction_positive")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.amount} {self.currency}"
