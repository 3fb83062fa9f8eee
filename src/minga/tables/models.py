from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minga.core.access import Role, Sensitivity
from minga.core.geo import AreaModel
from minga.core.ids import validate_iati_identifier
from minga.core.models import TimeStampedModel, public_id_field


class Sector(models.TextChoices):
    INDIGENOUS = "indigenous", _("Indigenous nation or federation")
    COMMUNITY = "community", _("Community")
    PROVINCIAL = "provincial_government", _("Provincial government")
    LOCAL = "local_government", _("Local government")
    MINISTRY = "ministry", _("National ministry field office")
    NGO_LOCAL = "ngo_local", _("Local NGO")
    NGO_INTERNATIONAL = "ngo_international", _("International NGO")
    ACADEMIA = "academia", _("Academia")
    PRIVATE = "private", _("Private sector")
    FUNDER = "funder", _("Funder or development bank")


class SectorGroup(models.TextChoices):
    INDIGENOUS = "indigenous", _("Indigenous peoples and communities")
    GOVERNMENT = "government", _("Government")
    CIVIL_SOCIETY = "civil_society", _("Civil society and academia")
    OTHER = "other", _("Private sector and funders")


SECTOR_GROUP: dict[str, str] = {
    Sector.INDIGENOUS: SectorGroup.INDIGENOUS,
    Sector.COMMUNITY: SectorGroup.INDIGENOUS,
    Sector.PROVINCIAL: SectorGroup.GOVERNMENT,
    Sector.LOCAL: SectorGroup.GOVERNMENT,
    Sector.MINISTRY: SectorGroup.GOVERNMENT,
    Sector.NGO_LOCAL: SectorGroup.CIVIL_SOCIETY,
    Sector.NGO_INTERNATIONAL: SectorGroup.CIVIL_SOCIETY,
    Sector.ACADEMIA: SectorGroup.CIVIL_SOCIETY,
    Sector.PRIVATE: SectorGroup.OTHER,
    Sector.FUNDER: SectorGroup.OTHER,
}


