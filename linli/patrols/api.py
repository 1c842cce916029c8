"""Patrols and hygiene inspections over the API, under /api/v1/patrols: patrols and their
findings, a finding (or a low item score) turned into a case, checklists, inspections with
their scores, and the score history per compound and company.

Every object is fetched through patrols.access (outside the caller's reach is a 404) and
every change goes through patrols.services, whose refusals become 403, 409 or 422 with
their message."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja import Status as Answer
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linli.lib.api_support import ApiError, ErrorOut, Pagination, invalid_input
from linli.lib.masking import mask_name
from linli.people.models import Organisation
from linli.places.models import Building, Home, Stairwell

from . import access, services
from .models import Checklist, Finding, Inspection, Patrol
from .services import PatrolError

router = Router(tags=["patrols"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CODES = {403: "permission_denied", 409: "conflict", 422: "invalid"}


@contextlib.contextmanager
def patrol_errors(field: str = "body"):
    try:
        yield
    except PatrolError as exc:
        status = exc.status_code if exc.status_code in CODES else 422
        errors = [{"field": exc.field or field, "message": exc.message}] if status == 422 else None
        raise ApiError(status, CODES[status], exc.message, errors=errors) from None


def _in(qs, pk, field):
    """An object of the patrol's compound named by id, or a 422 for that field."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise invalid_input(field, _("That place is not in this compound."))
    return obj


# --- schemas ------------------------------------------------------------------------------


class PatrolOut(Schema):
    id: int
    kind: str = Field(..., description="stairwell | ebike | fire | hygiene")
    kind_label: str
    compound_id: int
    compound: str
    organisation_id: int | None
    organisation: str | None
    started_by: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    participants: int
    findings: int


class FindingOut(Schema):
    id: int
    patrol_id: int
    text: str
    photo_url: str | None
    building_id: int | None
    stairwell_id: int | None
    home_id: int | None
    where: str
    place: str
    severity: str = Field(..., description="low | medium | high")
    found_at: dt.datetime
    case_code: str | None = Field(None, description="The case it became, if any")


class PatrolDetailOut(PatrolOut):
    note: str
    may_patrol: bool
    finding_list: list[FindingOut]


class PatrolIn(Schema):
    compound_id: int
    kind: str = Field(..., description="stairwell | ebike | fire | hygiene")
    organisation_id: int | None = None
    participant_ids: list[int] = []
    note: str = ""


class CaseOut(Schema):
    code: str
    title: str
    category: str
    url: str


class ItemOut(Schema):
    id: int
    text: str
    max_score: int
    order: int


class ChecklistOut(Schema):
    id: int
    name: str
    compound_id: int | None
    community_id: int | None
    items: list[ItemOut]


class ScoreOut(Schema):
    id: int
    item_id: int
    item: str
    score: int
    max_score: int
    note: str
    case_code: str | None


class InspectionOut(Schema):
    id: int
    compound_id: int
    compound: str
    company_id: int | None
    company: str | None
    checklist_id: int
    building_id: int | None
    area: str
    date: dt.date
    submitted: bool
    total: int | None
    max_total: int | None
    percent: Decimal | None


class InspectionDetailOut(InspectionOut):
    notes: str
    items: list[ItemOut]
    scores: list[ScoreOut]


class InspectionIn(Schema):
    compound_id: int
    building_id: int | None = None
    area: str = ""
    date: dt.date | None = None
    notes: str = ""


class ScoreIn(Schema):
    item_id: int
    score: int
    note: str = ""


class ScoresIn(Schema):
    scores: list[ScoreIn]


class MonthlyScoreOut(Schema):
    month: dt.date
    key: int = Field(..., description="The compound's or the company's id")
    name: str
    inspections: int
    average_percent: Decimal


class HistoryOut(Schema):
    start: dt.date
    end: dt.date
    months: list[dt.date]
    by_compound: list[MonthlyScoreOut]
    by_company: list[MonthlyScoreOut]


# --- helpers -------------------------------------------------------------------------------


def _patrol_row(request, p: Patrol, patrollers: set[int]) -> dict:
    name = p.started_by.display_name()
    return {
        "id": p.pk,
        "kind": p.kind,
        "kind_label": str(p.get_kind_display()),
        "compound_id": p.compound_id,
        "compound": p.compound.name,
        "organisation_id": p.organisation_id,
        "organisation": p.organisation.name if p.organisation_id else None,
        "started_by": name if p.compound_id in patrollers else mask_name(name),
        "started_at": p.started_at,
        "ended_at": p.ended_at,
        "participants": p.n_participants if hasattr(p, "n_participants") else p.participants.count(),
        "findings": p.n_findings if hasattr(p, "n_findings") else p.findings.count(),
    }


def _finding(f: Finding) -> dict:
    return {
        "id": f.pk,
        "patrol_id": f.patrol_id,
        "text": f.text,
        "photo_url": f"/api/v1/patrols/findings/{f.pk}/photo" if f.photo else None,
        "building_id": f.building_id,
        "stairwell_id": f.stairwell_id,
        "home_id": f.home_id,
        "where": f.where,
        "place": f.place_label,
        "severity": f.severity,
        "found_at": f.found_at,
        "case_code": f.case.code if f.case_id else None,
    }


