"""Meetings over the API, under /api/v1/meetings.

Every meeting is fetched through meetings.access (outside the caller's reach is a 404, the
same as what does not exist; organisers' endpoints are 404 for everyone else) and every change
goes through meetings.services, whose refusals become 422 with their message; nothing is
changed on a refusal."""

import contextlib
import datetime as dt
from typing import Literal

from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.cases import access as case_access
from linli.lib.api_support import ApiError, ErrorOut, Pagination
from linli.lib.masking import mask_name
from linli.places.models import Building, Community, Compound, Stairwell

from . import access, services
from .models import AgendaItem, Attendance, Booking, Invitation, Meeting, Minutes, MinutesVersion
from .views import place_label

router = Router(tags=["meetings"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@contextlib.contextmanager
def meeting_errors():
    try:
        yield
    except services.MeetingError as exc:
        raise ApiError(422, "invalid", exc.message, errors=[{"field": "body", "message": exc.message}]) from None


def not_found():
    return ApiError(404, "not_found", _("Not found."))


# --- schemas ------------------------------------------------------------------------------


class MeetingOut(Schema):
    code: str
    kind: str
    kind_label: str
    title: str
    status: str
    status_label: str
    community: int
    compound: int | None
    building: int | None
    stairwell: int | None
    place: str
    organiser: int
    organiser_name: str
    mode: str
    venue: int | None
    venue_name: str | None
    location: str
    online_url: str
    where: str
    starts: dt.datetime
    ends: dt.datetime
    my_reply: str | None = Field(None, description="Your reply, if you are invited: pending, yes, no or maybe")

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_community(obj):
        return obj.community_id

    @staticmethod
    def resolve_compound(obj):
        return obj.compound_id

    @staticmethod
    def resolve_building(obj):
        return obj.building_id

    @staticmethod
    def resolve_stairwell(obj):
        return obj.stairwell_id

    @staticmethod
    def resolve_place(obj):
        return place_label(obj)

    @staticmethod
    def resolve_organiser(obj):
        return obj.organiser_id

    @staticmethod
    def resolve_organiser_name(obj):
        return obj.organiser.name

    @staticmethod
    def resolve_venue(obj):
        return obj.venue_id

    @staticmethod
    def resolve_venue_name(obj):
        return obj.venue.name if obj.venue_id else None

    @staticmethod
    def resolve_where(obj):
        return services.where(obj)


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    text: str
    case: str | None = Field(None, description="The case's code")
    topic: str | None = Field(None, description="The topic's code, if residents raised it")

    @staticmethod
    def resolve_case(obj):
        return obj.case.code if obj.case_id else None

    @staticmethod
    def resolve_topic(obj):
        return obj.topic.code if obj.topic_id else None


class MeetingDetailOut(MeetingOut):
    description: str
    agenda: list[AgendaItemOut]
    may_organise: bool = False
    attended: bool = False
    checkin_url: str | None = Field(None, description="The check-in address behind the QR code (organisers)")
    replies: dict[str, int] | None = Field(None, description="Invitations by reply (organisers)")

    @staticmethod
    def resolve_agenda(obj):
        return list(obj.agenda.select_related("case", "topic"))


class PlanIn(Schema):
    kind: Literal["stairwell", "tea_party", "hall", "joint", "assembly_prep"]
    title: str
    description: str = ""
    community: int | None = Field(None, description="For a meeting of the whole community")
    compound: int | None = None
    building: int | None = None
    stairwell: int | None = None
    organiser: int = Field(..., description="One of your organisations or the community's residents' committee")
    mode: Literal["offline", "online", "both"] = "offline"
    venue: int | None = None
    location: str = ""
    online_url: str = ""
    starts: dt.datetime
    ends: dt.datetime


class TimesIn(Schema):
    starts: dt.datetime
    ends: dt.datetime


class ReasonIn(Schema):
    reason: str


class InviteIn(Schema):
    roles: list[str] = Field([], description="Any of: " + ", ".join(services.INVITE_ROLES))
    people: list[int] = Field([], description="Person ids within your reach")


class InvitationOut(Schema):
    person: int
    name: str = Field(..., description="Masked unless within your reach")
    as_what: str
    reply: str
    replied_at: dt.datetime | None
    present: bool


class ReplyIn(Schema):
    answer: Literal["yes", "no", "maybe"]


class CheckInIn(Schema):
    token: str = Field(..., description="The token in the QR code's address")


class AttendanceIn(Schema):
    person: int


class AttendanceOut(Schema):
    person: int
    how: str
    at: dt.datetime
    new: bool = False

    @staticmethod
    def resolve_person(obj):
        return obj["person"] if isinstance(obj, dict) else obj.person_id


class AgendaIn(Schema):
    title: str = ""
    text: str = ""
    case: str | None = Field(None, description="A case's code; its title is the item's if none is given")
    topic: str | None = Field(None, description="A topic's code (one you organise); it goes on the agenda")


class MinutesItemIn(Schema):
    summary: str = ""
    positions: str = ""
    decision: str = ""


class MinutesIn(Schema):
    summary: str = ""
    items: dict[int, MinutesItemIn] = Field({}, description="By agenda item id")
    reason: str = Field("", description="Needed once the minutes are approved")


class MinutesOut(Schema):
    summary: str
    items: dict[int, MinutesItemIn]
    approved: bool
    approved_at: dt.datetime | None
    approved_by: str | None
    version: int


class VersionOut(Schema):
    number: int
    reason: str
    changed_by: str
    changed_at: dt.datetime
    content: dict


class VenueOut(Schema):
    id: int
    name: str
    compound: int
    compound_name: str
    capacity: int | None

    @staticmethod
    def resolve_compound(obj):
        return obj.compound_id

    @staticmethod
    def resolve_compound_name(obj):
        return obj.compound.name


class BookingOut(Schema):
    id: int
    starts: dt.datetime
    ends: dt.datetime
    purpose: str
    meeting: str | None = Field(None, description="The meeting's code, if a meeting holds it")


class BookingIn(Schema):
    starts: dt.datetime
    ends: dt.datetime
    purpose: str


# --- helpers --------------------------------------------------------------------------------


def _detail(request, meeting: Meeting) -> Meeting:
    user = request.auth
    invitation = (
        Invitation.objects.filter(meeting=meeting, person_id=user.person_id).first() if user.person_id else None
    )
    meeting.my_reply = invitation.reply if invitation else None
    meeting.checkin_url = meeting.replies = None
    meeting.attended = bool(user.person_id) and meeting.attendance.filter(person_id=user.person_id).exists()
    meeting.may_organise = access.can_organise(user, meeting)
    if meeting.may_organise:
        meeting.checkin_url = request.build_absolute_uri(f"/meetings/{meeting.code}/check-in/{meeting.checkin_token}/")
        meeting.replies = dict(
            meeting.invitations.order_by().values_list("reply").annotate(n=Count("pk")).values_list("reply", "n")
        )
    return meeting


def _detail_out(request, meeting):
    return _detail(request, meeting)


def _minutes_out(minutes: Minutes) -> dict:
    return {
        "summary": minutes.summary,
        "items": {
            i.agenda_item_id: {"summary": i.summary, "positions": i.positions, "decision": i.decision}
            for i in minutes.items.all()
        },
        "approved": minutes.frozen,
        "approved_at": minutes.approved_at,
        "approved_by": minutes.approved_by.display_name() if minutes.approved_by_id else None,
        "version": minutes.version,
    }


def _readable_minutes(user, meeting) -> Minutes:
    """Approved minutes for anyone who sees the meeting; a draft for its organisers."""
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_by__person").first()
    if minutes is None or not (minutes.frozen or access.can_organise(user, meeting)):
        raise not_found()
    return minutes


def _one(qs, pk, message):
    if pk is None:
        return None
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ApiError(422, "invalid", message)
    return found


# --- venues (before /{code}, which would take "venues" for a meeting's code) -------------------


@router.get("/venues", response={200: list[VenueOut], **ERRORS}, summary="Venues where you call meetings")
@paginate(Pagination)
def list_venues(request):
    return access.venues_for(request.auth).order_by("compound__name", "name")


@router.get("/venues/{venue_id}/bookings", response={200: list[BookingOut], **ERRORS}, summary="A venue's bookings")
def venue_bookings(request, venue_id: int, start: dt.date | None = None, days: int = 7):
    """Bookings that overlap `days` days (at most 62) from `start` (today by default)."""
    venue = access.access_venue(request.auth, venue_id)
    first = timezone.make_aware(dt.datetime.combine(start or timezone.localdate(), dt.time()))
    last = first + dt.timedelta(days=max(1, min(days, 62)))
    qs = (
        Booking.objects.filter(venue=venue, cancelled=False, starts__lt=last, ends__gt=first)
        .select_related("meeting")
        .order_by("starts")
    )
    return [
        {"id": b.pk, "starts": b.starts, "ends": b.ends, "purpose": b.purpose, "meeting": _meeting_code(b)} for b in qs
    ]


def _meeting_code(booking):
    try:
        return booking.meeting.code
    except Meeting.DoesNotExist:
        return None


@router.post("/venues/{venue_id}/bookings", response={201: BookingOut, **ERRORS}, summary="Book a venue")
def book_venue(request, venue_id: int, payload: BookingIn):
    """Refused (422, with what holds the venue) when it overlaps a booking or falls outside the
    opening hours."""
    venue = access.access_venue(request.auth, venue_id)
    with meeting_errors():
        booking = services.book(
            venue=venue, starts=payload.starts, ends=payload.ends, purpose=payload.purpose, user=request.auth
        )
    return Answer(201, {"id": booking.pk, "starts": booking.starts, "ends": booking.ends, "purpose": booking.purpose})


# --- reading --------------------------------------------------------------------------------


class MeetingFilter(Schema):
    when: Literal["upcoming", "past"] | None = Field(None, description="upcoming: not ended yet; past: ended")
    status: Literal["planned", "held", "cancelled"] | None = None


@router.get("", response={200: list[MeetingOut], **ERRORS}, summary="Meetings you can see")
@paginate(Pagination)
def list_meetings(request, filters: Query[MeetingFilter]):
    """Organisers see the meetings of their places; others those they are invited to and those
    of the places they live in. Each with your reply."""
    user = request.auth
    qs = access.visible_meetings(user)
    now = timezone.now()
    if filters.when == "upcoming":
        qs = qs.filter(ends__gte=now).order_by("starts", "pk")
    elif filters.when == "past":
        qs = qs.filter(ends__lt=now).order_by("-starts", "-pk")
    else:
        qs = qs.order_by("-starts", "-pk")
    if filters.status:
        qs = qs.filter(status=filters.status)
    return _WithReplies(qs, user)


class _WithReplies:
    """A queryset that, once paginated, adds the caller's replies in one query."""

    def __init__(self, qs, user):
        self.qs, self.user = qs, user

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        rows = list(self.qs[key])
        replies = {}
        if self.user.person_id and rows:
            replies = dict(
                Invitation.objects.filter(person_id=self.user.person_id, meeting__in=[m.pk for m in rows]).values_list(
                    "meeting_id", "reply"
                )
            )
        for m in rows:
            m.my_reply = replies.get(m.pk)
        return rows


@router.get("/{code}", response={200: MeetingDetailOut, **ERRORS}, summary="One meeting, with its agenda")
def get_meeting(request, code: str):
    return _detail_out(request, access.access_meeting(request.auth, code))


@router.get(
    "/{code}/calendar.ics",
    response={200: str, **ERRORS},
    summary="The meeting as iCalendar",
    openapi_extra={"responses": {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}}},
)
def calendar(request, code: str):
    meeting = access.access_meeting(request.auth, code)
    url = request.build_absolute_uri(f"/meetings/{meeting.code}/")
    return HttpResponse(services.ical(meeting, url=url), content_type="text/calendar; charset=utf-8")


# --- calling and moving a meeting -----------------------------------------------------------------


@router.post("", response={201: MeetingDetailOut, **ERRORS}, summary="Plan a meeting")
def plan(request, payload: PlanIn):
    """The place is the narrowest of community, compound, building, stairwell given. A venue is
    booked at once: a double booking or a time outside its hours is refused with what holds it."""
    user = request.auth
    community = _one(Community.objects.all(), payload.community, _("Choose where the meeting is for."))
    compound = _one(Compound.objects.all(), payload.compound, _("Choose where the meeting is for."))
    building = _one(Building.objects.all(), payload.building, _("That building is not in this compound."))
    stairwell = _one(Stairwell.objects.all(), payload.stairwell, _("That stairwell is not in this building."))
    if community is None:
        place = stairwell or building or compound
        community = (
            place.building.compound.community
            if isinstance(place, Stairwell)
            else place.compound.community
            if isinstance(place, Building)
            else place.community
            if place
            else None
        )
    if community is None:
        raise ApiError(422, "invalid", _("Choose where the meeting is for."))
    if not access.may_organise_at(user, community=community, compound=compound, building=building, stairwell=stairwell):
        # Checked before the organisation and the venue, so that nothing is told of a place beyond reach.
        with meeting_errors():
            raise services.MeetingError(_("You may not call a meeting for this place."))
    organiser = _one(
        access.organisers_for(user, community), payload.organiser, _("You may not call a meeting in this name.")
    )
    venue = _one(access.venues_for(user), payload.venue, _("That venue is not in this community."))
    with meeting_errors():
        meeting = services.plan(
            user=user, kind=payload.kind, title=payload.title, description=payload.description,
            community=community if not (compound or building or stairwell) else None, compound=compound,
            building=building, stairwell=stairwell, organiser=organiser, mode=payload.mode, venue=venue,
            location=payload.location, online_url=payload.online_url, starts=payload.starts, ends=payload.ends,
        )  # fmt: skip
    return Answer(201, _detail_out(request, access.access_meeting(user, meeting.code)))


@router.post("/{code}/reschedule", response={200: MeetingDetailOut, **ERRORS}, summary="Move a meeting (organisers)")
def reschedule(request, code: str, payload: TimesIn):
    meeting = access.organise_meeting(request.auth, code)
    with meeting_errors():
        services.reschedule(meeting=meeting, user=request.auth, starts=payload.starts, ends=payload.ends)
    return _detail_out(request, access.access_meeting(request.auth, code))


@router.post("/{code}/cancel", response={200: MeetingDetailOut, **ERRORS}, summary="Cancel a meeting (organisers)")
def cancel(request, code: str, payload: ReasonIn):
    meeting = access.organise_meeting(request.auth, code)
    with meeting_errors():
        services.cancel(meeting=meeting, user=request.auth, reason=payload.reason)
    return _detail_out(request, access.access_meeting(request.auth, code))


# --- invitations, replies, attendance ---------------------------------------------------------


@router.post("/{code}/invitations", response={201: dict, **ERRORS}, summary="Invite by role and by name (organisers)")
def invite(request, code: str, payload: InviteIn):
    """Answers {"added": n}: how many are newly invited (someone invited already is not twice)."""
    user = request.auth
    meeting = access.organise_meeting(user, code)
    unknown = [r for r in payload.roles if r not in services.INVITE_ROLES]
    if unknown:
        raise ApiError(422, "invalid", _("Unknown group to invite."))
    people = list(access.invitable_people(user, meeting).filter(pk__in=payload.people).values_list("pk", flat=True))
    if len(set(payload.people)) != len(people):
        raise ApiError(422, "invalid", _("Someone to invite is not within your reach."))
    with meeting_errors():
        added = services.invite(meeting=meeting, roles=payload.roles, people=people)
    return Answer(201, {"added": added})


@router.get("/{code}/invitations", response={200: list[InvitationOut], **ERRORS}, summary="Replies (organisers)")
@paginate(Pagination)
def invitations(request, code: str, reply: Literal["pending", "yes", "no", "maybe"] | None = None):
    user = request.auth
    meeting = access.organise_meeting(user, code)
    qs = meeting.invitations.select_related("person").order_by("pk")
    if reply:
        qs = qs.filter(reply=reply)
    return _InvitationRows(qs, user, meeting)


class _InvitationRows(_WithReplies):
    def __init__(self, qs, user, meeting):
        self.qs, self.user, self.meeting = qs, user, meeting

    def __getitem__(self, key):
        rows = list(self.qs[key])
        ids = [i.person_id for i in rows]
        known = set(access.visible_people(self.user).filter(pk__in=ids).values_list("pk", flat=True))
        present = set(
            Attendance.objects.filter(meeting=self.meeting, person_id__in=ids).values_list("person_id", flat=True)
        )
        return [
            {
                "person": i.person_id,
                "name": i.person.name if i.person_id in known else mask_name(i.person.name),
                "as_what": i.as_what,
                "reply": i.reply,
                "replied_at": i.replied_at,
                "present": i.person_id in present,
            }
            for i in rows
        ]


@router.post("/{code}/reply", response={200: dict, **ERRORS}, summary="Reply to your invitation")
def reply(request, code: str, payload: ReplyIn):
    meeting = access.access_meeting(request.auth, code)
    with meeting_errors():
        invitation = services.reply(meeting=meeting, user=request.auth, answer=payload.answer)
    return {"reply": invitation.reply, "replied_at": invitation.replied_at}


@router.post("/{code}/check-in", response={200: AttendanceOut, **ERRORS}, summary="Check in with the QR code's token")
def check_in(request, code: str, payload: CheckInIn):
    """From 30 minutes before the start to 30 minutes after the end; the token must be this
    meeting's. Checking in twice is no error (`new` is false)."""
    meeting = access.access_meeting(request.auth, code)
    with meeting_errors():
        attendance, new = services.check_in(meeting=meeting, user=request.auth, token=payload.token)
    return {"person": attendance.person_id, "how": attendance.how, "at": attendance.at, "new": new}


@router.get("/{code}/attendance", response={200: list[AttendanceOut], **ERRORS}, summary="Who came (organisers)")
@paginate(Pagination)
def attendance(request, code: str):
    meeting = access.organise_meeting(request.auth, code)
    return meeting.attendance.order_by("at", "pk")


@router.post("/{code}/attendance", response={201: AttendanceOut, **ERRORS}, summary="Mark someone present (organisers)")
def mark_attended(request, code: str, payload: AttendanceIn):
    user = request.auth
    meeting = access.organise_meeting(user, code)
    person = access.invitable_people(user, meeting).filter(pk=payload.person).first()
    if person is None:
        raise not_found()
    with meeting_errors():
        row, new = services.mark_attended(meeting=meeting, person=person, user=user)
    return Answer(201, {"person": row.person_id, "how": row.how, "at": row.at, "new": new})


# --- agenda and minutes -----------------------------------------------------------------------


@router.get("/{code}/agenda", response={200: list[AgendaItemOut], **ERRORS}, summary="The agenda")
def agenda(request, code: str):
    meeting = access.access_meeting(request.auth, code)
    return list(meeting.agenda.select_related("case", "topic"))


@router.post("/{code}/agenda", response={201: AgendaItemOut, **ERRORS}, summary="Add an agenda item (organisers)")
def add_agenda_item(request, code: str, payload: AgendaIn):
    user = request.auth
    meeting = access.organise_meeting(user, code)
    case = None
    if payload.case:
        try:
            case = case_access.access_case(user, payload.case.strip())
        except Http404:
            raise ApiError(422, "invalid", _("No case with this code within your reach.")) from None
    topic = None
    if payload.topic:
        from linli.topics.access import organised_topics

        topic = organised_topics(user).filter(code=payload.topic.strip().upper()).first()
        if topic is None:
            raise ApiError(422, "invalid", _("No topic with this code within your reach."))
    with meeting_errors():
        item = services.add_agenda_item(
            meeting=meeting, title=payload.title or (case.title if case else ""), text=payload.text, case=case,
            topic=topic, user=user,
        )  # fmt: skip
    return Answer(201, AgendaItem.objects.select_related("case", "topic").get(pk=item.pk))


@router.get("/{code}/minutes", response={200: MinutesOut, **ERRORS}, summary="The minutes")
def get_minutes(request, code: str):
    """Approved minutes for anyone who sees the meeting; the draft for its organisers."""
    meeting = access.access_meeting(request.auth, code)
    return _minutes_out(_readable_minutes(request.auth, meeting))


@router.put("/{code}/minutes", response={200: MinutesOut, **ERRORS}, summary="Write the minutes (organisers)")
def write_minutes(request, code: str, payload: MinutesIn):
    """Approved minutes change only with a `reason`; the approved text is kept as a version."""
    meeting = access.organise_meeting(request.auth, code)
    with meeting_errors():
        services.write_minutes(
            meeting=meeting, user=request.auth, summary=payload.summary,
            items={k: v.dict() for k, v in payload.items.items()}, reason=payload.reason,
        )  # fmt: skip
    return _minutes_out(_readable_minutes(request.auth, meeting))


@router.post(
    "/{code}/minutes/approve", response={200: MinutesOut, **ERRORS}, summary="Approve the minutes (organisers)"
)
def approve_minutes(request, code: str):
    meeting = access.organise_meeting(request.auth, code)
    with meeting_errors():
        services.approve_minutes(meeting=meeting, user=request.auth)
    return _minutes_out(_readable_minutes(request.auth, meeting))


@router.get("/{code}/minutes/versions", response={200: list[VersionOut], **ERRORS}, summary="Earlier versions")
def minutes_versions(request, code: str):
    meeting = access.access_meeting(request.auth, code)
    minutes = _readable_minutes(request.auth, meeting)
    return [
        {
            "number": v.number,
            "reason": v.reason,
            "changed_by": v.changed_by.display_name(),
            "changed_at": v.changed_at,
            "content": v.content,
        }
        for v in MinutesVersion.objects.filter(minutes=minutes).select_related("changed_by__person")
    ]
