"""Satellite verification: layers, analyses, zonal statistics, hotspots, samples, reports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minga.agreements.models import Agreement
from minga.core.models import BackgroundWork, RunStatus, TimeStampedModel, public_id_field
from minga.monitoring.models import Observation
from minga.tables.models import Table


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


class LayerFetch(BackgroundWork):
    """Satellite layers fetched from their publishers for a table's zones, with its progress."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="layer_fetches")
    products = models.JSONField(default=list)
    whole = models.BooleanField(default=False)  # download whole granules even with ranges
    step = models.CharField(max_length=120, blank=True)
    # product -> {"status": registered | kept | failed, "detail": ..., "layer": public id}
    results = models.JSONField(default=dict)

    class Meta(BackgroundWork.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.table} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def pending(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def outcomes(self) -> list[tuple[str, dict[str, str]]]:
        return [
            (str(PRODUCT_LABELS.get(product, product)), self.results[product])
            for product in self.products
            if product in self.results
        ]


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
