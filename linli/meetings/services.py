"""Calling, holding and recording meetings. Every function checks its input and writes nothing
when it refuses (MeetingError, with a message for the user)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.notices.services import notify
from linli.people.models import LeaderAssignment, Membership, Occupancy, Organisation, Person, PropertyServicePeriod
from linli.places.models import Home, Venue

from . import access
from .models import (
    AgendaItem,
    Attendance,
    Booking,
    Invitation,
    Meeting,
    Minutes,
    MinutesItem,
    MinutesVersion,
    OpeningHours,
)

CHECKIN_EARLY = dt.timedelta(minutes=30)  # check-in opens this long before the start
CHECKIN_LATE = dt.timedelta(minutes=30)  # and stays open this long after the end


class MeetingError(Exception):
    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# --- venues ---------------------------------------------------------------------------------


def within_hours(venue: Venue, starts, ends) -> bool:
    """Whether the time falls inside the venue's opening hours on one day (no hours: any time)."""
    hours = list(OpeningHours.objects.filter(venue=venue))
    if not hours:
        return True
    start, end = timezone.localtime(starts), timezone.localtime(ends)
    if start.date() != end.date():
        return False
    return any(h.weekday == start.weekday() and h.opens <= start.time() and end.time() <= h.closes for h in hours)


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    """Two half-open periods [start, end) overlap: one ending as the next begins is no conflict."""
    return a_start < b_end and b_start < a_end


