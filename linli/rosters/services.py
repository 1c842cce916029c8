"""Writes and reads for duty rosters: posts, shifts (one by one or from a daily pattern),
assigning people (never two overlapping shifts for one person), swaps approved by an
organiser, gaps flagged before they happen, and check-in at the post by its QR token.

Plain functions; each refusal is a RosterError with a translated message, a status (403, 404,
409, 422) and nothing is changed."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.scope import scope_for
from linli.campaigns.access import may_organise_place, staff_grants
from linli.people.models import Membership, Organisation, Person
from linli.people.services import community_staff_users
from linli.places.models import Compound

from . import notify
from .models import Duty, Post, Shift, SwapRequest, SwapStatus

CHECKIN_EARLY = dt.timedelta(minutes=15)
MAX_DAYS = 62


class RosterError(Exception):
    def __init__(self, message: str, status_code: int = 422, field: str = ""):
        self.message, self.status_code, self.field = str(message), status_code, field
        super().__init__(self.message)


# --- access ------------------------------------------------------------------------------


def may_organise(user, compound: Compound) -> bool:
    return may_organise_place(user, "compound", compound.pk)


def _require_organiser(user, compound):
    if not may_organise(user, compound):
        raise RosterError(_("Only the compound's organisers may change its roster."), 403)


def visible_posts(user):
    """Posts the user organises, and posts where he holds a duty."""
    q = Q(pk__in=[])
    for g in staff_grants(user):
        if g.level == "all":
            return Post.objects.all()
        q |= Q(compound__in=Compound.objects.filter(g.place_q("compound")))
    person_id = getattr(user, "person_id", None)
    if person_id:
        q |= Q(shifts__duties__person_id=person_id)
    return Post.objects.filter(q).distinct()


def organised_posts(user):
    """Posts of the compounds the user organises (the organisers' pages and API)."""
    q = Q(pk__in=[])
    for g in staff_grants(user):
        if g.level == "all":
            return Post.objects.all()
        q |= Q(compound__in=Compound.objects.filter(g.place_q("compound")))
    return Post.objects.filter(q)


def organised_compounds(user):
    q = Q(pk__in=[])
    for g in staff_grants(user):
        if g.level == "all":
            return Compound.objects.all()
        q |= g.place_q("compound")
    return Compound.objects.filter(q)


def candidates(compound, user=None):
    """Whom to offer for a shift of the compound: the active members of its volunteer teams (the
    compound's own and its community's) and anyone already on duty at its posts. Given a user,
    only people within his reach, as `assign` demands. Names only: the choice shows no phone."""
    teams = Organisation.objects.filter(kind=Organisation.Kind.VOLUNTEER_TEAM).filter(
        Q(compound=compound) | Q(compound__isnull=True, community_id=compound.community_id)
    )
    members = Membership.objects.active().filter(organisation__in=teams).values("person_id")
    on_duty = Duty.objects.filter(shift__post__compound=compound).values("person_id")
    people = Person.objects.filter(Q(pk__in=members) | Q(pk__in=on_duty))
    if user is not None:
        people = people.filter(scope_for(user).people_q())
    return people.order_by("name", "pk")


def parse_pattern(text: str) -> list[tuple[dt.time, dt.time]]:
    """Read "07:00-12:00, 12:00-18:00" (commas, semicolons or new lines between; "–" or "~" also
    join) into a list of (start, end) times."""
    pattern = []
    for part in re.split(r"[,;，；\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        times = re.split(r"\s*[-–~～]\s*", part)
        try:
            start, end = (dt.datetime.strptime(t.strip(), "%H:%M").time() for t in times)
        except ValueError:
            raise RosterError(
                _("Write each shift as start-end in 24-hour time, e.g. 07:00-12:00: %(part)s") % {"part": part},
                field="pattern",
            ) from None
        if start == end:
            raise RosterError(_("A shift must end after it starts."), field="pattern")
        pattern.append((start, end))
    return pattern


def week_shifts(post: Post, monday: dt.date):
    """The post's shifts of the week starting on monday, in order, with their duties (and
    their people): the organiser's week table and its Excel export."""
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()), timezone.get_current_timezone())
    return (
        Shift.objects.filter(post=post, starts__gte=start, starts__lt=start + dt.timedelta(days=7))
        .prefetch_related(Prefetch("duties", queryset=Duty.objects.select_related("person").order_by("pk")))
        .order_by("starts")
    )


def week_of(post: Post, monday: dt.date):
    """The post's shifts of the week starting on monday, by day: [(date, [shift, …]), …] with
    the duties (and their people) and a `gap` flag on each shift."""
    tz = timezone.get_current_timezone()
    days = {monday + dt.timedelta(days=i): [] for i in range(7)}
    for s in week_shifts(post, monday):
        s.gap = len(s.duties.all()) < s.needed
        days[timezone.localtime(s.starts, tz).date()].append(s)
    return list(days.items())


