"""Owners' votes: rule sets, votes and their matters, the frozen electorate, ballots.

The law the defaults encode, and how a vote moves (draft → announced → open → closed →
published), is in docs/votes.md; the arithmetic is in tally.py, the rules of casting in
services.py.
"""

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.people.models import Organisation, Person
from linli.places.models import Building, Community, Compound, Home, Stairwell, Subdistrict

THRESHOLD_RE = re.compile(r"^(>=|>)([1-9][0-9]*)/([1-9][0-9]*)$")


def validate_threshold(value: str):
    """A threshold is written ">=2/3" (at least two thirds) or ">1/2" (more than half)."""
    m = THRESHOLD_RE.match(value or "")
    if not m or int(m.group(2)) > int(m.group(3)):
        raise ValidationError(
            _("Write a threshold as >=2/3 (at least) or >1/2 (more than), a fraction no greater than 1."),
            code="threshold",
        )


class Item(models.IntegerChoices):
    """The matters of Civil Code art. 278, para. 1, decided jointly by the owners."""

    RULES = 1, _("(1) adopt or amend the rules of procedure of the owners' assembly")
    CONVENTION = 2, _("(2) adopt or amend the management convention")
    COMMITTEE = 3, _("(3) elect or replace the owners' committee or its members")
    PROPERTY = 4, _("(4) hire or dismiss the property service company or other manager")
    USE_FUNDS = 5, _("(5) use the maintenance funds of the buildings and their facilities")
    RAISE_FUNDS = 6, _("(6) raise maintenance funds for the buildings and their facilities")
    REBUILD = 7, _("(7) rebuild or reconstruct the buildings and their facilities")
    COMMON_USE = 8, _("(8) change the use of common parts or run them commercially")
    OTHER = 9, _("(9) other major matters of common ownership and management")


class RuleSet(models.Model):
    """Thresholds as data. The defaults encode art. 278; a locality may keep its own. Each vote
    freezes a copy when it is announced, so later edits never change a running vote."""

    class Kind(models.TextChoices):
        ASSEMBLY = "assembly", _("owners' assembly")
        ELEVATOR = "elevator", _("stairwell elevator consent")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ASSEMBLY)
    subdistrict = models.ForeignKey(
        Subdistrict, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("subdistrict")
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("community")
    )
    participation_area = models.CharField(
        _("participation by area"), max_length=12, default=">=2/3", validators=[validate_threshold]
    )
    participation_heads = models.CharField(
        _("participation by owners"), max_length=12, default=">=2/3", validators=[validate_threshold]
    )
    ordinary_area = models.CharField(
        _("approval by area, ordinary matters"), max_length=12, default=">1/2", validators=[validate_threshold]
    )
    ordinary_heads = models.CharField(
        _("approval by owners, ordinary matters"), max_length=12, default=">1/2", validators=[validate_threshold]
    )
    special_area = models.CharField(
        _("approval by area, special matters"), max_length=12, default=">=3/4", validators=[validate_threshold]
    )
    special_heads = models.CharField(
        _("approval by owners, special matters"), max_length=12, default=">=3/4", validators=[validate_threshold]
    )
    special_items = models.JSONField(
        _("special matters (art. 278 items)"), default=list, blank=True, help_text=_("For example [6, 7, 8].")
    )
    affected_consent = models.BooleanField(
        _("affected owners must consent"),
        default=False,
        help_text=_("Owners marked affected (e.g. the ground floor) must approve or have a compensation agreement."),
    )
    notice_days = models.PositiveSmallIntegerField(_("days of notice before voting"), default=15)
    objection_days = models.PositiveSmallIntegerField(_("days to object to the electorate"), default=7)
    seats_min = models.PositiveSmallIntegerField(_("fewest committee seats"), default=5)
    seats_max = models.PositiveSmallIntegerField(_("most committee seats"), default=11)
    term_years_max = models.PositiveSmallIntegerField(_("longest committee term (years)"), default=5)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(seats_min__lte=models.F("seats_max")), name="ruleset_seats_order"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        items = self.special_items or []
        if not isinstance(items, list) or any(not isinstance(i, int) or i not in Item.values for i in items):
            raise ValidationError({"special_items": _("List art. 278 items by number, 1 to 9.")})

    def frozen(self) -> dict:
        """The copy a vote keeps."""
        fields = [
            "name",
            "kind",
            "participation_area",
            "participation_heads",
            "ordinary_area",
            "ordinary_heads",
            "special_area",
            "special_heads",
            "special_items",
            "affected_consent",
            "notice_days",
            "objection_days",
            "seats_min",
            "seats_max",
            "term_years_max",
        ]
        data = {f: getattr(self, f) for f in fields}
        data["rule_set_id"] = self.pk
        return data


