from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minga.core.models import TimeStampedModel, public_id_field
from minga.decisions.consensus import Base, Stance
from minga.meetings.models import AgendaItem, Meeting
from minga.tables.models import Organization, Table


class DecisionRule(models.Model):
    """The table's decision rule, as its statute sets it."""

    table = models.OneToOneField(Table, on_delete=models.CASCADE, related_name="decision_rule")
    base = models.CharField(
        _("rule"),
        max_length=20,
        choices=[
            (Base.CONSENT, _("Consent: passes unless someone blocks")),
            (Base.FULL_CONSENSUS, _("Full consensus: everyone agrees or stands aside")),
        ],
        default=Base.CONSENT,
    )
    sector_quorum = models.BooleanField(
        _(
            "sector quorum: positions from an indigenous, a government and a civil-society organization"
        ),
        default=True,
    )
    fallback_after = models.PositiveSmallIntegerField(
        _("fallback after this many blocked rounds"), null=True, blank=True
    )
    fallback_percent = models.PositiveSmallIntegerField(
        _("qualified majority of the fallback (%)"), null=True, blank=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(fallback_after__isnull=True) & Q(fallback_percent__isnull=True))
                | (
                    Q(fallback_after__gte=1)
                    & Q(fallback_percent__gt=50)
                    & Q(fallback_percent__lte=100)
                ),
                name="decision_rule_fallback_complete",
            )
        ]

    def __str__(self) -> str:
        return f"{self.table}: {self.base}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Under deliberation")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Proposal(TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("born in the meeting"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return self.title


class ProposalVersion(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("text"))
    change_note = models.CharField(_("what changed and why"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.organization} on {self.proposal}"


class Round(models.Model):
    """A decision round on one version; positions may change until it closes."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="rounds")
    closes_at = models.DateTimeField(_("closes at"))
    closed_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("deciding meeting"),
    )
    outcome_code = models.CharField(max_length=30, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="round_unique")]

    def __str__(self) -> str:
        return f"{self.proposal}: round {self.number}"


STANCE_CHOICES = [
    (Stance.AGREE.value, _("Agree")),
    (Stance.CONCERNS.value, _("Agree with concerns")),
    (Stance.STAND_ASIDE.value, _("Stand aside")),
    (Stance.BLOCK.value, _("Block")),
]


class Position(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="positions")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(
        _("position"),
        max_length=20,
        choices=STANCE_CHOICES,
    )
    reason = models.TextField(_("reason"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="position_one_per_organization"
            ),
            models.CheckConstraint(
                condition=~Q(stance=Stance.BLOCK) | ~Q(reason=""), name="position_block_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.stance}"


class Decision(models.Model):
    """The outcome the convener records: what the table decided, and when to review it."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="decision")
    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="decision")
    statement = models.TextField(_("decision statement"))
    review_on = models.DateField(_("review on"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return self.statement[:60]


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("Open for answers")
    PUBLISHED = "published", _("Response published")


class Consultation(TimeStampedModel):
    """An outside party (a development bank, a ministry) consults the table on a document."""

    public_id = public_id_field()
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="consultations")
    requester = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("consulting party")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what is consulted"))
    document = models.FileField(
        _("document"),
        upload_to="consultations/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "odt", "doc", "docx"])],
    )
    deadline = models.DateField(_("answers until"))
    status = models.CharField(
        max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.OPEN
    )
    response = models.TextField(_("the table's consolidated response"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return self.title

    @property
    def document_filename(self) -> str:
        """The consulted document's file name, without the folder it is stored in."""
        return (self.document.name or "document").rsplit("/", 1)[-1]


class Question(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("question"))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "position"], name="question_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("answer"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "organization"], name="answer_one_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.text[:40]}"


class Digest(models.TextChoices):
    NEVER = "never", _("Never")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class DigestPreference(models.Model):
    """How often a person wants the summary of their tables' activity by e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest"
    )
    frequency = models.CharField(
        _("digest"), max_length=10, choices=Digest.choices, default=Digest.WEEKLY
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # the language the person was reading minga in when they chose: the digest is written in it
    language = models.CharField(max_length=10, default="es")

    def __str__(self) -> str:
        return f"{self.user}: {self.frequency}"
