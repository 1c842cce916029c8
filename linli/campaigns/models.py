"""Campaigns that reach every home (精准到户): a campaign over a place with a short visit form,
one assignment per home of its target, visits recorded by the visitors (each with a client id
made on the phone) and the registry changes found on the way, waiting for a worker's review."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.people.models import Person
from linli.places.models import Community, Compound, Home, Subdistrict


class Level(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("whole subdistrict")
    COMMUNITY = "community", _("whole community")
    COMPOUND = "compound", _("one compound")


class Target(models.TextChoices):
    ALL = "all", _("every home")
    ELDERLY_ALONE = "elderly_alone", _("homes of elderly people living alone")
    NON_REGISTERED = "non_registered", _("homes with residents without local hukou")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("campaign draft")
    RUNNING = "running", _("campaign running")
    ENDED = "ended", _("campaign ended")


class Outcome(models.TextChoices):
    REACHED = "reached", _("reached")
    NOT_HOME = "not_home", _("not at home")
    REFUSED = "refused", _("refused")
    MOVED_OUT = "moved_out", _("moved out")
    EMPTY = "empty", _("empty home")


class HomeState(models.TextChoices):
    """Where a home of a campaign stands: not visited yet, or the outcome of its latest visit."""

    PENDING = "pending", _("not visited yet")
    REACHED = "reached", _("reached")
    NOT_HOME = "not_home", _("not at home")
    REFUSED = "refused", _("refused")
    MOVED_OUT = "moved_out", _("moved out")
    EMPTY = "empty", _("empty home")


# Homes still to be visited (again): what "not yet reached" lists and a rebalance moves.
OPEN_STATES = (HomeState.PENDING, HomeState.NOT_HOME)


class Source(models.TextChoices):
    CONTACT = "contact", _("household contact")
    STAIRWELL_LEADER = "stairwell_leader", _("stairwell leader")
    BUILDING_LEADER = "building_leader", _("building leader")
    MANUAL = "manual", _("assigned by a worker")
    NONE = "none", _("unassigned")


class Campaign(models.Model):
    title = models.CharField(_("campaign title"), max_length=80)
    description = models.TextField(_("what the visitors say at the door"), blank=True)
    level = models.CharField(_("campaign area"), max_length=12, choices=Level.choices)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("subdistrict")
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("community"),
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns", verbose_name=_("compound")
    )
    target = models.CharField(_("homes to visit"), max_length=16, choices=Target.choices, default=Target.ALL)
    form = models.JSONField(_("visit form"), default=list, blank=True)
    starts_on = models.DateField(_("campaign starts on"))
    ends_on = models.DateField(_("campaign ends on"))
    status = models.CharField(
        _("campaign state"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="campaigns_created",
        verbose_name=_("organised by"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"),
            models.CheckConstraint(
                condition=(Q(level="subdistrict") & Q(community__isnull=True) & Q(compound__isnull=True))
                | (Q(level="community") & Q(community__isnull=False) & Q(compound__isnull=True))
                | (Q(level="compound") & Q(community__isnull=False) & Q(compound__isnull=False)),
                name="campaign_place_matches_level",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def place(self):
        return self.compound or self.community or self.subdistrict


class Assignment(models.Model):
    """One home of a campaign, who visits it and where it stands (the outcome of its latest visit)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments", db_index=False)
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="campaign_assignments")
    visitor = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_assignments",
        verbose_name=_("visitor"),
    )
    source = models.CharField(_("assigned as"), max_length=16, choices=Source.choices, default=Source.NONE)
    state = models.CharField(_("home state"), max_length=10, choices=HomeState.choices, default=HomeState.PENDING)
    last_visited_at = models.DateTimeField(_("last visited at"), null=True, blank=True)
    revisit_on = models.DateField(_("revisit on"), null=True, blank=True)
    visits = models.PositiveIntegerField(_("number of visits"), default=0)

    class Meta:
        verbose_name = _("campaign assignment")
        verbose_name_plural = _("campaign assignments")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "home"], name="campaign_home_once"),
            models.CheckConstraint(
                condition=Q(visitor__isnull=True, source="none") | Q(visitor__isnull=False) & ~Q(source="none"),
                name="campaign_assignment_source_matches",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "visitor", "state"], name="campaign_visitor_state")]

    def __str__(self):
        return f"{self.campaign} · {self.home}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CampaignVisit(models.Model):
    """One visit to a home of a campaign. Every visit is kept, even two at the same moment; the
    home's state is the outcome of the latest one (by when it happened)."""

    client_id = models.UUIDField(_("client id"), default=uuid.uuid4, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="visits")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="visit_records")
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="campaign_visits")
    visitor = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, related_name="campaign_visits", verbose_name=_("visitor")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("visit outcome"), max_length=10, choices=Outcome.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    note = models.CharField(_("visit note"), max_length=500, blank=True)
    visited_at = models.DateTimeField(_("visited at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("campaign visit")
        verbose_name_plural = _("campaign visits")
        ordering = ["-visited_at", "-pk"]

    def __str__(self):
        return f"{self.home} · {self.get_outcome_display()}"


class ChangeKind(models.TextChoices):
    MOVED_OUT = "moved_out", _("a resident moved out")
    NEW_RESIDENT = "new_resident", _("a new resident")
    NEW_PHONE = "new_phone", _("a new phone number")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    ACCEPTED = "accepted", _("accepted into the registry")
    REJECTED = "rejected", _("change rejected")


class ProposedChange(models.Model):
    """A registry change found on a visit: it touches the registry only once a worker accepts it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="proposed_changes")
    visit = models.ForeignKey(CampaignVisit, on_delete=models.CASCADE, related_name="proposed_changes")
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("registry change"), max_length=14, choices=ChangeKind.choices)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("resident")
    )
    name = models.CharField(_("new resident's name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    relation = models.CharField(_("relation"), max_length=10, blank=True)
    status = models.CharField(
        _("review state"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("proposed registry change")
        verbose_name_plural = _("proposed registry changes")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(kind="new_resident") & ~Q(status="accepted"),
                name="campaign_change_person_matches",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | ~Q(status="pending") & Q(decided_at__isnull=False),
                name="campaign_change_decided",
            ),
        ]

    def __str__(self):
        return f"{self.home} · {self.get_kind_display()}"
