"""Campaigns over the API, under /api/v1/campaigns: campaigns within reach, creating and
starting one, assignments (reassign, rebalance), the caller's own list, visits (POST with the
phone's client_id: a replay answers 200 with the same body), progress and the proposed registry
changes (accept, reject).

A campaign outside the caller's reach is a 404; a refusal of campaigns.services becomes 403,
409 or 422 with its message."""

import contextlib
import datetime as dt
import uuid
from typing import Any, Literal

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer

from linli.accounts.scope import access_person, visible_homes
from linli.lib.api_support import ApiError, ErrorOut
from linli.people.models import Occupancy
from linli.places.models import Community, Compound, Subdistrict

from . import access, services
from .models import Assignment, Campaign, CampaignVisit, HomeState, ProposedChange
from .services import CampaignError

router = Router(tags=["campaigns"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CODES = {403: "permission_denied", 409: "conflict", 422: "invalid"}


@contextlib.contextmanager
def campaign_errors(field: str = "body"):
    try:
        yield
    except CampaignError as exc:
        if exc.status_code == 404:
            raise ApiError(404, "not_found", exc.message) from None
        status = exc.status_code if exc.status_code in CODES else 422
        errors = [{"field": exc.field or field, "message": exc.message}] if status == 422 else None
        raise ApiError(status, CODES[status], exc.message, errors=errors) from None


def _campaign(request, campaign_id: int) -> Campaign:
    return get_object_or_404(access.visible_campaigns(request.user), pk=campaign_id)


# --- schemas ------------------------------------------------------------------------------


class Question(Schema):
    key: str | None = None
    label: str
    kind: Literal["yesno", "choice", "number", "text"]
    choices: list[str] | None = None
    required: bool | None = None


class CampaignIn(Schema):
    title: str
    description: str = ""
    level: Literal["subdistrict", "community", "compound"]
    place_id: int
    target: Literal["all", "elderly_alone", "non_registered"] = "all"
    form: list[Question]
    starts_on: dt.date
    ends_on: dt.date


class CampaignOut(Schema):
    id: int
    title: str
    description: str
    level: str
    place: str
    target: str
    form: list[dict[str, Any]]
    starts_on: dt.date
    ends_on: dt.date
    status: str = Field(..., description="draft | running | ended")
    organiser: bool


def _out(request, c: Campaign) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "description": c.description,
        "level": c.level,
        "place": str(c.place),
        "target": c.target,
        "form": c.form,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "status": c.status,
        "organiser": access.may_organise(request.user, c),
    }


class AssignmentOut(Schema):
    home_id: int
    home: str
    stairwell_id: int
    visitor_id: int | None
    visitor: str | None
    source: str
    state: str = Field(..., description="pending | reached | not_home | refused | moved_out | empty")
    state_label: str
    revisit_on: dt.date | None
    visits: int


def _assignment(a: Assignment) -> dict:
    return {
        "home_id": a.home_id,
        "home": str(a.home),
        "stairwell_id": a.home.stairwell_id,
        "visitor_id": a.visitor_id,
        "visitor": a.visitor.name if a.visitor_id else None,
        "source": a.source,
        "state": a.state,
        "state_label": str(a.get_state_display()),
        "revisit_on": a.revisit_on,
        "visits": a.visits,
    }


class ResidentOut(Schema):
    id: int
    name: str


class MyHomeOut(AssignmentOut):
    floor: int
    number: str
    residents: list[ResidentOut]


class MyGroupOut(Schema):
    campaign_id: int
    campaign: str
    stairwell_id: int
    stairwell: str
    open: int
    homes: list[MyHomeOut]


class ReassignIn(Schema):
    home_ids: list[int]
    person_id: int | None = Field(None, description="Empty: unassigned")


class RebalanceIn(Schema):
    leaving_id: int
    to_id: int | None = Field(None, description="Empty: back through the assignment rule")


class CountOut(Schema):
    count: int


class ChangeIn(Schema):
    kind: Literal["moved_out", "new_resident", "new_phone"]
    person_id: int | None = None
    name: str = ""
    phone: str = ""
    relation: str = ""


class VisitIn(Schema):
    campaign_id: int
    home_id: int
    client_id: uuid.UUID = Field(..., description="Made on the phone; the same id sent again is the same visit")
    outcome: Literal["reached", "not_home", "refused", "moved_out", "empty"]
    answers: dict[str, Any] = {}
    note: str = ""
    visited_at: dt.datetime | None = None
    changes: list[ChangeIn] = []


class VisitOut(Schema):
    id: int
    client_id: uuid.UUID
    campaign_id: int
    home_id: int
    outcome: str
    answers: dict[str, Any]
    note: str
    visited_at: dt.datetime
    received_at: dt.datetime
    home_state: str
    revisit_on: dt.date | None
    proposed_changes: int
    case: str | None


def _visit(v: CampaignVisit) -> dict:
    a = Assignment.objects.get(pk=v.assignment_id)
    return {
        "id": v.pk,
        "client_id": v.client_id,
        "campaign_id": v.campaign_id,
        "home_id": v.home_id,
        "outcome": v.outcome,
        "answers": v.answers,
        "note": v.note,
        "visited_at": v.visited_at,
        "received_at": v.received_at,
        "home_state": a.state,
        "revisit_on": a.revisit_on,
        "proposed_changes": v.proposed_changes.count(),
        "case": v.case.code if v.case_id else None,
    }


class CaseIn(Schema):
    category: str = Field(..., description="A case category's code")
    title: str
    description: str


class CaseOut(Schema):
    code: str


class ProgressRow(Schema):
    id: int | None = None
    name: str | None = None
    total: int
    reached: int
    open: int
    share: int = Field(..., description="Reached, in percent")
    pending: int
    not_home: int
    refused: int
    moved_out: int
    empty: int


class StairwellRow(ProgressRow):
    building: str


class ProgressOut(Schema):
    total: ProgressRow
    buildings: list[ProgressRow]
    stairwells: list[StairwellRow]
    visitors: list[ProgressRow]
    pending_changes: int


class ProposedChangeOut(Schema):
    id: int
    home_id: int
    home: str
    kind: str
    kind_label: str
    person_id: int | None
    person: str | None
    name: str
    phone: str
    relation: str
    status: str
    reason: str
    visit_id: int


def _change(c: ProposedChange) -> dict:
    return {
        "id": c.pk,
        "home_id": c.home_id,
        "home": str(c.home),
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "person_id": c.person_id,
        "person": c.person.name if c.person_id else None,
        "name": c.name,
        "phone": c.phone,
        "relation": c.relation,
        "status": c.status,
        "reason": c.reason,
        "visit_id": c.visit_id,
    }


class ReasonIn(Schema):
    reason: str = ""


# --- campaigns ----------------------------------------------------------------------------

PLACES = {"subdistrict": Subdistrict, "community": Community, "compound": Compound}


@router.get("", response=list[CampaignOut])
def campaign_list(request):
    return [_out(request, c) for c in access.visible_campaigns(request.user).select_related("compound", "community")]


@router.post("", response={201: CampaignOut, **ERRORS})
def create(request, payload: CampaignIn):
    place = PLACES[payload.level].objects.filter(pk=payload.place_id).first()
    if place is None:
        raise Http404
    with campaign_errors():
        campaign = services.create_campaign(
            user=request.user,
            place=place,
            title=payload.title,
            description=payload.description,
            target=payload.target,
            form=[q.dict(exclude_none=True) for q in payload.form],
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
        )
    return Answer(201, _out(request, campaign))


@router.get("/mine", response=list[MyGroupOut])
def mine(request):
    """The caller's homes to visit, grouped by stairwell, nearest first, open homes first.
    Residents' names are given for homes within the caller's reach (for registry changes)."""
    groups = services.my_list(request.user)
    home_ids = [a.home_id for g in groups for a in g["assignments"]]
    reachable = set(visible_homes(request.user).filter(pk__in=home_ids).values_list("pk", flat=True))
    residents: dict[int, list] = {}
    for occ in Occupancy.objects.active().filter(home_id__in=reachable).select_related("person"):
        residents.setdefault(occ.home_id, []).append({"id": occ.person_id, "name": occ.person.name})
    return [
        {
            "campaign_id": g["campaign"].pk,
            "campaign": g["campaign"].title,
            "stairwell_id": g["stairwell"].pk,
            "stairwell": str(g["stairwell"]),
            "open": g["open"],
            "homes": [
                {
                    **_assignment(a),
                    "floor": a.home.floor,
                    "number": a.home.number,
                    "residents": residents.get(a.home_id, []),
                }
                for a in g["assignments"]
            ],
        }
        for g in groups
    ]


@router.get("/{int:campaign_id}", response={200: CampaignOut, 404: ErrorOut})
def detail(request, campaign_id: int):
    return _out(request, _campaign(request, campaign_id))


@router.post("/{int:campaign_id}/start", response={200: CampaignOut, **ERRORS})
def start(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    with campaign_errors():
        services.start(user=request.user, campaign=campaign)
    return _out(request, campaign)


@router.post("/{int:campaign_id}/end", response={200: CampaignOut, **ERRORS})
def end(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    with campaign_errors():
        services.end(user=request.user, campaign=campaign)
    return _out(request, campaign)


@router.get("/{int:campaign_id}/assignments", response={200: list[AssignmentOut], **ERRORS})
def assignments(
    request,
    campaign_id: int,
    visitor_id: int | None = None,
    unassigned: bool = False,
    open_only: bool = False,
    limit: int = 500,
    offset: int = 0,
):
    """The campaign's homes, nearest first (organisers)."""
    campaign = _campaign(request, campaign_id)
    if not access.may_organise(request.user, campaign):
        raise ApiError(403, "permission_denied", _organisers_only())
    qs = Assignment.objects.filter(campaign=campaign)
    if visitor_id:
        qs = qs.filter(visitor_id=visitor_id)
    if unassigned:
        qs = qs.filter(visitor__isnull=True)
    if open_only:
        qs = qs.filter(state__in=[HomeState.PENDING, HomeState.NOT_HOME])
    limit = max(1, min(limit, 5000))
    return [_assignment(a) for a in services.ordered_assignments(qs)[max(0, offset) : max(0, offset) + limit]]


@router.post("/{int:campaign_id}/reassign", response={200: CountOut, **ERRORS})
def reassign(request, campaign_id: int, payload: ReassignIn):
    campaign = _campaign(request, campaign_id)
    person = _person(request, payload.person_id)
    with campaign_errors():
        n = services.reassign(user=request.user, campaign=campaign, home_ids=payload.home_ids, person=person)
    return {"count": n}


@router.post("/{int:campaign_id}/rebalance", response={200: CountOut, **ERRORS})
def rebalance(request, campaign_id: int, payload: RebalanceIn):
    campaign = _campaign(request, campaign_id)
    leaving = _person(request, payload.leaving_id)
    to = _person(request, payload.to_id)
    with campaign_errors():
        n = services.rebalance(user=request.user, campaign=campaign, leaving=leaving, to=to)
    return {"count": n}


def _person(request, pk):
    if pk is None:
        return None
    try:
        return access_person(request.user, pk)
    except Http404:
        message = _("This person is not within the campaign's area.")
        raise ApiError(422, "invalid", message, errors=[{"field": "person", "message": message}]) from None


@router.get("/{int:campaign_id}/progress", response={200: ProgressOut, **ERRORS})
def progress(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    if not access.may_organise(request.user, campaign):
        raise ApiError(403, "permission_denied", _organisers_only())
    return services.progress(campaign)


def _organisers_only() -> str:
    return _("Only the organisers of this campaign can do this.")


# --- visits -------------------------------------------------------------------------------


@router.post("/visits", response={200: VisitOut, 201: VisitOut, **ERRORS})
def record_visit(request, payload: VisitIn):
    """Record a visit. Sending the same client_id again (a phone retrying) records nothing
    more and answers 200 with the visit already recorded."""
    campaign = access.visible_campaigns(request.user).filter(pk=payload.campaign_id).first()
    if campaign is None:
        # A replay of a visit recorded before (the campaign may have ended since) is still answered.
        done = CampaignVisit.objects.filter(client_id=payload.client_id, recorded_by=request.user).first()
        if done is None:
            raise Http404
        return Answer(200, _visit(done))
    with campaign_errors():
        visit, created = services.record_visit(
            user=request.user,
            campaign=campaign,
            home_id=payload.home_id,
            client_id=payload.client_id,
            outcome=payload.outcome,
            answers=payload.answers,
            note=payload.note,
            visited_at=payload.visited_at,
            changes=[c.dict() for c in payload.changes],
        )
    return Answer(201 if created else 200, _visit(visit))


@router.post("/visits/{int:visit_id}/case", response={201: CaseOut, **ERRORS})
def visit_case(request, visit_id: int, payload: CaseIn):
    from linli.cases.models import Category

    visit = get_object_or_404(
        CampaignVisit.objects.filter(campaign__in=access.visible_campaigns(request.user)), pk=visit_id
    )
    category = Category.objects.filter(code=payload.category, active=True).first()
    if category is None:
        message = _("Choose a category.")
        raise ApiError(422, "invalid", message, errors=[{"field": "category", "message": message}])
    with campaign_errors():
        case = services.case_from_visit(
            user=request.user, visit=visit, category=category, title=payload.title, description=payload.description
        )
    return Answer(201, {"code": case.code})


# --- proposed registry changes -------------------------------------------------------------


def _changes_for(request):
    """Changes in homes the caller may review (the staff of their area)."""
    q = Q(pk__in=[])
    for g in access.staff_grants(request.user):
        q |= g.place_q("home", prefix="home__")
    return ProposedChange.objects.filter(q).select_related("home__stairwell__building__compound", "person")


@router.get("/{int:campaign_id}/changes", response={200: list[ProposedChangeOut], **ERRORS})
def changes(request, campaign_id: int, status: Literal["pending", "accepted", "rejected", "all"] = "pending"):
    campaign = _campaign(request, campaign_id)
    qs = _changes_for(request).filter(campaign=campaign)
    if status != "all":
        qs = qs.filter(status=status)
    return [_change(c) for c in qs]


@router.post("/changes/{int:change_id}/accept", response={200: ProposedChangeOut, **ERRORS})
def accept(request, change_id: int):
    change = get_object_or_404(_changes_for(request), pk=change_id)
    with campaign_errors():
        change = services.accept_change(user=request.user, change=change)
    return _change(change)


@router.post("/changes/{int:change_id}/reject", response={200: ProposedChangeOut, **ERRORS})
def reject(request, change_id: int, payload: ReasonIn):
    change = get_object_or_404(_changes_for(request), pk=change_id)
    with campaign_errors("reason"):
        change = services.reject_change(user=request.user, change=change, reason=payload.reason)
    return _change(change)
