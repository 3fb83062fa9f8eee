from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minga.agreements.models import Agreement
from minga.core.access import Sensitivity
from minga.core.models import TimeStampedModel, public_id_field
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


# --- satellite layers, zonal statistics, hotspots, verification ----------------------------------


class ZoneKind(models.TextChoices):
    TERRITORY = "territory", _("Territory")
    AGREEMENT = "agreement", _("Agreement")
    INITIATIVE = "initiative", _("Initiative")


class Zone(models.Model):
    """Where a result belongs: one of the table's territories or agreements."""

    territory = models.ForeignKey(
        "tables.Territory", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(territory__isnull=False, agreement=None, initiative=None)
                    | models.Q(territory=None, agreement__isnull=False, initiative=None)
                    | models.Q(territory=None, agreement=None, initiative__isnull=False)
                ),
                name="%(app_label)s_%(class)s_one_zone",
            )
        ]

    @property
    def zone(self) -> Any:
        return self.territory or self.agreement or self.initiative

    @property
    def zone_kind(self) -> str:
        if self.territory_id:
            return ZoneKind.TERRITORY
        return ZoneKind.AGREEMENT if self.agreement_id else ZoneKind.INITIATIVE


class RasterLayer(TimeStampedModel):
    """A forest-change product registered from a GeoTIFF (or a folder of tiles, as a VRT)."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="raster_layers")
    product = models.CharField(_("product"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    path = models.CharField(_("file"), max_length=500)
    release_year = models.PositiveSmallIntegerField(_("release"), null=True, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    crs = models.CharField(max_length=60)
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    resolution = models.FloatField(_("pixel size"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product", "-created_at"]
        verbose_name = _("raster layer")

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BackgroundWork(TimeStampedModel):
    """Abstract: work the worker does for a table, with its status and progress for the page."""

    public_id = public_id_field()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class AnalysisRun(BackgroundWork):
    """One satellite analysis of a table's zones, run in the background with its progress."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="analysis_runs")
    threshold = models.PositiveSmallIntegerField(_("canopy threshold (%)"), default=30)
    step = models.CharField(max_length=60, blank=True)
    layers = models.JSONField(default=list)

    class Meta(BackgroundWork.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.table} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def step_label(self) -> str:
        return str(STEP_LABELS.get(self.step, ""))


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


STEP_LABELS = {
    "forest": _("forest and loss per zone"),
    "alerts": _("alerts per month"),
    "saving": _("saving the results"),
}
PRODUCT_LABELS = {
    "hansen_treecover2000": _("Hansen tree cover in 2000 (%)"),
    "hansen_lossyear": _("Hansen tree cover loss year"),
    "hansen_gain": _("Hansen tree cover gain 2000–2012"),
    "gfw_integrated_alerts": _("GFW integrated deforestation alerts"),
    "umd_glad_landsat_alerts": _("GLAD-L alerts (Landsat)"),
    "umd_glad_sentinel2_alerts": _("GLAD-S2 alerts (Sentinel-2)"),
    "wur_radd_alerts": _("RADD alerts (Sentinel-1 radar)"),
}
STRATUM_LABELS = {
    "loss": _("Forest lost in the period"),
    "forest": _("Standing forest"),
    "other": _("Other land (not forest, or lost before)"),
}


class Metric(models.TextChoices):
    AREA = "area", _("Area")
    FOREST = "forest", _("Forest in 2000")
    LOSS = "loss", _("Tree cover loss")
    ALERTS = "alerts", _("Alerts")


class ZoneStatistic(Zone):
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="statistics")
    metric = models.CharField(max_length=10, choices=Metric.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(default=0)  # alerts: 1 low, 2 high, 3 highest
    hectares = models.FloatField()

    class Meta(Zone.Meta):
        indexes = [models.Index(fields=["run", "metric"], name="zonestat_run_metric")]

    def __str__(self) -> str:
        return f"{self.metric} {self.year or ''} {self.hectares:.1f} ha"


CONFIDENCE_CHOICES = [(1, _("low")), (2, _("high")), (3, _("highest"))]


class HotspotStatus(models.TextChoices):
    OPEN = "open", _("To check")
    CONFIRMED = "confirmed", _("Clearing confirmed")
    FALSE_ALARM = "false_alarm", _("No clearing found")


class Hotspot(Zone, TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="hotspots")
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="hotspots")
    lon = models.FloatField()
    lat = models.FloatField()
    radius_m = models.FloatField()
    alerts = models.PositiveIntegerField()
    hectares = models.FloatField()
    first_date = models.DateField()
    last_date = models.DateField()
    confidence = models.PositiveSmallIntegerField(choices=CONFIDENCE_CHOICES)
    rank = models.PositiveIntegerField()
    status = models.CharField(
        _("status"), max_length=12, choices=HotspotStatus.choices, default=HotspotStatus.OPEN
    )
    checked_on = models.DateField(null=True, blank=True)
    check_notes = models.TextField(blank=True)

    class Meta(Zone.Meta):
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.public_id


class SampleDesign(Zone, TimeStampedModel):
    """A stratified random sample of pixels for the monitors to label on the ground."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="sample_designs")
    start_year = models.PositiveSmallIntegerField(_("from"))
    end_year = models.PositiveSmallIntegerField(_("to"))
    threshold = models.PositiveSmallIntegerField(default=30)
    seed = models.PositiveIntegerField()
    mapped_ha = models.JSONField(default=dict)
    points = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(Zone.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.zone} {self.start_year}–{self.end_year}"


class ReferenceLabel(TimeStampedModel):
    design = models.ForeignKey(SampleDesign, on_delete=models.CASCADE, related_name="labels")
    point = models.CharField(max_length=20)
    label = models.CharField(max_length=10)
    source = models.CharField(max_length=20)
    observation = models.ForeignKey(
        Observation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["design", "point"], name="one_label_per_point")
        ]

    def __str__(self) -> str:
        return f"{self.point}: {self.label}"


class VerificationReport(Zone, TimeStampedModel):
    """A zone and period's verification, frozen when issued: what the credit registry trusts."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="verifications")
    zone_name = models.CharField(max_length=250)
    start_year = models.PositiveSmallIntegerField(_("from"))
    end_year = models.PositiveSmallIntegerField(_("to"))
    figures = models.JSONField(default=dict)
    verified_ha = models.DecimalField(
        _("verified stewardship hectares"), max_digits=14, decimal_places=2
    )
    design = models.ForeignKey(
        SampleDesign, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey(AnalysisRun, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(Zone.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.zone_name} {self.start_year}–{self.end_year}"
