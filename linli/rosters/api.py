"""Duty rosters over the API, under /api/v1/rosters: the caller's coming duties, check-in at a
post by its QR token, a compound's gaps (organisers), assigning a person to a shift
(organisers). A shift or compound outside the caller's reach is a 404; a refusal of
rosters.services becomes 403, 409 or 422 with its message."""

import contextlib
import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Answer

from linli.accounts.scope import visible_people, visible_places
from linli.lib.api_support import ApiError, ErrorOut

from . import services
from .models import Shift
from .services import RosterError

router = Router(tags=["rosters"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CODES = {403: "permission_denied", 409: "conflict", 422: "invalid"}


@contextlib.contextmanager
def roster_errors(field: str = "body"):
    try:
        yield
    except RosterError as exc:
        if exc.status_code == 404:
            raise ApiError(404, "not_found", exc.message) from None
        status = exc.status_code if exc.status_code in CODES else 422
        errors = [{"field": exc.field or field, "message": exc.message}] if status == 422 else None
        raise ApiError(status, CODES[status], exc.message, errors=errors) from None


class ShiftOut(Schema):
    id: int
    post: str
    starts: dt.datetime
    ends: dt.datetime
    needed: int
    staffed: int | None = None


class DutyOut(Schema):
    id: int
    shift: ShiftOut
    checked_in_at: dt.datetime | None


class CheckInIn(Schema):
    token: str


class AssignIn(Schema):
    person_id: int


def _shift(s, staffed=None):
    return ShiftOut(id=s.pk, post=s.post.name, starts=s.starts, ends=s.ends, needed=s.needed, staffed=staffed)


def _duty(d):
    return DutyOut(id=d.pk, shift=_shift(d.shift), checked_in_at=d.checked_in_at)


@router.get("/mine", response=list[DutyOut])
def mine(request):
    person = getattr(request.user, "person", None)
    return [_duty(d) for d in services.my_duties(person)] if person else []


@router.post("/checkin", response={200: DutyOut, **ERRORS})
def checkin(request, payload: CheckInIn):
    with roster_errors("token"):
        return _duty(services.check_in(user=request.user, token=payload.token))


@router.get("/compounds/{int:compound_id}/gaps", response={200: list[ShiftOut], 403: ErrorOut, 404: ErrorOut})
def gaps(request, compound_id: int):
    compound = get_object_or_404(visible_places(request.user, "compound"), pk=compound_id)
    if not services.may_organise(request.user, compound):
        raise ApiError(403, "permission_denied", _("Only the compound's organisers may change its roster."))
    return [_shift(s, s.staffed) for s in services.gaps(compound)]


@router.post("/shifts/{int:shift_id}/duties", response={201: DutyOut, **ERRORS})
def assign(request, shift_id: int, payload: AssignIn):
    shift = get_object_or_404(Shift.objects.filter(post__in=services.visible_posts(request.user)), pk=shift_id)
    person = get_object_or_404(visible_people(request.user), pk=payload.person_id)
    with roster_errors("person_id"):
        return Answer(201, _duty(services.assign(user=request.user, shift=shift, person=person)))
