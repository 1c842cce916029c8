"""Residents' requests and neighbour disputes (诉求、邻里矛盾), from intake to the resident's rating.

The lifecycle lives in `lifecycle.py` (one table of transitions); this module holds the rows.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from linli.lib.crypto import EncryptedCharField, keyed_hash
from linli.people.models import Organisation, Person
from linli.places.models import Building, Community, Compound, Home, Stairwell

# Crockford's base32 without I, L, O, U: codes read aloud over the phone survive it.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class Kind(models.TextChoices):
    """What the resident wants, which sets the deadline (Guangdong 12345 norms)."""

    CONSULTATION = "consultation", _("consultation")
    REQUEST = "request", _("request")
    SUGGESTION = "suggestion", _("suggestion")
    COMPLAINT = "complaint", _("complaint")
    DISPUTE = "dispute", _("neighbour dispute")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    DISPATCHED = "dispatched", _("dispatched")
    IN_PROGRESS = "in_progress", _("in progress")
    ON_HOLD = "on_hold", _("on hold")
    RETURNED = "returned", _("returned")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged as duplicate")
    REOPENED = "reopened", _("reopened")


# No further work is owed on these (Open311 "closed"). RESOLVED waits for the resident.
FINAL = {Status.CLOSED, Status.REJECTED, Status.MERGED}
OPEN311_CLOSED = FINAL | {Status.RESOLVED}
# Cases someone still works on, as the queues ask for them (the partial indexes' condition).
OPEN_WORK = ~Q(status__in=sorted(OPEN311_CLOSED))


class Channel(models.TextChoices):
    MOBILE = "mobile", _("resident's phone")
    POSTER = "poster", _("stairwell poster QR code")
    PHONE_CALL = "phone_call", _("phone call")
    MEETING = "meeting", _("stairwell meeting")
    VISIT = "visit", _("door-to-door visit")
    WALK_IN = "walk_in", _("walk-in")
    PATROL = "patrol", _("patrol finding")
    API = "api", _("API")


class Category(models.Model):
    """An editable taxonomy; the seed list comes from the 创熟 articles."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60)
    default_kind = models.CharField(_("default kind"), max_length=12, choices=Kind.choices, default=Kind.REQUEST)
    handler_kind = models.CharField(
        _("handled by default by"),
        max_length=24,
        choices=Organisation.Kind.choices,
        default=Organisation.Kind.RESIDENTS_COMMITTEE,
        help_text=_("Used when no routing rule names an organisation for the compound."),
    )
    is_dispute = models.BooleanField(_("neighbour dispute (mediation)"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en


class DeadlineRule(models.Model):
    """Working days for a first reply and for resolution, per kind; editable."""

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, unique=True)
    reply_days = models.PositiveSmallIntegerField(_("first reply within (working days)"), default=1)
    resolve_days = models.PositiveSmallIntegerField(_("resolve within (working days)"))

    class Meta:
        ordering = ["resolve_days"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [models.CheckConstraint(condition=Q(resolve_days__gte=1), name="deadline_resolve_positive")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reply_days}/{self.resolve_days}"


class CalendarDay(models.Model):
    """An override of the working-day calendar (e.g. next year's schedule, a local holiday)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class RoutingRule(models.Model):
    """compound × category → the organisation that must act. A rule without a category
    covers every category of the compound not named by another rule."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="routing_rules")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="routing_rules")

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["compound", "category"], name="routing_one_per_compound_category"),
            models.UniqueConstraint(
                fields=["compound"], condition=Q(category__isnull=True), name="routing_one_default_per_compound"
            ),
        ]

    def __str__(self):
        return f"{self.compound} / {self.category or '*'} → {self.organisation}"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=FINAL)

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.exclude(status__in=FINAL | {Status.RESOLVED, Status.ON_HOLD}).filter(resolve_due__lt=now)


def new_code(at=None) -> str:
    """YYMM-XXXXXX (the month it arrived): short enough to read over the phone, random so
    codes cannot be guessed in sequence (the public lookup is rate-limited and needs a second
    factor too)."""
    stamp = (timezone.localtime(at) if at else timezone.localtime()).strftime("%y%m")
    return stamp + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


