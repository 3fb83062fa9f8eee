"""The biocultural credit registry: class → project → batch, accounts, balances, and what moves.

Supply is kept in whole credits (integers). For every batch the database itself enforces
``issued = tradable + retired + cancelled + escrowed`` and that no quantity is negative; every
balance is non-negative. Rows are locked in one order (batch, then balances by account id) by
``services._lock``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from minga.core.models import TimeStampedModel, public_id_field
from minga.satellite.models import VerificationReport
from minga.tables.models import Organization, Person, Table

CLASS_ID = r"^[A-Z]{1,3}[0-9]{2,}$"


def default_co_benefits() -> list[str]:
    """Stewardship of standing forest: life on land, as the registries' SDG picklist says it."""
    return ["SDG 15 - Life on land"]


class CreditType(TimeStampedModel):
    abbreviation = models.CharField(max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=120)

    def __str__(self) -> str:
        return self.name


class CreditClass(TimeStampedModel):
    """e.g. ``BJ01`` — Biocultural Jaguar credits: one credit per verified hectare-year."""

    class_id = models.CharField(_("class"), max_length=12, unique=True)
    credit_type = models.ForeignKey(CreditType, on_delete=models.PROTECT, related_name="classes")
    name = models.CharField(_("name"), max_length=200)
    methodology = models.TextField(_("methodology"), blank=True)
    credits_per_hectare_year = models.DecimalField(max_digits=8, decimal_places=4, default=1)
    admin = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    co_benefits = models.JSONField(
        _("co-benefits"),
        default=default_co_benefits,
        blank=True,
        help_text=_("Sustainable Development Goals the class serves, as registries name them."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(class_id__regex=CLASS_ID), name="credit_class_id")
        ]

    def __str__(self) -> str:
        return self.class_id


class Project(TimeStampedModel):
    """e.g. ``BJ01-001``: a place under stewardship, its steward, its zone (agreement or territory)."""

    project_id = models.CharField(_("project"), max_length=20, unique=True)
    credit_class = models.ForeignKey(CreditClass, on_delete=models.PROTECT, related_name="projects")
    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="credit_projects")
    name = models.CharField(_("name"), max_length=200)
    steward = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    territory = models.ForeignKey(
        "tables.Territory", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=True) ^ Q(territory__isnull=True),
                name="credit_project_one_zone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.name}"


class Batch(TimeStampedModel):
    """e.g. ``BJ01-001-20240101-20241231-001``: credits for one verified area-period."""

    batch_id = models.CharField(_("batch"), max_length=40, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="batches")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    verification = models.ForeignKey(
        VerificationReport, on_delete=models.PROTECT, related_name="credit_batches"
    )
    issued = models.BigIntegerField(_("issued"))
    tradable = models.BigIntegerField(_("tradable"))
    retired = models.BigIntegerField(_("retired"), default=0)
    cancelled = models.BigIntegerField(_("cancelled"), default=0)
    escrowed = models.BigIntegerField(_("escrowed"), default=0)

    class Meta:
        ordering = ["batch_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(issued=F("tradable") + F("retired") + F("cancelled") + F("escrowed")),
                name="batch_supply_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(
                    issued__gt=0, tradable__gte=0, retired__gte=0, cancelled__gte=0, escrowed__gte=0
                ),
                name="batch_supply_not_negative",
            ),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="batch_dates"),
        ]

    def __str__(self) -> str:
        return self.batch_id


class AccountKind(models.TextChoices):
    ORGANIZATION = "organization", _("Organization")
    PERSON = "person", _("Person")
    BUYER = "buyer", _("Outside buyer")


class Account(TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="credit_accounts")
    kind = models.CharField(max_length=12, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Balance(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="balances")
    tradable = models.BigIntegerField(default=0)
    retired = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "batch"], name="one_balance_per_batch"),
            models.CheckConstraint(
                condition=Q(tradable__gte=0, retired__gte=0), name="balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.batch}: {self.tradable}"


class Transfer(TimeStampedModel):
    public_id = public_id_field()
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="transfers")
    sender = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=80, unique=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_positive")]

    def __str__(self) -> str:
        return self.public_id


class Sale(TimeStampedModel):
    """A sale to a buyer (delivered), or a pre-sale commitment (not delivered yet)."""

    public_id = public_id_field()
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="sales")
    buyer = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="purchases")
    credits = models.BigIntegerField()
    price = models.DecimalField(_("price per credit"), max_digits=12, decimal_places=4)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=16, decimal_places=2)
    payment_reference = models.CharField(_("payment reference"), max_length=120, blank=True)
    committed = models.BooleanField(_("pre-sale commitment"), default=False)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="sale"
    )
    sold_on = models.DateField()

    class Meta:
        ordering = ["sold_on"]
        constraints = [models.CheckConstraint(condition=Q(credits__gt=0), name="sale_positive")]

    def __str__(self) -> str:
        return self.public_id


class Retirement(TimeStampedModel):
    public_id = public_id_field()
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="retirements")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="retirements")
    amount = models.BigIntegerField()
    beneficiary = models.CharField(_("beneficiary"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=20)
    idempotency_key = models.CharField(max_length=80, unique=True)
    event = models.OneToOneField(
        "core.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="retirement_positive")
        ]

    def __str__(self) -> str:
        return self.public_id


class Cancellation(TimeStampedModel):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="cancellations")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cancellation_positive")
        ]

    def __str__(self) -> str:
        return f"{self.batch} −{self.amount}"


class DistributionRule(TimeStampedModel):
    """How a project's sale income is shared, as the table decided it."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="rules")
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weights = models.JSONField(default=dict)  # {"hectares": 0.5, "families": 0.3, "equal": 0.2}
    minimum_community_share = models.DecimalField(max_digits=5, decimal_places=4, default=0.6)
    shares = models.JSONField(default=list)  # [{"name", "community", "hectares", "families"}]
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.project} {self.weights}"


class Payout(TimeStampedModel):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="payouts")
    rule = models.ForeignKey(DistributionRule, on_delete=models.PROTECT, related_name="payouts")
    recipient = models.CharField(max_length=200)
    community = models.BooleanField(default=False)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["sale", "-amount"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.amount} {self.currency}"