class Region(AreaModel, TimeStampedModel):
    """Tables group into regions, each with a regional coordination task force."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    task_force = models.ManyToManyField(  # type: ignore[var-annotated]
        "Organization", blank=True, related_name="task_forces", verbose_name=_("task force")
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["west", "south", "east", "north"], name="region_bbox")]

    def __str__(self) -> str:
        return self.name


class Table(TimeStampedModel):
    """A local cooperation table (mesa de cooperación)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="tables", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    province = models.CharField(_("province or state"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, default="EC")
    description = models.TextField(_("description"), blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    convener = models.ForeignKey(
        "Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="convened_tables",
        verbose_name=_("convening organization"),
    )
    secretariat = models.ForeignKey(
        "Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="secretariat_of",
        verbose_name=_("secretariat"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")

    def __str__(self) -> str:
        return self.name


class Territory(AreaModel, TimeStampedModel):
    public_id = public_id_field()
    table = models.ForeignKey(
        Table, on_delete=models.CASCADE, related_name="territories", verbose_name=_("table")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"), choices=Sensitivity.choices, default=Sensitivity.PUBLIC
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        indexes = [models.Index(fields=["west", "south", "east", "north"], name="territory_bbox")]

    def __str__(self) -> str:
        return self.name


class Organization(TimeStampedModel):
    public_id = public_id_field()
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    country = models.CharField(_("country"), max_length=2, default="EC")
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    iati_identifier = models.CharField(
        _("IATI organisation identifier"),
        max_length=120,
        blank=True,
        help_text=_("As registered with IATI, e.g. XM-DAC-46012 or EC-RUC-0160000000001."),
    )
    funding_activity = models.CharField(
        _("its IATI activity funding this work"),
        max_length=120,
        blank=True,
        validators=[validate_iati_identifier],
        help_text=_(
            "A funder's own IATI activity identifier (e.g. XM-DAC-46012-EC-L1249): the money it "
            "gives is traced from that activity, unless a funding line names another."
        ),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    # Sensitivity of each field shown outside the admin; fields not listed are owner-only.
    SENSITIVITY = {
        "public_id": Sensitivity.PUBLIC,
        "name": Sensitivity.PUBLIC,
        "acronym": Sensitivity.PUBLIC,
        "sector": Sensitivity.PUBLIC,
        "country": Sensitivity.PUBLIC,
        "website": Sensitivity.PUBLIC,
        "description": Sensitivity.PUBLIC,
        "iati_identifier": Sensitivity.PUBLIC,
        "funding_activity": Sensitivity.PUBLIC,
        "is_demo": Sensitivity.PUBLIC,
        "contact_email": Sensitivity.TABLE,
        "contact_phone": Sensitivity.TABLE,
        "internal_notes": Sensitivity.OWNER,
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.CheckConstraint(
                condition=Q(sector__in=Sector.values), name="organization_sector_known"
            )
        ]

    @property
    def iati_ref(self) -> str:
        """Its IATI organisation identifier, or a stand-in from MINGA_IATI_PREFIX and its id."""

        return self.iati_identifier or f"{settings.MINGA_IATI_PREFIX}-{self.public_id}"

    def __str__(self) -> str:
        return self.name

    @property
    def sector_group(self) -> str:
        return SECTOR_GROUP[self.sector]


class Person(TimeStampedModel):
    """A person, with self-declared data that only they and their organization see."""

    public_id = public_id_field()
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    gender = models.CharField(_("gender (self-declared)"), max_length=60, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    people = models.CharField(_("people or nationality"), max_length=80, blank=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    visibility = models.PositiveSmallIntegerField(
        _("who may see this person's name"),
        choices=Sensitivity.choices,
        default=Sensitivity.TABLE,
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    SENSITIVITY = {
        "public_id": Sensitivity.PUBLIC,
        "full_name": Sensitivity.PUBLIC,  # further limited by ``visibility``
        "is_demo": Sensitivity.PUBLIC,
        "email": Sensitivity.TABLE,
        "phone": Sensitivity.TABLE,
        "languages": Sensitivity.TABLE,
        "gender": Sensitivity.OWNER,
        "birth_year": Sensitivity.OWNER,
        "people": Sensitivity.OWNER,
    }

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(until__isnull=True)


class Seat(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    ALTERNATE = "alternate", _("Alternate")


class Membership(TimeStampedModel):
    """An organization's seat at a table, held by a person in a role; history is kept."""

    table = models.ForeignKey(
        Table, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("table")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    seat = models.CharField(_("seat"), max_length=20, choices=Seat.choices, default=Seat.PRINCIPAL)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "organization", "person", "role"],
                condition=Q(until__isnull=True) & Q(person__isnull=False),
                name="membership_active_unique",
            ),
            models.UniqueConstraint(
                fields=["table", "organization", "role"],
                condition=Q(until__isnull=True) & Q(person__isnull=True),
                name="membership_vacant_seat_unique",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="membership_until_after_since",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.table} ({self.role})"


class InstrumentKind(models.TextChoices):
    ORDINANCE = "ordinance", _("Ordinance")
    AGREEMENT = "multi_year_agreement", _("Multi-year agreement")
    STATUTE = "statute", _("Statute")
    RESOLUTION = "resolution", _("Resolution")


class Instrument(TimeStampedModel):
    """A legal instrument that institutionalizes the table, the cure for political turnover."""

    public_id = public_id_field()
    table = models.ForeignKey(
        Table, on_delete=models.CASCADE, related_name="instruments", verbose_name=_("table")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=InstrumentKind.choices)
    title = models.CharField(_("title"), max_length=250)
    reference = models.CharField(_("reference number"), max_length=80, blank=True)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    document = models.FileField(
        _("document"),
        upload_to="instruments/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "odt", "doc", "docx", "jpg", "jpeg", "png"])],
    )

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("signed_on")),
                name="instrument_valid_after_signed",
            )
        ]

    def __str__(self) -> str:
        return self.title


INVITATION_DAYS = 30  # an invitation link stays valid this long


class Invitation(TimeStampedModel):
    """Lets the person behind a membership claim it: by e-mail, link or QR code."""

    public_id = public_id_field()
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"), blank=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.public_id}"


class GuidanceKind(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance")
    PRIORITY = "priority", _("Regional priority")


class Guidance(TimeStampedModel):
    """What a region's coordination task force sends down to its tables."""

    public_id = public_id_field()
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="guidance")
    kind = models.CharField(_("kind"), max_length=20, choices=GuidanceKind.choices)
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("text"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    answer_by = models.DateField(_("answer by"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class GuidanceAnswer(TimeStampedModel):
    """A table's acknowledgement of a piece of guidance, and its answer going back up."""

    guidance = models.ForeignKey(Guidance, on_delete=models.CASCADE, related_name="answers")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="guidance_answers")
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["table__name"]
        constraints = [
            models.UniqueConstraint(fields=["guidance", "table"], name="guidance_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.table}: {self.guidance}"
