"""People, organisations, roles in them, leaders, household contacts and visits."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.lib.crypto import EncryptedCharField, keyed_hash
from linli.lib.masking import mask_id_number, mask_phone
from linli.places.models import Building, Community, Compound, GridCell, Home, Stairwell, Subdistrict


class ActiveQuerySet(models.QuerySet):
    """Rows with a term (start, end): active means started and not ended as of a day."""

    def active(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(Q(start__isnull=True) | Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class Person(models.Model):
    """Anyone linli knows: a resident of one or more homes, a leader, a worker, a clerk."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")
        UNKNOWN = "", _("not given")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = EncryptedCharField(_("phone"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number = EncryptedCharField(_("ID number"), blank=True)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)
    hukou_registered = models.BooleanField(_("local hukou"), default=False)
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    disabled = models.BooleanField(_("disabled"), default=False)
    care_note = models.CharField(_("care note"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], condition=~Q(id_hash=""), name="person_unique_id_number"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_hashes()
        super().save(*args, **kwargs)

    def refresh_hashes(self):
        self.phone_hash = keyed_hash(self.phone)
        self.id_hash = keyed_hash(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def age(self) -> int | None:
        return timezone.localdate().year - self.birth_year if self.birth_year else None

    @property
    def is_elderly_alone(self) -> bool:
        return self.lives_alone and (self.age or 0) >= 60

    @property
    def is_vulnerable(self) -> bool:
        """关爱对象: elderly living alone, disabled, or noted by a worker."""
        return self.is_elderly_alone or self.disabled or bool(self.care_note)


class Occupancy(models.Model):
    """A person belongs to a home as owner, tenant or family member, for a term."""

    class Relation(models.TextChoices):
        OWNER = "owner", _("owner")
        TENANT = "tenant", _("tenant")
        FAMILY = "family", _("family member")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="occupancies", verbose_name=_("person"))
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="occupancies", verbose_name=_("home"))
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("occupancy")
        verbose_name_plural = _("occupancies")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "home"], condition=Q(end__isnull=True), name="occupancy_one_open_per_home"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                name="occupancy_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.home} ({self.get_relation_display()})"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SUBDISTRICT_OFFICE = "subdistrict_office", _("subdistrict office")
        PARTY_COMMITTEE = "party_committee", _("community party committee")
        PARTY_BRANCH = "party_branch", _("compound party branch")
        PARTY_GROUP = "party_group", _("stairwell party group")
        PARTY_BASE = "party_base", _("party members' base")
        RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
        ASSOCIATION = "association", _("neighbourhood volunteer association")
        SELF_GOVERNANCE = "self_governance", _("self-governance group")
        LEADER_TEAM = "leader_team", _("building leader team")
        CLUB = "club", _("club")
        VOLUNTEER_TEAM = "volunteer_team", _("volunteer team")
        PROPERTY_COMPANY = "property_company", _("property company")
        DEPARTMENT = "department", _("government department")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    # The place an organisation belongs to: its most specific level is set, with the levels above.
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("subdistrict")
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("community"),
    )
    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("compound"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("building"),
    )
    stairwell = models.ForeignKey(
        Stairwell,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("stairwell"),
    )
    founded = models.DateField(_("founded"), null=True, blank=True)
    registered = models.DateField(_("registered with civil affairs"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "kind", "name"], name="organisation_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def place(self):
        return self.stairwell or self.building or self.compound or self.community or self.subdistrict


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        LEADER = "leader", _("team leader")
        CHAIR = "chair", _("chair")
        VICE_CHAIR = "vice_chair", _("vice chair")
        SECRETARY = "secretary", _("secretary")
        OFFICER = "officer", _("committee member")
        WORKER = "worker", _("community worker")
        MANAGER = "manager", _("manager")
        CLERK = "clerk", _("clerk")
        ADMIN = "admin", _("administrator")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation_id", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person", "role"], condition=Q(end__isnull=True), name="membership_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.organisation} ({self.get_role_display()})"