class Vote(models.Model):
    """One round of voting by the owners of a compound, a building or a stairwell: an
    owners' assembly by written ballot, an election, or a stairwell's elevator consent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ANNOUNCED = "announced", _("announced")
        OPEN = "open", _("voting")
        CLOSED = "closed", _("closed, counting")
        PUBLISHED = "published", _("result published")
        CANCELLED = "cancelled", _("cancelled")

    code = models.CharField(_("code"), max_length=12, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, verbose_name=_("rule set"))
    rules = models.JSONField(_("rules as frozen"), default=dict, blank=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", editable=False)
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="votes", verbose_name=_("compound"))
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="votes", verbose_name=_("building")
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, null=True, blank=True, related_name="votes", verbose_name=_("stairwell")
    )
    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("organised by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    objection_until = models.DateTimeField(_("objections to the electorate until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("result published"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True, editable=False)
    chain_head = models.CharField(_("hash of all ballots"), max_length=64, blank=True, editable=False)
    salt = models.CharField(max_length=32, editable=False, default="")  # keys the owner tokens in the chain
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["community", "status"]), models.Index(fields=["compound", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after_opening"),
            models.CheckConstraint(
                condition=Q(stairwell__isnull=True) | Q(building__isnull=False), name="vote_stairwell_has_building"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = new_code(8)
        if not self.salt:
            self.salt = secrets.token_hex(16)
        if self.compound_id and not self.community_id:
            self.community_id = Compound.objects.values_list("community_id", flat=True).get(pk=self.compound_id)
        super().save(*args, **kwargs)

    @property
    def place(self):
        return self.stairwell or self.building or self.compound

    def homes(self):
        """The homes whose owners make up this vote's electorate."""
        if self.stairwell_id:
            return Home.objects.filter(stairwell_id=self.stairwell_id)
        if self.building_id:
            return Home.objects.filter(stairwell__building_id=self.building_id)
        return Home.objects.filter(stairwell__building__compound_id=self.compound_id)


ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


