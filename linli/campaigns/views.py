"""Campaign pages. Organisers: list, create, overview (progress, unassigned homes, reassign,
rebalance), building grid, proposed changes, export. Visitors: my list (the offline app, with
its service worker and manifest) and the visit form (which works without JavaScript too)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from linli.accounts.scope import access_person, visible_homes, visible_people
from linli.lib import exports
from linli.people.models import Occupancy
from linli.places.models import Building, Community, Compound, Subdistrict

from . import access, services
from .forms import CampaignForm
from .models import Assignment, Campaign, CampaignVisit, ChangeKind, HomeState, Outcome, ProposedChange
from .services import CampaignError

PLACES = {"subdistrict": Subdistrict, "community": Community, "compound": Compound}
ICONS = {"pending": "○", "reached": "✓", "not_home": "↻", "refused": "✕", "moved_out": "→", "empty": "□"}


def _campaign(request, pk) -> Campaign:
    return get_object_or_404(access.visible_campaigns(request.user), pk=pk)


def _organised(request, pk) -> Campaign:
    campaign = _campaign(request, pk)
    if not access.may_organise(request.user, campaign):
        raise PermissionDenied
    return campaign


@login_required
def campaign_list(request):
    campaigns = access.visible_campaigns(request.user).select_related("compound", "community", "subdistrict")
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": campaigns,
            "may_create": access.is_organiser_anywhere(request.user),
            "has_list": Assignment.objects.filter(visitor_id=request.user.person_id).exists()
            if request.user.person_id
            else False,
        },
    )


@login_required
def create(request):
    if not access.is_organiser_anywhere(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        level, pk = form.places[form.cleaned_data["place"]]
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(
                user=request.user,
                place=PLACES[level].objects.get(pk=pk),
                title=data["title"],
                description=data["description"],
                target=data["target"],
                form=services.parse_form_text(data["questions"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except CampaignError as exc:
            form.add_error("questions" if exc.field == "form" else None, exc.message)
        else:
            messages.success(request, _("The campaign is saved as a draft. Start it to assign the homes."))
            return redirect("campaigns:detail", campaign.pk)
    return render(request, "campaigns/new.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def detail(request, pk):
    campaign = _organised(request, pk)
    unassigned = services.ordered_assignments(Assignment.objects.filter(campaign=campaign, visitor__isnull=True))
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "progress": services.progress(campaign, stairwells=False),
            "unassigned": unassigned[:200],
            "unassigned_count": unassigned.count(),
            # Only names for the two choosers: a whole person decrypts a phone and an ID number.
            "people": visible_people(request.user).only("pk", "name").order_by("name")[:500],
        },
    )


@login_required
def not_reached(request, pk):
    campaign = _organised(request, pk)
    rows = services.not_reached(campaign)
    return render(
        request,
        "campaigns/not_reached.html",
        {"campaign": campaign, "rows": rows[:500], "count": rows.count(), "icons": ICONS},
    )


@login_required
def not_reached_export(request, pk):
    """The homes not yet reached, every one of them (the page shows the first 500), as Excel."""
    campaign = _organised(request, pk)
    states = dict(HomeState.choices)
    columns = [
        (_("compound"), lambda a: a.home.stairwell.building.compound.name),
        (_("building"), lambda a: a.home.stairwell.building.name),
        (_("stairwell"), lambda a: a.home.stairwell.name),
        (_("home"), lambda a: a.home.number),
        (_("home state"), lambda a: str(states[a.state])),
        (_("visitor"), lambda a: a.visitor.name if a.visitor_id else _("unassigned")),
        (_("revisit on"), lambda a: a.revisit_on),
        (_("last visited at"), lambda a: a.last_visited_at),
        (_("number of visits"), lambda a: a.visits),
    ]
    return exports.export_list(
        request,
        key="campaign_not_reached",
        title=f"{campaign} · {_('Homes not yet reached')}",
        queryset=services.not_reached(campaign),
        columns=columns,
        back=reverse("campaigns:not_reached", args=[campaign.pk]),
        filters={"campaign": str(campaign.pk)},
    )


def _act(request, campaign, action, success):
    try:
        action()
    except CampaignError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("campaigns:detail", campaign.pk)


@login_required
@require_POST
def start(request, pk):
    campaign = _organised(request, pk)
    return _act(
        request,
        campaign,
        lambda: services.start(user=request.user, campaign=campaign),
        _("The campaign is running: every home is assigned."),
    )


@login_required
@require_POST
def end(request, pk):
    campaign = _organised(request, pk)
    return _act(request, campaign, lambda: services.end(user=request.user, campaign=campaign), _("The campaign ended."))


def _person_from(request, name):
    raw = request.POST.get(name) or ""
    if not raw:
        return None
    try:
        return access_person(request.user, raw)
    except Http404:
        raise CampaignError(_("This person is not within the campaign's area.")) from None


@login_required
@require_POST
def reassign(request, pk):
    campaign = _organised(request, pk)

    def action():
        services.reassign(
            user=request.user,
            campaign=campaign,
            home_ids=[h for h in request.POST.getlist("home") if h.isdigit()],
            person=_person_from(request, "person"),
        )

    return _act(request, campaign, action, _("The homes are reassigned."))


@login_required
@require_POST
def rebalance(request, pk):
    campaign = _organised(request, pk)

    def action():
        leaving = _person_from(request, "leaving")
        if leaving is None:
            raise CampaignError(_("Choose who stops visiting."))
        services.rebalance(user=request.user, campaign=campaign, leaving=leaving, to=_person_from(request, "to"))

    return _act(request, campaign, action, _("The open homes are handed over."))


@login_required
def grid(request, pk, building_pk):
    campaign = _organised(request, pk)
    building = get_object_or_404(Building, pk=building_pk)
    stairwells = services.grid(campaign, building.pk)
    if not stairwells:
        raise Http404
    return render(
        request,
        "campaigns/grid.html",
        {
            "campaign": campaign,
            "building": building,
            "stairwells": stairwells,
            "progress": services.stairwell_progress(campaign, building.pk),
            "icons": ICONS,
            "states": HomeState,
        },
    )


@login_required
def changes(request, pk):
    campaign = _campaign(request, pk)
    rows = [
        c
        for c in ProposedChange.objects.filter(campaign=campaign, status="pending").select_related("home", "person")
        if access.may_review(request.user, c)
    ]
    if not rows and not access.may_organise(request.user, campaign):
        raise PermissionDenied
    return render(request, "campaigns/changes.html", {"campaign": campaign, "changes": rows})


@login_required
@require_POST
def review(request, pk, change_pk):
    campaign = _campaign(request, pk)
    change = get_object_or_404(ProposedChange, pk=change_pk, campaign=campaign)
    try:
        if request.POST.get("decision") == "accept":
            services.accept_change(user=request.user, change=change)
            messages.success(request, _("The change is applied to the registry."))
        else:
            services.reject_change(user=request.user, change=change, reason=request.POST.get("reason", ""))
            messages.success(request, _("The change is rejected."))
    except CampaignError as exc:
        messages.error(request, exc.message)
    return redirect("campaigns:changes", campaign.pk)


@login_required
def export(request, pk):
    """All homes of the campaign with the answers of their latest visit, as an Excel file
    written row by row (write-only mode), whatever the number of homes."""
    campaign = _organised(request, pk)
    latest = CampaignVisit.objects.filter(assignment=OuterRef("pk")).order_by("-visited_at", "-pk")
    rows = services.ordered_assignments(Assignment.objects.filter(campaign=campaign), open_first=False).annotate(
        last_answers=Subquery(latest.values("answers")[:1]), last_note=Subquery(latest.values("note")[:1])
    )
    states = dict(HomeState.choices)

    def answers(a) -> dict:
        value = a.last_answers or {}
        return json.loads(value) if isinstance(value, str) else value

    def answer(key):
        return lambda a: _cell(answers(a).get(key))

    columns = [
        (_("compound"), lambda a: a.home.stairwell.building.compound.name),
        (_("building"), lambda a: a.home.stairwell.building.name),
        (_("stairwell"), lambda a: a.home.stairwell.name),
        (_("home"), lambda a: a.home.number),
        (_("visitor"), lambda a: a.visitor.name if a.visitor_id else ""),
        (_("home state"), lambda a: str(states[a.state])),
        (_("last visited at"), lambda a: a.last_visited_at),
        (_("revisit on"), lambda a: a.revisit_on),
        (_("number of visits"), lambda a: a.visits),
        *[(q["label"], answer(q["key"])) for q in campaign.form],
        (_("visit note"), lambda a: a.last_note or ""),
    ]
    return exports.export_list(
        request,
        key="campaign_homes",
        title=f"{campaign} · {_('Homes')}",
        queryset=rows,
        columns=columns,
        back=reverse("campaigns:detail", args=[campaign.pk]),
        filename=f"campaign-{campaign.pk}-{timezone.localdate():%Y%m%d}.xlsx",
        filters={"campaign": str(campaign.pk)},
    )


def _cell(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


# --- visitors -------------------------------------------------------------------------------


@login_required
@never_cache
def mine(request):
    groups = services.my_list(request.user)
    campaigns = {g["campaign"].pk: g["campaign"] for g in groups}
    # Residents' names, for registry changes, only for homes within the visitor's reach.
    home_ids = [a.home_id for g in groups for a in g["assignments"]]
    reachable = visible_homes(request.user).filter(pk__in=home_ids).values("pk")
    residents: dict[int, list] = {}
    for occ in Occupancy.objects.active().filter(home_id__in=reachable).select_related("person"):
        residents.setdefault(occ.home_id, []).append({"id": occ.person_id, "name": occ.person.name})
    for g in groups:
        for a in g["assignments"]:
            a.residents_json = json.dumps(residents.get(a.home_id, []), ensure_ascii=False)
    return render(
        request,
        "campaigns/mine.html",
        {
            "groups": groups,
            "campaigns": list(campaigns.values()),
            "outcomes": Outcome.choices,
            "states": HomeState.choices,
            "change_kinds": ChangeKind.choices,
            "relations": Occupancy.Relation.choices,
            "icons": ICONS,
        },
    )


def _answers_from(request, campaign):
    return {q["key"]: request.POST.get(f"a_{q['key']}", "") for q in campaign.form}


@login_required
def visit(request, pk, home_pk):
    """The visit form for one home, without JavaScript (the list's script records offline)."""
    campaign = _campaign(request, pk)
    assignment = get_object_or_404(
        Assignment.objects.select_related("home__stairwell"), campaign=campaign, home_id=home_pk
    )
    if not access.may_visit(request.user, assignment):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        try:
            v, _created = services.record_visit(
                user=request.user,
                campaign=campaign,
                home_id=home_pk,
                client_id=request.POST.get("client_id"),
                outcome=request.POST.get("outcome", ""),
                answers=_answers_from(request, campaign),
                note=request.POST.get("note", ""),
                changes=_changes_from(request),
            )
        except CampaignError as exc:
            error = exc.message
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("campaigns:mine")
    residents = []
    if visible_homes(request.user).filter(pk=home_pk).exists():
        residents = [o.person for o in Occupancy.objects.active().filter(home_id=home_pk).select_related("person")]
    return render(
        request,
        "campaigns/visit.html",
        {
            "campaign": campaign,
            "assignment": assignment,
            "outcomes": Outcome.choices,
            "client_id": request.POST.get("client_id") or uuid.uuid4(),
            "residents": residents,
            "error": error,
            "change_kinds": ChangeKind.choices,
            "relations": Occupancy.Relation.choices,
            "cases_url": reverse("campaigns:case", args=[campaign.pk, home_pk]),
        },
        status=422 if error else 200,
    )


def _changes_from(request):
    kind = request.POST.get("change_kind", "")
    if not kind:
        return []
    return [
        {
            "kind": kind,
            "person_id": request.POST.get("change_person") or None,
            "name": request.POST.get("change_name", ""),
            "phone": request.POST.get("change_phone", ""),
            "relation": request.POST.get("change_relation", "") or "tenant",
        }
    ]


@login_required
def case(request, pk, home_pk):
    """A need found on the latest visit to this home becomes a case."""
    from linli.cases.models import Category

    campaign = _campaign(request, pk)
    last = (
        CampaignVisit.objects.filter(campaign=campaign, home_id=home_pk, recorded_by=request.user)
        .select_related("home")
        .first()
    )
    if last is None:
        raise Http404
    categories = Category.objects.filter(active=True)
    error = None
    if request.method == "POST":
        category = categories.filter(pk=request.POST.get("category") or 0).first()
        try:
            if category is None:
                raise CampaignError(_("Choose a category."))
            made = services.case_from_visit(
                user=request.user,
                visit=last,
                category=category,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
            )
        except CampaignError as exc:
            error = exc.message
        else:
            messages.success(request, _("Case %(code)s is open for this need.") % {"code": made.code})
            return redirect("campaigns:mine")
    return render(
        request,
        "campaigns/case.html",
        {"campaign": campaign, "visit": last, "categories": categories, "error": error},
        status=422 if error else 200,
    )


# --- the offline app ------------------------------------------------------------------------


def service_worker(request):
    """The service worker, served from /campaigns/ so that its scope covers the visit pages."""
    path = finders.find("campaigns/sw.js")
    response = HttpResponse(Path(path).read_text(encoding="utf-8"), content_type="application/javascript")
    response["Service-Worker-Allowed"] = reverse("campaigns:list")
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request):
    data = {
        "name": _("Door-to-door visits"),
        "short_name": _("Visits"),
        "start_url": reverse("campaigns:mine"),
        "scope": reverse("campaigns:list"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b3261e",
        "lang": request.LANGUAGE_CODE,
        "icons": [],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@login_required
def campaign_list_export(request):
    """The campaigns list (those the user may see) as Excel."""
    campaigns = access.visible_campaigns(request.user).select_related("compound", "community", "subdistrict")
    targets = dict(Campaign._meta.get_field("target").choices)
    statuses = dict(Campaign._meta.get_field("status").choices)
    columns = [
        (exports.label(Campaign, "title"), lambda c: c.title),
        (_("Place"), lambda c: str(c.place)),
        (exports.label(Campaign, "target"), lambda c: str(targets.get(c.target, c.target))),
        (exports.label(Campaign, "starts_on"), lambda c: c.starts_on),
        (exports.label(Campaign, "ends_on"), lambda c: c.ends_on),
        (exports.label(Campaign, "status"), lambda c: str(statuses.get(c.status, c.status))),
    ]
    return exports.export_list(
        request,
        key="campaigns",
        title=_("Door-to-door campaigns"),
        queryset=campaigns,
        columns=columns,
        back=reverse("campaigns:list"),
    )
