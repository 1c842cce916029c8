"""Duty rosters over the API, under /api/v1/rosters: the caller's coming duties, check-in at a
post by its QR token, asking for a swap of one's duty; for organisers the posts, a compound's
gaps, shifts made from a daily pattern, assigning and unassigning people, deciding swaps. An
object outside the caller's reach is a 404; a refusal of rosters.services becomes 403, 409 or
422 with its message."""

import contextlib
import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as Answer

from linli.accounts.scope import visible_people, visible_places
from linli.lib.api_support import ApiError, ErrorOut

from . import services
from .models import Duty, Shift, SwapRequest
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


# --- organisers: posts, shifts in bulk, unassigning, swaps ----------------------------------


class PostOut(Schema):
    id: int
    compound_id: int
    compound: str
    name: str
    active: bool


class TimesIn(Schema):
    starts: dt.time
    ends: dt.time


class BulkIn(Schema):
    first: dt.date
    last: dt.date
    pattern: list[TimesIn]
    needed: int = 1


class SwapIn(Schema):
    to_person_id: int
    reason: str = ""


class SwapOut(Schema):
    id: int
    duty_id: int
    shift: ShiftOut
    on_duty: str
    to_person: str
    reason: str
    status: str


class DecisionIn(Schema):
    approve: bool


def _swap(s):
    return SwapOut(
        id=s.pk,
        duty_id=s.duty_id,
        shift=_shift(s.duty.shift),
        on_duty=s.duty.person.name,
        to_person=s.to_person.name,
        reason=s.reason,
        status=s.status,
    )


@router.get("/posts", response=list[PostOut])
def posts(request):
    """The posts of the compounds the caller organises."""
    qs = services.organised_posts(request.user).select_related("compound").order_by("compound__name", "name")
    return [
        PostOut(id=p.pk, compound_id=p.compound_id, compound=p.compound.name, name=p.name, active=p.active) for p in qs
    ]


@router.post("/posts/{int:post_id}/shifts/bulk", response={201: list[ShiftOut], **ERRORS})
def bulk_shifts(request, post_id: int, payload: BulkIn):
    """Shifts for every day from first to last, one per (starts, ends) of the pattern; an end at
    or before its start runs past midnight; shifts that already exist are kept (not returned)."""
    post = get_object_or_404(services.organised_posts(request.user).select_related("compound"), pk=post_id)
    with roster_errors("pattern"):
        made = services.bulk_create_shifts(
            user=request.user,
            post=post,
            first=payload.first,
            last=payload.last,
            pattern=[(t.starts, t.ends) for t in payload.pattern],
            needed=payload.needed,
        )
    return Answer(201, [_shift(s, 0) for s in made])


@router.delete("/duties/{int:duty_id}", response={204: None, **ERRORS})
def unassign(request, duty_id: int):
    duty = get_object_or_404(
        Duty.objects.filter(shift__post__in=services.organised_posts(request.user)).select_related(
            "shift__post__compound"
        ),
        pk=duty_id,
    )
    with roster_errors():
        services.unassign(user=request.user, duty=duty)
    return Answer(204, None)


@router.post("/duties/{int:duty_id}/swaps", response={201: SwapOut, **ERRORS})
def ask_swap(request, duty_id: int, payload: SwapIn):
    """The person on duty (or an organiser) asks for another person to take the shift."""
    mine = Q(person_id=request.user.person_id) if request.user.person_id else Q(pk__in=[])
    duty = get_object_or_404(
        Duty.objects.filter(mine | Q(shift__post__in=services.organised_posts(request.user))).select_related(
            "shift__post__compound", "person"
        ),
        pk=duty_id,
    )
    compound = duty.shift.post.compound
    offered = services.candidates(compound).filter(pk=payload.to_person_id).first()
    to_person = offered or get_object_or_404(visible_people(request.user), pk=payload.to_person_id)
    with roster_errors("to_person_id"):
        swap = services.request_swap(user=request.user, duty=duty, to_person=to_person, reason=payload.reason)
    return Answer(201, _swap(swap))


@router.post("/swaps/{int:swap_id}/decision", response={200: SwapOut, **ERRORS})
def decide_swap(request, swap_id: int, payload: DecisionIn):
    swap = get_object_or_404(
        SwapRequest.objects.filter(duty__shift__post__in=services.organised_posts(request.user)).select_related(
            "duty__shift__post__compound", "duty__person", "to_person"
        ),
        pk=swap_id,
    )
    with roster_errors():
        swap = services.decide_swap(user=request.user, swap=swap, approve=payload.approve)
    swap = SwapRequest.objects.select_related("duty__shift__post", "duty__person", "to_person").get(pk=swap.pk)
    return Answer(200, _swap(swap))
