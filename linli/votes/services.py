"""Running a vote: announce with a frozen electorate, correct it, open, cast, enter paper
ballots twice, close atomically, count, publish. Every function checks its input and writes
nothing when it refuses (VoteError, with a message for the user)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.lib.images import CleanPhoto
from linli.people.models import Occupancy, Person

from . import chain, notify, tally
from .models import (
    Ballot,
    BallotRecord,
    Candidate,
    Channel,
    Correction,
    Document,
    Elector,
    Item,
    Matter,
    Owner,
    PaperEntry,
    Proxy,
    RuleSet,
    Vote,
    new_code,
)

S = Vote.Status
DEVELOPER = "developer"


class VoteError(Exception):
    """A request the vote's rules or state do not allow."""

    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


class Closed(VoteError):
    status_code = 409


# --- rule sets ---------------------------------------------------------------------------


def rule_set_for(kind: str, community) -> RuleSet:
    """The rule set a new vote uses: the community's own, else the subdistrict's, else the
    national default."""
    qs = RuleSet.objects.filter(kind=kind, active=True)
    for lookup in (
        {"community": community},
        {"subdistrict_id": community.subdistrict_id, "community": None},
        {"subdistrict": None, "community": None},
    ):
        found = qs.filter(**lookup).order_by("pk").first()
        if found:
            return found
    from .defaults import ensure

    ensure()
    return qs.filter(subdistrict=None, community=None).order_by("pk").first()


# --- setting a vote up --------------------------------------------------------------------


def create_vote(
    *, user, compound, title: str, opens_at, closes_at, kind: str = RuleSet.Kind.ASSEMBLY, building=None,
    stairwell=None, organiser=None, description: str = "", rule_set: RuleSet | None = None,
) -> Vote:  # fmt: skip
    title = (title or "").strip()
    if not title:
        raise VoteError(_("Give the vote a title."))
    if building and building.compound_id != compound.pk:
        raise VoteError(_("That building is not in this compound."))
    if stairwell and (building is None or stairwell.building_id != building.pk):
        raise VoteError(_("That stairwell is not in this building."))
    if kind == RuleSet.Kind.ELEVATOR and stairwell is None:
        raise VoteError(_("An elevator consent is voted by the owners of one stairwell: choose it."))
    if closes_at <= opens_at:
        raise VoteError(_("Voting must close after it opens."))
    rule_set = rule_set or rule_set_for(kind, compound.community)
    vote = Vote(
        title=title,
        description=description,
        compound=compound,
        building=building,
        stairwell=stairwell,
        organiser=organiser,
        rule_set=rule_set,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=user,
    )
    vote.save()
    return vote


def _editable(vote: Vote):
    if vote.status != S.DRAFT:
        raise VoteError(_("Matters can only be changed while the vote is a draft."))


def add_matter(
    *, vote: Vote, title: str, item: int = Item.OTHER, kind: str = Matter.Kind.PROPOSAL, text: str = "",
    seats: int | None = None, term_years: int | None = None, candidates: list[str] = (),
) -> Matter:  # fmt: skip
    _editable(vote)
    title = (title or "").strip()
    if not title:
        raise VoteError(_("Say what the matter is."))
    if item not in Item.values:
        raise VoteError(_("Choose the item of art. 278 the matter falls under."))
    rules = vote.rule_set
    if kind == Matter.Kind.ELECTION:
        if not seats or seats < rules.seats_min or seats > rules.seats_max or seats % 2 == 0:
            raise VoteError(
                _("An owners' committee has an odd number of seats from %(low)s to %(high)s.")
                % {"low": rules.seats_min, "high": rules.seats_max}
            )
        if not term_years or term_years < 1 or term_years > rules.term_years_max:
            raise VoteError(_("A committee's term is 1 to %(years)s years.") % {"years": rules.term_years_max})
        names = [n.strip() for n in candidates if n and n.strip()]
        if len(set(names)) != len(names):
            raise VoteError(_("Each candidate can stand only once."))
        if not names:
            raise VoteError(_("Name the candidates."))
    else:
        seats = term_years = None
        names = []
    with transaction.atomic():
        position = (vote.matters.aggregate(m=Max("position"))["m"] or 0) + 1
        matter = Matter.objects.create(
            vote=vote, title=title, item=item, kind=kind, text=text, seats=seats, term_years=term_years,
            position=position,
        )  # fmt: skip
        Candidate.objects.bulk_create(
            [Candidate(matter=matter, name=name, position=i) for i, name in enumerate(names, start=1)]
        )
    return matter


DOCUMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx"}


def add_document(*, vote: Vote, title: str, upload) -> Document:
    """A document owners read before voting (the proposal, the cost plan, the candidates'
    statements). Added until voting opens: what owners vote on must not change under them."""
    import os

    from django.conf import settings

    title = (title or "").strip()
    if not title:
        raise VoteError(_("Give the document a title."))
    if upload is None:
        raise VoteError(_("Choose a file."))
    if os.path.splitext(upload.name or "")[1].lower() not in DOCUMENT_TYPES:
        raise VoteError(_("A document must be a PDF, a picture (JPEG, PNG), a Word or an Excel file."))
    if upload.size > getattr(settings, "VOTES_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024):
        raise VoteError(_("The file is too large (at most 20 MB)."))
    if vote.status not in (S.DRAFT, S.ANNOUNCED):
        raise VoteError(_("Documents are added before voting opens."))
    return Document.objects.create(vote=vote, title=title, file=upload)


# --- the electorate -----------------------------------------------------------------------


def head_key(owner_ids, *, home_id: int, developer_held: bool) -> str:
    """Whom a unit counts as (art. 9): the developer once for all its unsold units; otherwise
    the unit's set of owners, so that one owner's several units count once; a unit whose
    owner is not known counts as one of its own."""
    if developer_held:
        return DEVELOPER
    ids = sorted(set(owner_ids))
    return "o:" + ",".join(map(str, ids)) if ids else f"h:{home_id}"


def snapshot(vote: Vote, *, on: dt.date) -> int:
    """Freeze the electorate: every home in the vote's place, its area and its owners today."""
    homes = list(vote.homes().values("pk", "area", "area_source", "floor"))
    # Under an elevator consent the ground floor gains nothing and loses light and quiet: its
    # owners are marked affected by default (staff may correct either way, with a reason).
    mark_affected = bool(vote.rules.get("affected_consent"))
    owners = defaultdict(list)
    for home_id, person_id in (
        Occupancy.objects.active(on)
        .filter(home__in=vote.homes(), relation=Occupancy.Relation.OWNER)
        .order_by("pk")
        .values_list("home_id", "person_id")
    ):
        owners[home_id].append(person_id)
    electors = [
        Elector(
            vote=vote,
            home_id=h["pk"],
            area=h["area"],
            area_source=h["area_source"],
            head=head_key(owners[h["pk"]], home_id=h["pk"], developer_held=False),
            voter_id=owners[h["pk"]][0] if owners[h["pk"]] else None,
            affected=mark_affected and h["floor"] <= 1,
        )
        for h in homes
    ]
    Elector.objects.bulk_create(electors, batch_size=1000)
    by_home = dict(Elector.objects.filter(vote=vote).values_list("home_id", "pk"))
    Owner.objects.bulk_create(
        [Owner(elector_id=by_home[h], person_id=p) for h, people in owners.items() for p in people if h in by_home],
        batch_size=1000,
    )
    return len(electors)


def announce(*, vote: Vote, user, now=None) -> Vote:
    """Publish the notice: freeze the rules and the electorate. Voting may open no sooner than
    the rule set's notice period."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status != S.DRAFT:
            raise VoteError(_("Only a draft can be announced."))
        if not vote.matters.exists():
            raise VoteError(_("Add at least one matter before announcing the vote."))
        rules = vote.rule_set.frozen()
        if vote.opens_at < now + dt.timedelta(days=rules["notice_days"]):
            raise VoteError(
                _("The notice must be published at least %(days)s days before voting opens.")
                % {"days": rules["notice_days"]}
            )
        vote.rules = rules
        vote.status = S.ANNOUNCED
        vote.announced_at = now
        vote.objection_until = min(now + dt.timedelta(days=rules["objection_days"]), vote.opens_at)
        vote.version += 1
        vote.save()
        if snapshot(vote, on=timezone.localdate(now)) == 0:
            raise VoteError(_("There are no homes in this place: nobody could vote."))
        notify.tell(vote, "vote.announced")
    return vote


CORRECTABLE = frozenset(
    {"area", "developer_held", "affected", "compensation_agreed", "voter", "add_owner", "remove_owner"}
)


def correct(*, elector: Elector, user, field: str, value, reason: str, now=None) -> Correction:
    """Correct one unit of the frozen electorate, with a reason, while objections are heard
    (before voting opens). A compensation agreement may also be recorded while voting runs."""
    reason = (reason or "").strip()
    if not reason:
        raise VoteError(_("Give the reason for the correction."))
    if field not in CORRECTABLE:
        raise VoteError(_("That cannot be corrected."))
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=elector.vote_id)
        elector = Elector.objects.select_for_update().get(pk=elector.pk)
        allowed = vote.status == S.ANNOUNCED or (field == "compensation_agreed" and vote.status == S.OPEN)
        if not allowed:
            raise VoteError(_("The electorate can no longer be corrected."))
        owner_ids = list(elector.owners.values_list("person_id", flat=True))
        old = _describe(elector, field, owner_ids)
        if field == "area":
            try:
                area = Decimal(str(value).strip())
            except (InvalidOperation, ValueError):
                raise VoteError(_("Enter the area as a number of square metres, e.g. 89.50.")) from None
            if area <= 0 or area != area.quantize(Decimal("0.01")) or area >= Decimal("1000000"):
                raise VoteError(_("An area must be more than zero, with at most two decimals."))
            elector.area = area
        elif field in ("developer_held", "affected", "compensation_agreed"):
            if not isinstance(value, bool):
                raise VoteError(_("Answer yes or no."))
            setattr(elector, field, value)
        elif field == "voter":
            if value not in owner_ids:
                raise VoteError(_("The designated voter must be one of the home's owners."))
            elector.voter_id = value
        elif field == "add_owner":
            if not Person.objects.filter(pk=value).exists():
                raise VoteError(_("No such person."))
            if value in owner_ids:
                raise VoteError(_("That person is already an owner of this home."))
            Owner.objects.create(elector=elector, person_id=value)
            owner_ids.append(value)
            elector.voter_id = elector.voter_id or value
        elif field == "remove_owner":
            if value not in owner_ids:
                raise VoteError(_("That person is not an owner of this home."))
            elector.owners.filter(person_id=value).delete()
            owner_ids.remove(value)
            if elector.voter_id == value:
                elector.voter_id = owner_ids[0] if owner_ids else None
        elector.head = head_key(owner_ids, home_id=elector.home_id, developer_held=elector.developer_held)
        elector.save()
        return Correction.objects.create(
            elector=elector, field=field, old=old, new=_describe(elector, field, owner_ids), reason=reason, by=user
        )


def _describe(elector: Elector, field: str, owner_ids) -> str:
    if field == "area":
        return "" if elector.area is None else str(elector.area)
    if field in ("add_owner", "remove_owner"):
        return ",".join(map(str, sorted(owner_ids)))
    if field == "voter":
        return str(elector.voter_id or "")
    return "1" if getattr(elector, field) else "0"


def open_vote(*, vote: Vote, now=None) -> Vote:
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status != S.ANNOUNCED:
            raise VoteError(_("Only an announced vote can open."))
        if now < vote.opens_at:
            opens = timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M")
            raise VoteError(_("Voting opens at %(time)s.") % {"time": opens})
        missing = vote.electorate.filter(area__isnull=True).count()
        if missing:
            raise VoteError(
                _("%(count)s homes have no floor area: correct the electorate before voting opens.")
                % {"count": missing}
            )
        vote.status = S.OPEN
        vote.version += 1
        vote.save(update_fields=["status", "version"])
        notify.tell(vote, "vote.opened")
    return vote


# --- casting ------------------------------------------------------------------------------


def check_choices(vote: Vote, choices) -> dict:
    """A complete, valid set of choices for the vote's matters, keyed by the matter's id."""
    if not isinstance(choices, dict):
        raise VoteError(_("The ballot is not readable."))
    clean = {}
    for matter in vote.matters.prefetch_related("candidates"):
        value = choices.get(str(matter.pk), choices.get(matter.pk))
        if matter.kind == Matter.Kind.PROPOSAL:
            if value not in tally.PROPOSAL_CHOICES:
                raise VoteError(_("Answer every matter: for, against or abstain (%(matter)s).") % {"matter": matter})
            clean[str(matter.pk)] = value
        else:
            ids = {c.pk for c in matter.candidates.all()}
            if not isinstance(value, list) or any(not isinstance(v, int) or v not in ids for v in value):
                raise VoteError(_("Choose candidates from the list (%(matter)s).") % {"matter": matter})
            if len(set(value)) != len(value):
                raise VoteError(_("Choose each candidate at most once."))
            if len(value) > (matter.seats or 0):
                raise VoteError(_("Choose at most %(seats)s candidates.") % {"seats": matter.seats})
            clean[str(matter.pk)] = sorted(value)
    extra = {str(k) for k in choices} - set(clean)
    if extra:
        raise VoteError(_("The ballot answers a matter that is not on it."))
    return clean


def _lock_open_vote(vote_id: int, now) -> Vote:
    """Read the vote under a lock that closing must wait for: nothing cast after closing counts.
    A vote whose opening time has come opens now, without waiting for the periodic tick."""
    if Vote.objects.filter(pk=vote_id, status=S.ANNOUNCED, opens_at__lte=now).exists():
        # When the electorate still needs correcting it stays shut: staff see why on its page.
        with contextlib.suppress(VoteError), transaction.atomic():
            open_vote(vote=Vote(pk=vote_id), now=now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # FOR SHARE: ballots go on side by side, closing waits for them
            cur.execute("SELECT id FROM votes_vote WHERE id = %s FOR SHARE", [vote_id])
    vote = Vote.objects.get(pk=vote_id)
    if vote.status != S.OPEN or now >= vote.closes_at:
        raise Closed(_("Voting is closed.") if vote.status != S.ANNOUNCED else _("Voting has not opened yet."))
    if now < vote.opens_at:
        raise Closed(_("Voting has not opened yet."))
    return vote


def cast(
    *, vote: Vote, elector: Elector, choices, voter: Person | None, channel: str, entered_by=None, now=None,
) -> Ballot:  # fmt: skip
    """Record a home's ballot. A change by the same owner (or his proxy) replaces the earlier
    ballot and keeps it in the history; a ballot from anyone else for a home that has voted
    is refused."""
    now = now or timezone.now()
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _cast(vote, elector, choices, voter, channel, entered_by, now)
        except IntegrityError:
            if attempt:  # pragma: no cover - a second race on the same home in one instant
                raise VoteError(_("This home's ballot is being recorded by someone else: try again.")) from None
    raise AssertionError("unreachable")


def _cast(vote, elector, choices, voter, channel, entered_by, now) -> Ballot:
    vote = _lock_open_vote(vote.pk, now)
    if elector.vote_id != vote.pk:
        raise VoteError(_("That home is not in this vote's electorate."))
    clean = check_choices(vote, choices)
    receipt = new_code(10)
    ballot = Ballot.objects.select_for_update().filter(elector=elector).first()
    if ballot is None:
        ballot = Ballot.objects.create(
            vote=vote, elector=elector, home_id=elector.home_id, choices=clean, channel=channel, voter=voter,
            receipt=receipt, cast_at=now,
        )  # fmt: skip
    else:
        if ballot.voter_id != (voter.pk if voter else None):
            raise VoteError(_("This home has already voted; only the owner who voted can change the ballot."))
        ballot.choices, ballot.channel, ballot.receipt, ballot.cast_at = clean, channel, receipt, now
        ballot.changes += 1
        ballot.save(update_fields=["choices", "channel", "receipt", "cast_at", "changes"])
    BallotRecord.objects.create(
        vote=vote, elector=elector, choices=clean, channel=channel, voter=voter, entered_by=entered_by,
        receipt=receipt, cast_at=now,
    )  # fmt: skip
    return ballot


def electors_for(user, vote: Vote):
    """The homes this user may vote for online: as designated voter, or as recorded proxy."""
    if not user.is_authenticated or not user.person_id:
        return Elector.objects.none()
    return (
        vote.electorate.filter(Q(voter_id=user.person_id) | Q(proxy__person_id=user.person_id))
        .select_related("home__stairwell__building", "ballot")
        .distinct()
    )


def cast_online(*, vote: Vote, user, elector: Elector, choices, now=None) -> Ballot:
    """An owner's own ballot, or a proxy's, from his phone."""
    if not user.is_authenticated or not user.person_id:
        raise VoteError(_("Sign in to vote."))
    if elector.voter_id == user.person_id:
        return cast(vote=vote, elector=elector, choices=choices, voter=user.person, channel=Channel.ONLINE, now=now)
    proxy = Proxy.objects.filter(elector=elector).first()
    if proxy and proxy.person_id == user.person_id:
        # A proxy votes in the owner's name: a later change by either stays one ballot.
        return cast(vote=vote, elector=elector, choices=choices, voter=elector.voter, channel=Channel.PROXY, now=now)
    if elector.owners.filter(person_id=user.person_id).exists():
        raise VoteError(_("Only the designated voter among the co-owners votes for this home."))
    raise VoteError(_("You are not an owner of this home, nor its recorded proxy."))


def record_proxy(*, elector: Elector, user, name: str, document, person: Person | None = None) -> Proxy:
    name = (name or "").strip()
    if not name:
        raise VoteError(_("Give the proxy's name."))
    if not document:
        raise VoteError(_("Attach the signed written authorisation."))
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=elector.vote_id)
        if vote.status not in (S.ANNOUNCED, S.OPEN):
            raise VoteError(_("Proxies are recorded before voting closes."))
        if Proxy.objects.filter(elector=elector).exists():
            raise VoteError(_("This home already has a proxy."))
        return Proxy.objects.create(
            elector=elector, person=person, name=name, document=_as_file(document), recorded_by=user
        )


def enter_paper(
    *, vote: Vote, elector: Elector, user, choices, photo, voter: Person | None = None, by_proxy: bool = False,
    now=None,
) -> tuple[PaperEntry, Ballot | None]:  # fmt: skip
    """One worker's entry of a signed paper ballot. The ballot counts when a second, different
    worker enters it the same way; entries that disagree are flagged and wait for another."""
    now = now or timezone.now()
    if not photo:
        raise VoteError(_("Attach a photo of the signed ballot."))
    voter = voter or elector.voter
    if voter is None:
        raise VoteError(_("The home has no recorded owner: correct the electorate first."))
    owner_ids = set(elector.owners.values_list("person_id", flat=True))
    if voter.pk not in owner_ids:
        raise VoteError(_("The ballot must be signed by an owner of the home."))
    if by_proxy and not Proxy.objects.filter(elector=elector).exists():
        raise VoteError(_("A ballot by proxy needs the written authorisation recorded first."))
    with transaction.atomic():
        vote_locked = _lock_open_vote(vote.pk, now)
        clean = check_choices(vote_locked, choices)
        entries = list(PaperEntry.objects.select_for_update().filter(elector=elector).order_by("batch", "pk"))
        batch = entries[-1].batch if entries else 1
        if entries and any(e.counted for e in entries if e.batch == batch):
            batch += 1  # the earlier paper ballot already counts: this is a later one
        current = [e for e in entries if e.batch == batch]
        if any(e.entered_by_id == user.pk for e in current):
            raise VoteError(_("You have entered this ballot already: a second worker must enter it."))
        entry = PaperEntry.objects.create(
            vote=vote_locked, elector=elector, voter=voter, by_proxy=by_proxy, choices=clean, photo=_as_file(photo),
            entered_by=user, batch=batch,
        )  # fmt: skip
        match = next((e for e in current if e.choices == clean and e.voter_id == voter.pk), None)
        if match is None:
            if current:
                PaperEntry.objects.filter(pk__in=[e.pk for e in current] + [entry.pk]).update(mismatch=True)
                entry.mismatch = True
            return entry, None
        ballot = _cast(vote_locked, elector, clean, voter, Channel.PROXY if by_proxy else Channel.PAPER, user, now)
        PaperEntry.objects.filter(pk__in=[match.pk, entry.pk]).update(counted=True)
        PaperEntry.objects.filter(elector=elector, batch=batch).update(mismatch=False)
        entry.counted = True
        return entry, ballot


def _as_file(upload):
    """A photo cleaned by linli.lib.images (as the pages and the API do), or a Django file."""
    if isinstance(upload, CleanPhoto):
        return ContentFile(upload.content, name=upload.name)
    return upload


# --- closing, counting, publishing --------------------------------------------------------


def close(*, vote: Vote, now=None) -> Vote:
    """Close voting and count. Taken under the vote's row lock, which waits for ballots being
    cast, so the count holds exactly the ballots committed before it."""
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status != S.OPEN:
            raise VoteError(_("Only a vote in progress can close."))
        vote.status = S.CLOSED
        vote.closed_at = now
        vote.result = count(vote)
        vote.chain_head = vote.result["chain"]["head"]
        vote.version += 1
        vote.save(update_fields=["status", "closed_at", "result", "chain_head", "version"])
    return vote


def matter_specs(vote: Vote) -> tuple[list[tally.MatterSpec], dict[int, Matter]]:
    matters = list(vote.matters.prefetch_related("candidates"))
    specs = [
        tally.MatterSpec(
            key=m.pk, kind=m.kind, item=m.item, seats=m.seats, candidates=tuple(c.pk for c in m.candidates.all())
        )
        for m in matters
    ]
    return specs, {m.pk: m for m in matters}


def inputs(vote: Vote):
    """The tally's inputs, read from the database: units, ballots and receipts by home, and each
    ballot's choices as `chain.canonical` text.

    Fast enough for 100,000 ballots (issue 10; docs/decisions/0015): each distinct area is
    turned into hundredths once, and the choices are read as text and each distinct text
    decoded once (ballots repeat few distinct choices), so ballots with equal choices share
    one dict, which nothing may change. The unit order is the database's, which no total
    depends on. The electorate's rows are read as the driver gives them (an area is a Decimal
    on PostgreSQL, a float on SQLite, whose shortest repr `cents` reads back exactly), without
    Django's per-row converters. `test_inputs.py` holds this to the plain reading."""
    cents: dict = {}
    units = []
    append, unit = units.append, tally.Unit
    electorate = vote.electorate.order_by().values_list("home_id", "area", "head", "affected", "compensation_agreed")
    cast = Ballot.objects.filter(vote=vote).order_by().values_list("home_id", Cast("choices", TextField()), "receipt")
    with connection.cursor() as cur:
        cur.execute(*electorate.query.sql_with_params())
        rows = cur.fetchall()
        for home_id, area, head, affected, compensation in rows:
            hundredths = cents.get(area)
            if hundredths is None:
                hundredths = cents[area] = tally.cents(area)
            append(unit(home_id, hundredths, head, bool(affected), bool(compensation)))
        # The ballots also with a plain cursor (issue 10: Django's row iterator was a tenth).
        cur.execute(*cast.query.sql_with_params())
        rows = cur.fetchall()
    decoded: dict[str, tuple[dict, str]] = {}
    ballots, receipts, texts = {}, {}, {}
    for home_id, raw, receipt in rows:
        known = decoded.get(raw)
        if known is None:
            choices = json.loads(raw)
            known = decoded[raw] = (choices, chain.canonical(choices))
        ballots[home_id], texts[home_id] = known
        receipts[home_id] = receipt
    return units, ballots, receipts, texts


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector off for the while: a count makes a few hundred thousand
    small objects, none of them in a cycle, and each full collection would walk them all again
    (a fifth of a 100,000-ballot count, issue 10). Reference counting still frees them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def count(vote: Vote) -> dict:
    specs, _ = matter_specs(vote)
    with _no_gc():
        units, ballots, receipts, texts = inputs(vote)
        result = tally.compute(vote.rules, specs, units, ballots)
        whole = result["participation"]  # the electorate's totals, as the count summed them
        result["electorate"] = {
            "area": whole["area"]["whole"],
            "heads": whole["heads"]["whole"],
            "units": whole["units"]["whole"],
        }
        lines = chain.lines(vote, units, ballots, receipts, texts)
        result["chain"] = {"head": chain.head(vote.code, lines), "ballots": len(lines)}
        del units, ballots, receipts, texts, lines
    return result