def _patrol_detail(request, patrol: Patrol) -> dict:
    patrollers = set(access.patrol_compounds(request.user).values_list("pk", flat=True))
    findings = patrol.findings.select_related("case", "building__compound", "stairwell__building__compound", "home")
    return _patrol_row(request, patrol, patrollers) | {
        "note": patrol.note,
        "may_patrol": patrol.compound_id in patrollers,
        "finding_list": [_finding(f) for f in findings],
    }


def _case(case) -> dict:
    return {
        "code": case.code,
        "title": case.title,
        "category": case.category.code,
        "url": reverse("cases:case", args=[case.code]),
    }


def _inspection(i: Inspection) -> dict:
    return {
        "id": i.pk,
        "compound_id": i.compound_id,
        "compound": i.compound.name,
        "company_id": i.company_id,
        "company": i.company.name if i.company_id else None,
        "checklist_id": i.checklist_id,
        "building_id": i.building_id,
        "area": i.area,
        "date": i.date,
        "submitted": i.is_submitted,
        "total": i.total,
        "max_total": i.max_total,
        "percent": i.percent,
    }


def _inspection_detail(i: Inspection) -> dict:
    scores = i.scores.select_related("item", "case")
    return _inspection(i) | {
        "notes": i.notes,
        "items": list(i.checklist.items.all()),
        "scores": [
            {
                "id": s.pk,
                "item_id": s.item_id,
                "item": s.item.text,
                "score": s.score,
                "max_score": s.max_score,
                "note": s.note,
                "case_code": s.case.code if s.case_id else None,
            }
            for s in scores
        ],
    }


def _compound(request, pk):
    compound = access.visible_compounds(request.user).filter(pk=pk).first()
    if compound is None:
        raise invalid_input("compound_id", _("Choose a compound within your reach."))
    return compound


# --- patrols -------------------------------------------------------------------------------


@router.get("", response=list[PatrolOut])
@paginate(Pagination)
def patrol_list(request, compound_id: int | None = None, open: bool | None = None):
    """Patrols within reach, newest first; `compound_id` narrows to one compound, `open` to
    patrols not yet ended (true) or ended (false)."""
    qs = access.visible_patrols(request.user)
    if compound_id is not None:
        qs = qs.filter(compound_id=compound_id)
    if open is not None:
        qs = qs.filter(ended_at__isnull=open)
    qs = qs.select_related("compound", "organisation", "started_by__person").annotate(
        n_participants=Count("participants", distinct=True), n_findings=Count("findings", distinct=True)
    )
    patrollers = set(access.patrol_compounds(request.user).values_list("pk", flat=True))
    return [_patrol_row(request, p, patrollers) for p in qs.order_by("-started_at", "-pk")]


@router.post("", response={201: PatrolDetailOut, **ERRORS})
def start_patrol(request, payload: PatrolIn):
    """Start a patrol in a compound (patrol volunteers, building leaders, party members of its
    branch, community staff). The caller is its first participant."""
    compound = _compound(request, payload.compound_id)
    organisation = None
    if payload.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
        if organisation is None:
            raise invalid_input("organisation_id", _("That team does not serve this compound."))
    participants = list(access.visible_people_for_patrol(request.user, compound, payload.participant_ids))
    with patrol_errors("compound_id"):
        patrol = services.start_patrol(
            user=request.user,
            compound=compound,
            kind=payload.kind,
            organisation=organisation,
            participants=participants,
            note=payload.note,
        )
    return Answer(201, _patrol_detail(request, patrol))


@router.get("/checklists", response=list[ChecklistOut])
def checklist_list(request):
    """The checklists in use for the compounds within reach, and the default one."""
    compounds = access.visible_compounds(request.user)
    qs = Checklist.objects.filter(active=True).filter(
        Q(compound__in=compounds)
        | Q(community__in=compounds.values("community_id"))
        | Q(compound__isnull=True, community__isnull=True)
    )
    return list(qs.prefetch_related("items"))


@router.get("/history", response={200: HistoryOut, **ERRORS})
def history(request, start: dt.date, end: dt.date, compound_id: int | None = None):
    """Monthly average scores (percent of the maximum) of submitted hygiene inspections dated
    start..end, per compound and per property company, for the compounds within reach (or
    the one given)."""
    compounds = access.visible_compounds(request.user)
    if compound_id is not None:
        compounds = compounds.filter(pk=compound_id)
    if (end - start).days > 3 * 366:
        raise invalid_input("end", _("Ask for at most three years at a time."))
    with patrol_errors("end"):
        result = services.score_history(compounds=compounds.values("pk"), start=start, end=end)
    return result


@router.post("/findings/{int:pk}/case", response={201: CaseOut, **ERRORS})
def finding_case(request, pk: int):
    """Turn a finding into a case, with its photo (channel: patrol finding). Once only: a
    second call answers 409 and files nothing."""
    finding = access.access_finding(request.user, pk)
    with patrol_errors():
        case = services.finding_to_case(user=request.user, finding=finding)
    return Answer(201, _case(case))


