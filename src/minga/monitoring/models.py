from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minga.agreements.models import Agreement
from minga.core.access import Sensitivity
from minga.core.models import BackgroundWork, TimeStampedModel, public_id_field
from minga.tables.models import Organization, Table

KIND_CHOICES = [
    ("illegal_logging", _("Illegal logging")),
    ("mining", _("Mining")),
    ("hunting", _("Hunting")),
    ("fire", _("Fire")),
    ("wildlife", _("Wildlife")),
    ("boundary_mark", _("Boundary mark")),
    ("sacred_site", _("Sacred site")),
    ("other", _("Other")),
]


class Patrol(TimeStampedModel):
    """A patrol's track, as a field tool recorded it."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="patrols")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="patrols"
    )
    source = models.CharField(max_length=20)
    source_key = models.CharField(max_length=200)
    version = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    monitors = models.CharField(_("monitors"), max_length=250, blank=True)
    track = models.JSONField(_("track"), null=True, blank=True)
    kilometres = models.DecimalField(_("kilometres"), max_digits=9, decimal_places=2, default=0)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "source", "source_key"], name="patrol_once_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_key}"


class Observation(TimeStampedModel):
    """One field observation; ``sensitivity`` owner means only its community sees it."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="observations")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    owner = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("community"),
    )
    patrol = models.ForeignKey(
        Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    source = models.CharField(max_length=20)
    source_key = models.CharField(max_length=200)
    version = models.CharField(max_length=200, blank=True)
    observed_at = models.DateTimeField(_("observed at"))
    kind = models.CharField(_("type"), max_length=30, choices=KIND_CHOICES)
    lon = models.FloatField()
    lat = models.FloatField()
    notes = models.TextField(_("notes"), blank=True)
    photos = models.JSONField(default=list, blank=True)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"), choices=Sensitivity.choices, default=Sensitivity.TABLE
    )
    raw = models.JSONField(default=dict)

    class Meta:
        ordering = ["-observed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "source", "source_key"], name="observation_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["table", "observed_at"], name="observation_table_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.observed_at:%Y-%m-%d}"


class Quarantined(TimeStampedModel):
    """A row an import refused, with why; fixed and re-imported, never dropped."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="quarantine")
    source = models.CharField(max_length=20)
    filename = models.CharField(max_length=250, blank=True)
    row = models.CharField(_("row"), max_length=40)
    reason = models.CharField(_("reason"), max_length=40)
    detail = models.CharField(_("detail"), max_length=250)
    raw = models.JSONField(default=dict)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "row"]

    def __str__(self) -> str:
        return f"{self.source} row {self.row}: {self.reason}"


class FieldImport(BackgroundWork):
    """A large field export imported by the worker in committed chunks, with its progress."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="field_imports")
    filename = models.CharField(max_length=250)
    format = models.CharField(max_length=20, blank=True)
    content = models.BinaryField()
    summary = models.JSONField(default=dict)

    class Meta(BackgroundWork.Meta):
        pass

    def __str__(self) -> str:
        return self.filename