def published_lines(vote: Vote) -> list[str]:
    """The ballot list behind a closed vote's result (see chain.py)."""
    if vote.status not in (S.CLOSED, S.PUBLISHED):
        raise VoteError(_("The ballots are published once voting has closed."))
    with _no_gc():
        units, ballots, receipts, texts = inputs(vote)
        return chain.lines(vote, units, ballots, receipts, texts)


def publish(*, vote: Vote, now=None) -> Vote:
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status != S.CLOSED:
            raise VoteError(_("Only a closed vote's result can be published."))
        vote.status = S.PUBLISHED
        vote.published_at = now
        vote.version += 1
        vote.save(update_fields=["status", "published_at", "version"])
        notify.tell(vote, "vote.published")
    return vote


def cancel(*, vote: Vote, reason: str, now=None) -> Vote:
    if not (reason or "").strip():
        raise VoteError(_("Give the reason for cancelling."))
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status in (S.PUBLISHED, S.CANCELLED):
            raise VoteError(_("This vote has ended."))
        vote.status = S.CANCELLED
        vote.description = (vote.description + "\n\n" + _("Cancelled: %(reason)s") % {"reason": reason}).strip()
        vote.version += 1
        vote.save(update_fields=["status", "description", "version"])
    return vote


def tick(now=None) -> dict[str, int]:
    """Open votes whose time has come and close those whose time is up (run every minute)."""
    now = now or timezone.now()
    done = {"opened": 0, "closed": 0, "reminded": 0}
    for vote in Vote.objects.filter(status=S.ANNOUNCED, opens_at__lte=now):
        try:
            open_vote(vote=vote, now=now)
            done["opened"] += 1
        except VoteError:
            pass  # the electorate still needs correcting: staff see it on the vote's page
    for vote in Vote.objects.filter(status=S.OPEN, closes_at__lte=now):
        close(vote=vote, now=now)
        done["closed"] += 1
    # A day before closing, the owners whose home has not voted are reminded (once: the key).
    for vote in Vote.objects.filter(status=S.OPEN, closes_at__gt=now, closes_at__lte=now + dt.timedelta(days=1)):
        notify.tell(vote, "vote.closing")
        done["reminded"] += 1
    return done


