"""Volunteering: join requests to the existing teams and clubs (people.Organisation), activities
(one-off or from a recurring series), sign-ups with a waiting list, check-in, the hours ledger,
certificates and the leaderboard's opt-in name display.

Teams are not duplicated here: a team is a people.Organisation of one of TEAM_KINDS, its
members people.Membership rows."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linli.people.models import Organisation, Person
from linli.places.models import Building, Compound

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TEAM_KINDS = (
    Organisation.Kind.VOLUNTEER_TEAM,
    Organisation.Kind.CLUB,
    Organisation.Kind.ASSOCIATION,
    Organisation.Kind.SELF_GOVERNANCE,
    Organisation.Kind.PARTY_BASE,
)
MAX_MINUTES = 24 * 60  # no activity earns more than a day


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_token() -> str:
    return secrets.token_urlsafe(18)


class ActivityKind(models.TextChoices):
    SERVICE_DAY = "service_day", _("service day")
    STAIRWELL_PATROL = "stairwell_patrol", _("stairwell patrol")
    EBIKE_PATROL = "ebike_patrol", _("e-bike safety patrol")
    HYGIENE_INSPECTION = "hygiene_inspection", _("hygiene inspection")
    EVENT = "event", _("neighbourhood event")
    CLASS = "class", _("class or course")


class JoinRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting for a decision")
        APPROVED = "approved", _("join approved")
        DECLINED = "declined", _("join declined")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("person"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("team")
    )
    message = models.CharField(_("message to the team"), max_length=300, blank=True)
    state = models.CharField(_("join request state"), max_length=10, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"], condition=Q(state="pending"), name="joinrequest_one_pending"
            ),
        ]


class ActivityFields(models.Model):
    """What an activity and a series share."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    kind = models.CharField(_("activity kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("activity title"), max_length=80)
    description = models.TextField(_("activity description"), blank=True)
    venue = models.CharField(_("venue"), max_length=120)
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("compound")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("building")
    )
    capacity = models.PositiveIntegerField(
        _("number of places"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ActivitySeries(ActivityFields):
    """A recurring activity ("every Sunday 9:00"): an RFC 5545 RRULE from its first start, in
    Asia/Shanghai wall time. Its occurrences are materialised as Activity rows up to a horizon
    (services.materialise, run by `volunteers_tick`)."""

    rrule = models.CharField(_("recurrence rule"), max_length=200, help_text="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=SU")
    first_start = models.DateTimeField(_("first start"))
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"))
    skip_holidays = models.BooleanField(_("skip Chinese public holidays"), default=True)
    active = models.BooleanField(_("series running"), default=True)

    class Meta:
        verbose_name = _("activity series")
        verbose_name_plural = _("activity series")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=MAX_MINUTES), name="series_duration_range"
            ),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="series_capacity_pos"),
        ]

    def __str__(self):
        return self.title


class Activity(ActivityFields):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled by the organiser")

    code = models.CharField(max_length=10, unique=True, default=new_code, editable=False)
    series = models.ForeignKey(
        ActivitySeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    state = models.CharField(_("activity state"), max_length=10, choices=State.choices, default=State.SCHEDULED)
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    checkin_token = models.CharField(max_length=40, default=new_token, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An occurrence of a series moved to another time keeps the start the series gave it, so
    # materialising the series does not create that date again.
    moved_from = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["organisation", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="activity_capacity_pos"
            ),
            models.UniqueConstraint(
                fields=["series", "starts_at"], condition=Q(series__isnull=False), name="activity_one_per_occurrence"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def place_label(self) -> str:
        if self.building_id:
            return f"{self.building.compound.name} {self.building.name}"
        return self.compound.name if self.compound_id else ""


class SignUp(models.Model):
    """One person on one activity: signed up, waiting (in order of `created`, then pk), or
    cancelled. One row per person and activity (signing up again revives it)."""

    class State(models.TextChoices):
        SIGNED_UP = "signed_up", _("signed up")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("sign-up cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="volunteer_signups")
    state = models.CharField(_("sign-up state"), max_length=10, choices=State.choices)
    created = models.DateTimeField(_("signed up at"))
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="signup_one_per_person")]


class Attendance(models.Model):
    """A person at an activity: checked in by the QR code (and out), or marked present by the
    organiser. Once per person and activity."""

    class How(models.TextChoices):
        QR = "qr", _("checked in by QR code")
        ORGANISER = "organiser", _("marked present by the organiser")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="volunteer_attendances")
    how = models.CharField(max_length=10, choices=How.choices)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer attendance")
        verbose_name_plural = _("volunteer attendances")
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="volunteer_attendance_once"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="volunteer_attendance_out_after_in",
            ),
        ]


class HoursEntry(models.Model):
    """One line of a person's hours ledger. Never edited or deleted: a correction is a new
    adjustment with its reason. A person's total is the sum of his entries."""

    class Kind(models.TextChoices):
        EARNED = "earned", _("hours earned")
        ADJUSTMENT = "adjustment", _("adjustment")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hours_entries")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="hours")
    minutes = models.IntegerField(_("minutes served"))
    kind = models.CharField(_("ledger entry kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason for the adjustment"), max_length=200, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("recorded at"))
    # The day the minutes count for (periods, certificates, leaderboards): the activity's day for
    # earned hours, the day of recording for an adjustment.
    on = models.DateField(_("day"), db_index=True)

    class Meta:
        verbose_name = _("hours ledger entry")
        verbose_name_plural = _("hours ledger entries")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(minutes=0) & Q(minutes__gte=-MAX_MINUTES, minutes__lte=MAX_MINUTES),
                name="hours_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(kind="earned", minutes__gt=0, activity__isnull=False)
                | (Q(kind="adjustment") & ~Q(reason="")),
                name="hours_earned_positive_adjustment_reasoned",
            ),
            models.UniqueConstraint(
                fields=["person", "activity"], condition=Q(kind="earned"), name="hours_earned_once_per_activity"
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("hours ledger entries are never changed: add an adjustment")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("hours ledger entries are never deleted: add an adjustment")


class VolunteerProfile(models.Model):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="volunteer_profile")
    show_name = models.BooleanField(_("show my name on leaderboards"), default=False)


class Certificate(models.Model):
    """A certificate of hours as issued: what it said is kept, so its verification code shows
    the same figures later, whatever is added to the ledger afterwards."""

    code = models.CharField(max_length=10, unique=True, default=new_code, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="hours_certificates")
    community_name = models.CharField(max_length=100)
    teams = models.CharField(max_length=300, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    total_minutes = models.IntegerField()
    activities = models.JSONField(default=list)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("certificate of hours")
        verbose_name_plural = _("certificates of hours")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="certificate_period_order"),
        ]
