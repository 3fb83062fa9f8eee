"""A table's documents, each with every version it has had; who may read one is its own."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minga.core.access import Sensitivity
from minga.core.models import TimeStampedModel, public_id_field
from minga.tables.models import Organization, Table

TYPES = ["pdf", "odt", "doc", "docx", "jpg", "jpeg", "png"]


class DocumentKind(models.TextChoices):
    STATUTE = "statute", _("Statute and instruments")
    CONSULTATION = "consultation", _("Consultation documents")
    MINUTES_ANNEX = "minutes_annex", _("Minutes annexes")
    AGREEMENT = "agreement", _("Agreement texts")
    OTHER = "other", _("Other documents")


class Document(TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=250)
    sensitivity = models.PositiveSmallIntegerField(
        _("who may read it"), choices=Sensitivity.choices, default=Sensitivity.TABLE
    )
    # Raised by a Local Contexts label of its community (minga.labels) that keeps the record to
    # the community: the database refuses any sensitivity below it, whoever writes.
    label_floor = models.PositiveSmallIntegerField(default=0, editable=False)
    # the organization whose document it is: for owner-only documents, its people alone read it
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # kept on members' phones for reading without a connection (see minga.offline)
    offline = models.BooleanField(_("keep on phones for offline use"), default=False)

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sensitivity__gte=models.F("label_floor")),
                name="document_above_label_floor",
            )
        ]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class Version(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(
        _("file"), upload_to="library/%Y/", validators=[FileExtensionValidator(TYPES)]
    )
    filename = models.CharField(max_length=250)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