def book(*, venue: Venue, starts, ends, purpose: str, user, exclude: Booking | None = None) -> Booking:
    """Hold a venue. Under the venue's row lock, so two people booking the same hour at the
    same moment cannot both succeed."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise MeetingError(_("Say what the venue is booked for."))
    if ends <= starts:
        raise MeetingError(_("The end must come after the start."))
    with transaction.atomic():
        Venue.objects.select_for_update().get(pk=venue.pk)
        if not within_hours(venue, starts, ends):
            raise MeetingError(_("%(venue)s is not open at that time.") % {"venue": venue})
        clash = (
            Booking.objects.filter(venue=venue, cancelled=False, starts__lt=ends, ends__gt=starts)
            .exclude(pk=getattr(exclude, "pk", None))
            .order_by("starts")
            .first()
        )
        if clash:
            raise MeetingError(
                _("%(venue)s is already booked from %(start)s to %(end)s (%(purpose)s).")
                % {"venue": venue, "start": _local(clash.starts), "end": _local(clash.ends), "purpose": clash.purpose}
            )
        if exclude is not None:
            Booking.objects.filter(pk=exclude.pk).update(cancelled=True)
        return Booking.objects.create(venue=venue, starts=starts, ends=ends, purpose=purpose, booked_by=user)


# --- calling a meeting ----------------------------------------------------------------------


def plan(
    *, user, kind: str, title: str, organiser: Organisation, starts, ends, community=None, compound=None,
    building=None, stairwell=None, mode: str = Meeting.Mode.OFFLINE, venue: Venue | None = None,
    location: str = "", online_url: str = "", description: str = "",
) -> Meeting:  # fmt: skip
    title = (title or "").strip()
    if not title:
        raise MeetingError(_("Give the meeting a title."))
    if kind not in Meeting.Kind.values:
        raise MeetingError(_("Choose the kind of meeting."))
    if ends <= starts:
        raise MeetingError(_("The end must come after the start."))
    if stairwell is not None:
        building = building or stairwell.building
    if building is not None:
        compound = compound or building.compound
    if stairwell is not None and stairwell.building_id != building.pk:
        raise MeetingError(_("That stairwell is not in this building."))
    if building is not None and building.compound_id != compound.pk:
        raise MeetingError(_("That building is not in this compound."))
    community = community or (compound.community if compound else None)
    if community is None:
        raise MeetingError(_("Choose where the meeting is for."))
    if compound is not None and compound.community_id != community.pk:
        raise MeetingError(_("That compound is not in this community."))
    if not access.may_organise_at(user, community=community, compound=compound, building=building, stairwell=stairwell):
        raise MeetingError(_("You may not call a meeting for this place."))
    if mode in (Meeting.Mode.ONLINE, Meeting.Mode.BOTH) and not online_url:
        raise MeetingError(_("An online meeting needs its link."))
    if mode in (Meeting.Mode.OFFLINE, Meeting.Mode.BOTH) and venue is None and not (location or "").strip():
        raise MeetingError(_("Say where the meeting is held: a venue or a place."))
    if venue is not None and venue.compound.community_id != community.pk:
        raise MeetingError(_("That venue is not in this community."))
    with transaction.atomic():
        booking = None
        if venue is not None:
            booking = book(venue=venue, starts=starts, ends=ends, purpose=title, user=user)
        return Meeting.objects.create(
            kind=kind, title=title, description=description, community=community, compound=compound,
            building=building, stairwell=stairwell, organiser=organiser, mode=mode, venue=venue, booking=booking,
            location=(location or "").strip(), online_url=online_url, starts=starts, ends=ends, created_by=user,
        )  # fmt: skip


def reschedule(*, meeting: Meeting, user, starts, ends) -> Meeting:
    if meeting.status != Meeting.Status.PLANNED:
        raise MeetingError(_("Only a planned meeting can be moved."))
    if ends <= starts:
        raise MeetingError(_("The end must come after the start."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.venue_id:
            meeting.booking = book(
                venue=meeting.venue, starts=starts, ends=ends, purpose=meeting.title, user=user, exclude=meeting.booking
            )
        meeting.starts, meeting.ends = starts, ends
        meeting.save(update_fields=["starts", "ends", "booking"])
        _tell(meeting, "meeting.changed", _("Meeting moved: %(title)s") % {"title": meeting.title},
              _("Now from %(start)s to %(end)s.") % {"start": _local(starts), "end": _local(ends)})  # fmt: skip
    return meeting


def cancel(*, meeting: Meeting, user, reason: str) -> Meeting:
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Give the reason for cancelling."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != Meeting.Status.PLANNED:
            raise MeetingError(_("Only a planned meeting can be cancelled."))
        meeting.status = Meeting.Status.CANCELLED
        meeting.description = (meeting.description + "\n\n" + _("Cancelled: %(reason)s") % {"reason": reason}).strip()
        meeting.save(update_fields=["status", "description"])
        if meeting.booking_id:
            Booking.objects.filter(pk=meeting.booking_id).update(cancelled=True)
        _tell(meeting, "meeting.cancelled", _("Meeting cancelled: %(title)s") % {"title": meeting.title}, reason)
    return meeting


# --- invitations ----------------------------------------------------------------------------

# Whom an organiser may invite by role, in the meeting's place.
# Lazy: read in the language of each request, not in the one active when this module loaded.
INVITE_ROLES = {
    "leaders": gettext_lazy("building leaders"),
    "property": gettext_lazy("the property company"),
    "association": gettext_lazy("the neighbourhood association"),
    "owners_committee": gettext_lazy("the owners' committee"),
    "party": gettext_lazy("the party branch"),
    "committee": gettext_lazy("the residents' committee"),
    "residents": gettext_lazy("every resident"),
}


def invitees(meeting: Meeting, role: str):
    """The people a role stands for in the meeting's place."""
    today = timezone.localdate()
    homes = Home.objects.all()
    if meeting.stairwell_id:
        homes = homes.filter(stairwell_id=meeting.stairwell_id)
    elif meeting.building_id:
        homes = homes.filter(stairwell__building_id=meeting.building_id)
    elif meeting.compound_id:
        homes = homes.filter(stairwell__building__compound_id=meeting.compound_id)
    else:
        homes = homes.filter(stairwell__building__compound__community_id=meeting.community_id)
    compounds = (
        [meeting.compound_id] if meeting.compound_id else list(meeting.community.compounds.values_list("pk", flat=True))
    )
    members = Membership.objects.active(today)
    K, R = Organisation.Kind, Membership.Role
    officers = [R.CHAIR, R.VICE_CHAIR, R.SECRETARY, R.OFFICER, R.LEADER]
    if role == "leaders":
        people = (
            LeaderAssignment.objects.active(today)
            .filter(Q(building__stairwells__homes__in=homes) | Q(grid_cell__stairwells__homes__in=homes))
            .values("person_id")
        )
    elif role == "property":
        companies = PropertyServicePeriod.objects.active(today).filter(compound_id__in=compounds).values("company_id")
        people = members.filter(organisation_id__in=companies, role__in=[R.MANAGER, R.CLERK]).values("person_id")
    elif role == "association":
        people = members.filter(
            organisation__kind=K.ASSOCIATION, organisation__compound_id__in=compounds, role__in=officers
        ).values("person_id")
    elif role == "owners_committee":
        people = members.filter(organisation__kind=K.OWNERS_COMMITTEE, organisation__compound_id__in=compounds).values(
            "person_id"
        )
    elif role == "party":
        people = members.filter(
            Q(organisation__kind=K.PARTY_BRANCH, organisation__compound_id__in=compounds)
            | Q(organisation__kind=K.PARTY_COMMITTEE, organisation__community_id=meeting.community_id)
        ).values("person_id")
    elif role == "committee":
        people = (
            members.filter(organisation__kind=K.RESIDENTS_COMMITTEE, organisation__community_id=meeting.community_id)
            .exclude(role=R.MEMBER)
            .values("person_id")
        )
    elif role == "residents":
        people = Occupancy.objects.active(today).filter(home__in=homes).values("person_id")
    else:
        raise MeetingError(_("Unknown group to invite."))
    return Person.objects.filter(pk__in=people)


