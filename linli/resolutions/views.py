"""Pages: the resolutions within reach, one resolution with its progress, making one from a
meeting, and the public page of a compound's resolutions (no login)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.lib import exports
from linli.meetings import access as meeting_access
from linli.people.models import Organisation
from linli.places.models import Compound

from . import services
from .forms import DropForm, ProgressForm, ResolutionForm
from .models import Progress, Resolution

S = Resolution.Status


def _annotate(resolutions):
    today = timezone.localdate()
    for r in resolutions:
        r.overdue = r.status in (S.PLANNED, S.IN_PROGRESS) and r.due < today
    return resolutions


def listed_resolutions(user, status: str):
    """The resolutions of the list for its status filter (the page and its export)."""
    qs = services.visible_resolutions(user)
    if status in S.values:
        qs = qs.filter(status=status)
    return qs.order_by("status", "due", "pk")


@login_required
def index(request):
    status = request.GET.get("status", "")
    resolutions = _annotate(list(listed_resolutions(request.user, status)[:200]))
    return render(
        request, "resolutions/index.html", {"resolutions": resolutions, "status": status, "statuses": S.choices}
    )


def _get(user, code):
    try:
        return services.visible_resolutions(user).get(code=code)
    except Resolution.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, code):
    resolution = _get(request.user, code)
    answers = services.answers_for(request.user, resolution)
    form = ProgressForm(initial={"percent": resolution.percent})
    error = None
    if request.method == "POST":
        if not answers:
            raise Http404
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.report(
                    resolution=resolution,
                    user=request.user,
                    percent=form.cleaned_data["percent"],
                    text=form.cleaned_data["text"],
                    photo=form.cleaned_data.get("photo"),
                )
                return redirect("resolutions:detail", code=code)
            except services.ResolutionError as exc:
                error = exc.message
    _annotate([resolution])
    may_drop = services.may_create(
        request.user, community=resolution.community, compound=resolution.compound, meeting=resolution.meeting
    )
    return render(
        request,
        "resolutions/detail.html",
        {
            "r": resolution,
            "updates": resolution.progress.select_related("by__person").order_by("-at", "-pk"),
            "form": form if answers and resolution.status not in (S.DONE, S.DROPPED) else None,
            "drop_form": DropForm() if may_drop and resolution.status not in (S.DONE, S.DROPPED) else None,
            "error": error,
        },
        status=422 if error or (request.method == "POST" and form.errors) else 200,
    )


@login_required
@require_POST
def drop(request, code):
    resolution = _get(request.user, code)
    form = DropForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ResolutionError(_("Give the reason for dropping it."))
        services.drop(resolution=resolution, user=request.user, reason=form.cleaned_data["reason"])
    except services.ResolutionError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
    return redirect("resolutions:detail", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def new(request, meeting_code):
    meeting = meeting_access.organise_meeting(request.user, meeting_code)
    owners = Organisation.objects.filter(
        Q(community=meeting.community) | Q(compound=meeting.compound, compound__isnull=False)
        | Q(kind=Organisation.Kind.PROPERTY_COMPANY, service_periods__compound=meeting.compound)
    ).distinct().order_by("kind", "name")  # fmt: skip
    form = ResolutionForm(request.POST or None, owners=owners)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            resolution = services.create(user=request.user, meeting=meeting, **form.cleaned_data)
            return redirect("resolutions:detail", code=resolution.code)
        except services.ResolutionError as exc:
            error = exc.message
    return render(
        request,
        "resolutions/new.html",
        {"meeting": meeting, "form": form, "error": error},
        status=422 if error or form.errors else 200,
    )


def public(request, compound_id):
    """A compound's resolutions and their progress, for anyone (事事有着落)."""
    compound = get_object_or_404(Compound, pk=compound_id)
    resolutions = _annotate(list(services.public_resolutions(compound).order_by("status", "due", "pk")))
    latest = {}
    for p in Progress.objects.filter(resolution__in=resolutions).order_by("resolution_id", "-at", "-pk"):
        latest.setdefault(p.resolution_id, p)
    for r in resolutions:
        r.latest = latest.get(r.pk)
    counts = {s: sum(1 for r in resolutions if r.status == s) for s in S.values}
    return render(
        request, "resolutions/public.html", {"compound": compound, "resolutions": resolutions, "counts": counts}
    )


def photo(request, code, pk):
    """A progress photo: public with its resolution, else for those who can see it."""
    update = get_object_or_404(Progress.objects.select_related("resolution"), pk=pk, resolution__code=code)
    if (
        not update.resolution.public
        and not services.visible_resolutions(request.user).filter(pk=update.resolution_id).exists()
    ):
        raise Http404
    if not update.photo:
        raise Http404
    return FileResponse(update.photo.open("rb"), content_type="image/jpeg")


@login_required
def index_export(request):
    statuses = dict(S.choices)
    today = timezone.localdate()
    columns = [
        (exports.label(Resolution, "code"), lambda r: r.code),
        (exports.label(Resolution, "title"), lambda r: r.title),
        (exports.label(Resolution, "owner"), lambda r: r.owner.name),
        (exports.label(Resolution, "due"), lambda r: r.due),
        (exports.label(Resolution, "status"), lambda r: str(statuses.get(r.status, r.status))),
        (exports.label(Resolution, "percent"), lambda r: r.percent),
        (_("overdue"), lambda r: _("yes") if r.status in (S.PLANNED, S.IN_PROGRESS) and r.due < today else ""),
    ]
    return exports.export_list(
        request,
        key="resolutions",
        title=_("Resolutions"),
        queryset=listed_resolutions(request.user, request.GET.get("status", "")),
        columns=columns,
        back=reverse("resolutions:index"),
    )
