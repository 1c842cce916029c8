"""Patrols (巡查) with their findings, and hygiene inspections (卫生监督) scoring the property
company's cleaning against a checklist.

A finding, or a low item score, becomes a case in one tap (services.to_case): the link is set
once, under a row lock, so a double tap never files two cases.

Writes go through services.py; who sees and does what through access.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.cases.models import Case
from linli.people.models import Organisation, Person
from linli.places.models import Building, Community, Compound, Home, Stairwell


class PatrolKind(models.TextChoices):
    STAIRWELL = "stairwell", _("stairwell patrol")
    EBIKE = "ebike", _("e-bike safety patrol")
    FIRE = "fire", _("fire safety patrol")
    HYGIENE = "hygiene", _("hygiene walk")


class Severity(models.TextChoices):
    LOW = "low", _("minor finding")
    MEDIUM = "medium", _("finding needing action")
    HIGH = "high", _("urgent hazard")


class Patrol(models.Model):
    Kind = PatrolKind

    kind = models.CharField(_("kind of patrol"), max_length=10, choices=PatrolKind.choices)
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("compound"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrols",
        verbose_name=_("patrolling team"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols_started", verbose_name=_("started by")
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    participants = models.ManyToManyField(
        Person, blank=True, related_name="patrols", verbose_name=_("patrol participants")
    )
    note = models.CharField(_("patrol note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["compound", "-started_at"], name="patrol_compound_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")), name="patrol_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.compound} · {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class Finding(models.Model):
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="findings", verbose_name=_("patrol"))
    text = models.TextField(_("what was found"), max_length=2000)
    photo = models.FileField(_("finding photo"), upload_to="patrols/%Y/%m/", blank=True)
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stairwell")
    )
    home = models.ForeignKey(
        Home, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("home")
    )
    where = models.CharField(_("where exactly"), max_length=120, blank=True)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    # Set once, by services.to_case under a row lock.
    case = models.OneToOneField(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="patrol_finding", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        ordering = ["found_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="finding_has_text"),
        ]

    def __str__(self):
        return self.text[:40]

    @property
    def place_label(self) -> str:
        """The most precise place given (it names those above it), and the free text."""
        deepest = self.home or self.stairwell or self.building
        return " ".join(str(p) for p in (deepest, self.where) if p)


class Checklist(models.Model):
    """What a hygiene inspection scores. For a compound, else its community, else the default
    (neither set)."""

    name = models.CharField(_("checklist name"), max_length=80)
    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("compound")
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    active = models.BooleanField(_("checklist in use"), default=True)
    # A checklist already used by an inspection is never changed in place: editing it makes a
    # new version (this link), and the old inspections keep theirs (docs/decisions/0012-…).
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous version"),
        editable=False,
    )

    class Meta:
        verbose_name = _("hygiene checklist")
        verbose_name_plural = _("hygiene checklists")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(compound__isnull=True) | Q(community__isnull=True), name="checklist_one_place"
            ),
            models.UniqueConstraint(
                fields=["compound"], condition=Q(active=True, compound__isnull=False), name="checklist_one_per_compound"
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(active=True, community__isnull=False),
                name="checklist_one_per_community",
            ),
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True, compound__isnull=True, community__isnull=True),
                name="checklist_one_default",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def max_total(self) -> int:
        return sum(item.max_score for item in self.items.all())


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="items", verbose_name=_("checklist")
    )
    text = models.CharField(_("checklist item"), max_length=120)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_score__gt=0), name="checklist_item_max_positive"),
            models.UniqueConstraint(fields=["checklist", "order"], name="checklist_item_unique_order"),
        ]

    def __str__(self):
        return self.text


class Inspection(models.Model):
    """One area of a compound inspected on a day against a checklist. Frozen once submitted."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="hygiene_inspections", verbose_name=_("compound")
    )
    # The property company serving the compound on that day (people.PropertyServicePeriod).
    company = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hygiene_inspections",
        verbose_name=_("property company"),
    )
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+", verbose_name=_("checklist"))
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    area = models.CharField(_("area inspected"), max_length=120, blank=True)
    date = models.DateField(_("inspection date"), default=timezone.localdate)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    notes = models.TextField(_("inspection notes"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    total = models.PositiveIntegerField(_("total score"), null=True, blank=True, editable=False)
    max_total = models.PositiveIntegerField(_("maximum total"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hygiene inspection")
        verbose_name_plural = _("hygiene inspections")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["compound", "date"], name="inspection_compound_date")]
        constraints = [
            models.CheckConstraint(condition=Q(building__isnull=False) | ~Q(area=""), name="inspection_has_area"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(total__isnull=False, max_total__gt=0),
                name="inspection_submitted_has_total",
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__lte=F("max_total")), name="inspection_total_within_max"
            ),
        ]

    def __str__(self):
        return f"{self.compound} · {self.area_label} · {self.date}"

    @property
    def area_label(self) -> str:
        return " ".join(str(p) for p in (self.building, self.area) if p)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def percent(self) -> Decimal | None:
        if not self.max_total or self.total is None:
            return None
        return (Decimal(100) * self.total / self.max_total).quantize(Decimal("0.1"))


class ItemScore(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="scores", verbose_name=_("inspection")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("checklist item")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    # The item's maximum when scored: the check below holds even if the checklist changes later.
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    note = models.CharField(_("score note"), max_length=300, blank=True)
    case = models.OneToOneField(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="hygiene_score", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["item__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="item_score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=F("max_score")), name="item_score_within_max"
            ),
        ]

    def __str__(self):
        return f"{self.item}: {self.score}/{self.max_score}"
