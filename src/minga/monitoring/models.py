from __future__ import annotations

import zlib

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


TOOL_CHOICES = [
    ("kobo", "KoboToolbox"),
    ("odk", "ODK Central"),
    ("comapeo", "CoMapeo"),
    ("mapeo", "Mapeo"),
    ("smart", "SMART"),
    ("gfw", "Global Forest Watch"),
    ("file", _("Files")),
]


class FieldSource(TimeStampedModel):
    """Where a table's field data comes from (a form, a project, a conservation area, a file
    layout) and how its fields map to minga's: confirmed once by a person, then reused."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="field_sources")
    name = models.CharField(_("name"), max_length=200)
    tool = models.CharField(_("tool"), max_length=20, choices=TOOL_CHOICES, default="file")
    signature = models.CharField(max_length=200)
    # None until a person confirmed it: then a file from this source imports without asking.
    mapping = models.JSONField(null=True, blank=True)
    fields = models.JSONField(default=list, blank=True)
    community = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("community"),
    )
    owner_level = models.BooleanField(
        _("the community's own data (only its people see it)"), default=False
    )
    # A source on a server (empty for files): where, what, and the credential, sealed with the
    # key in MINGA_SECRETS_KEY_FILE (see core.secrets), never shown again.
    server_url = models.CharField(_("server"), max_length=300, blank=True)
    remote_ref = models.CharField(_("form, project or dataset"), max_length=200, blank=True)
    credential = models.BinaryField(default=b"", blank=True)
    every_minutes = models.PositiveIntegerField(_("sync every (minutes)"), default=0)
    cursor = models.CharField(max_length=100, blank=True)
    full_pull_on = models.DateField(null=True, blank=True)  # the last sync that asked for all
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # SHA-256 of the secret KoboToolbox's REST Services send (the secret is shown once).
    webhook_secret = models.CharField(max_length=64, blank=True)
    # The scheduled chain of syncs now in force; a task of an older chain stops.
    schedule_token = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["table", "signature"], name="field_source_once")
        ]

    def __str__(self) -> str:
        return self.name


class CategoryMapping(TimeStampedModel):
    """The table's vocabulary: a source's category code and the kind it means ("" = to map)."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField(_("category"), max_length=200)
    labels = models.JSONField(default=dict, blank=True)
    kind = models.CharField(_("type"), max_length=30, blank=True)
    guessed = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="category_once_per_table")
        ]

    def __str__(self) -> str:
        return self.code


class KnownInstance(models.Model):
    """An instance id a tool gave a record, and the first id of its edit chain (Kobo edits get a
    new id and name the one they replace in ``meta/deprecatedID``); or a record the tool deleted
    (``deleted``, at ``revision``), so that an older copy does not bring it back."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20)
    instance = models.CharField(max_length=200)
    root = models.CharField(max_length=200)
    superseded = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    revision = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["table", "source", "instance"], name="instance_once_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instance} → {self.root}"


class Patrol(TimeStampedModel):
    """A patrol's track, as a field tool recorded it."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="patrols")
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="patrols"
    )
    # The tool whose identity rules ``source_key`` follows (kobo, odk, comapeo…), whatever
    # file or server brought it.
    source = models.CharField(max_length=20)
    source_key = models.CharField(max_length=200)
    version = models.CharField(max_length=200, blank=True)
    # The tool's own edit count and change time, where it gives them (``formats.revision``).
    revision = models.CharField(max_length=80, blank=True)
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
    # The tool whose identity rules ``source_key`` follows (kobo, odk, comapeo…), whatever
    # file or server brought it.
    source = models.CharField(max_length=20)
    source_key = models.CharField(max_length=200)
    version = models.CharField(max_length=200, blank=True)
    # The tool's own edit count and change time, where it gives them (``formats.revision``).
    revision = models.CharField(max_length=80, blank=True)
    observed_at = models.DateTimeField(_("observed at"))
    kind = models.CharField(_("type"), max_length=30, choices=KIND_CHOICES)
    lon = models.FloatField()
    lat = models.FloatField()
    notes = models.TextField(_("notes"), blank=True)
    # Photos and audio: [{"name", "url", "type"}], as the source names them.
    photos = models.JSONField(default=list, blank=True)
    field_source = models.ForeignKey(
        FieldSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    # The source's own category codes (normalised), kept whatever kind they map to.
    categories = models.JSONField(_("categories"), default=list, blank=True)
    observer = models.CharField(_("observer"), max_length=200, blank=True)
    area = models.JSONField(null=True, blank=True)
    outside = models.BooleanField(_("outside the territory"), default=False)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"), choices=Sensitivity.choices, default=Sensitivity.TABLE
    )
    # Raised by a Local Contexts label of its community (minga.labels) that keeps the record to
    # the community: the database refuses any sensitivity below it, whoever writes.
    label_floor = models.PositiveSmallIntegerField(default=0, editable=False)
    # The names of the community's Local Contexts labels on it (its own, its type's, its
    # categories'), kept by minga.labels for the pages and maps of this area.
    labels = models.CharField(_("labels"), max_length=500, blank=True, editable=False)
    raw = models.JSONField(default=dict)

    class Meta:
        ordering = ["-observed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sensitivity__gte=models.F("label_floor")),
                name="observation_above_label_floor",
            ),
            models.UniqueConstraint(
                fields=["table", "source", "source_key"], name="observation_once_per_source"
            ),
        ]
        indexes = [models.Index(fields=["table", "observed_at"], name="observation_table_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.observed_at:%Y-%m-%d}"


class CategoryLabel(models.Model):
    """The Local Contexts labels a community put on a type (sacred_site) or a source's category
    code, kept here by minga.labels so the import pipeline gives each new observation of the
    community that carries it their names, and keeps it at owner level when one restricts."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=200)
    names = models.TextField(blank=True)
    restricts = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["table", "owner", "code"], name="category_label_once")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.code}: {self.names}"


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


PACKED = b"minga-zlib\n"  # the start of a kept file that is compressed


class FieldImport(BackgroundWork):
    """A large field export imported by the worker in committed chunks, with its progress."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="field_imports")
    filename = models.CharField(max_length=250)
    format = models.CharField(max_length=20, blank=True)
    # The file as kept until it is imported: compressed (see ``keep``), or as uploaded.
    content = models.BinaryField()
    summary = models.JSONField(default=dict)
    field_source = models.ForeignKey(
        FieldSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )

    class Meta(BackgroundWork.Meta):
        pass

    def __str__(self) -> str:
        return self.filename

    @staticmethod
    def keep(data: bytes) -> bytes:
        """What ``content`` stores for ``data``: field exports compress five to ten times, and
        the database driver's copies of a 50 MB file would outweigh the import itself."""
        return PACKED + zlib.compress(data, 1)

    def file(self) -> bytes:
        """The file as it was uploaded (files kept before compression came are as they were)."""
        stored = bytes(self.content)
        return zlib.decompress(stored[len(PACKED) :]) if stored.startswith(PACKED) else stored


class SourceSync(BackgroundWork):
    """A sync a person asked for on the Sources page, run by the worker with its progress."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="+")
    field_source = models.ForeignKey(FieldSource, on_delete=models.CASCADE, related_name="syncs")
    summary = models.JSONField(default=dict)

    class Meta(BackgroundWork.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.field_source} {self.created_at:%Y-%m-%d %H:%M}"