def pending_swaps(post: Post):
    return (
        SwapRequest.objects.filter(duty__shift__post=post, status=SwapStatus.PENDING)
        .select_related("duty__shift__post", "duty__person", "to_person")
        .order_by("duty__shift__starts", "pk")
    )


def _check_eligible(user, person: Person):
    if not Person.objects.filter(Q(pk=person.pk) & scope_for(user).people_q()).exists():
        raise RosterError(_("This person is outside your area and cannot be put on duty."), 403, "person")


# --- posts and shifts --------------------------------------------------------------------


def create_post(*, user, compound, name: str, description: str = "") -> Post:
    _require_organiser(user, compound)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise RosterError(_("Give the post a name of at most 60 characters."), field="name")
    try:
        with transaction.atomic():
            return Post.objects.create(compound=compound, name=name, description=description.strip())
    except IntegrityError:
        raise RosterError(_("This compound already has a post with this name."), 409, "name") from None


def _validate_times(starts, ends, needed):
    if not starts or not ends or ends <= starts:
        raise RosterError(_("A shift must end after it starts."), field="ends")
    if needed is None or needed < 1:
        raise RosterError(_("A shift needs at least one person."), field="needed")


def create_shift(*, user, post: Post, starts, ends, needed: int = 1, note: str = "") -> Shift:
    _require_organiser(user, post.compound)
    _validate_times(starts, ends, needed)
    try:
        with transaction.atomic():
            return Shift.objects.create(post=post, starts=starts, ends=ends, needed=needed, note=note.strip())
    except IntegrityError:
        raise RosterError(_("This post already has a shift starting then."), 409, "starts") from None


def bulk_create_shifts(*, user, post: Post, first: dt.date, last: dt.date, pattern, needed: int = 1) -> list[Shift]:
    """Shifts for every day from first to last, one per (start, end) time of the daily pattern
    (an end at or before its start runs past midnight). Shifts that already exist are kept."""
    _require_organiser(user, post.compound)
    if not first or not last or last < first:
        raise RosterError(_("The last day must not be before the first."), field="last")
    if (last - first).days >= MAX_DAYS:
        raise RosterError(_("Make shifts for at most %(n)d days at a time.") % {"n": MAX_DAYS}, field="last")
    if not pattern:
        raise RosterError(_("Give at least one shift time of the day."), field="pattern")
    if needed is None or needed < 1:
        raise RosterError(_("A shift needs at least one person."), field="needed")
    tz = timezone.get_current_timezone()
    made = []
    with transaction.atomic():
        existing = set(Shift.objects.filter(post=post).values_list("starts", flat=True))
        day = first
        while day <= last:
            for start_t, end_t in pattern:
                starts = timezone.make_aware(dt.datetime.combine(day, start_t), tz)
                end_day = day if end_t > start_t else day + dt.timedelta(days=1)
                ends = timezone.make_aware(dt.datetime.combine(end_day, end_t), tz)
                if starts in existing:
                    continue
                made.append(Shift(post=post, starts=starts, ends=ends, needed=needed))
            day += dt.timedelta(days=1)
        Shift.objects.bulk_create(made)
    return made


# --- duties ------------------------------------------------------------------------------


def _overlapping(person_id, shift, exclude_duty=None):
    qs = Duty.objects.filter(person_id=person_id, shift__starts__lt=shift.ends, shift__ends__gt=shift.starts)
    if exclude_duty is not None:
        qs = qs.exclude(pk=exclude_duty.pk)
    return qs.select_related("shift__post").first()


def _refuse_overlap(person, shift, exclude_duty=None):
    clash = _overlapping(person.pk, shift, exclude_duty)
    if clash is not None:
        raise RosterError(
            _("%(person)s is already on duty then: %(shift)s.") % {"person": person.name, "shift": clash.shift},
            409,
            "person",
        )


def assign(*, user, shift: Shift, person: Person) -> Duty:
    _require_organiser(user, shift.post.compound)
    _check_eligible(user, person)
    try:
        with transaction.atomic():
            Person.objects.select_for_update().get(pk=person.pk)  # one assignment per person at a time
            shift = Shift.objects.select_related("post").get(pk=shift.pk)
            if Duty.objects.filter(shift=shift, person=person).exists():
                raise RosterError(_("This person is already on this shift."), 409, "person")
            _refuse_overlap(person, shift)
            return Duty.objects.create(shift=shift, person=person, assigned_by=user)
    except IntegrityError:
        raise RosterError(_("This person is already on this shift."), 409, "person") from None


def unassign(*, user, duty: Duty) -> None:
    _require_organiser(user, duty.shift.post.compound)
    if duty.checked_in_at:
        raise RosterError(_("This person has already checked in for the shift."), 409)
    with transaction.atomic():
        duty.delete()