class Matter(models.Model):
    """One question on the ballot: a proposal (for, against, abstain) or an election."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("proposal")
        ELECTION = "election", _("election")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="matters", verbose_name=_("vote"))
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROPOSAL)
    item = models.PositiveSmallIntegerField(_("art. 278 item"), choices=Item.choices, default=Item.OTHER)
    title = models.CharField(_("matter"), max_length=200)
    text = models.TextField(_("full text"), blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("term (years)"), null=True, blank=True)

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["vote_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "position"], name="matter_unique_position"),
            models.CheckConstraint(
                condition=Q(kind="proposal") | Q(seats__isnull=False, seats__gte=1), name="matter_election_has_seats"
            ),
        ]

    def __str__(self):
        return self.title


class Candidate(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("matter"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    statement = models.TextField(_("statement"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["matter_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["matter", "name"], name="candidate_unique_name")]

    def __str__(self):
        return self.name


class Document(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="documents", verbose_name=_("vote"))
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to="votes/documents/")
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["vote_id", "pk"]

    def __str__(self):
        return self.title


class Elector(models.Model):
    """One exclusive unit (a home) in the frozen electorate, with its area and owners as they
    stood when the vote was announced. Corrections during the objection period are logged."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="electorate", verbose_name=_("vote"))
    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="+", verbose_name=_("home"))
    area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
    )
    area_source = models.CharField(_("area source"), max_length=10, choices=Home.AreaSource.choices)
    # Whom the unit counts as under SPC interpretation art. 9: units of one owner count once,
    # all the developer's unsold units count once. See tally.head_key.
    head = models.CharField(_("counted as owner"), max_length=80)
    developer_held = models.BooleanField(_("unsold, held by the developer"), default=False)
    affected = models.BooleanField(_("affected (consent required)"), default=False)
    compensation_agreed = models.BooleanField(_("compensation agreement recorded"), default=False)
    voter = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("designated voter")
    )

    class Meta:
        verbose_name = _("elector")
        verbose_name_plural = _("electorate")
        ordering = ["vote_id", "home__stairwell_id", "home__floor", "home__number"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "home"], name="elector_one_per_home"),
            models.CheckConstraint(condition=Q(area__isnull=True) | Q(area__gt=0), name="elector_area_positive"),
        ]

    def __str__(self):
        return str(self.home)


class Owner(models.Model):
    """An owner of an elector's home at the snapshot."""

    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="owners")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["elector", "person"], name="owner_unique")]


class Correction(models.Model):
    """A change to the frozen electorate, with who made it and why."""

    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(_("field"), max_length=30)
    old = models.CharField(_("was"), max_length=200, blank=True)
    new = models.CharField(_("now"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("electorate correction")
        verbose_name_plural = _("electorate corrections")
        ordering = ["-at", "-pk"]


class Proxy(models.Model):
    """A written authorisation for someone to vote for a home."""

    elector = models.OneToOneField(Elector, on_delete=models.CASCADE, related_name="proxy")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("proxy's name"), max_length=50)
    document = models.FileField(_("signed authorisation"), upload_to="votes/proxies/")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proxy authorisation")
        verbose_name_plural = _("proxy authorisations")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("paper ballot")
    PROXY = "proxy", _("by proxy")


class Ballot(models.Model):
    """The ballot that counts for a home: one per home, by a database constraint. A change
    before closing updates it and keeps the earlier one in BallotRecord."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    elector = models.OneToOneField(Elector, on_delete=models.CASCADE, related_name="ballot")
    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField(_("choices"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    voter = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="+")  # the owner who chose
    receipt = models.CharField(_("receipt"), max_length=12, unique=True)
    cast_at = models.DateTimeField(_("cast at"))
    changes = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["vote", "home"], name="ballot_one_per_home")]


class BallotRecord(models.Model):
    """Every ballot ever cast, in order: the history behind each Ballot."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="+")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="records")
    choices = models.JSONField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    voter = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    receipt = models.CharField(max_length=12)
    cast_at = models.DateTimeField()

    class Meta:
        ordering = ["elector_id", "cast_at", "pk"]


class PaperEntry(models.Model):
    """A paper ballot typed in by one worker. A paper ballot counts once two different
    workers have entered it the same way; a disagreement is flagged for a third entry."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="paper_entries")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="paper_entries")
    voter = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="+")
    by_proxy = models.BooleanField(default=False)
    choices = models.JSONField()
    photo = models.ImageField(_("photo of the signed ballot"), upload_to="votes/paper/")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    batch = models.PositiveSmallIntegerField(default=1)  # a later paper ballot for the same home is a new batch
    mismatch = models.BooleanField(default=False)
    counted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        ordering = ["elector_id", "batch", "entered_at"]
        constraints = [
            models.UniqueConstraint(fields=["elector", "batch", "entered_by"], name="paper_entry_once_per_worker"),
        ]