# --- what the pages show ------------------------------------------------------------------


def turnout(vote: Vote) -> list[dict]:
    """Units and area voted per building, for staff watching the count grow."""
    rows = (
        vote.electorate.values("home__stairwell__building_id", "home__stairwell__building__name")
        .annotate(units=Count("pk"), area=Sum("area"), cast=Count("ballot"))
        .order_by("home__stairwell__building__sort_key", "home__stairwell__building_id")
    )
    cast_area = dict(
        vote.electorate.filter(ballot__isnull=False)
        .values("home__stairwell__building_id")
        .annotate(a=Sum("area"))
        .values_list("home__stairwell__building_id", "a")
    )
    return [
        {
            "building_id": r["home__stairwell__building_id"],
            "building": r["home__stairwell__building__name"],
            "units": r["units"],
            "cast": r["cast"],
            "area": r["area"] or Decimal(0),
            "cast_area": cast_area.get(r["home__stairwell__building_id"]) or Decimal(0),
            "percent": tally.percent(r["cast"], r["units"]),
        }
        for r in rows
    ]


def turnout_total(rows: list[dict]) -> dict:
    """The whole electorate's turnout, added up from the per-building rows of turnout()."""
    total = {
        "units": sum(r["units"] for r in rows),
        "cast": sum(r["cast"] for r in rows),
        "area": sum((r["area"] for r in rows), Decimal(0)),
        "cast_area": sum((r["cast_area"] for r in rows), Decimal(0)),
    }
    total["percent"] = tally.percent(total["cast"], total["units"])
    total["area_percent"] = tally.percent(int(total["cast_area"] * 100), int(total["area"] * 100))
    return total


def receipt_status(vote: Vote, code: str) -> dict:
    """What a receipt code says: counted, replaced by a later ballot, or unknown."""
    code = (code or "").strip().upper()
    ballot = Ballot.objects.filter(vote=vote, receipt=code).first()
    if ballot:
        return {"status": "counted" if vote.status in (S.CLOSED, S.PUBLISHED) else "current", "cast_at": ballot.cast_at}
    record = BallotRecord.objects.filter(vote=vote, receipt=code).first()
    if record:
        return {"status": "replaced", "cast_at": record.cast_at}
    return {"status": "unknown"}