def invite(*, meeting: Meeting, roles=(), people=()) -> int:
    """Invite everyone a role stands for, and named people; returns how many are newly invited.
    Someone invited twice (two roles) gets one invitation."""
    if meeting.status != Meeting.Status.PLANNED:
        raise MeetingError(_("Only a planned meeting can have invitations."))
    labels = {}
    for role in roles:
        for pk in invitees(meeting, role).values_list("pk", flat=True):
            labels.setdefault(pk, str(INVITE_ROLES[role]))
    for person in people:
        labels.setdefault(getattr(person, "pk", person), "")
    with transaction.atomic():
        existing = set(Invitation.objects.filter(meeting=meeting).values_list("person_id", flat=True))
        new = [
            Invitation(meeting=meeting, person_id=pk, as_what=label)
            for pk, label in labels.items()
            if pk not in existing
        ]
        Invitation.objects.bulk_create(new, batch_size=1000)
        users = User.objects.filter(is_active=True, person_id__in=[i.person_id for i in new])
        notify(
            users=users,
            kind="meeting.invited",
            title=_("You are invited: %(title)s") % {"title": meeting.title},
            body=_("%(start)s, %(where)s. Please reply whether you will come.")
            % {"start": _local(meeting.starts), "where": where(meeting)},
            link=f"/meetings/{meeting.code}/",
            key=f"meeting:{meeting.pk}:invited",
        )
    return len(new)


def where(meeting: Meeting) -> str:
    parts = [str(meeting.venue) if meeting.venue_id else meeting.location]
    if meeting.online_url:
        parts.append(_("online"))
    return " / ".join(p for p in parts if p)


def reply(*, meeting: Meeting, user, answer: str, now=None) -> Invitation:
    if answer not in (Invitation.Reply.YES, Invitation.Reply.NO, Invitation.Reply.MAYBE):
        raise MeetingError(_("Answer yes, no or maybe."))
    if meeting.status != Meeting.Status.PLANNED:
        raise MeetingError(_("This meeting is no longer planned."))
    invitation = Invitation.objects.filter(meeting=meeting, person_id=user.person_id).first()
    if invitation is None:
        raise MeetingError(_("You are not invited to this meeting."))
    invitation.reply, invitation.replied_at = answer, now or timezone.now()
    invitation.save(update_fields=["reply", "replied_at"])
    return invitation


# --- attendance -----------------------------------------------------------------------------


