"""Meetings where residents settle things by talking (楼道会议, 楼道茶话会, 居民议事厅, 三方联席会议,
业主大会筹备会): the meeting, its venue booking, invitations and replies, attendance, the agenda
and the minutes, which are frozen once approved and versioned after that.

The rules are in services.py; docs/meetings.md tells the whole of it."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linli.people.models import Organisation, Person
from linli.places.models import Building, Community, Compound, Stairwell, Venue

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


class OpeningHours(models.Model):
    """When a venue may be booked, per weekday. A venue with no hours may be booked any time."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="hours", verbose_name=_("venue"))
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=[(i, d) for i, d in enumerate([_("Monday"), _("Tuesday"), _("Wednesday"),
                                                                _("Thursday"), _("Friday"), _("Saturday"),
                                                                _("Sunday")])]
    )  # fmt: skip
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["venue_id", "weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="hours_close_after_open")]


class Booking(models.Model):
    """A venue held for a time. Two confirmed bookings of one venue never overlap (services.book
    checks under the venue's row lock)."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("venue"))
    starts = models.DateTimeField(_("from"))
    ends = models.DateTimeField(_("until"))
    purpose = models.CharField(_("purpose"), max_length=120)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cancelled = models.BooleanField(_("cancelled"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("venue booking")
        verbose_name_plural = _("venue bookings")
        ordering = ["venue_id", "starts"]
        indexes = [models.Index(fields=["venue", "starts"])]
        constraints = [models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="booking_ends_after_start")]

    def __str__(self):
        return f"{self.venue} {self.starts:%Y-%m-%d %H:%M}"


class Meeting(models.Model):
    class Kind(models.TextChoices):
        STAIRWELL = "stairwell", _("stairwell meeting")  # 楼道会议
        TEA_PARTY = "tea_party", _("stairwell tea party")  # 楼道茶话会: the property manager faces residents
        HALL = "hall", _("residents' deliberation hall")  # 居民议事厅
        JOINT = "joint", _("three-party joint meeting")  # 三方联席会议
        ASSEMBLY_PREP = "assembly_prep", _("owners' assembly preparation meeting")  # 业主大会筹备会

    class Mode(models.TextChoices):
        OFFLINE = "offline", _("in person")
        ONLINE = "online", _("online")
        BOTH = "both", _("in person and online")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    code = models.CharField(_("code"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("compound")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("building")
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("stairwell")
    )
    organiser = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organised by")
    )
    mode = models.CharField(_("how"), max_length=8, choices=Mode.choices, default=Mode.OFFLINE)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings", verbose_name=_("venue")
    )
    booking = models.OneToOneField(Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting")
    location = models.CharField(_("place"), max_length=120, blank=True, help_text=_("Where, if not a venue."))
    online_url = models.URLField(_("online link"), blank=True)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    checkin_token = models.CharField(max_length=32, editable=False, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts", "-pk"]
        indexes = [models.Index(fields=["community", "starts"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=Q(stairwell__isnull=True) | Q(building__isnull=False), name="meeting_stairwell_has_building"
            ),
            models.CheckConstraint(
                condition=Q(building__isnull=True) | Q(compound__isnull=False), name="meeting_building_has_compound"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = new_code()
        if not self.checkin_token:
            self.checkin_token = secrets.token_urlsafe(18)
        super().save(*args, **kwargs)

    @property
    def place(self):
        return self.stairwell or self.building or self.compound or self.community


class Invitation(models.Model):
    class Reply(models.TextChoices):
        PENDING = "pending", _("no reply yet")
        YES = "yes", _("will come")
        NO = "no", _("cannot come")
        MAYBE = "maybe", _("may come")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    as_what = models.CharField(_("invited as"), max_length=60, blank=True)
    reply = models.CharField(_("reply"), max_length=8, choices=Reply.choices, default=Reply.PENDING)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="invitation_once")]


class Attendance(models.Model):
    class How(models.TextChoices):
        QR = "qr", _("checked in by QR code")
        ORGANISER = "organiser", _("marked by the organiser")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    at = models.DateTimeField(_("at"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once")]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("item"), max_length=200)
    text = models.TextField(_("details"), blank=True)
    topic = models.ForeignKey(
        "topics.Topic", on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["meeting_id", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="agenda_unique_position")]

    def __str__(self):
        return self.title


class Minutes(models.Model):
    """The record of a meeting. Approved minutes are frozen: a later change needs a reason and
    keeps the approved text as a version."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    summary = models.TextField(_("summary"), blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    @property
    def frozen(self) -> bool:
        return self.approved_at is not None


class MinutesItem(models.Model):
    """What was said and decided on one agenda item."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="items")
    agenda_item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="minutes_item")
    summary = models.TextField(_("discussion"), blank=True)
    positions = models.TextField(_("positions"), blank=True)
    decision = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["agenda_item__position"]


class MinutesVersion(models.Model):
    """The minutes as they stood before a change made after approval, with who and why."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField()
    reason = models.CharField(_("reason for the change"), max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["minutes_id", "number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_once")]
