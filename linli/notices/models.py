"""Notifications: the in-app feed, what each person wants to hear and where, the group robots
of stairwells and organisations, and every message sent to a channel (Delivery)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.lib.crypto import EncryptedCharField
from linli.lib.masking import mask_phone


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in the app")
    EMAIL = "email", _("email")
    SMS = "sms", _("text message")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WEBHOOK = "webhook", _("signed webhook")


# Chosen by each person on the preferences page (in-app is always on: it is the feed).
PERSONAL = (Channel.EMAIL, Channel.SMS)
# Configured for a stairwell's or an organisation's group (ChannelConfig).
GROUP = (Channel.WECOM, Channel.DINGTALK, Channel.WEBHOOK)


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One item of a person's feed (the bell)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The event this tells of ("case:12:reply:345"): the same event never reaches a person twice.
    key = models.CharField(max_length=150, blank=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "-created"], name="notice_feed"),
            # The bell counts these on every page.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notice_unread"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="notice_once_per_event"),
        ]

    def __str__(self):
        return self.title


class Preference(models.Model):
    """One person's choice for one kind of event on one personal channel. Without a row, the
    kind's default applies (kinds.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=12, choices=[(c.value, c.label) for c in PERSONAL])
    enabled = models.BooleanField(_("on"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="notice_preference_once"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind} {self.channel} {'on' if self.enabled else 'off'}"


def in_quiet_hours(start: dt.time | None, end: dt.time | None, at: dt.datetime) -> dt.datetime | None:
    """When the quiet hours around `at` end, or None if `at` is outside them. The hours are
    local time and may run over midnight (22:00–07:00)."""
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(at)
    now = local.time().replace(tzinfo=None)
    inside = start <= now < end if start < end else now >= start or now < end
    if not inside:
        return None
    day = local.date() if now < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end))


class Schedule(models.Model):
    """When a person may be disturbed: quiet hours (messages wait until they end) and the
    daily digest (one message a day instead of one per event)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_schedule")
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    digest = models.BooleanField(_("one daily digest instead of a message for each event"), default=False)
    digest_since = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("quiet hours and digest")
        verbose_name_plural = _("quiet hours and digests")

    def __str__(self):
        return str(self.user_id)

    def quiet_until_at(self, at: dt.datetime) -> dt.datetime | None:
        return in_quiet_hours(self.quiet_from, self.quiet_until, at)


class ChannelConfig(models.Model):
    """A group robot (WeCom, DingTalk) or a signed webhook for one stairwell or one
    organisation. The address and secret are stored encrypted and never shown again."""

    channel = models.CharField(_("channel"), max_length=12, choices=[(c.value, c.label) for c in GROUP])
    name = models.CharField(_("name"), max_length=80, help_text=_("e.g. the stairwell's WeChat Work group"))
    stairwell = models.ForeignKey(
        "places.Stairwell",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notice_channels",
        verbose_name=_("stairwell"),
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notice_channels",
        verbose_name=_("organisation"),
    )
    url = EncryptedCharField(_("webhook address"))
    secret = EncryptedCharField(_("secret"), blank=True)
    markdown = models.BooleanField(_("send as Markdown"), default=False)
    mentions = EncryptedCharField(
        _("mobile numbers to @mention"), blank=True, help_text=_("Comma-separated; WeCom text and DingTalk only.")
    )
    kinds = models.CharField(
        _("events"), max_length=400, blank=True, help_text=_("Comma-separated event kinds; empty: the usual ones.")
    )
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group channel")
        verbose_name_plural = _("group channels")
        constraints = [
            models.CheckConstraint(
                condition=Q(stairwell__isnull=True, organisation__isnull=False)
                | Q(stairwell__isnull=False, organisation__isnull=True),
                name="notice_channel_one_place",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_channel_display()})"

    def clean(self):
        if (self.stairwell_id is None) == (self.organisation_id is None):
            raise ValidationError(_("Choose either a stairwell or an organisation."))
        parts = urlsplit(self.url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError({"url": _("Enter the full webhook address, starting with https://.")})
        if self.channel == Channel.WEBHOOK and not self.secret:
            raise ValidationError({"secret": _("A signed webhook needs a secret.")})

    @property
    def url_display(self) -> str:
        """What may be shown of the address: its host only (WeCom puts its key in the query)."""
        host = urlsplit(self.url or "").hostname
        return f"{host}/…" if host else "—"

    def mention_list(self) -> list[str]:
        return [m.strip() for m in (self.mentions or "").split(",") if m.strip()]

    def mentions_display(self) -> str:
        return ", ".join(mask_phone(m) for m in self.mention_list())

    def kind_list(self) -> list[str]:
        return [k.strip() for k in (self.kinds or "").split(",") if k.strip()]

    def quiet_until_at(self, at: dt.datetime) -> dt.datetime | None:
        return in_quiet_hours(self.quiet_from, self.quiet_until, at)


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None, *, lease: dt.timedelta):
        """What a sweep should (re)send now: queued or failed with a retry due, and claims
        older than the lease (a worker died while sending)."""
        now = now or timezone.now()
        return self.filter(
            Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED], next_try__lte=now)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - lease)
        )


class Delivery(models.Model):
    """One message to one address on one channel. The idempotency key is unique: the same
    event is never queued twice for an address, and a retry never sends a message twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    class Error(models.TextChoices):
        HTTP = "http", _("the channel answered with an error")
        TIMEOUT = "timeout", _("no answer in time")
        UNREACHABLE = "unreachable", _("the channel could not be reached")
        REJECTED = "rejected", _("the channel refused the message")
        BAD_ADDRESS = "bad_address", _("the address is not valid")
        BAD_SECRET = "bad_secret", _("the secret is wrong")
        GONE = "gone", _("the channel no longer exists")
        INTERNAL = "internal", _("an error in linli")

    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    config = models.ForeignKey(
        ChannelConfig, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    # An email address or mobile number (personal channels); a group channel's address stays in its config.
    target = EncryptedCharField(_("address"), blank=True)
    payload = models.JSONField(default=dict)  # title, body, link
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=12, choices=Error.choices, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_try = models.DateTimeField(_("next try"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "next_try"], name="delivery_due")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.key}"

    @property
    def target_display(self) -> str:
        """The address as it may be shown: a phone masked, an email's mailbox shortened, a
        group channel by its name."""
        if self.config_id:
            return str(self.config.name)
        value = self.target or ""
        if "@" in value:
            box, _at, domain = value.partition("@")
            return f"{box[:2]}***@{domain}"
        return mask_phone(value)

    @property
    def gave_up(self) -> bool:
        return self.status == self.Status.FAILED and self.next_try is None


