"""Volunteering over the API, under /api/v1/volunteers: teams and join requests, activities,
sign-up and cancel, check-in and check-out, hours confirmation, the ledger and adjustments,
the leaderboard.

Teams and activities are fetched through volunteers.access (outside the caller's reach is a
404) and every change goes through volunteers.services, whose refusals become 403, 409 or 422
with their message as {"detail": ...}."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer

from linli.accounts.scope import visible_places
from linli.lib.api_support import ApiError, ErrorOut
from linli.people.models import Membership, Person

from . import access, services
from .models import Activity, HoursEntry, JoinRequest, SignUp
from .services import VolunteerError

router = Router(tags=["volunteers"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CODES = {403: "permission_denied", 409: "conflict", 422: "invalid"}


@contextlib.contextmanager
def errors(field: str = "body"):
    try:
        yield
    except VolunteerError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        status = exc.status_code if exc.status_code in CODES else 422
        errs = [{"field": exc.field or field, "message": exc.message}] if status == 422 else None
        raise ApiError(status, CODES[status], exc.message, errors=errs) from None


# --- schemas ------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    place: str
    member: bool
    organiser: bool


class TeamDetailOut(TeamOut):
    members: list[str] = Field(..., description="Names of the active members")


class JoinIn(Schema):
    message: str = Field("", max_length=300)


class JoinRequestOut(Schema):
    id: int
    team_id: int
    person: str
    message: str
    state: str
    created: dt.datetime


class DecideIn(Schema):
    approve: bool


class ActivityOut(Schema):
    code: str
    team_id: int
    team: str
    kind: str
    title: str
    venue: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int | None
    taken: int
    state: str
    my_state: str | None = Field(None, description="signed_up | waiting | cancelled | null")
    waiting_position: int | None = None


class ActivityIn(Schema):
    team_id: int
    kind: str
    title: str = Field(..., max_length=80)
    venue: str = Field(..., max_length=120)
    description: str = ""
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int | None = None


class ActivityPatchIn(Schema):
    """Only the fields sent change; `capacity: null` means no limit."""

    title: str | None = Field(None, max_length=80)
    venue: str | None = Field(None, max_length=120)
    description: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    capacity: int | None = None


class SeriesIn(Schema):
    team_id: int
    kind: str
    title: str = Field(..., max_length=80)
    venue: str = Field(..., max_length=120)
    description: str = ""
    rrule: str = Field(..., description="RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=SU")
    first_start: dt.datetime
    duration_minutes: int
    capacity: int | None = None
    skip_holidays: bool = True


class SeriesOut(Schema):
    id: int
    activities: list[str] = Field(..., description="Codes of the dates created")


class SignUpOut(Schema):
    state: str
    waiting_position: int | None


class CheckInIn(Schema):
    token: str = Field(..., description="The token in the QR code's address")


class AttendanceOut(Schema):
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None


class ConfirmIn(Schema):
    person_id: int
    minutes: int | None = Field(
        None, description="Default: check-in..check-out clipped to the activity, or its duration"
    )


class EntryOut(Schema):
    id: int
    on: dt.date
    minutes: int
    kind: str
    reason: str
    activity: str | None
    at: dt.datetime


class LedgerOut(Schema):
    person_id: int
    total_minutes: int
    points: str = Field(..., description="Time-bank points: minutes × VOLUNTEERS_POINTS_PER_HOUR / 60")
    entries: list[EntryOut]


class AdjustIn(Schema):
    minutes: int
    reason: str = Field(..., max_length=200)


class RowOut(Schema):
    rank: int
    name: str = Field(..., description="Masked (志愿者 李**) unless the volunteer shows his name")
    minutes: int
    hours: float


# --- teams --------------------------------------------------------------------------------


def _team_out(request, org) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "place": str(org.place),
        "member": access.is_member(request.user.person_id, org),
        "organiser": access.may_manage(request.user, org),
    }


@router.get("/teams", response=list[TeamOut], summary="Teams and clubs within reach")
def list_teams(request):
    qs = access.visible_teams(request.user).select_related(
        "subdistrict", "community", "compound", "building", "stairwell"
    )
    return [_team_out(request, t) for t in qs.order_by("name")[:200]]


@router.get("/teams/{team_id}", response={200: TeamDetailOut, **ERRORS}, summary="One team")
def get_team(request, team_id: int):
    org = access.access_team(request.user, team_id)
    names = list(Membership.objects.active().filter(organisation=org).values_list("person__name", flat=True))
    return {**_team_out(request, org), "members": names}


def _join_out(r: JoinRequest) -> dict:
    return {
        "id": r.pk,
        "team_id": r.organisation_id,
        "person": r.person.name,
        "message": r.message,
        "state": r.state,
        "created": r.created,
    }


@router.post("/teams/{team_id}/join", response={201: JoinRequestOut, **ERRORS}, summary="Ask to join a team")
def join_team(request, team_id: int, payload: JoinIn):
    org = access.access_team(request.user, team_id)
    with errors():
        r = services.request_join(user=request.user, organisation=org, message=payload.message)
    return Answer(201, _join_out(r))


@router.get(
    "/teams/{team_id}/join-requests",
    response={200: list[JoinRequestOut], **ERRORS},
    summary="Pending join requests (organisers)",
)
def join_requests(request, team_id: int):
    org = access.access_team(request.user, team_id)
    if not access.may_manage(request.user, org):
        raise ApiError(403, "permission_denied", _("Only the team's leaders and the community's staff can do this."))
    qs = JoinRequest.objects.filter(organisation=org, state=JoinRequest.State.PENDING).select_related("person")
    return [_join_out(r) for r in qs]


@router.post(
    "/join-requests/{request_id}/decide", response={200: JoinRequestOut, **ERRORS}, summary="Approve or decline"
)
def decide(request, request_id: int, payload: DecideIn):
    r = get_object_or_404(
        JoinRequest.objects.select_related("person", "organisation"),
        pk=request_id,
        organisation__in=access.visible_teams(request.user),
    )
    with errors():
        r = services.decide_join(user=request.user, request=r, approve=payload.approve)
    return _join_out(r)


# --- activities ---------------------------------------------------------------------------


def _activity_out(request, a: Activity, signup: SignUp | None = None, taken: int | None = None) -> dict:
    if taken is None:
        taken = a.signups.filter(state=SignUp.State.SIGNED_UP).count()
    return {
        "code": a.code,
        "team_id": a.organisation_id,
        "team": a.organisation.name,
        "kind": a.kind,
        "title": a.title,
        "venue": a.venue,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "capacity": a.capacity,
        "taken": taken,
        "state": a.state,
        "my_state": signup.state if signup else None,
        "waiting_position": services.waiting_position(signup) if signup else None,
    }


@router.get("/activities", response=list[ActivityOut], summary="Coming activities within reach")
def list_activities(request, team_id: int | None = None, days: int = 60):
    now = timezone.now()
    qs = (
        access.visible_activities(request.user)
        .filter(ends_at__gte=now, starts_at__lte=now + dt.timedelta(days=min(max(days, 1), 366)))
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )
    if team_id:
        qs = qs.filter(organisation_id=team_id)
    activities = list(qs[:200])
    mine = {s.activity_id: s for s in SignUp.objects.filter(activity__in=activities, person_id=request.user.person_id)}
    from django.db.models import Count

    taken = dict(
        SignUp.objects.filter(activity__in=activities, state=SignUp.State.SIGNED_UP)
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values_list("activity_id", "n")
    )
    return [_activity_out(request, a, mine.get(a.pk), taken.get(a.pk, 0)) for a in activities]


@router.get("/activities/{code}", response={200: ActivityOut, **ERRORS}, summary="One activity")
def get_activity(request, code: str):
    a = access.access_activity(request.user, code)
    return _activity_out(request, a, SignUp.objects.filter(activity=a, person_id=request.user.person_id).first())


@router.post("/activities", response={201: ActivityOut, **ERRORS}, summary="Create an activity (organisers)")
def create_activity(request, payload: ActivityIn):
    org = access.access_team(request.user, payload.team_id)
    with errors():
        a = services.create_activity(
            user=request.user,
            organisation=org,
            **payload.dict(exclude={"team_id"}),
        )
    return Answer(201, _activity_out(request, a))


@router.patch(
    "/activities/{code}",
    response={200: ActivityOut, **ERRORS},
    summary="Change an activity before it starts (organisers)",
)
def edit_activity(request, code: str, payload: ActivityPatchIn):
    a = access.access_activity(request.user, code)
    changes = payload.dict(exclude_unset=True)
    for f in ("title", "venue", "description", "starts_at", "ends_at"):
        if f in changes and changes[f] is None:
            msg = _("This field cannot be empty.")
            raise ApiError(422, "invalid", msg, errors=[{"field": f, "message": msg}])
    with errors():
        a = services.edit_activity(a, by=request.user, **changes)
    return _activity_out(request, a, SignUp.objects.filter(activity=a, person_id=request.user.person_id).first())


@router.post("/series", response={201: SeriesOut, **ERRORS}, summary="Create a recurring activity (organisers)")
def create_series(request, payload: SeriesIn):
    org = access.access_team(request.user, payload.team_id)
    with errors():
        s = services.create_series(user=request.user, organisation=org, **payload.dict(exclude={"team_id"}))
    return Answer(
        201, {"id": s.pk, "activities": list(s.activities.order_by("starts_at").values_list("code", flat=True))}
    )


@router.post(
    "/activities/{code}/sign-up", response={200: SignUpOut, **ERRORS}, summary="Sign up (or join the waiting list)"
)
def sign_up(request, code: str):
    a = access.access_activity(request.user, code)
    with errors():
        s = services.sign_up(activity=a, user=request.user)
    return {"state": s.state, "waiting_position": services.waiting_position(s)}


@router.post("/activities/{code}/cancel-sign-up", response={200: SignUpOut, **ERRORS}, summary="Cancel my sign-up")
def cancel_sign_up(request, code: str):
    a = access.access_activity(request.user, code)
    with errors():
        s = services.cancel_sign_up(activity=a, user=request.user)
    return {"state": s.state, "waiting_position": None}


class CancelIn(Schema):
    reason: str = Field(..., max_length=200)


@router.post(
    "/activities/{code}/cancel", response={200: ActivityOut, **ERRORS}, summary="Cancel the activity (organisers)"
)
def cancel_activity(request, code: str, payload: CancelIn):
    a = access.access_activity(request.user, code)
    with errors():
        a = services.cancel_activity(activity=a, user=request.user, reason=payload.reason)
    return _activity_out(request, a)


@router.post(
    "/activities/{code}/check-in", response={200: AttendanceOut, **ERRORS}, summary="Check in with the QR code's token"
)
def check_in(request, code: str, payload: CheckInIn):
    a = access.access_activity(request.user, code)
    with errors("token"):
        return services.check_in(activity=a, user=request.user, token=payload.token)


@router.post("/activities/{code}/check-out", response={200: AttendanceOut, **ERRORS}, summary="Check out")
def check_out(request, code: str):
    a = access.access_activity(request.user, code)
    with errors():
        return services.check_out(activity=a, user=request.user)


@router.post(
    "/activities/{code}/hours", response={201: EntryOut, **ERRORS}, summary="Confirm a volunteer's hours (organisers)"
)
def confirm_hours(request, code: str, payload: ConfirmIn):
    a = access.access_activity(request.user, code)
    person = get_object_or_404(Person, pk=payload.person_id, volunteer_signups__activity=a)
    with errors("minutes"):
        e = services.confirm_hours(activity=a, user=request.user, person=person, minutes=payload.minutes)
    return Answer(201, _entry(e))


# --- hours and ledger ---------------------------------------------------------------------


def _entry(e: HoursEntry) -> dict:
    return {
        "id": e.pk,
        "on": e.on,
        "minutes": e.minutes,
        "kind": e.kind,
        "reason": e.reason,
        "activity": e.activity.code if e.activity_id else None,
        "at": e.at,
    }


def _ledger(person) -> dict:
    entries = list(HoursEntry.objects.filter(person=person).select_related("activity").order_by("at", "pk"))
    total = sum(e.minutes for e in entries)
    return {
        "person_id": person.pk,
        "total_minutes": total,
        "points": str(services.points(total)),
        "entries": [_entry(e) for e in entries],
    }


@router.get("/hours", response={200: LedgerOut, **ERRORS}, summary="My hours ledger")
def my_hours(request):
    if request.user.person is None:
        raise Http404
    return _ledger(request.user.person)


def _adjustable(request, person_id: int) -> Person:
    person = get_object_or_404(Person, pk=person_id)
    if not services.may_adjust(request.user, person):
        raise Http404
    return person


@router.get("/ledger/{person_id}", response={200: LedgerOut, **ERRORS}, summary="A volunteer's ledger (organisers)")
def ledger(request, person_id: int):
    return _ledger(_adjustable(request, person_id))


@router.post(
    "/ledger/{person_id}/adjust", response={201: EntryOut, **ERRORS}, summary="Adjust with a reason (organisers)"
)
def adjust(request, person_id: int, payload: AdjustIn):
    person = _adjustable(request, person_id)
    with errors("minutes"):
        e = services.adjust_hours(user=request.user, person=person, minutes=payload.minutes, reason=payload.reason)
    return Answer(201, _entry(e))


@router.get(
    "/leaderboard", response={200: list[RowOut], **ERRORS}, summary="Hours per volunteer for a team or a compound"
)
def leaderboard(request, start: dt.date, end: dt.date, team_id: int | None = None, compound_id: int | None = None):
    team = access.access_team(request.user, team_id) if team_id else None
    compound = get_object_or_404(visible_places(request.user, "compound"), pk=compound_id) if compound_id else None
    if team is None and compound is None:
        raise ApiError(422, "invalid", _("Choose a team or a compound."))
    return services.leaderboard(start=start, end=end, organisation=team, compound=compound)
