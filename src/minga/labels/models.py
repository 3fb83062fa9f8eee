"""A community's Local Contexts labels, the Hub projects they come from (cached), and where
they are applied. Pages read these rows only: nothing is ever loaded from the Hub to show them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minga.core.models import TimeStampedModel, public_id_field
from minga.labels import catalog
from minga.tables.models import Organization, Table


class HubProject(TimeStampedModel):
    """A Local Contexts Hub project of the community, as the Hub's API last answered for it."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    hub_id = models.CharField(_("Hub project"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    page = models.URLField(_("page on the Hub"), max_length=500, blank=True)
    fetched_at = models.DateTimeField()
    body = models.JSONField(default=dict)  # the Hub's whole answer, for the steward's records

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "hub_id"], name="hub_project_once")]

    def __str__(self) -> str:
        return self.title


class Label(TimeStampedModel):
    """One label (or notice) a community uses, in its own words where it customised them."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="labels")
    community = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    category = models.CharField(max_length=10, choices=catalog.CATEGORIES)
    label_type = models.CharField(max_length=40)
    name = models.CharField(_("name"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(max_length=40, blank=True)
    translations = models.JSONField(default=list, blank=True)
    hub_project = models.ForeignKey(
        HubProject, null=True, blank=True, on_delete=models.SET_NULL, related_name="labels"
    )
    hub_id = models.CharField(max_length=64, blank=True)
    page = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "community", "category", "label_type", "hub_id"],
                name="label_once_per_community",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> catalog.LabelType | None:
        return catalog.known(self.category, self.label_type)

    @property
    def abbreviation(self) -> str:
        found = self.kind
        return found.abbreviation if found else self.category.upper()

    @property
    def restricts(self) -> bool:
        return (self.category, self.label_type) in catalog.RESTRICTING

    @property
    def non_commercial(self) -> bool:
        return (self.category, self.label_type) in catalog.NON_COMMERCIAL

    def text_in(self, language: str) -> tuple[str, str]:
        """(name, text) in ``language`` where the community translated it, else its own."""
        for item in self.translations:
            if str(item.get("language_tag", "")).split("-")[0] == language:
                return (
                    item.get("translated_name") or self.name,
                    item.get("translated_text") or self.text,
                )
        return self.name, self.text


class Target(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement area")
    OBSERVATION = "observation", _("Observation")
    CATEGORY = "category", _("Observation type or category")
    DOCUMENT = "document", _("Document")


class Applied(TimeStampedModel):
    """A label on one record: an agreement, an observation, a category (every observation of
    the community with that type or source category) or a document."""

    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="applied")
    target = models.CharField(max_length=20, choices=Target.choices)
    target_id = models.CharField(max_length=200)  # a public id, or a type/category code
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["target", "target_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["label", "target", "target_id"], name="label_applied_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.target} {self.target_id}"