@router.get("/findings/{int:pk}/photo", response={404: ErrorOut}, summary="A finding's photo (JPEG)")
def finding_photo(request, pk: int):
    """The photo as stored: re-encoded JPEG without metadata."""
    finding = access.access_finding(request.user, pk)
    if not finding.photo:
        raise Http404
    return FileResponse(finding.photo.open("rb"), content_type="image/jpeg")


@router.get("/inspections", response=list[InspectionOut])
@paginate(Pagination)
def inspection_list(request, compound_id: int | None = None, submitted: bool | None = None):
    """Hygiene inspections within reach, newest first."""
    qs = access.visible_inspections(request.user).select_related("compound", "company")
    if compound_id is not None:
        qs = qs.filter(compound_id=compound_id)
    if submitted is not None:
        qs = qs.filter(submitted_at__isnull=not submitted)
    return [_inspection(i) for i in qs.order_by("-date", "-pk")]


@router.post("/inspections", response={201: InspectionDetailOut, **ERRORS})
def start_inspection(request, payload: InspectionIn):
    """Start a hygiene inspection of one area (a building or a named common area) against the
    compound's checklist; the property company serving on that date is recorded."""
    compound = _compound(request, payload.compound_id)
    building = _in(Building.objects.filter(compound=compound), payload.building_id, "building_id")
    with patrol_errors("area"):
        inspection = services.start_inspection(
            user=request.user,
            compound=compound,
            building=building,
            area=payload.area,
            date=payload.date,
            notes=payload.notes,
        )
    return Answer(201, _inspection_detail(inspection))


@router.get("/inspections/{int:pk}", response={200: InspectionDetailOut, 404: ErrorOut})
def inspection_detail(request, pk: int):
    return _inspection_detail(access.access_inspection(request.user, pk))


@router.put("/inspections/{int:pk}/scores", response={200: InspectionDetailOut, **ERRORS})
def put_scores(request, pk: int, payload: ScoresIn):
    """Save scores (0 to the item's maximum) of an unsubmitted inspection; one bad score
    saves none."""
    inspection = access.access_inspection(request.user, pk)
    with patrol_errors("scores"):
        services.score(
            user=request.user,
            inspection=inspection,
            scores={s.item_id: s.score for s in payload.scores},
            notes={s.item_id: s.note for s in payload.scores},
        )
    return _inspection_detail(inspection)


@router.post("/inspections/{int:pk}/submit", response={200: InspectionDetailOut, **ERRORS})
def submit_inspection(request, pk: int):
    """Submit: every item must be scored; the inspection is frozen with its total."""
    inspection = access.access_inspection(request.user, pk)
    with patrol_errors("scores"):
        inspection = services.submit_inspection(user=request.user, inspection=inspection)
    return _inspection_detail(access.access_inspection(request.user, pk))


@router.post("/scores/{int:pk}/case", response={201: CaseOut, **ERRORS})
def score_case(request, pk: int):
    """Turn a low item score (below 60% of its maximum) of a submitted inspection into a
    hygiene case. Once only."""
    item_score = access.access_item_score(request.user, pk)
    with patrol_errors():
        case = services.score_to_case(user=request.user, item_score=item_score)
    return Answer(201, _case(case))


@router.get("/{int:pk}", response={200: PatrolDetailOut, 404: ErrorOut})
def patrol_detail(request, pk: int):
    return _patrol_detail(request, access.access_patrol(request.user, pk))


@router.post("/{int:pk}/end", response={200: PatrolDetailOut, **ERRORS})
def end_patrol(request, pk: int):
    patrol = access.access_patrol(request.user, pk)
    with patrol_errors():
        patrol = services.end_patrol(user=request.user, patrol=patrol)
    return _patrol_detail(request, patrol)


@router.post("/{int:pk}/findings", response={201: FindingOut, **ERRORS})
def add_finding(
    request,
    pk: int,
    text: Form[str] = "",
    where: Form[str] = "",
    severity: Form[str] = "medium",
    building_id: Form[int | None] = None,
    stairwell_id: Form[int | None] = None,
    home_id: Form[int | None] = None,
    photo: File[UploadedFile] = None,
):
    """`multipart/form-data`: `text` (required), optional `photo` (JPEG, PNG or WebP within the
    size limit, stored without its metadata), a place (`building_id`, `stairwell_id`,
    `home_id` of the patrol's compound) and/or `where`, and `severity` (low, medium, high)."""
    patrol = access.access_patrol(request.user, pk)
    compound = patrol.compound
    building = _in(Building.objects.filter(compound=compound), building_id, "building_id")
    stairwell = _in(Stairwell.objects.filter(building__compound=compound), stairwell_id, "stairwell_id")
    home = _in(Home.objects.filter(stairwell__building__compound=compound), home_id, "home_id")
    with patrol_errors("text"):
        finding = services.add_finding(
            user=request.user,
            patrol=patrol,
            text=text,
            photo=photo,
            building=building,
            stairwell=stairwell,
            home=home,
            where=where,
            severity=severity,
        )
    return Answer(201, _finding(finding))
