from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minga.core.models import TimeStampedModel, public_id_field
from minga.tables.models import Organization, Table


class Axis(models.Model):
    """A strategic axis of the table's roadmap (eje estratégico)."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="axes")
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("axis")
        verbose_name_plural = _("axes")
        constraints = [models.UniqueConstraint(fields=["table", "name"], name="axis_name_unique")]

    def __str__(self) -> str:
        return self.name


class Objective(models.Model):
    public_id = public_id_field()
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["axis__position", "title"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.title


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Indicator(models.Model):
    public_id = public_id_field()
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=250)
    unit = models.CharField(_("unit"), max_length=40)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    responsible = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organization"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=~Q(baseline=models.F("target")), name="indicator_target_differs"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-measured_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "measured_on"], name="measurement_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class ResultStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    STARTED = "started", _("Started")
    ADVANCED = "advanced", _("Well advanced")
    DONE = "done", _("Done")
    STALLED = "stalled", _("Stalled")


STATUS_PROGRESS: dict[str, float] = {
    ResultStatus.NOT_STARTED: 0.0,
    ResultStatus.STARTED: 25.0,
    ResultStatus.ADVANCED: 75.0,
    ResultStatus.DONE: 100.0,
    ResultStatus.STALLED: 10.0,
}


class Result(TimeStampedModel):
    """A node of the results tree: an objective's expected results and their sub-results."""

    public_id = public_id_field()
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="results")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    title = models.CharField(_("title"), max_length=250)
    status = models.CharField(
        _("status"), max_length=20, choices=ResultStatus.choices, default=ResultStatus.NOT_STARTED
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | (Q(progress__gte=0) & Q(progress__lte=100)),
                name="result_progress_range",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="result_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=250)
    reached_on = models.DateField(_("reached on"))
    evidence = models.FileField(
        _("evidence (photo or document)"), upload_to="milestones/%Y/", blank=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["reached_on"]

    def __str__(self) -> str:
        return self.title
