"""Pages: the projects list, starting a project, the project page (milestones, shares, maintenance),
the calculator (edit coefficients, preview, adopt) and the agreement PDF. Thin: who may see what
comes from access.py, every write from services.py."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.lib import exports
from linli.votes.access import managed_compounds

from . import services
from .access import (
    access_project,
    can_manage,
    manage_project,
    manageable_stairwells,
    own_home_ids,
    shares_seen,
    visible_projects,
)
from .agreement import agreement_pdf
from .forms import MaintenanceForm, MilestoneForm, PlanForm, ProjectForm, evidence_type
from .models import ElevatorProject, Milestone
from .services import ElevatorError
from .sharing import yuan


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def project_list(request):
    projects = visible_projects(request.user).order_by("-created", "-pk")
    may_start = manageable_stairwells(request.user).exists()
    return render(request, "elevators/list.html", {"projects": projects, "may_start": may_start})


@login_required
def project_new(request):
    stairwells = manageable_stairwells(request.user)
    if not stairwells.exists():
        raise Http404
    form = ProjectForm(
        request.POST or None, stairwells=stairwells, compounds=managed_compounds(request.user), prefix="p"
    )
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.create_project(
                user=request.user,
                stairwell=d["stairwell"],
                title=d["title"],
                consent_vote=d["consent_vote"],
                total_fen=d["total"],
            )
        except ElevatorError as exc:
            error = exc.message
        else:
            messages.success(request, _("The project is started. Check the floor coefficients next."))
            return redirect("elevators:plan", pk=project.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "elevators/new.html", {"form": form, "error": error}, status=status)


def _milestones(project):
    by_kind = {m.kind: m for m in project.milestones.all()}
    return [by_kind[k] for k in Milestone.ORDER if k in by_kind]


def _detail_context(request, project, **extra):
    manager = can_manage(request.user, project)
    shares = list(shares_seen(request.user, project))
    own = own_home_ids(request.user)
    maintenance = getattr(project, "maintenance", None)
    upkeep = []
    if maintenance is not None:
        try:
            upkeep = [s for s in services.maintenance_shares(project) if manager or s.key in own]
        except ElevatorError:
            upkeep = []
    milestones = _milestones(project)
    context = {
        "project": project,
        "manager": manager,
        "shares": shares,
        "shares_total": sum(s.amount_fen for s in shares),
        "milestones": milestones,
        "maintenance": maintenance,
        "upkeep": upkeep,
        "own_homes": own,
    }
    if manager:
        context["milestone_forms"] = [
            (
                m,
                MilestoneForm(
                    initial={"kind": m.kind, "planned": m.planned, "actual": m.actual, "notes": m.notes},
                    prefix=f"m-{m.kind}",
                ),
            )
            for m in milestones
        ]
        context["maintenance_form"] = MaintenanceForm(
            initial=(
                {
                    "yearly": yuan(maintenance.yearly_fen),
                    "sharing": maintenance.sharing,
                    "collector": maintenance.collector,
                    "notes": maintenance.notes,
                }
                if maintenance
                else None
            ),
            prefix="mt",
        )
    context.update(extra)
    return context


@login_required
def project_detail(request, pk):
    project = access_project(request.user, pk)
    return render(request, "elevators/detail.html", _detail_context(request, project))


def _floors(project) -> list[int]:
    floors = {h.floor for h in services.homes_for(project)} | {int(f) for f in project.coefficients}
    return sorted(floors)


@login_required
def plan(request, pk):
    """The calculator: the total and a coefficient per floor; preview the shares, save, adopt."""
    project = manage_project(request.user, pk)
    if not project.is_editable:
        return render(request, "elevators/plan.html", {"project": project, "form": None, "shares": None})
    initial_total = yuan(project.total_fen) if project.total_fen else ""
    form = PlanForm(
        request.POST or None,
        floors=_floors(project),
        initial_coefficients=project.coefficients,
        initial={"total": initial_total},
        prefix="plan",
    )
    action = request.POST.get("action", "preview")
    shares, error, status = None, None, 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                shares = services.preview(project=project, total_fen=d["total"], coefficients=d["coefficients"])
                if action == "adopt" and not request.POST.get("confirm"):
                    raise ElevatorError(_("Tick the box to confirm that the owners agreed this plan."))
                if action == "save":
                    project = services.set_plan(project=project, total_fen=d["total"], coefficients=d["coefficients"])
                if action == "adopt":
                    services.adopt(
                        project=project, user=request.user, total_fen=d["total"], coefficients=d["coefficients"]
                    )
                    messages.success(request, _("The cost sharing is adopted: the shares are frozen."))
                    return redirect("elevators:detail", pk=project.pk)
                if action == "save":
                    messages.success(request, _("The plan is saved."))
                    return redirect("elevators:plan", pk=project.pk)
            except ElevatorError as exc:
                error, status = exc.message, 409 if exc.status_code == 409 else 422
        else:
            status = 422
    else:
        try:
            shares = services.preview(project=project)
        except ElevatorError as exc:
            error = exc.message
    context = {"project": project, "form": form, "shares": shares, "error": error}
    if shares is not None:
        context["shares_total"] = sum(s.amount for s in shares)
    if _is_htmx(request) and request.method == "POST":
        return render(request, "elevators/_preview.html", context, status=status)
    return render(request, "elevators/plan.html", context, status=status)


@login_required
@require_POST
def milestone(request, pk, kind):
    project = manage_project(request.user, pk)
    if kind not in Milestone.ORDER:
        raise Http404
    form = MilestoneForm(request.POST, request.FILES, prefix=f"m-{kind}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.update_milestone(
                project=project,
                kind=kind,
                planned=d["planned"],
                actual=d["actual"],
                notes=d["notes"],
                evidence=d["evidence"] or None,
            )
        except ElevatorError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The milestone is saved."))
            return redirect(f"{project_url(project)}#milestones")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    context = _detail_context(request, project)
    return render(request, "elevators/detail.html", context, status=422)


@login_required
@require_POST
def maintenance(request, pk):
    project = manage_project(request.user, pk)
    form = MaintenanceForm(request.POST, prefix="mt")
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.set_maintenance(
                project=project,
                yearly_fen=d["yearly"],
                sharing=d["sharing"],
                collector=d["collector"],
                notes=d["notes"],
            )
        except ElevatorError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The maintenance plan is saved."))
            return redirect(f"{project_url(project)}#maintenance")
    context = _detail_context(request, project, maintenance_form=form)
    return render(request, "elevators/detail.html", context, status=422)


@login_required
def evidence(request, pk, kind):
    project = access_project(request.user, pk)
    m = project.milestones.filter(kind=kind).first()
    if m is None or not m.evidence:
        raise Http404
    content_type = evidence_type(m.evidence.name)
    try:
        handle = m.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = m.evidence.name.rsplit("/", 1)[-1]
    # Anything but a PDF or an image (none should get past the form) is downloaded, never shown.
    return FileResponse(
        handle,
        as_attachment=content_type is None,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )


@login_required
def agreement(request, pk):
    project = manage_project(request.user, pk)
    try:
        pdf = agreement_pdf(project)
    except ElevatorError as exc:
        messages.error(request, exc.message)
        return redirect("elevators:plan", pk=project.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="elevator-agreement-{project.pk}.pdf"'
    return response


def project_url(project) -> str:
    return reverse("elevators:detail", kwargs={"pk": project.pk})


@login_required
def project_list_export(request):
    statuses = dict(ElevatorProject._meta.get_field("status").choices)
    columns = [
        (_("Project"), lambda p: p.title),
        (_("Stairwell"), lambda p: str(p.stairwell)),
        (_("Status"), lambda p: str(statuses.get(p.status, p.status))),
        (_("Total cost (yuan)"), lambda p: None if p.total_fen is None else Decimal(p.total_fen) / 100),
    ]
    return exports.export_list(
        request,
        key="elevator_projects",
        title=_("Added elevators"),
        queryset=visible_projects(request.user)
        .select_related("stairwell__building__compound")
        .order_by("-created", "-pk"),
        columns=columns,
        back=reverse("elevators:list"),
    )
