"""Topics (议题): a problem a resident or a leader raises for a stairwell, building, compound or
community, to be settled by talking. Neighbours support it; it is ready for an agenda when
enough of them do (the threshold is frozen when it is proposed), or an organiser picks it.

    open ──(threshold reached)──▶ ready ──▶ on_agenda ──▶ settled
      │  └───────(an organiser picks it)──────▲
      ├─▶ withdrawn (by the proposer, before it is on an agenda)
      └─▶ closed (by an organiser, with a reason)

Writes go through services.py; who sees what through access.py.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.people.models import Person
from linli.places.models import Building, Community, Compound, Stairwell

# Crockford's base32 without I, L, O, U, as for cases: a code read aloud at a meeting survives it.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code(at=None) -> str:
    """YTYYMM-XXXXX: 议题 and the month it was raised, then random (codes cannot be guessed in
    sequence). Distinct at a glance from a case's YYMM-XXXXXX."""
    stamp = (timezone.localtime(at) if at else timezone.localtime()).strftime("%y%m")
    return "YT" + stamp + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


class Level(models.TextChoices):
    STAIRWELL = "stairwell", _("stairwell")
    BUILDING = "building", _("building")
    COMPOUND = "compound", _("compound")
    COMMUNITY = "community", _("community")


class Status(models.TextChoices):
    OPEN = "open", _("collecting support")
    READY = "ready", _("ready for an agenda")
    ON_AGENDA = "on_agenda", _("on a meeting's agenda")
    SETTLED = "settled", _("settled")
    WITHDRAWN = "withdrawn", _("withdrawn")
    CLOSED = "closed", _("closed by the organisers")


# Neighbours may still support and discuss it.
SUPPORTABLE = (Status.OPEN, Status.READY)
DISCUSSABLE = (Status.OPEN, Status.READY, Status.ON_AGENDA)
FINAL = (Status.SETTLED, Status.WITHDRAWN, Status.CLOSED)


class Topic(models.Model):
    Status = Status  # Topic.Status.READY, as other apps name a model's states
    Level = Level

    code = models.CharField(_("code"), max_length=12, unique=True, default=new_code, editable=False)
    title = models.CharField(_("title"), max_length=80)
    text = models.TextField(_("what it is about"), max_length=4000)

    # Where: the community always, and the compound, building and stairwell down to the
    # topic's level (a check constraint holds the shape; save() fills the ancestors in from
    # the deepest place, so they cannot disagree).
    level = models.CharField(_("scope"), max_length=10, choices=Level.choices)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="topics", verbose_name=_("community"), db_index=False
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="topics", verbose_name=_("compound")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="topics", verbose_name=_("building")
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, null=True, blank=True, related_name="topics", verbose_name=_("stairwell")
    )

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics_proposed",
        verbose_name=_("proposed by"),
    )
    proposer_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="topics_proposed", editable=False
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    threshold = models.PositiveSmallIntegerField(
        _("supports needed"), help_text=_("Frozen when the topic is proposed, from the default for its scope.")
    )
    created = models.DateTimeField(_("proposed"), default=timezone.now, editable=False)
    ready_at = models.DateTimeField(_("ready since"), null=True, blank=True, editable=False)
    # What an organiser did with it.
    meeting_title = models.CharField(_("meeting"), max_length=120, blank=True)
    on_agenda_at = models.DateTimeField(_("put on an agenda"), null=True, blank=True, editable=False)
    picked = models.BooleanField(_("picked by an organiser before the threshold"), default=False, editable=False)
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)
    # Bumped by every change of state: an API client sends the version it saw.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["community", "status", "-created"], name="topic_community_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level="community", compound__isnull=True, building__isnull=True, stairwell__isnull=True)
                    | Q(level="compound", compound__isnull=False, building__isnull=True, stairwell__isnull=True)
                    | Q(level="building", compound__isnull=False, building__isnull=False, stairwell__isnull=True)
                    | Q(level="stairwell", compound__isnull=False, building__isnull=False, stairwell__isnull=False)
                ),
                name="topic_scope_shape",
            ),
            models.CheckConstraint(condition=Q(threshold__gte=1), name="topic_threshold_positive"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closed_reason=""), name="topic_closed_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["on_agenda", "settled"]) | Q(on_agenda_at__isnull=False),
                name="topic_agenda_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        self.fill_scope()
        super().save(*args, **kwargs)

    def fill_scope(self) -> None:
        """The level and the ancestors from the deepest place given."""
        if self.stairwell_id:
            self.level = Level.STAIRWELL
            building = Building.objects.select_related("compound").get(
                pk=Stairwell.objects.values_list("building_id", flat=True).get(pk=self.stairwell_id)
            )
            self.building_id, self.compound_id, self.community_id = (
                building.pk,
                building.compound_id,
                building.compound.community_id,
            )
        elif self.building_id:
            self.level = Level.BUILDING
            building = Building.objects.select_related("compound").get(pk=self.building_id)
            self.compound_id, self.community_id = building.compound_id, building.compound.community_id
        elif self.compound_id:
            self.level = Level.COMPOUND
            self.community_id = Compound.objects.values_list("community_id", flat=True).get(pk=self.compound_id)
        else:
            self.level = Level.COMMUNITY

    @property
    def place(self):
        return self.stairwell or self.building or self.compound or self.community

    @property
    def place_label(self) -> str:
        """富丰新城 1栋 1单元: the place as a neighbour names it."""
        if self.stairwell_id:
            return str(self.stairwell)
        if self.building_id:
            return str(self.building)
        return (self.compound or self.community).name

    @property
    def is_final(self) -> bool:
        return self.status in FINAL


class Support(models.Model):
    """One neighbour's support for a topic; one per person, held by the database."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="topic_supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["topic", "person"], name="topic_support_one_per_person")]

    def __str__(self):
        return f"{self.topic_id} · {self.person_id}"


class Comment(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="topic_comments"
    )
    text = models.TextField(_("comment"), max_length=2000)
    created = models.DateTimeField(default=timezone.now, editable=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created", "pk"]
        constraints = [
            # The reason is shown in place of the text: a hidden comment always has one.
            models.CheckConstraint(
                condition=Q(hidden=False) | (~Q(hidden_reason="") & Q(hidden_at__isnull=False)),
                name="topic_comment_hidden_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.topic_id} · {self.pk}"


class Report(models.Model):
    """A neighbour's report of a comment to the moderators; once per reporter."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    created = models.DateTimeField(default=timezone.now, editable=False)
    # Set when a moderator hid the comment or kept it: the report leaves the queue.
    resolved = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="topic_report_one_per_reporter"),
        ]
        indexes = [models.Index(fields=["resolved", "comment"], name="topic_report_open")]

    def __str__(self):
        return f"{self.comment_id} · {self.reporter_id}"
