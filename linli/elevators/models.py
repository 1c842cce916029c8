"""A stairwell's added elevator after the owners consented: the project, its cost-sharing plan
(floor coefficients, frozen shares once adopted), its milestones and the maintenance plan.

Money is kept in integer fen (分) everywhere; pages show yuan with two decimals (sharing.yuan).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.places.models import Home, Stairwell
from linli.votes.models import Vote


class ElevatorProject(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("planning the cost sharing")
        ADOPTED = "adopted", _("cost sharing adopted")
        IN_SERVICE = "in_service", _("in service")

    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, related_name="elevator_projects", verbose_name=_("stairwell")
    )
    consent_vote = models.ForeignKey(
        Vote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elevator_projects",
        verbose_name=_("consent vote"),
    )
    title = models.CharField(_("title"), max_length=120)
    total_fen = models.PositiveBigIntegerField(_("total cost (fen)"), null=True, blank=True)
    # {"<floor>": "<coefficient>"}: decimal strings, edited until the plan is adopted.
    coefficients = models.JSONField(_("floor coefficients"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNING)
    adopted_at = models.DateTimeField(_("cost sharing adopted"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("elevator project")
        verbose_name_plural = _("elevator projects")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_fen__isnull=True) | Q(total_fen__gt=0), name="elevator_total_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["adopted", "in_service"])
                | Q(total_fen__isnull=False, adopted_at__isnull=False),
                name="elevator_adopted_has_total",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.PLANNING


class CostShare(models.Model):
    """One home's share, frozen when the plan is adopted: what the agreement lists and the owners sign."""

    project = models.ForeignKey(ElevatorProject, on_delete=models.CASCADE, related_name="shares")
    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="+", verbose_name=_("home"))
    floor = models.SmallIntegerField(_("floor"))
    area = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=2)
    coefficient = models.DecimalField(_("coefficient"), max_digits=8, decimal_places=4)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))

    class Meta:
        verbose_name = _("cost share")
        verbose_name_plural = _("cost shares")
        ordering = ["project_id", "floor", "home__number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "home"], name="costshare_one_per_home"),
            models.CheckConstraint(condition=Q(area__gt=0), name="costshare_area_positive"),
            models.CheckConstraint(condition=Q(coefficient__gte=0), name="costshare_coefficient_not_negative"),
        ]

    def __str__(self):
        return f"{self.home} {self.amount_fen}"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        CONSENT = "consent", _("owners' consent")
        DESIGN = "design", _("design")
        APPROVAL = "approval", _("approval and permit")
        CONSTRUCTION = "construction", _("construction starts")
        ACCEPTANCE = "acceptance", _("acceptance inspection")
        IN_SERVICE = "in_service", _("in service")

    ORDER = list(Kind.values)

    project = models.ForeignKey(ElevatorProject, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=12, choices=Kind.choices)
    planned = models.DateField(_("planned"), null=True, blank=True)
    actual = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="elevators/evidence/", blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="milestone_one_per_kind")]

    def __str__(self):
        return self.get_kind_display()

    @property
    def position(self) -> int:
        return self.ORDER.index(self.kind)


class MaintenancePlan(models.Model):
    """Who pays the yearly upkeep (inspection, insurance, repairs, electricity) and who collects it."""

    class Sharing(models.TextChoices):
        WEIGHTS = "weights", _("by the same weights as the building cost")
        EQUAL = "equal", _("equally among the homes that pay for the elevator")

    project = models.OneToOneField(ElevatorProject, on_delete=models.CASCADE, related_name="maintenance")
    yearly_fen = models.PositiveBigIntegerField(_("yearly maintenance cost (fen)"))
    sharing = models.CharField(_("shared"), max_length=8, choices=Sharing.choices, default=Sharing.WEIGHTS)
    collector = models.CharField(_("collected by"), max_length=80)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        constraints = [models.CheckConstraint(condition=Q(yearly_fen__gt=0), name="maintenance_yearly_positive")]
