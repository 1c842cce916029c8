"""Writes for volunteering: join requests, activities and series (recurrence), sign-ups and
the waiting list, check-in and check-out, hours (confirmation, adjustments), certificates,
reminders. Plain functions; each refusal is a VolunteerError with a translated message and a
status (403 not for this user, 404 out of reach, 409 not in this state, 422 bad input), and
nothing is changed."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.lib.masking import mask_name
from linli.people.models import Membership, Organisation, Person

from . import access, notify
from .models import (
    MAX_MINUTES,
    TEAM_KINDS,
    Activity,
    ActivityKind,
    ActivitySeries,
    Attendance,
    Certificate,
    HoursEntry,
    JoinRequest,
    SignUp,
    VolunteerProfile,
)

TZ = ZoneInfo("Asia/Shanghai")  # no DST: wall-clock recurrence is plain
CHECKIN_EARLY = dt.timedelta(minutes=30)
MAX_OCCURRENCES = 200  # per materialisation: a rule cannot flood the table
TITLE_MAX, VENUE_MAX, REASON_MAX, MESSAGE_MAX = 80, 120, 200, 300


class VolunteerError(Exception):
    def __init__(self, message: str, status_code: int = 422, field: str = ""):
        self.message, self.status_code, self.field = str(message), status_code, field
        super().__init__(self.message)


def _now(now):
    return now or timezone.now()


def _person(user) -> Person:
    person = getattr(user, "person", None)
    if person is None:
        raise VolunteerError(_("Your account is not linked to a person: ask your community to link it."), 403)
    return person


def _text(value, *, limit, empty, field, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise VolunteerError(empty, field=field)
    if len(value) > limit:
        raise VolunteerError(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return value


def _manager(user, organisation) -> None:
    if not access.may_manage(user, organisation):
        raise VolunteerError(_("Only the team's leaders and the community's staff can do this."), 403)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, TZ)


# --- teams: join requests ----------------------------------------------------------------


def organiser_users(organisation: Organisation):
    leaders = Membership.objects.active().filter(organisation=organisation, role__in=access.LEADER_ROLES)
    staff = (
        Membership.objects.active()
        .filter(
            organisation__kind=Organisation.Kind.RESIDENTS_COMMITTEE,
            organisation__community_id=organisation.community_id,
        )
        .exclude(role=Membership.Role.MEMBER)
    )
    q = Q(person_id__in=leaders.values("person_id"))
    if organisation.community_id:
        q |= Q(person_id__in=staff.values("person_id"))
    return User.objects.filter(q, is_active=True)


def request_join(*, user, organisation: Organisation, message: str = "") -> JoinRequest:
    person = _person(user)
    message = _text(message, limit=MESSAGE_MAX, empty="", field="message", required=False)
    if organisation.kind not in TEAM_KINDS or not access.visible_teams(user).filter(pk=organisation.pk).exists():
        raise VolunteerError(_("This team cannot be joined here."), 404)
    if access.is_member(person.pk, organisation):
        raise VolunteerError(_("You are already a member of this team."), 409)
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(person=person, organisation=organisation, message=message)
    except IntegrityError:  # the one-pending constraint: a double tap
        raise VolunteerError(_("Your request to join is already waiting for the team's decision."), 409) from None
    notify.join_requested(request, organiser_users(organisation))
    return request


def decide_join(*, user, request: JoinRequest, approve: bool, now=None) -> JoinRequest:
    now = _now(now)
    _manager(user, request.organisation)
    with transaction.atomic():
        # Two leaders deciding at once: the second finds it decided.
        request = JoinRequest.objects.select_for_update().select_related("organisation", "person").get(pk=request.pk)
        if request.state != JoinRequest.State.PENDING:
            raise VolunteerError(_("This request was already decided."), 409)
        request.state = JoinRequest.State.APPROVED if approve else JoinRequest.State.DECLINED
        request.decided_by, request.decided_at = user, now
        request.save(update_fields=["state", "decided_by", "decided_at"])
        if approve and not access.is_member(request.person_id, request.organisation):
            Membership.objects.create(
                organisation=request.organisation, person=request.person, start=timezone.localdate(now)
            )
        notify.join_decided(request)
    return request


# --- activities and series ---------------------------------------------------------------


def _activity_fields(*, organisation, kind, title, description, venue, capacity, place) -> dict:
    if kind not in ActivityKind.values:
        raise VolunteerError(_("Choose the kind of activity."), field="kind")
    title = _text(title, limit=TITLE_MAX, empty=_("Give the activity a title."), field="title")
    venue = _text(venue, limit=VENUE_MAX, empty=_("Say where the volunteers meet."), field="venue")
    description = _text(description, limit=4000, empty="", field="description", required=False)
    if capacity is not None and not (1 <= int(capacity) <= 10000):
        raise VolunteerError(_("The number of places must be at least 1 (or empty for no limit)."), field="capacity")
    fields = dict(
        organisation=organisation, kind=kind, title=title, description=description, venue=venue, capacity=capacity
    )
    from linli.places.models import Building, Compound

    if isinstance(place, Building):
        fields.update(building=place, compound=place.compound)
    elif isinstance(place, Compound):
        fields.update(compound=place)
    else:
        fields.update(compound_id=organisation.compound_id)
    return fields


def create_activity(
    *,
    user,
    organisation: Organisation,
    kind: str,
    title: str,
    venue: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None = None,
    description: str = "",
    place=None,
    now=None,
) -> Activity:
    now = _now(now)
    _manager(user, organisation)
    fields = _activity_fields(
        organisation=organisation,
        kind=kind,
        title=title,
        description=description,
        venue=venue,
        capacity=capacity,
        place=place,
    )
    _check_times(starts_at, ends_at, now)
    with transaction.atomic():
        return Activity.objects.create(**fields, starts_at=starts_at, ends_at=ends_at, created_by=user)


def _rule(text: str, first_start: dt.datetime):
    text = (text or "").strip().upper()
    if text.startswith("RRULE:"):
        text = text[6:]
    if not text or "DTSTART" in text or "\n" in text:
        raise VolunteerError(_("Give the recurrence as an RRULE, e.g. FREQ=WEEKLY;BYDAY=SU."), field="rrule")
    if any(f"FREQ={f}" in text for f in ("SECONDLY", "MINUTELY", "HOURLY")):
        raise VolunteerError(_("An activity can repeat at most daily."), field="rrule")
    try:
        return text, rrulestr(text, dtstart=_local(first_start).replace(tzinfo=None))
    except (ValueError, TypeError, KeyError):
        raise VolunteerError(_("This recurrence rule is not valid: %(rule)s") % {"rule": text}, field="rrule") from None


def is_public_holiday(day: dt.date) -> bool:
    """A statutory public holiday (National Day, Spring Festival…), not an ordinary weekend.
    Years chinesecalendar does not know yet count as no holiday."""
    import chinese_calendar

    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return bool(holiday and name)


def occurrences(rule: str, first_start: dt.datetime, *, start: dt.datetime, until: dt.datetime, skip_holidays: bool):
    """The starts of a rule between start and until (aware, Asia/Shanghai wall time)."""
    _, parsed = _rule(rule, first_start)
    lo, hi = _local(start).replace(tzinfo=None), _local(until).replace(tzinfo=None)
    out = []
    for naive in parsed.between(lo, hi, inc=True):
        if skip_holidays and is_public_holiday(naive.date()):
            continue
        out.append(naive.replace(tzinfo=TZ))
        if len(out) >= MAX_OCCURRENCES:
            break
    return out


def create_series(
    *,
    user,
    organisation: Organisation,
    kind: str,
    title: str,
    venue: str,
    rrule: str,
    first_start: dt.datetime,
    duration_minutes: int,
    capacity: int | None = None,
    description: str = "",
    skip_holidays: bool = True,
    place=None,
    now=None,
) -> ActivitySeries:
    now = _now(now)
    _manager(user, organisation)
    fields = _activity_fields(
        organisation=organisation,
        kind=kind,
        title=title,
        description=description,
        venue=venue,
        capacity=capacity,
        place=place,
    )
    if first_start is None:
        raise VolunteerError(_("Give the first start."), field="first_start")
    if not duration_minutes or not (0 < int(duration_minutes) <= MAX_MINUTES):
        raise VolunteerError(_("The duration must be between 1 minute and 24 hours."), field="duration_minutes")
    rule, _parsed = _rule(rrule, first_start)
    horizon = now + dt.timedelta(weeks=settings.VOLUNTEERS_HORIZON_WEEKS)
    if not occurrences(rule, first_start, start=max(now, first_start), until=horizon, skip_holidays=skip_holidays):
        raise VolunteerError(_("This rule gives no date in the coming weeks."), field="rrule")
    with transaction.atomic():
        series = ActivitySeries.objects.create(
            **fields,
            rrule=rule,
            first_start=first_start,
            duration_minutes=int(duration_minutes),
            skip_holidays=skip_holidays,
            created_by=user,
        )
        materialise(series, now=now)
    return series


def materialise(series: ActivitySeries, *, now=None) -> int:
    """Create the series' activities up to the horizon that do not exist yet; how many."""
    now = _now(now)
    horizon = now + dt.timedelta(weeks=settings.VOLUNTEERS_HORIZON_WEEKS)
    starts = occurrences(
        series.rrule,
        series.first_start,
        start=max(now, series.first_start),
        until=horizon,
        skip_holidays=series.skip_holidays,
    )
    # An occurrence moved by edit_activity still holds its date of the series (moved_from).
    taken = Activity.objects.filter(series=series).filter(Q(starts_at__in=starts) | Q(moved_from__in=starts))
    existing = {d for pair in taken.values_list("starts_at", "moved_from") for d in pair if d}
    duration = dt.timedelta(minutes=series.duration_minutes)
    new = [
        Activity(
            series=series,
            organisation_id=series.organisation_id,
            kind=series.kind,
            title=series.title,
            description=series.description,
            venue=series.venue,
            compound_id=series.compound_id,
            building_id=series.building_id,
            capacity=series.capacity,
            created_by_id=series.created_by_id,
            starts_at=s,
            ends_at=s + duration,
        )
        for s in starts
        if s not in existing
    ]
    # ignore_conflicts: two ticks at once create each occurrence once (the unique constraint).
    Activity.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def cancel_activity(*, activity: Activity, user, reason: str, now=None) -> Activity:
    now = _now(now)
    _manager(user, activity.organisation)
    reason = _text(
        reason, limit=REASON_MAX, empty=_("Give the reason for cancelling: the volunteers are told."), field="reason"
    )
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.state == Activity.State.CANCELLED:
            raise VolunteerError(_("This activity is already cancelled."), 409)
        if now >= activity.ends_at:
            raise VolunteerError(_("This activity is over."), 409)
        activity.state, activity.cancelled_reason = Activity.State.CANCELLED, reason
        activity.save(update_fields=["state", "cancelled_reason"])
        people = list(
            activity.signups.filter(state__in=[SignUp.State.SIGNED_UP, SignUp.State.WAITING]).values_list(
                "person_id", flat=True
            )
        )
        notify.cancelled(activity, people)
    return activity


