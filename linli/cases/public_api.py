"""Cases without an account, under /api/v1/public: a compound's public board, following a
case with its code (and the last four digits of the phone, or the follow link's secret), and
the resident's own steps that way: confirming, reopening or rating his case."""

import datetime as dt
import secrets
from typing import Literal

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer

from linli.lib.api_support import ApiError, ErrorOut, Message, Ref, client_ip, invalid_input, ref
from linli.places.models import Compound

from . import lifecycle, limits, services
from .api_schemas import PublicCaseOut, TrackedCaseOut, case_errors, normal_code, public_cases
from .models import FINAL, OPEN311_CLOSED, Case

public_router = Router(tags=["public"], auth=None)

PUBLIC_ERRORS = {404: ErrorOut, 422: ErrorOut}
# The public board shows open cases and those finished within this many days.
BOARD_RECENT_DAYS = 30
# Following a case with its code: attempts per client address, and failed attempts per code
# (four digits are only 10,000 guesses: a code is locked for an hour after a few wrong ones).
TRACK_IP_LIMIT, TRACK_IP_WINDOW = 20, 10 * 60
TRACK_CODE_LIMIT, TRACK_CODE_WINDOW = 5, 60 * 60


# --- the board ---------------------------------------------------------------------------


class BoardOut(Schema):
    compound: Ref
    open_count: int = Field(..., description="Open cases on the board")
    count: int
    items: list[PublicCaseOut]


@public_router.get(
    "/compounds/{int:compound_id}/board",
    response={200: BoardOut, **PUBLIC_ERRORS},
    summary="A compound's public board",
)
def public_board(
    request,
    compound_id: int,
    limit: int = Query(50, ge=1, le=settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE),
    offset: int = Query(0, ge=0),
):
    """Open cases and those finished in the last 30 days, with their public replies. No
    names or homes unless the resident agreed, never a phone number. No login needed."""
    compound = Compound.objects.filter(pk=compound_id).first()
    if compound is None:
        raise Http404
    since = timezone.now() - dt.timedelta(days=BOARD_RECENT_DAYS)
    board = Case.objects.filter(compound=compound, on_public_board=True).filter(
        ~Q(status__in=FINAL) | Q(closed_at__gte=since)
    )
    return {
        "compound": ref(compound),
        "open_count": board.exclude(status__in=OPEN311_CLOSED).count(),
        "count": board.count(),
        "items": list(public_cases(board).order_by("-submitted_at", "-pk")[offset : offset + limit]),
    }


class TrackIn(Schema):
    code: str = Field(..., max_length=20)
    last4: str | None = Field(None, max_length=4, description="The last four digits of the reporter's phone")
    secret: str | None = Field(None, max_length=64, description="Or the secret of the follow link")


def _too_many(response: HttpResponse, wait: int):
    response["Retry-After"] = str(wait)
    message = _("Too many attempts. Please try again in %(minutes)s minutes.") % {"minutes": max(1, wait // 60)}
    return Answer(429, {"detail": message, "code": "throttled"})


def _follow(request, payload: TrackIn, response: HttpResponse):
    """The case matching the code and the digits (or the secret), or an Answer(429) when the
    client address or the code has tried too often. Every try counts for the address, a wrong
    one for the code; the keys are the tracking page's too (public_views), so tries through
    either count together."""
    response["Cache-Control"] = "no-store"
    last4, secret = (payload.last4 or "").strip(), (payload.secret or "").strip()
    if not secret and not (len(last4) == 4 and last4.isdigit()):
        raise invalid_input("body.last4", _("Enter the last four digits of the phone number given with the case."))
    code = normal_code(payload.code)
    code_key = limits.track_code_key(code)
    if limits.hit(limits.track_ip_key(client_ip(request)), TRACK_IP_WINDOW) > TRACK_IP_LIMIT:
        return _too_many(response, TRACK_IP_WINDOW)
    if limits.tries(code_key) >= TRACK_CODE_LIMIT:
        return _too_many(response, TRACK_CODE_WINDOW)
    case = Case.objects.filter(code=code).first()
    matches = case is not None and (
        (secret and case.secret_matches(secret))
        or (last4 and case.phone_last4 and secrets.compare_digest(case.phone_last4.encode(), last4.encode()))
    )
    if not matches:
        limits.hit(code_key, TRACK_CODE_WINDOW)
        raise ApiError(404, "not_found", _("No case matches this code and these digits."))
    return case


def _tracked(case: Case) -> Case:
    case = public_cases(Case.objects.filter(pk=case.pk)).get()
    case.timeline = list(case.events.filter(public=True).select_related("organisation"))
    return case


@public_router.post(
    "/track",
    response={200: TrackedCaseOut, 404: ErrorOut, 422: ErrorOut, 429: Message},
    summary="Follow a case with its code",
)
def track(request, payload: TrackIn, response: HttpResponse):
    """The code and the last four digits of the reporter's phone (or the follow link's
    secret) show the case as the public sees it, with its description and public timeline.
    Limited per client address and per code; a wrong code and wrong digits get the same 404."""
    found = _follow(request, payload, response)
    return found if isinstance(found, Answer) else _tracked(found)


class TrackActionIn(TrackIn):
    action: Literal["close", "reopen", "rate"]
    note: str = Field("", max_length=4000, description="reopen: why (required); rate: a comment (at most 500)")
    stars: int | None = Field(None, ge=1, le=5, description="rate: 1 to 5")


@public_router.post(
    "/track/actions",
    response={200: TrackedCaseOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: Message},
    summary="Confirm, reopen or rate one's case without an account",
)
def track_action(request, payload: TrackActionIn, response: HttpResponse):
    """For the resident who follows his case with its code and digits (or his follow link's
    secret), limited as POST /public/track: `close` confirms a resolved case, `reopen` says it
    is not solved (with a reason), `rate` gives 1 to 5 stars (and closes a resolved case)."""
    found = _follow(request, payload, response)
    if isinstance(found, Answer):
        return found
    if payload.action == "rate":
        with case_errors("body.note"):
            services.rate(case=found, stars=payload.stars, comment=payload.note, as_reporter=True)
    else:
        note = payload.note.strip()
        if payload.action == "close" and not note:
            note = _("The resident confirmed it is resolved.")
        with case_errors("body.note"):
            lifecycle.perform(found, payload.action, as_reporter=True, note=note)
    return _tracked(found)
