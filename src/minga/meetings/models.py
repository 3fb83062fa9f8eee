from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minga.core.models import TimeStampedModel, public_id_field
from minga.core.text import Worded
from minga.tables.models import Organization, Person, Table


class MeetingKind(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    EXTRAORDINARY = "extraordinary", _("Extraordinary")
    CRISIS = "crisis", _("Crisis")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONVENED = "convened", _("Convened")
    HELD = "held", _("Held")
    PUBLISHED = "published", _("Minutes published")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class MeetingRules(models.Model):
    """The statute's quorum: more than ``quorum_percent`` % of the member organizations."""

    table = models.OneToOneField(Table, on_delete=models.CASCADE, related_name="meeting_rules")
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of member organizations)"), default=50
    )
    sectors_required = models.BooleanField(
        _("quorum needs an indigenous, a government and a civil-society organization present"),
        default=True,
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quorum_percent__lte=100), name="quorum_percent_max")
        ]

    def __str__(self) -> str:
        return f"{self.table}: {self.quorum_percent} %"


class Meeting(TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(
        _("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.ORDINARY
    )
    title = models.CharField(_("title"), max_length=200)
    # what minga wrote itself, as messages ({field: message}), shown in the reader's language
    system_text = models.JSONField(default=dict, blank=True)
    shown_title = Worded("title")
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=180)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    language = models.CharField(_("working language"), max_length=60, default="Español")
    interpretation = models.CharField(_("interpretation"), max_length=120, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Private meetings are seen by the table's members only."),
    )
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    convened_at = models.DateTimeField(null=True, blank=True)
    # How many times the invitation changed since it was sent (iCalendar's SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""), name="meeting_has_place_or_link"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def may_change(self) -> bool:
        """Whether its time, place or title may still change, or it may be cancelled."""
        return not self.has_started and self.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"), default=15)
    priority = models.ForeignKey(
        "Priority", null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    system_text = models.JSONField(default=dict, blank=True)  # an item minga itself set
    shown_title = Worded("title")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_name = models.CharField(_("name"), max_length=200, blank=True)
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    from_paper = models.BooleanField(_("typed in from the paper sheet"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organization__name", "person_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organization", "person_name"], name="attendance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.status}"


class PriorityStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SELECTED = "selected", _("Selected")
    SET_ASIDE = "set_aside", _("Set aside")


class Priority(TimeStampedModel):
    """A local priority a member brings to the joint agenda."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="priorities")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    axis = models.CharField(_("axis"), max_length=120, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("Data, reports or links that show the need.")
    )
    status = models.CharField(
        max_length=20, choices=PriorityStatus.choices, default=PriorityStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.title


class RankingMethod(models.TextChoices):
    DOTS = "dots", _("Dot voting")
    RANKED = "ranked", _("Ranked choice (modified Borda count)")


class RankingRound(TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="ranking_rounds")
    title = models.CharField(_("title"), max_length=200)
    method = models.CharField(_("method"), max_length=10, choices=RankingMethod.choices)
    dots = models.PositiveSmallIntegerField(_("dots per organization"), default=5)
    closes_at = models.DateTimeField(_("closes at"))
    closed_at = models.DateTimeField(null=True, blank=True)
    priorities = models.ManyToManyField(Priority, related_name="ranking_rounds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-closes_at"]

    def __str__(self) -> str:
        return self.title


class Ballot(models.Model):
    """One organization's ballot: {priority public id: dots} or [public ids, best first]."""

    round = models.ForeignKey(RankingRound, on_delete=models.CASCADE, related_name="ballots")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField()
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="ballot_one_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} in {self.round}"
