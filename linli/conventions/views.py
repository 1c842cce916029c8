"""Conventions: those of the places around me, one convention with its versions and what
changed, and recording a new version (for those who organise meetings there)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linli.lib import exports
from linli.meetings import access as meeting_access
from linli.votes import access as vote_access

from . import services
from .forms import NewConventionForm, VersionForm


def _recordable_compounds(user):
    from linli.accounts.scope import visible_places

    return [
        c
        for c in visible_places(user, "compound").select_related("community")
        if services.may_record(user, community=c.community, compound=c)
    ]


@login_required
def index(request):
    conventions = services.visible_conventions(request.user).prefetch_related("versions")
    may_record = meeting_access.is_organiser(request.user)
    return render(request, "conventions/index.html", {"conventions": conventions, "may_record": may_record})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    from linli.places.models import Compound

    compounds = Compound.objects.filter(pk__in=[c.pk for c in _recordable_compounds(request.user)])
    if not compounds.exists():
        raise Http404
    form = NewConventionForm(request.POST or None, compounds=compounds)
    form.fields["meeting"].queryset = meeting_access.visible_meetings(request.user).filter(
        minutes__approved_at__isnull=False
    )
    form.fields["vote"].queryset = vote_access.visible_votes(request.user).filter(status="published")
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            version = services.adopt(user=request.user, **form.cleaned_data)
            return redirect("conventions:detail", pk=version.convention_id)
        except services.ConventionError as exc:
            error = exc.message
    return render(
        request, "conventions/new.html", {"form": form, "error": error}, status=422 if error or form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk):
    convention = get_object_or_404(services.visible_conventions(request.user), pk=pk)
    versions = list(convention.versions.select_related("meeting", "vote").order_by("-number"))
    number = request.GET.get("v")
    shown = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    earlier = next((v for v in versions if shown and v.number == shown.number - 1), None)
    may_record = services.may_record(request.user, community=convention.community, compound=convention.compound)
    form, error = None, None
    if may_record:
        form = VersionForm(request.POST or None, initial={"text": shown.text if shown else ""})
        form.fields["meeting"].queryset = meeting_access.visible_meetings(request.user).filter(
            community=convention.community, minutes__approved_at__isnull=False
        )
        form.fields["vote"].queryset = vote_access.visible_votes(request.user).filter(status="published")
        if request.method == "POST" and form.is_valid():
            try:
                services.adopt(user=request.user, title="", kind="", convention=convention, **form.cleaned_data)
                return redirect("conventions:detail", pk=pk)
            except services.ConventionError as exc:
                error = exc.message
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "conventions/detail.html",
        {
            "convention": convention,
            "versions": versions,
            "shown": shown,
            "changes": services.diff(earlier, shown) if earlier else None,
            "form": form,
            "error": error,
        },
        status=422 if error or (form is not None and form.errors) else 200,
    )


@login_required
def index_export(request):
    from .models import Convention, Version

    kinds = dict(Convention.Kind.choices)

    def latest(c):
        return max(c.versions.all(), key=lambda v: v.number, default=None)

    columns = [
        (exports.label(Convention, "title"), lambda c: c.title),
        (exports.label(Convention, "kind"), lambda c: str(kinds.get(c.kind, c.kind))),
        (_("Place"), lambda c: (c.compound or c.community).name),
        (exports.label(Version, "number"), lambda c: latest(c).number if latest(c) else None),
        (exports.label(Version, "adopted_on"), lambda c: latest(c).adopted_on if latest(c) else None),
    ]
    conventions = (
        services.visible_conventions(request.user).select_related("community", "compound").prefetch_related("versions")
    )
    return exports.export_list(
        request,
        key="conventions",
        title=_("Conventions"),
        queryset=conventions,
        columns=columns,
        back=reverse("conventions:index"),
    )