def check_in(*, meeting: Meeting, user, token: str, now=None) -> tuple[Attendance, bool]:
    """Check in by the QR code at the venue: (attendance, whether it is new)."""
    now = now or timezone.now()
    if not user.is_authenticated or not user.person_id:
        raise MeetingError(_("Sign in to check in."))
    if token != meeting.checkin_token:
        raise MeetingError(_("This code is for another meeting."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError(_("This meeting was cancelled."))
    if not meeting.starts - CHECKIN_EARLY <= now <= meeting.ends + CHECKIN_LATE:
        raise MeetingError(
            _("Check-in is open from %(start)s to %(end)s.")
            % {"start": _local(meeting.starts - CHECKIN_EARLY), "end": _local(meeting.ends + CHECKIN_LATE)}
        )
    return _attend(meeting, user.person_id, Attendance.How.QR, user, now)


def mark_attended(*, meeting: Meeting, person: Person, user, now=None) -> tuple[Attendance, bool]:
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError(_("This meeting was cancelled."))
    return _attend(meeting, person.pk, Attendance.How.ORGANISER, user, now or timezone.now())


def _attend(meeting, person_id, how, user, now):
    existing = Attendance.objects.filter(meeting=meeting, person_id=person_id).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                meeting=meeting, person_id=person_id, how=how, at=now, marked_by=user
            ), True
    except IntegrityError:  # checked in twice at the same instant
        return Attendance.objects.get(meeting=meeting, person_id=person_id), False


# --- agenda and minutes ---------------------------------------------------------------------


def add_agenda_item(
    *, meeting: Meeting, title: str = "", text: str = "", case=None, topic=None, user=None
) -> AgendaItem:
    """An item on the agenda: free text, a case, or a topic residents raised (which then shows
    as on this meeting's agenda; topics.services checks the user may put it there)."""
    if topic is not None:
        if topic.community_id != meeting.community_id:
            raise MeetingError(_("That topic was raised in another community."))
        title = title or topic.title
        text = text or topic.text
    title = (title or "").strip()
    if not title:
        raise MeetingError(_("Say what the item is."))
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes and minutes.frozen:
        raise MeetingError(_("The minutes are approved: the agenda can no longer change."))
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        position = (meeting.agenda.order_by("-position").values_list("position", flat=True).first() or 0) + 1
        if topic is not None:
            from linli.topics import services as topics

            try:
                topics.mark_on_agenda(topic, meeting.title, user)
            except topics.TopicError as exc:
                raise MeetingError(exc.message) from None
        return AgendaItem.objects.create(
            meeting=meeting, position=position, title=title[:200], text=text, case=case, topic=topic
        )


def _content(minutes: Minutes) -> dict:
    return {
        "summary": minutes.summary,
        "items": {
            str(i.agenda_item_id): {"summary": i.summary, "positions": i.positions, "decision": i.decision}
            for i in minutes.items.all()
        },
    }


def write_minutes(*, meeting: Meeting, user, summary: str = "", items: dict | None = None, reason: str = "") -> Minutes:
    """Write or change the minutes. Approved minutes change only with a reason; the approved
    text is kept as a version and the version number goes up."""
    items = items or {}
    agenda = {str(a.pk): a for a in meeting.agenda.all()}
    unknown = set(map(str, items)) - set(agenda)
    if unknown:
        raise MeetingError(_("The minutes name an item that is not on the agenda."))
    with transaction.atomic():
        minutes, _created = Minutes.objects.select_for_update().get_or_create(meeting=meeting)
        if minutes.frozen:
            reason = (reason or "").strip()
            if not reason:
                raise MeetingError(_("The minutes are approved: give the reason for changing them."))
            MinutesVersion.objects.create(
                minutes=minutes, number=minutes.version, content=_content(minutes), reason=reason, changed_by=user
            )
            minutes.version += 1
        minutes.summary = summary
        minutes.save()
        for key, fields in items.items():
            MinutesItem.objects.update_or_create(
                minutes=minutes,
                agenda_item=agenda[str(key)],
                defaults={k: (fields.get(k) or "").strip() for k in ("summary", "positions", "decision")},
            )
    return minutes


def approve_minutes(*, meeting: Meeting, user, now=None) -> Minutes:
    now = now or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        minutes = Minutes.objects.filter(meeting=meeting).first()
        if minutes is None or not (minutes.summary.strip() or minutes.items.exists()):
            raise MeetingError(_("Write the minutes before approving them."))
        if minutes.frozen:
            raise MeetingError(_("The minutes are approved already."))
        if meeting.status == Meeting.Status.CANCELLED or now < meeting.starts:
            raise MeetingError(_("Minutes are approved after the meeting is held."))
        minutes.approved_at, minutes.approved_by = now, user
        minutes.save(update_fields=["approved_at", "approved_by"])
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
        _settle_topics(meeting, minutes, user, now)
    return minutes


def _settle_topics(meeting: Meeting, minutes: Minutes, user, now) -> None:
    """The topics residents raised that this meeting dealt with are settled, the item's decision
    as their outcome: those who raised and supported them are told (件件有回音). A topic put on
    a later meeting's agenda meanwhile is left to that meeting."""
    from linli.topics import services as topics
    from linli.topics.models import Status

    decisions = dict(minutes.items.values_list("agenda_item_id", "decision"))
    items = meeting.agenda.filter(topic__status=Status.ON_AGENDA, topic__meeting_title=meeting.title)
    for item in items.select_related("topic"):
        topics.settle(topic=item.topic, user=user, outcome=decisions.get(item.pk, "")[:2000], now=now, checked=True)


# --- telling people -------------------------------------------------------------------------


def _tell(meeting: Meeting, kind: str, title: str, body: str) -> None:
    people = Invitation.objects.filter(meeting=meeting).values("person_id")
    notify(
        users=User.objects.filter(is_active=True, person_id__in=people),
        kind=kind,
        title=title,
        body=body,
        link=f"/meetings/{meeting.code}/",
        key=f"meeting:{meeting.pk}:{kind}:{timezone.now().timestamp():.0f}",
    )


def ical(meeting: Meeting, *, url: str = "") -> bytes:
    """The meeting as an iCalendar event (RFC 5545), for phones' calendars."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//linli//meetings//ZH")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"meeting-{meeting.code}@linli")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts)
    event.add("dtend", meeting.ends)
    event.add("dtstamp", meeting.created or timezone.now())
    event.add("location", where(meeting))
    description = meeting.description
    if meeting.online_url:
        description = (description + "\n" + meeting.online_url).strip()
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    if meeting.status == Meeting.Status.CANCELLED:
        event.add("status", "CANCELLED")
    cal.add_component(event)
    return cal.to_ical()