class Case(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True, default=new_code, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REQUEST)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("what happened"), max_length=4000)

    # Where: the compound always; building, stairwell and home when known. The community is
    # copied from the compound so that scoped lists need no join up the grid.
    # The indexes leading with community, compound, stairwell and organisation are in Meta.
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False)
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="cases", verbose_name=_("compound"), db_index=False
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("building")
    )
    stairwell = models.ForeignKey(
        Stairwell,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("stairwell"),
        db_index=False,
    )
    home = models.ForeignKey(
        Home, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("home")
    )
    location = models.CharField(_("exact spot"), max_length=120, blank=True)

    # Who: a person on record (found or created by phone), or nobody for an anonymous tip.
    reporter = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("reporter")
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = EncryptedCharField(_("reporter's phone"), max_length=20, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.MOBILE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_recorded",
        verbose_name=_("recorded by"),
    )
    on_public_board = models.BooleanField(_("show on the public board"), default=True)
    public_details = models.BooleanField(_("show my name and home on the board"), default=False)

    # Where it stands.
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    held_from = models.CharField(max_length=12, choices=Status.choices, blank=True, editable=False)
    hold_started = models.DateTimeField(null=True, blank=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("responsible organisation"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_assigned",
        verbose_name=_("handled by"),
    )
    first_receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases_received",
        verbose_name=_("first receiver"),
    )
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), default=0, help_text=_("0 none, 1 the community, 2 the subdistrict")
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    supporters = models.PositiveIntegerField(_("supporters"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    # When. Deadlines are the end of a working day, in Beijing time.
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    first_reply_at = models.DateTimeField(_("first reply"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reply_due = models.DateTimeField(_("first reply due"))
    resolve_due = models.DateTimeField(_("resolution due"), db_index=True)
    soon_due_notified = models.BooleanField(default=False, editable=False)

    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment on the rating"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["community", "status"], name="case_community_status"),
            models.Index(fields=["compound", "status"], name="case_compound_status"),
            models.Index(fields=["organisation", "status"], name="case_org_status"),
            models.Index(fields=["stairwell", "status"], name="case_stairwell_status"),
            # The compounds of an organisation's cases, read from the index alone (queue filter).
            models.Index(fields=["organisation", "compound"], name="case_org_compound"),
            # The work queues: open cases of an organisation or a community, soonest due first.
            models.Index(fields=["organisation", "resolve_due"], condition=OPEN_WORK, name="case_org_open_due"),
            models.Index(fields=["community", "resolve_due"], condition=OPEN_WORK, name="case_community_open_due"),
            # A compound's public board: its open cases, and those resolved lately.
            models.Index(fields=["compound", "submitted_at"], condition=OPEN_WORK, name="case_compound_open"),
            models.Index(fields=["compound", "resolved_at"], name="case_compound_resolved"),
            # The results' trends: a year of the cases of a place's compounds (ids as literals).
            models.Index(fields=["compound", "submitted_at"], name="case_compound_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="case_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="case_merged_has_original"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"])
                | Q(first_reply_at__isnull=False)
                | Q(status="closed", resolved_at__isnull=True),
                name="case_resolved_has_reply",
            ),
            models.CheckConstraint(condition=Q(escalation__lte=2), name="case_escalation_0_to_2"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        if self.compound_id and not self.community_id:
            self.community_id = Compound.objects.values_list("community_id", flat=True).get(pk=self.compound_id)
        super().save(*args, **kwargs)

    # --- secret link -------------------------------------------------------------------
    def new_secret(self) -> str:
        """A fresh secret for the resident's follow link; only its hash is kept."""
        secret = secrets.token_urlsafe(12)
        self.secret_hash = keyed_hash("case-secret:" + secret)
        return secret

    def secret_matches(self, secret: str) -> bool:
        return bool(secret) and secrets.compare_digest(self.secret_hash, keyed_hash("case-secret:" + secret))

    # --- clocks --------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.status not in FINAL

    @property
    def open311_status(self) -> str:
        return "closed" if self.status in OPEN311_CLOSED else "open"

    def is_overdue(self, now=None) -> bool:
        if self.status in FINAL or self.status in (Status.RESOLVED, Status.ON_HOLD):
            return False
        return (now or timezone.now()) > self.resolve_due

    def reply_overdue(self, now=None) -> bool:
        if self.first_reply_at or self.status in FINAL or self.status == Status.ON_HOLD:
            return False
        return (now or timezone.now()) > self.reply_due

    def is_soon_due(self, now=None) -> bool:
        """Due within the next 24 hours and not yet overdue."""
        if self.status in FINAL or self.status in (Status.RESOLVED, Status.ON_HOLD):
            return False
        now = now or timezone.now()
        return now <= self.resolve_due <= now + timezone.timedelta(days=1)

    @property
    def place_label(self) -> str:
        parts = [self.compound.name]
        if self.building_id:
            parts.append(self.building.name)
        if self.stairwell_id:
            parts.append(self.stairwell.name)
        return " ".join(parts)


class Event(models.Model):
    """The case's history: every transition, reply, note and change, with who, when and why.
    Replies (public) and notes (internal) are events too, so the timeline is one list."""

    class Type(models.TextChoices):
        TRANSITION = "transition", _("status change")
        REPLY = "reply", _("reply")
        NOTE = "note", _("internal note")
        REASSIGN = "reassign", _("reassigned")
        ESCALATE = "escalate", _("escalated")
        SUPPORT = "support", _("support")
        RATING = "rating", _("rating")
        REVISIT = "revisit", _("revisit")

    # Who acted, when no user did: stored as a key, shown in the reader's language.
    RESIDENT, NEIGHBOUR, SYSTEM = "@resident", "@neighbour", "@system"
    NAMELESS = {RESIDENT: _("the resident"), NEIGHBOUR: _("a neighbour"), SYSTEM: _("the system")}

    # Indexed by (case, at) in Meta.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    action = models.CharField(_("action"), max_length=12, blank=True)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=80, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)  # always read per case: (case, at) in Meta
    note = models.TextField(_("note"), max_length=4000, blank=True)
    public = models.BooleanField(_("public"), default=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self):
        return f"{self.case_id} {self.type} {self.action}"

    @property
    def actor_display(self) -> str:
        """The actor as the reader should see him: a name, or "the resident" in his language."""
        label = self.NAMELESS.get(self.actor_label)
        return str(label) if label is not None else self.actor_label


class Photo(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="cases/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos")
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class Support(models.Model):
    """A resident who supports an open case instead of filing the same one again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="case_supports")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="case_support_once")]


class Revisit(models.Model):
    """回访: a community worker calls the resident when a resolved case was not rated in time."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="revisit")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    due = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(_("what the resident said"), blank=True)

    class Meta:
        ordering = ["due"]
        verbose_name = _("revisit")
        verbose_name_plural = _("revisits")


class Mediation(models.Model):
    """调解 of a neighbour dispute: the parties, each session, the agreement, the follow-up.
    Internal: shown only to those handling the case."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("in mediation")
        AGREED = "agreed", _("agreement reached")
        FAILED = "failed", _("no agreement")
        WITHDRAWN = "withdrawn", _("withdrawn")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="mediation")
    mediator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mediations", verbose_name=_("mediated by")
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    agreement = models.TextField(_("agreement"), blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up"), blank=True)
    followed_up_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")
        constraints = [
            models.CheckConstraint(condition=~Q(outcome="agreed") | ~Q(agreement=""), name="mediation_agreed_has_text"),
        ]


class MediationParty(models.Model):
    class Side(models.TextChoices):
        A = "a", _("party A")
        B = "b", _("party B")
        OTHER = "other", _("other party")

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    side = models.CharField(_("side"), max_length=5, choices=Side.choices)
    home = models.ForeignKey(Home, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["side", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("where"), max_length=120)
    mediators = models.CharField(_("mediators"), max_length=200)
    attendees = models.CharField(_("present"), max_length=300, blank=True)
    summary = models.TextField(_("what was said"), max_length=8000)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["held_at", "pk"]
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
