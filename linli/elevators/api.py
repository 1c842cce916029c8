"""Elevator projects over the API, under /api/v1/elevators: the projects within reach, starting
one, the plan (total and floor coefficients), a preview of the shares, adoption (the shares are
then frozen), milestones, the maintenance plan and the agreement PDF.

Those who run the votes of the compound run its projects; a resident of the stairwell reads the
project and his own homes' shares; anyone else gets a 404. Amounts are integer fen, with the
yuan text beside them ("1234.56")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.lib.api_support import ApiError, ErrorOut, Pagination, invalid_input
from linli.places.models import Stairwell
from linli.votes.access import managed_compounds
from linli.votes.models import Vote

from . import services
from .access import access_project, can_manage, manage_project, manageable_stairwells, shares_seen, visible_projects
from .agreement import agreement_pdf
from .models import ElevatorProject, MaintenancePlan, Milestone
from .services import ElevatorError, home_label
from .sharing import yuan

router = Router(tags=["elevators"])


def _error(exc: ElevatorError) -> ApiError:
    if exc.status_code == 409:
        return ApiError(409, "conflict", exc.message)
    return invalid_input(exc.field or "detail", exc.message)


class ProjectFields(Schema):
    id: int
    title: str
    stairwell: str
    stairwell_id: int
    status: str
    status_label: str
    consent_vote: str | None = Field(None, description="The consent vote's code")
    total_fen: int | None
    total_yuan: str | None
    coefficients: dict[str, str] = Field(..., description='{"<floor>": "<coefficient>"}')
    adopted_at: dt.datetime | None


def _project(obj: ElevatorProject) -> dict:
    return {
        "id": obj.pk,
        "title": obj.title,
        "stairwell": str(obj.stairwell),
        "stairwell_id": obj.stairwell_id,
        "status": obj.status,
        "status_label": str(obj.get_status_display()),
        "consent_vote": obj.consent_vote.code if obj.consent_vote_id else None,
        "total_fen": obj.total_fen,
        "total_yuan": yuan(obj.total_fen) if obj.total_fen else None,
        "coefficients": obj.coefficients,
        "adopted_at": obj.adopted_at,
    }


class ProjectOut(ProjectFields):
    """A project in a list, read from the model."""

    @staticmethod
    def resolve_stairwell(obj: ElevatorProject) -> str:
        return str(obj.stairwell)

    @staticmethod
    def resolve_status_label(obj: ElevatorProject) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_consent_vote(obj: ElevatorProject) -> str | None:
        return obj.consent_vote.code if obj.consent_vote_id else None

    @staticmethod
    def resolve_total_yuan(obj: ElevatorProject) -> str | None:
        return yuan(obj.total_fen) if obj.total_fen else None


class ShareOut(Schema):
    home_id: int
    home: str
    floor: int
    area: Decimal
    coefficient: Decimal
    amount_fen: int
    amount_yuan: str


class MilestoneOut(Schema):
    kind: str
    label: str
    planned: dt.date | None
    actual: dt.date | None
    notes: str
    has_evidence: bool


class MaintenanceOut(Schema):
    yearly_fen: int
    yearly_yuan: str
    sharing: str
    collector: str
    notes: str


class ProjectDetailOut(ProjectFields):
    manager: bool
    shares: list[ShareOut] = Field(..., description="All for those who run it; a resident's own homes only")
    milestones: list[MilestoneOut]
    maintenance: MaintenanceOut | None


class ProjectIn(Schema):
    stairwell: int
    title: str
    consent_vote: str | None = Field(None, description="Code of the stairwell's published elevator consent vote")
    total_fen: int | None = Field(None, examples=[48000000])


class PlanIn(Schema):
    total_fen: int = Field(..., examples=[48000000])
    coefficients: dict[str, str] = Field(..., examples=[{"1": "0", "2": "1.00", "3": "1.20"}])


class PreviewIn(Schema):
    total_fen: int | None = Field(None, description="Omitted: the saved plan's")
    coefficients: dict[str, str] | None = None


class PreviewOut(Schema):
    total_fen: int
    shares: list[ShareOut]


class MilestoneIn(Schema):
    planned: dt.date | None = None
    actual: dt.date | None = None
    notes: str = ""


class MaintenanceIn(Schema):
    yearly_fen: int
    sharing: str = Field(MaintenancePlan.Sharing.WEIGHTS, description="weights | equal")
    collector: str
    notes: str = ""


def _share(home_id, label, floor, area, coefficient, fen) -> dict:
    return {
        "home_id": home_id,
        "home": label,
        "floor": floor,
        "area": area,
        "coefficient": coefficient,
        "amount_fen": fen,
        "amount_yuan": yuan(fen),
    }


def _detail(request, project: ElevatorProject) -> dict:
    data = _project(project)
    by_kind = {m.kind: m for m in project.milestones.all()}
    plan = getattr(project, "maintenance", None)
    data.update(
        manager=can_manage(request.user, project),
        shares=[
            _share(s.home_id, home_label(s.home), s.floor, s.area, s.coefficient, s.amount_fen)
            for s in shares_seen(request.user, project)
        ],
        milestones=[
            {
                "kind": m.kind,
                "label": str(m.get_kind_display()),
                "planned": m.planned,
                "actual": m.actual,
                "notes": m.notes,
                "has_evidence": bool(m.evidence),
            }
            for m in (by_kind[k] for k in Milestone.ORDER if k in by_kind)
        ],
        maintenance=(
            {
                "yearly_fen": plan.yearly_fen,
                "yearly_yuan": yuan(plan.yearly_fen),
                "sharing": plan.sharing,
                "collector": plan.collector,
                "notes": plan.notes,
            }
            if plan
            else None
        ),
    )
    return data


@router.get("", response=list[ProjectOut])
@paginate(Pagination)
def project_list(request):
    """Projects within reach: those the caller runs, and those of the stairwells he lives in."""
    return visible_projects(request.user).order_by("-created", "-pk")


@router.post("", response={201: ProjectDetailOut, 404: ErrorOut, 422: ErrorOut})
def project_create(request, payload: ProjectIn):
    """Start a project for a stairwell the caller runs, optionally linked to its consent vote."""
    try:
        stairwell = manageable_stairwells(request.user).get(pk=payload.stairwell)
    except Stairwell.DoesNotExist:
        raise Http404 from None
    vote = None
    if payload.consent_vote:
        vote = Vote.objects.filter(code=payload.consent_vote, compound__in=managed_compounds(request.user)).first()
        if vote is None:
            raise Http404
    try:
        project = services.create_project(
            user=request.user,
            stairwell=stairwell,
            title=payload.title,
            consent_vote=vote,
            total_fen=payload.total_fen,
        )
    except ElevatorError as exc:
        raise _error(exc) from None
    return Answer(201, _detail(request, project))


@router.get("/{int:project_id}", response={200: ProjectDetailOut, 404: ErrorOut})
def project_detail(request, project_id: int):
    return _detail(request, access_project(request.user, project_id))


@router.put("/{int:project_id}/plan", response={200: ProjectDetailOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def plan_put(request, project_id: int, payload: PlanIn):
    """The total and the floor coefficients, while the plan is not adopted."""
    project = manage_project(request.user, project_id)
    try:
        project = services.set_plan(project=project, total_fen=payload.total_fen, coefficients=payload.coefficients)
    except ElevatorError as exc:
        raise _error(exc) from None
    return _detail(request, project)


@router.post("/{int:project_id}/preview", response={200: PreviewOut, 404: ErrorOut, 422: ErrorOut})
def preview(request, project_id: int, payload: PreviewIn):
    """The shares the saved plan, or the total and coefficients sent, would give. Saves nothing."""
    project = manage_project(request.user, project_id)
    try:
        shares = services.preview(project=project, total_fen=payload.total_fen, coefficients=payload.coefficients)
    except ElevatorError as exc:
        raise _error(exc) from None
    return {
        "total_fen": sum(s.amount for s in shares),
        "shares": [_share(s.key, s.label, s.floor, s.area, s.coefficient, s.amount) for s in shares],
    }


@router.post("/{int:project_id}/adopt", response={200: ProjectDetailOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def adopt(request, project_id: int):
    """Freeze the shares as the saved plan gives them; a second adoption is a 409."""
    project = manage_project(request.user, project_id)
    try:
        project = services.adopt(project=project, user=request.user)
    except ElevatorError as exc:
        raise _error(exc) from None
    return _detail(request, project)


@router.put("/{int:project_id}/milestones/{kind}", response={200: MilestoneOut, 404: ErrorOut, 422: ErrorOut})
def milestone_put(request, project_id: int, kind: str, payload: MilestoneIn):
    project = manage_project(request.user, project_id)
    if kind not in Milestone.ORDER:
        raise Http404
    try:
        m = services.update_milestone(
            project=project, kind=kind, planned=payload.planned, actual=payload.actual, notes=payload.notes
        )
    except ElevatorError as exc:
        raise _error(exc) from None
    return {
        "kind": m.kind,
        "label": str(m.get_kind_display()),
        "planned": m.planned,
        "actual": m.actual,
        "notes": m.notes,
        "has_evidence": bool(m.evidence),
    }


@router.put("/{int:project_id}/maintenance", response={200: MaintenanceOut, 404: ErrorOut, 422: ErrorOut})
def maintenance_put(request, project_id: int, payload: MaintenanceIn):
    project = manage_project(request.user, project_id)
    try:
        plan = services.set_maintenance(
            project=project,
            yearly_fen=payload.yearly_fen,
            sharing=payload.sharing,
            collector=payload.collector,
            notes=payload.notes,
        )
    except ElevatorError as exc:
        raise _error(exc) from None
    return {
        "yearly_fen": plan.yearly_fen,
        "yearly_yuan": yuan(plan.yearly_fen),
        "sharing": plan.sharing,
        "collector": plan.collector,
        "notes": plan.notes,
    }


@router.get("/{int:project_id}/agreement.pdf", response={200: None, 404: ErrorOut, 422: ErrorOut})
def agreement(request, project_id: int):
    """The agreement to sign, as a PDF in Chinese (a draft before adoption)."""
    project = manage_project(request.user, project_id)
    try:
        pdf = agreement_pdf(project)
    except ElevatorError as exc:
        raise _error(exc) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="elevator-agreement-{project.pk}.pdf"'
    return response