EDITABLE = ("title", "description", "venue", "starts_at", "ends_at", "capacity")


def _check_times(starts_at, ends_at, now) -> None:
    if starts_at is None or ends_at is None:
        raise VolunteerError(_("Give the start and the end."), field="starts_at")
    if ends_at <= starts_at:
        raise VolunteerError(_("The end must be after the start."), field="ends_at")
    if ends_at - starts_at > dt.timedelta(minutes=MAX_MINUTES):
        raise VolunteerError(_("An activity can last at most 24 hours."), field="ends_at")
    if starts_at < now:
        raise VolunteerError(_("The start is in the past."), field="starts_at")


def edit_activity(activity: Activity, *, by, now=None, **changes) -> Activity:
    """An organiser changes a published activity (only this one, even if it belongs to a
    series) until it starts: title, description, venue, start and end, places. More places
    move the waiting list up; fewer than those already signed up is refused. A new time or
    venue is told to everyone signed up or waiting."""
    now = _now(now)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise VolunteerError(_("These cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _manager(by, activity.organisation)
    with transaction.atomic():
        # Locked like a sign-up: a sign-up counting the places and an edit lowering them are
        # serialised, so the new capacity is checked against the final number signed up.
        activity = _lock(activity)
        if activity.state == Activity.State.CANCELLED:
            raise VolunteerError(_("This activity was cancelled and can no longer be changed."), 409)
        if now >= activity.starts_at:
            raise VolunteerError(_("This activity has started and can no longer be changed."), 409)
        new = {f: getattr(activity, f) for f in EDITABLE} | changes
        new["title"] = _text(new["title"], limit=TITLE_MAX, empty=_("Give the activity a title."), field="title")
        new["venue"] = _text(new["venue"], limit=VENUE_MAX, empty=_("Say where the volunteers meet."), field="venue")
        new["description"] = _text(new["description"], limit=4000, empty="", field="description", required=False)
        capacity = new["capacity"]
        if capacity is not None:
            try:
                capacity = int(capacity)
            except (TypeError, ValueError):
                capacity = 0
            if not 1 <= capacity <= 10000:
                raise VolunteerError(
                    _("The number of places must be at least 1 (or empty for no limit)."), field="capacity"
                )
        new["capacity"] = capacity
        changed = [f for f in EDITABLE if new[f] != getattr(activity, f)]
        if not changed:
            return activity
        if "starts_at" in changed or "ends_at" in changed:
            _check_times(new["starts_at"], new["ends_at"], now)
        taken = SignUp.objects.filter(activity=activity, state=SignUp.State.SIGNED_UP).count()
        if capacity is not None and capacity < taken:
            raise VolunteerError(
                _("%(n)s volunteers already have a place: the number of places cannot be fewer.") % {"n": taken},
                field="capacity",
            )
        if "starts_at" in changed:
            if activity.series_id and activity.moved_from is None:
                activity.moved_from = activity.starts_at
                changed.append("moved_from")
            activity.reminded_at = None  # the reminder goes out again the day before the new date
            changed.append("reminded_at")
        old_capacity = activity.capacity
        for f in EDITABLE:
            setattr(activity, f, new[f])
        try:
            with transaction.atomic():
                activity.save(update_fields=changed)
        except IntegrityError:  # activity_one_per_occurrence: another date of the series starts then
            raise VolunteerError(_("Another date of this series starts at that time."), field="starts_at") from None
        if "capacity" in changed and (capacity is None or (old_capacity is not None and capacity > old_capacity)):
            _promote(activity)
        if {"starts_at", "ends_at", "venue"} & set(changed):
            people = activity.signups.filter(state__in=[SignUp.State.SIGNED_UP, SignUp.State.WAITING])
            notify.changed(activity, list(people.values_list("person_id", flat=True)), at=now)
    return activity


# --- sign-up and the waiting list --------------------------------------------------------


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("organisation").get(pk=activity.pk)


def _open_for_signup(activity: Activity, now) -> None:
    if activity.state == Activity.State.CANCELLED:
        raise VolunteerError(_("This activity was cancelled."), 409)
    if now >= activity.starts_at:
        raise VolunteerError(_("This activity has started: sign-up is closed."), 409)


def sign_up(*, activity: Activity, user, now=None) -> SignUp:
    """A place if one is free, else the end of the waiting list."""
    given, now = now, _now(now)
    person = _person(user)
    if not access.visible_activities(user).filter(pk=activity.pk).exists():
        raise VolunteerError(_("This activity is not in your area."), 404)
    with transaction.atomic():
        # The row lock serialises the sign-ups of one activity: each counts the places taken
        # after the previous one wrote, so thirty taps for ten places give ten and twenty waiting.
        activity = _lock(activity)
        # The waiting list's order is the order of the lock, not of the taps' clocks.
        now = given or timezone.now()
        _open_for_signup(activity, now)
        existing = SignUp.objects.filter(activity=activity, person=person).first()
        if existing and existing.state != SignUp.State.CANCELLED:
            raise VolunteerError(_("You are already signed up for this activity."), 409)
        taken = SignUp.objects.filter(activity=activity, state=SignUp.State.SIGNED_UP).count()
        free = activity.capacity is None or taken < activity.capacity
        state = SignUp.State.SIGNED_UP if free else SignUp.State.WAITING
        if existing:
            existing.state, existing.created = state, now
            existing.save(update_fields=["state", "created", "updated"])
            return existing
        try:
            with transaction.atomic():
                return SignUp.objects.create(activity=activity, person=person, state=state, created=now)
        except IntegrityError:  # the unique constraint (SQLite has no row lock)
            raise VolunteerError(_("You are already signed up for this activity."), 409) from None


def _promote(activity: Activity) -> list[SignUp]:
    """Fill free places from the waiting list, first come first served. Under the row lock."""
    moved = []
    while True:
        taken = SignUp.objects.filter(activity=activity, state=SignUp.State.SIGNED_UP).count()
        if activity.capacity is not None and taken >= activity.capacity:
            break
        nxt = SignUp.objects.filter(activity=activity, state=SignUp.State.WAITING).order_by("created", "pk").first()
        if nxt is None:
            break
        nxt.state = SignUp.State.SIGNED_UP
        nxt.save(update_fields=["state", "updated"])
        nxt.activity = activity
        notify.promoted(nxt)
        moved.append(nxt)
    return moved


def cancel_sign_up(*, activity: Activity, user, now=None) -> SignUp:
    """The volunteer withdraws, until the start; the first on the waiting list moves up."""
    now = _now(now)
    person = _person(user)
    with transaction.atomic():
        activity = _lock(activity)
        signup = SignUp.objects.filter(
            activity=activity, person=person, state__in=[SignUp.State.SIGNED_UP, SignUp.State.WAITING]
        ).first()
        if signup is None:
            raise VolunteerError(_("You are not signed up for this activity."), 409)
        if now >= activity.starts_at:
            raise VolunteerError(_("A sign-up can be cancelled only until the activity starts."), 409)
        was = signup.state
        signup.state = SignUp.State.CANCELLED
        signup.save(update_fields=["state", "updated"])
        if was == SignUp.State.SIGNED_UP and activity.state == Activity.State.SCHEDULED:
            _promote(activity)
    return signup


def waiting_position(signup: SignUp) -> int | None:
    if signup.state != SignUp.State.WAITING:
        return None
    before = SignUp.objects.filter(activity_id=signup.activity_id, state=SignUp.State.WAITING).filter(
        Q(created__lt=signup.created) | Q(created=signup.created, pk__lt=signup.pk)
    )
    return before.count() + 1


# --- check-in, check-out and hours -------------------------------------------------------


def check_in(*, activity: Activity, user, token: str, now=None) -> Attendance:
    """By the QR code at the venue: from 30 minutes before the start to the end, once."""
    now = _now(now)
    person = _person(user)
    with transaction.atomic():
        activity = _lock(activity)
        if not secrets.compare_digest(str(token or "").encode(), activity.checkin_token.encode()):
            raise VolunteerError(_("This check-in code is not valid. Scan the QR code at the venue again."), 422)
        if activity.state == Activity.State.CANCELLED:
            raise VolunteerError(_("This activity was cancelled."), 409)
        if now < activity.starts_at - CHECKIN_EARLY:
            opens = _local(activity.starts_at - CHECKIN_EARLY)
            raise VolunteerError(_("Check-in opens at %(time)s.") % {"time": f"{opens:%Y-%m-%d %H:%M}"}, 409)
        if now > activity.ends_at:
            raise VolunteerError(_("Check-in closed when the activity ended."), 409)
        if not SignUp.objects.filter(activity=activity, person=person, state=SignUp.State.SIGNED_UP).exists():
            raise VolunteerError(_("Only volunteers with a place can check in: sign up first."), 409)
        done = Attendance.objects.filter(activity=activity, person=person).first()
        if done:
            raise VolunteerError(_("You have already checked in."), 409)
        try:
            with transaction.atomic():
                return Attendance.objects.create(
                    activity=activity, person=person, how=Attendance.How.QR, checked_in_at=now
                )
        except IntegrityError:
            raise VolunteerError(_("You have already checked in."), 409) from None


def check_out(*, activity: Activity, user, now=None) -> Attendance:
    now = _now(now)
    person = _person(user)
    with transaction.atomic():
        activity = _lock(activity)
        attendance = Attendance.objects.filter(activity=activity, person=person, checked_in_at__isnull=False).first()
        if attendance is None:
            raise VolunteerError(_("Check in first."), 409)
        if attendance.checked_out_at:
            raise VolunteerError(_("You have already checked out."), 409)
        attendance.checked_out_at = max(now, attendance.checked_in_at)
        attendance.save(update_fields=["checked_out_at"])
    return attendance


def minutes_for(activity: Activity, attendance: Attendance | None) -> int:
    """Check-in to check-out clipped to the activity; else (no check-out, or marked present by
    the organiser) the activity's duration."""
    if attendance and attendance.checked_in_at and attendance.checked_out_at:
        start = max(attendance.checked_in_at, activity.starts_at)
        end = min(attendance.checked_out_at, activity.ends_at)
        return max(0, int((end - start).total_seconds() // 60))
    return activity.duration_minutes


def _lock_person(person_id: int) -> Person:
    # The person's row orders his ledger: two adjustments at once both see the other's total.
    return Person.objects.select_for_update().get(pk=person_id)


def total_minutes(person, *, start: dt.date | None = None, end: dt.date | None = None) -> int:
    qs = HoursEntry.objects.filter(person=person)
    if start:
        qs = qs.filter(on__gte=start)
    if end:
        qs = qs.filter(on__lte=end)
    return qs.aggregate(s=Sum("minutes"))["s"] or 0


def points(minutes: int) -> Decimal:
    """Time-bank points: minutes × VOLUNTEERS_POINTS_PER_HOUR / 60, rounded down to 0.01."""
    rate = Decimal(str(settings.VOLUNTEERS_POINTS_PER_HOUR))
    return (Decimal(minutes) * rate / 60).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def _minutes(value) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise VolunteerError(_("Give the minutes as a whole number."), field="minutes") from None
    if minutes == 0:
        raise VolunteerError(_("Zero minutes changes nothing."), field="minutes")
    if abs(minutes) > MAX_MINUTES:
        raise VolunteerError(_("At most 24 hours (1440 minutes) per entry."), field="minutes")
    return minutes


def confirm_hours(*, activity: Activity, user, person: Person, minutes: int | None = None, now=None) -> HoursEntry:
    """The organiser confirms a volunteer's hours for an activity (marking him present if he
    did not check in): the computed minutes unless he gives others."""
    now = _now(now)
    _manager(user, activity.organisation)
    with transaction.atomic():
        activity = _lock(activity)
        if activity.state == Activity.State.CANCELLED:
            raise VolunteerError(_("This activity was cancelled."), 409)
        if now < activity.starts_at:
            raise VolunteerError(_("Hours can be confirmed once the activity has started."), 409)
        attendance = Attendance.objects.filter(activity=activity, person=person).first()
        signed = SignUp.objects.filter(activity=activity, person=person, state=SignUp.State.SIGNED_UP).exists()
        if attendance is None and not signed:
            raise VolunteerError(_("%(name)s neither signed up nor checked in.") % {"name": person.name}, 409)
        computed = minutes_for(activity, attendance)
        minutes = _minutes(computed if minutes is None else minutes)
        if minutes < 0:
            raise VolunteerError(_("Earned hours cannot be negative."), field="minutes")
        _lock_person(person.pk)
        if HoursEntry.objects.filter(person=person, activity=activity, kind=HoursEntry.Kind.EARNED).exists():
            raise VolunteerError(
                _("Hours for this activity are already confirmed. Correct them with a reasoned adjustment."), 409
            )
        if attendance is None:
            Attendance.objects.create(activity=activity, person=person, how=Attendance.How.ORGANISER)
        return HoursEntry.objects.create(
            person=person,
            activity=activity,
            minutes=minutes,
            kind=HoursEntry.Kind.EARNED,
            by=user,
            at=now,
            on=_local(activity.starts_at).date(),
        )


def may_adjust(user, person: Person) -> bool:
    managed = access.managed_teams(user)
    return (
        Membership.objects.active().filter(person=person, organisation__in=managed).exists()
        or HoursEntry.objects.filter(person=person, activity__organisation__in=managed).exists()
    )


def adjust_hours(*, user, person: Person, minutes, reason: str, activity: Activity | None = None, now=None):
    """A correction: a new entry with its reason, never an edit. The total cannot go below zero."""
    now = _now(now)
    if not may_adjust(user, person):
        raise VolunteerError(_("Only the leaders of the volunteer's teams and the community's staff can do this."), 403)
    reason = _text(reason, limit=REASON_MAX, empty=_("Give the reason for the adjustment."), field="reason")
    minutes = _minutes(minutes)
    with transaction.atomic():
        _lock_person(person.pk)
        total = total_minutes(person)
        if total + minutes < 0:
            raise VolunteerError(
                _("This would make the total negative (now %(total)s minutes).") % {"total": total}, field="minutes"
            )
        return HoursEntry.objects.create(
            person=person,
            activity=activity,
            minutes=minutes,
            kind=HoursEntry.Kind.ADJUSTMENT,
            reason=reason,
            by=user,
            at=now,
            on=timezone.localdate(now),
        )


# --- certificates ------------------------------------------------------------------------


def issue_certificate(*, user, person: Person, start: dt.date, end: dt.date, now=None) -> Certificate:
    now = _now(now)
    if user.person_id != person.pk and not may_adjust(user, person):
        raise VolunteerError(_("Only the volunteer and his team's organisers can issue his certificate."), 403)
    if start is None or end is None or end < start:
        raise VolunteerError(_("The period's end must not be before its start."), field="end")
    entries = HoursEntry.objects.filter(person=person, on__gte=start, on__lte=end).select_related(
        "activity__organisation__community"
    )
    total = sum(e.minutes for e in entries)
    if total <= 0:
        raise VolunteerError(_("No volunteer hours in this period."), 409)
    teams = sorted({e.activity.organisation.name for e in entries if e.activity_id})
    communities = [
        e.activity.organisation.community.name
        for e in entries
        if e.activity_id and e.activity.organisation.community_id
    ]
    if not communities:  # only unattached adjustments: the community of his team, or of his home
        from linli.people.models import Occupancy

        m = Membership.objects.active().filter(person=person, organisation__kind__in=TEAM_KINDS)
        m = m.select_related("organisation__community", "organisation__subdistrict").first()
        home = (
            Occupancy.objects.active()
            .filter(person=person)
            .select_related("home__stairwell__building__compound__community")
            .first()
        )
        if m:
            communities = [(m.organisation.community or m.organisation.subdistrict).name]
        elif home:
            communities = [home.home.stairwell.building.compound.community.name]
        else:
            raise VolunteerError(
                _("No community can issue this certificate: the volunteer has no team and no home."), 409
            )
    rows = [
        {"on": e.on.isoformat(), "title": e.activity.title if e.activity_id else e.reason, "minutes": e.minutes}
        for e in entries
    ]
    return Certificate.objects.create(
        person=person,
        community_name=communities[0],
        teams="、".join(teams),
        period_start=start,
        period_end=end,
        total_minutes=total,
        activities=rows,
        issued_at=now,
        issued_by=user,
    )


# --- leaderboards and profile ------------------------------------------------------------


def display_name(person_id: int, name: str, shown: set[int]) -> str:
    if person_id in shown:
        return name
    return _("Volunteer %(name)s") % {"name": mask_name(name)}


def leaderboard(*, start: dt.date, end: dt.date, organisation=None, compound=None, limit: int = 20) -> list[dict]:
    """Hours per person on the activities of a team or held in a compound, in a period. Names
    are masked unless the volunteer chose to show his."""
    qs = HoursEntry.objects.filter(on__gte=start, on__lte=end, activity__isnull=False)
    if organisation is not None:
        qs = qs.filter(activity__organisation=organisation)
    if compound is not None:
        qs = qs.filter(activity__compound=compound)
    rows = list(
        qs.values("person_id", "person__name")
        .annotate(minutes=Sum("minutes"))
        .filter(minutes__gt=0)
        .order_by("-minutes", "person_id")[:limit]
    )
    shown = set(
        VolunteerProfile.objects.filter(person_id__in=[r["person_id"] for r in rows], show_name=True).values_list(
            "person_id", flat=True
        )
    )
    return [
        {
            "rank": i,
            "person_id": r["person_id"],
            "name": display_name(r["person_id"], r["person__name"], shown),
            "minutes": r["minutes"],
            "hours": round(r["minutes"] / 60, 1),
        }
        for i, r in enumerate(rows, 1)
    ]


def set_show_name(*, user, show: bool) -> VolunteerProfile:
    person = _person(user)
    profile, _created = VolunteerProfile.objects.update_or_create(person=person, defaults={"show_name": bool(show)})
    return profile


# --- the tick: series and reminders ------------------------------------------------------


def send_reminders(*, now=None) -> int:
    """Remind the signed-up volunteers of tomorrow's activities, once per activity."""
    now = _now(now)
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    lo = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=TZ)
    due = Activity.objects.filter(
        state=Activity.State.SCHEDULED,
        reminded_at__isnull=True,
        starts_at__gte=lo,
        starts_at__lt=lo + dt.timedelta(days=1),
    )
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            activity = Activity.objects.select_for_update().get(pk=pk)
            if activity.reminded_at:
                continue
            people = activity.signups.filter(state=SignUp.State.SIGNED_UP).values_list("person_id", flat=True)
            notify.reminder(activity, list(people))
            activity.reminded_at = now
            activity.save(update_fields=["reminded_at"])
            sent += 1
    return sent


def tick(*, now=None) -> dict:
    now = _now(now)
    created = sum(materialise(s, now=now) for s in ActivitySeries.objects.filter(active=True))
    return {"created": created, "reminded": send_reminders(now=now)}