def my_duties(person, now=None):
    now = now or timezone.now()
    return (
        Duty.objects.filter(person=person, shift__ends__gt=now).select_related("shift__post").order_by("shift__starts")
    )


# --- swaps -------------------------------------------------------------------------------


def request_swap(*, user, duty: Duty, to_person: Person, reason: str = "") -> SwapRequest:
    own = getattr(user, "person_id", None) == duty.person_id
    if not own and not may_organise(user, duty.shift.post.compound):
        raise RosterError(_("Only the person on duty or an organiser may ask for a swap."), 403)
    if to_person.pk == duty.person_id:
        raise RosterError(_("Choose someone else to take the shift."), field="to_person")
    if len(reason) > 200:
        raise RosterError(_("Keep the reason under 200 characters."), field="reason")
    try:
        with transaction.atomic():
            return SwapRequest.objects.create(duty=duty, to_person=to_person, reason=reason.strip(), requested_by=user)
    except IntegrityError:
        raise RosterError(_("A swap for this duty is already awaiting approval."), 409) from None


def decide_swap(*, user, swap: SwapRequest, approve: bool) -> SwapRequest:
    compound = swap.duty.shift.post.compound
    _require_organiser(user, compound)
    with transaction.atomic():
        swap = SwapRequest.objects.select_for_update().select_related("duty__shift__post").get(pk=swap.pk)
        if swap.status != SwapStatus.PENDING:
            raise RosterError(_("This swap has already been decided."), 409)
        duty = swap.duty
        old_person_id = duty.person_id
        if approve:
            _check_eligible(user, swap.to_person)
            Person.objects.select_for_update().get(pk=swap.to_person_id)
            if duty.checked_in_at:
                raise RosterError(_("This person has already checked in for the shift."), 409)
            if Duty.objects.filter(shift=duty.shift, person=swap.to_person).exists():
                raise RosterError(_("This person is already on this shift."), 409, "to_person")
            _refuse_overlap(swap.to_person, duty.shift, exclude_duty=duty)
            duty.person = swap.to_person
            duty.assigned_by = user
            duty.save(update_fields=["person", "assigned_by"])
        swap.status = SwapStatus.APPROVED if approve else SwapStatus.DECLINED
        swap.decided_by = user
        swap.save(update_fields=["status", "decided_by"])
        transaction.on_commit(lambda: notify.swap_decided(swap, [old_person_id, swap.to_person_id]))
    return swap


# --- gaps --------------------------------------------------------------------------------


def gaps(compound, within=dt.timedelta(hours=48), now=None):
    """Shifts of the compound starting within the window with fewer people than needed."""
    now = now or timezone.now()
    return (
        Shift.objects.filter(post__compound=compound, post__active=True, starts__gte=now, starts__lt=now + within)
        .annotate(staffed=Count("duties"))
        .filter(staffed__lt=F("needed"))
        .select_related("post")
        .order_by("starts")
    )


def organisers(compound):
    """Those told of a gap: the staff of the compound's community (one query, not a scope
    computed for every user of the district)."""
    return list(community_staff_users(compound.community_id))


def flag_gaps(within=dt.timedelta(hours=48), now=None) -> int:
    """Tell the organisers of each compound once per shift that it is short of people."""
    now = now or timezone.now()
    count = 0
    for compound in Compound.objects.filter(duty_posts__active=True).distinct():
        shifts = [s for s in gaps(compound, within, now) if s.gap_notified_at is None]
        if not shifts:
            continue
        users = organisers(compound)
        for shift in shifts:
            with transaction.atomic():
                if not Shift.objects.filter(pk=shift.pk, gap_notified_at__isnull=True).update(gap_notified_at=now):
                    continue
                notify.gap(shift, users, shift.needed - shift.staffed)
                count += 1
    return count


# --- check-in ----------------------------------------------------------------------------


def check_in(*, user, token: str, now=None) -> Duty:
    """Check in at a post by its QR token: from 15 minutes before the shift to its end, once,
    only for the person on duty."""
    now = now or timezone.now()
    post = Post.objects.filter(token=token, active=True).first()
    if post is None:
        raise RosterError(_("This check-in code is not valid."), 404)
    person_id = getattr(user, "person_id", None)
    duty = (
        Duty.objects.filter(
            person_id=person_id, shift__post=post, shift__starts__lte=now + CHECKIN_EARLY, shift__ends__gt=now
        )
        .select_related("shift__post")
        .order_by("shift__starts")
        .first()
        if person_id
        else None
    )
    if duty is None:
        raise RosterError(_("You have no shift at this post now. Check-in opens 15 minutes before your shift."), 409)
    with transaction.atomic():
        if not Duty.objects.filter(pk=duty.pk, checked_in_at__isnull=True).update(checked_in_at=now):
            raise RosterError(_("You have already checked in for this shift."), 409)
    duty.checked_in_at = now
    return duty
