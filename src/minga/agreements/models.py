from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minga.core.access import Sensitivity
from minga.core.models import TimeStampedModel, public_id_field
from minga.core.money import CurrencyField
from minga.tables.models import Organization, Table


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


class Agreement(TimeStampedModel):
    """A conservation agreement (acuerdo de conservación) between a community and a party."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("title"), max_length=250)
    community = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    counterpart = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("counterpart")
    )
    geometry = models.JSONField(_("area"), null=True, blank=True)
    hectares = models.DecimalField(
        _("hectares"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    area_sensitivity = models.PositiveSmallIntegerField(
        _("who may see the area"), choices=Sensitivity.choices, default=Sensitivity.PUBLIC
    )
    # Raised by a Local Contexts label of its community (minga.labels) that keeps the record to
    # the community: the database refuses any sensitivity below it, whoever writes.
    label_floor = models.PositiveSmallIntegerField(default=0, editable=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    renewal = models.CharField(_("renewal"), max_length=250, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signatories = models.TextField(_("signatories"), blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("conservation agreement")
        verbose_name_plural = _("conservation agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="agreement_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(area_sensitivity__gte=models.F("label_floor")),
                name="agreement_area_above_label_floor",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False),
                name="agreement_signed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def consent(self) -> Consent | None:
        """The assembly's decision that stands: the latest (a refusal may be renegotiated)."""
        decisions = list(self.decisions.all())  # prefetched by the list queries
        return decisions[-1] if decisions else None


class ObligationKind(models.TextChoices):
    NO_CLEARING = "no_clearing", _("No clearing of forest")
    PATROLS = "patrols", _("Community patrols")
    NO_MINING = "no_mining", _("No new mining")
    NO_LOGGING = "no_logging", _("No commercial logging")
    FIRE = "fire_prevention", _("Fire prevention")
    HUNTING = "hunting_rules", _("Hunting rules")
    OTHER = "other", _("Other")


class Obligation(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    kind = models.CharField(_("obligation"), max_length=30, choices=ObligationKind.choices)
    description = models.TextField(_("description"), blank=True)
    per_year = models.PositiveSmallIntegerField(_("times a year"), null=True, blank=True)

    def __str__(self) -> str:
        return self.get_kind_display()


class IncentiveKind(models.TextChoices):
    SOLAR_INTERNET = "solar_internet", _("Solar-powered internet")
    ENERGY_KITS = "energy_kits", _("Home energy kits")
    WATER = "water_purification", _("Water purification")
    MONETARY = "monetary", _("Monetary")
    OTHER = "other", _("Other")


class Incentive(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="incentives")
    kind = models.CharField(_("incentive"), max_length=30, choices=IncentiveKind.choices)
    description = models.CharField(_("description"), max_length=250, blank=True)
    planned = models.DecimalField(_("planned quantity"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40)
    currency = CurrencyField(_("currency"), blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(planned__gt=0), name="incentive_planned_positive"),
            models.CheckConstraint(
                condition=~Q(kind="monetary") | ~Q(currency=""), name="incentive_money_has_currency"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Delivery(models.Model):
    incentive = models.ForeignKey(Incentive, on_delete=models.CASCADE, related_name="deliveries")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    delivered_on = models.DateField(_("delivered on"))
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["delivered_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["incentive", "delivered_on"], name="delivery_once_a_day"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="delivery_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.incentive}: {self.quantity}"


class FpicConsultation(models.Model):
    """One consultation of the free, prior and informed consent process."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="consultations")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    language = models.CharField(_("language"), max_length=60)
    interpreter = models.CharField(_("interpreter"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["held_on"]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.held_on}"


class ConsentDecision(models.TextChoices):
    CONSENT = "consent", _("Consent")
    REFUSE = "refuse", _("Refusal")


class Consent(models.Model):
    """A community assembly's decision, and its withdrawal if it comes. A refusal may be followed,
    after a renegotiation, by a new decision: the history is kept, the latest one stands."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=10, choices=ConsentDecision.choices)
    decided_on = models.DateField(_("decided on"))
    minutes = models.TextField(_("assembly minutes"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("why it was withdrawn"), blank=True)

    class Meta:
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.decision}"

    @property
    def stands(self) -> bool:
        """Consent given and not withdrawn: what signing needs."""
        return self.decision == ConsentDecision.CONSENT and self.withdrawn_on is None