class AnnouncementQuerySet(models.QuerySet):
    def current(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires__isnull=True) | Q(expires__gt=now), published__lte=now)


class AudienceRole(models.TextChoices):
    BUILDING_LEADER = "building_leader", _("the building leaders")
    PARTY_MEMBER = "party_member", _("the party members")


class Announcement(models.Model):
    """A notice to everyone living in a community, compound, building or stairwell (today the
    stairwell's WeChat group and the leader at the door). The place is stored with every level
    above it, so "announcements for this home" is one filter."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(_("from"), max_length=100)
    community = models.ForeignKey("places.Community", on_delete=models.CASCADE, related_name="+")
    compound = models.ForeignKey("places.Compound", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    building = models.ForeignKey("places.Building", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    stairwell = models.ForeignKey("places.Stairwell", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    pinned = models.BooleanField(_("pinned"), default=False)
    expires = models.DateTimeField(_("until"), null=True, blank=True)
    published = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    # To the members of an organisation, or to those holding a role within the place, instead
    # of everyone living there. Their people are frozen at publishing (AnnouncementRecipient).
    organisation = models.ForeignKey(
        "people.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("audience"), max_length=20, choices=AudienceRole.choices, blank=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-pinned", "-published", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            # Each level below is set only with the one above it: the place is a path down the grid.
            models.CheckConstraint(
                condition=Q(stairwell__isnull=True) | Q(building__isnull=False), name="announcement_stairwell_path"
            ),
            models.CheckConstraint(
                condition=Q(building__isnull=True) | Q(compound__isnull=False), name="announcement_building_path"
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=True) | Q(role=""), name="announcement_one_audience"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def level(self) -> str:
        for level in ("stairwell", "building", "compound"):
            if getattr(self, f"{level}_id"):
                return level
        return "community"

    @property
    def place(self):
        return getattr(self, self.level)

    @property
    def place_label(self) -> str:
        parts = [self.community.name]
        parts += [p.name for p in (self.compound, self.building, self.stairwell) if p is not None]
        return " ".join(parts)

    @property
    def for_people(self) -> bool:
        """Addressed to chosen people (an organisation, a role), not to every home of the place."""
        return bool(self.organisation_id or self.role)

    @property
    def audience_label(self) -> str:
        if self.organisation_id:
            return str(self.organisation)
        if self.role:
            return f"{self.place_label} · {self.get_role_display()}"
        return self.place_label


class AnnouncementRead(models.Model):
    """A read receipt: this person opened the announcement (counted per home in the reach report)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_read_once")]


class AnnouncementRecipient(models.Model):
    """One person an announcement to an organisation or a role was for, as they stood when it
    was published: who reads it, and whom the reach report counts."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [models.UniqueConstraint(fields=["announcement", "person"], name="announcement_recipient_once")]


class AnnouncementAttachment(models.Model):
    """A file sent with an announcement (a photo re-encoded without metadata, a PDF, a Word or
    Excel file). Served only through a view that checks the reader may read the announcement."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="notices/%Y/%m/")
    name = models.CharField(_("name"), max_length=120)  # the name shown, never the stored one
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        ordering = ["announcement_id", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class HomeToldInPerson(models.Model):
    """A leader or the publisher told this home in person (door to door): it counts as reached."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="told_homes")
    home = models.ForeignKey("places.Home", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    by_label = models.CharField(_("told by"), max_length=100)
    at = models.DateTimeField(_("told at"), default=timezone.now)

    class Meta:
        verbose_name = _("home told in person")
        verbose_name_plural = _("homes told in person")
        constraints = [models.UniqueConstraint(fields=["announcement", "home"], name="announcement_home_told_once")]