class PropertyServicePeriod(models.Model):
    """A property company serves a compound for a period; it can leave (撤场)."""

    company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="service_periods",
        limit_choices_to={"kind": Organisation.Kind.PROPERTY_COMPANY},
        verbose_name=_("property company"),
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="service_periods", verbose_name=_("compound")
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("property service period")
        verbose_name_plural = _("property service periods")
        constraints = [
            models.UniqueConstraint(
                fields=["compound"], condition=Q(end__isnull=True), name="one_open_service_per_compound"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="service_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.company} → {self.compound}"


class PartyMember(models.Model):
    class Kind(models.TextChoices):
        LOCAL = "local", _("member of the community organisation")
        REPORTED = "reported", _("in-service member reported to the community")
        FLOATING = "floating", _("floating member")

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="party_member", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_members",
        verbose_name=_("party organisation"),
    )
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    reported_on = models.DateField(_("reported to the community on"), null=True, blank=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")

    def __str__(self):
        return f"{self.person} ({self.get_kind_display()})"


class LeaderAssignment(models.Model):
    """三长 and grid persons: who is responsible for which building, stairwells or grid cell."""

    class Kind(models.TextChoices):
        BUILDING = "building", _("building leader")
        LANE = "lane", _("lane leader")
        STREET = "street", _("street leader")
        GRID = "grid", _("grid cell person")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="leader_assignments", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    building = models.ForeignKey(
        Building,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leader_assignments",
        verbose_name=_("building"),
    )
    # Empty means the whole building; otherwise only these stairwells of it.
    stairwells = models.ManyToManyField(
        Stairwell, blank=True, related_name="leader_assignments", verbose_name=_("stairwells")
    )
    grid_cell = models.ForeignKey(
        GridCell,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="leader_assignments",
        verbose_name=_("grid cell"),
    )
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("leader assignment")
        verbose_name_plural = _("leader assignments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="grid") & Q(grid_cell__isnull=False) & Q(building__isnull=True))
                | (~Q(kind="grid") & Q(building__isnull=False) & Q(grid_cell__isnull=True)),
                name="leader_assignment_has_place",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_kind_display()} · {self.building or self.grid_cell}"


class HouseholdContact(models.Model):
    """户联系: a party member looks after a home."""

    party_member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="household_contacts", verbose_name=_("party member")
    )
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="household_contacts", verbose_name=_("home"))
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("household contact")
        verbose_name_plural = _("household contacts")
        constraints = [
            models.UniqueConstraint(fields=["home"], condition=Q(end__isnull=True), name="one_open_contact_per_home"),
        ]

    def __str__(self):
        return f"{self.party_member.person} → {self.home}"


class Visit(models.Model):
    """入户走访: a door-to-door visit to a home, recorded by the visitor."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("reached")
        NOT_HOME = "not_home", _("not at home")
        REFUSED = "refused", _("refused")
        MOVED_OUT = "moved_out", _("moved out")
        EMPTY = "empty", _("empty home")

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="visits", verbose_name=_("home"))
    visitor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visits_made", verbose_name=_("visitor"))
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    party_members_found = models.PositiveSmallIntegerField(_("party members found"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at"]
        indexes = [models.Index(fields=["home", "-visited_at"], name="visit_home_recent")]

    def __str__(self):
        return f"{self.home} · {self.get_outcome_display()}"


class RevealLog(models.Model):
    """Every time a private value is shown unmasked: who, whose, which field, when, why."""

    class Field(models.TextChoices):
        PHONE = "phone", _("phone")
        ID_NUMBER = "id_number", _("ID number")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reveals", verbose_name=_("by")
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reveals", verbose_name=_("whose"))
    field = models.CharField(_("field"), max_length=10, choices=Field.choices)
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("reveal log entry")
        verbose_name_plural = _("reveal log")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} → {self.person} ({self.field})"


class ImportJob(models.Model):
    """One upload of homes and residents from a spreadsheet: validated first, then imported
    on confirmation. The page polls it for progress while a background thread works."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        VALIDATING = "validating", _("checking")
        INVALID = "invalid", _("has errors")
        VALID = "valid", _("ready to import")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    RUNNING = (Status.PENDING, Status.VALIDATING, Status.IMPORTING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("by")
    )
    file = models.FileField(_("file"), upload_to="imports/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    compound = models.ForeignKey(
        Compound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("compound"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)  # the last check or import began
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
