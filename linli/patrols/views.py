"""Pages, phone-first: patrols of my compounds, starting one, a patrol's page (add a finding
with a photo, turn it into a case, end the patrol), hygiene inspections (one area per
screen, large score buttons), and the score history (a table and a bar chart drawn on the
server). Thin: who sees what comes from access.py, every write from services.py; a refusal
shows the page again with the message and changes nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.lib import exports
from linli.people.models import Person

from . import access, services
from .forms import FindingForm, HistoryForm, InspectionForm, ParticipantForm, StartForm
from .models import Checklist, Inspection, ItemScore
from .services import LOW_SCORE_PERCENT, PatrolError

PER_PAGE = 20


def _compound_filter(request, qs, field="compound_id"):
    compounds = access.visible_compounds(request.user).order_by("name")
    chosen = request.GET.get("compound")
    if chosen and chosen.isdigit():
        qs = qs.filter(**{field: int(chosen)})
    return qs, compounds, chosen


# --- patrols -------------------------------------------------------------------------------


def listed_patrols(request):
    """The patrol log as filtered (the page and its export): (patrols, compounds, chosen)."""
    qs = access.visible_patrols(request.user).select_related("compound", "organisation")
    qs, compounds, chosen = _compound_filter(request, qs)
    return qs.annotate(n_findings=Count("findings")).order_by("-started_at", "-pk"), compounds, chosen


@login_required
def patrol_list(request):
    qs, compounds, chosen = listed_patrols(request)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "patrols/list.html",
        {
            "page": page,
            "patrols": page.object_list,
            "compounds": compounds,
            "chosen": chosen,
            "may_patrol": access.patrol_compounds(request.user).exists(),
            "query": f"compound={chosen}" if chosen else "",
        },
    )


@login_required
def start(request):
    compounds = access.patrol_compounds(request.user).order_by("name")
    if not compounds.exists():
        raise Http404
    teams = access.patrol_teams_in(compounds)
    form = StartForm(request.POST or None, compounds=compounds, teams=teams, prefix="p")
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            patrol = services.start_patrol(
                user=request.user,
                compound=d["compound"],
                kind=d["kind"],
                organisation=d["organisation"],
                note=d["note"],
            )
        except PatrolError as exc:
            error = exc.message
        else:
            messages.success(request, _("The patrol has started. Add what you find."))
            return redirect("patrols:detail", pk=patrol.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "patrols/new.html", {"form": form, "error": error}, status=status)


def _detail(request, patrol, form=None, error=None, status=200):
    findings = patrol.findings.select_related(
        "case", "building__compound", "stairwell__building__compound", "home__stairwell__building__compound"
    )
    may = access.may_patrol(request.user, patrol.compound)
    lead = access.may_lead(request.user, patrol)
    people = list(patrol.participants.order_by("name"))
    return render(
        request,
        "patrols/detail.html",
        {
            "patrol": patrol,
            "findings": findings,
            "may_patrol": may,
            "may_lead": lead,
            "form": form or FindingForm(compound=patrol.compound, prefix="f"),
            "error": error,
            "participants": len(people),
            "people": people,
            "participant_form": ParticipantForm(
                candidates=access.participant_candidates(request.user, patrol), prefix="pp"
            )
            if lead
            else None,
        },
        status=status,
    )


@login_required
@require_POST
def participants(request, pk):
    """The leader adds (`pp-person`) or removes (`remove`) a participant."""
    patrol = access.access_patrol(request.user, pk)
    if not access.may_lead(request.user, patrol):
        raise Http404
    removing = request.POST.get("remove", "")
    ident = removing or request.POST.get("pp-person", "")
    person = Person.objects.filter(pk=int(ident)).first() if ident.isdigit() else None
    if person is None:
        return _detail(request, patrol, error=_("Choose a person."), status=422)
    try:
        if removing:
            services.remove_participant(user=request.user, patrol=patrol, person=person)
        else:
            services.add_participant(user=request.user, patrol=patrol, person=person)
    except PatrolError as exc:
        return _detail(request, patrol, error=exc.message, status=exc.status_code)
    messages.success(request, _("The participants are updated."))
    return redirect("patrols:detail", pk=patrol.pk)


@login_required
def patrol_detail(request, pk):
    return _detail(request, access.access_patrol(request.user, pk))


@login_required
@require_POST
def add_finding(request, pk):
    patrol = access.access_patrol(request.user, pk)
    form = FindingForm(request.POST, request.FILES, compound=patrol.compound, prefix="f")
    if not form.is_valid():
        return _detail(request, patrol, form=form, status=422)
    d = form.cleaned_data
    try:
        services.add_finding(
            user=request.user,
            patrol=patrol,
            text=d["text"],
            photo=d["photo"],
            building=d["building"],
            stairwell=d["stairwell"],
            home=d["home"],
            where=d["where"],
            severity=d["severity"],
        )
    except PatrolError as exc:
        status = 403 if exc.status_code == 403 else 422
        return _detail(request, patrol, form=form, error=exc.message, status=status)
    messages.success(request, _("The finding is recorded."))
    return redirect("patrols:detail", pk=patrol.pk)


@login_required
@require_POST
def end(request, pk):
    patrol = access.access_patrol(request.user, pk)
    try:
        services.end_patrol(user=request.user, patrol=patrol)
    except PatrolError as exc:
        return _detail(request, patrol, error=exc.message, status=exc.status_code)
    messages.success(request, _("The patrol has ended. Thank you!"))
    return redirect("patrols:detail", pk=patrol.pk)


@login_required
@require_POST
def finding_case(request, pk):
    finding = access.access_finding(request.user, pk)
    try:
        case = services.finding_to_case(user=request.user, finding=finding)
    except PatrolError as exc:
        return _detail(request, finding.patrol, error=exc.message, status=exc.status_code)
    messages.success(request, _("The finding is now case %(code)s.") % {"code": case.code})
    return redirect("patrols:detail", pk=finding.patrol_id)


@login_required
def finding_photo(request, pk):
    finding = access.access_finding(request.user, pk)
    if not finding.photo:
        raise Http404
    response = FileResponse(finding.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- inspections ---------------------------------------------------------------------------


def listed_inspections(request):
    qs = access.visible_inspections(request.user).select_related("compound", "company", "building__compound")
    qs, compounds, chosen = _compound_filter(request, qs)
    return qs.order_by("-date", "-pk"), compounds, chosen


@login_required
def inspection_list(request):
    qs, compounds, chosen = listed_inspections(request)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "patrols/inspections.html",
        {
            "page": page,
            "inspections": page.object_list,
            "compounds": compounds,
            "chosen": chosen,
            "may_inspect": access.patrol_compounds(request.user).exists(),
            "query": f"compound={chosen}" if chosen else "",
        },
    )


@login_required
def inspection_new(request):
    compounds = access.patrol_compounds(request.user).order_by("name")
    if not compounds.exists():
        raise Http404
    form = InspectionForm(request.POST or None, compounds=compounds, prefix="i")
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = services.start_inspection(
                user=request.user,
                compound=d["compound"],
                building=d["building"],
                area=d["area"],
                date=d["date"],
                notes=d["notes"],
            )
        except PatrolError as exc:
            error = exc.message
        else:
            return redirect("patrols:inspection", pk=inspection.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "patrols/inspection_new.html", {"form": form, "error": error}, status=status)


def _rows(inspection, posted=None):
    """One row per checklist item: its score (posted, else saved) and note."""
    saved = {s.item_id: s for s in inspection.scores.select_related("case")}
    rows = []
    for item in inspection.checklist.items.all():
        s = saved.get(item.pk)
        value = posted.get(f"score_{item.pk}") if posted is not None else None
        value = value if value not in (None, "") else (str(s.score) if s else "")
        note = posted.get(f"note_{item.pk}", "") if posted is not None else (s.note if s else "")
        low = s is not None and s.score * 100 < s.max_score * LOW_SCORE_PERCENT
        rows.append(
            {
                "item": item,
                "saved": s,
                "value": value,
                "note": note,
                "choices": [str(n) for n in range(item.max_score + 1)],
                "low": low,
            }
        )
    return rows


@login_required
def inspection_detail(request, pk):
    inspection = access.access_inspection(request.user, pk)
    may = access.may_patrol(request.user, inspection.compound)
    error, status = None, 200
    if request.method == "POST":
        if not may:
            raise PermissionDenied
        posted = request.POST
        scores = {item_id: v for item_id, v in _posted_scores(posted).items() if v != ""}
        notes = {item_id: posted.get(f"note_{item_id}", "") for item_id in scores}
        try:
            if scores:
                services.score(user=request.user, inspection=inspection, scores=scores, notes=notes)
            if "submit" in posted:
                services.submit_inspection(user=request.user, inspection=inspection)
                messages.success(request, _("The inspection is submitted."))
            else:
                messages.success(request, _("The scores are saved."))
        except PatrolError as exc:
            error, status = exc.message, exc.status_code
        else:
            return redirect("patrols:inspection", pk=inspection.pk)
        inspection.refresh_from_db()
        rows = _rows(inspection, posted)
    else:
        rows = _rows(inspection)
    return render(
        request,
        "patrols/inspection.html",
        {
            "inspection": inspection,
            "rows": rows,
            "may_inspect": may,
            "error": error,
            "low_percent": LOW_SCORE_PERCENT,
        },
        status=status,
    )


def _posted_scores(posted) -> dict[int, str]:
    out = {}
    for key, value in posted.items():
        if key.startswith("score_") and key[6:].isdigit():
            out[int(key[6:])] = value.strip()
    return out


@login_required
@require_POST
def score_case(request, pk):
    item_score: ItemScore = access.access_item_score(request.user, pk)
    try:
        case = services.score_to_case(user=request.user, item_score=item_score)
    except PatrolError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The low score is now case %(code)s.") % {"code": case.code})
    return redirect("patrols:inspection", pk=item_score.inspection_id)


# --- score history -------------------------------------------------------------------------

BAR_W, GAP, CHART_H, TOP = 36, 12, 120, 16


def chart(rows, months):
    """An SVG bar chart's geometry for one series of MonthlyScore rows: a bar per month
    (height = average percent), with its value written above it (no colour-only info)."""
    by_month = {r.month: r for r in rows}
    bars = []
    for n, month in enumerate(months):
        r = by_month.get(month)
        x = n * (BAR_W + GAP) + GAP
        height = round(float(r.average_percent) * CHART_H / 100) if r else 0
        bars.append(
            {
                "x": x,
                "y": TOP + CHART_H - height,
                "h": height,
                "label_x": x + BAR_W // 2,
                "value": r.average_percent if r else None,
                "month": month,
            }
        )
    return {
        "bars": bars,
        "width": len(months) * (BAR_W + GAP) + GAP,
        "height": TOP + CHART_H + 24,
        "axis_y": TOP + CHART_H,
        "month_y": TOP + CHART_H + 16,
        "bar_w": BAR_W,
    }


def _series(rows, months):
    groups: dict[tuple[int, str], list] = {}
    for r in rows:
        groups.setdefault((r.key, r.name), []).append(r)
    return [{"name": name, "rows": rs, "chart": chart(rs, months)} for (_key, name), rs in groups.items()]


@login_required
def history(request):
    compounds = access.visible_compounds(request.user).order_by("name")
    today = timezone.localdate()
    initial = {"start": (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1), "end": today}
    form = HistoryForm(request.GET or None, compounds=compounds, initial=initial)
    result, status = None, 200
    if not request.GET:
        form = HistoryForm(initial | {"compound": None}, compounds=compounds)
    if form.is_valid():
        d = form.cleaned_data
        chosen = compounds.filter(pk=d["compound"].pk) if d["compound"] else compounds
        result = services.score_history(compounds=chosen.values("pk"), start=d["start"], end=d["end"])
    else:
        status = 422
    context = {"form": form, "history": result}
    if result is not None:
        context["compound_series"] = _series(result.by_compound, result.months)
        context["company_series"] = _series(result.by_company, result.months)
    return render(request, "patrols/history.html", context, status=status)


# --- hygiene checklists --------------------------------------------------------------------


@login_required
def checklists(request):
    """The checklists in use within reach; the compound's organisers create its own one."""
    mine = access.organised_compounds(request.user)
    if request.method == "POST":
        compound = (
            mine.filter(pk=request.POST.get("compound") or 0).first()
            if request.POST.get("compound", "").isdigit()
            else None
        )
        if compound is None:
            raise Http404
        try:
            checklist = services.create_checklist(
                user=request.user, compound=compound, name=request.POST.get("name", "")
            )
        except PatrolError as exc:
            messages.error(request, exc.message)
            return redirect("patrols:checklists")
        messages.success(request, _("The compound's own checklist is made from the one it used: change it below."))
        return redirect("patrols:checklist", checklist_pk=checklist.pk)
    lists = access.visible_checklists(request.user).filter(active=True).select_related("compound", "community")
    lists = lists.prefetch_related("items").order_by("compound__name", "community__name", "pk")
    without = mine.exclude(pk__in=Checklist.objects.filter(active=True, compound__isnull=False).values("compound_id"))
    return render(
        request,
        "patrols/checklists.html",
        {"checklists": lists, "without": without.order_by("name")},
    )


@login_required
def checklist(request, checklist_pk):
    c = access.access_checklist(request.user, checklist_pk)
    may_keep = access.may_keep_checklist(request.user, c)
    error, status = None, 200
    if request.method == "POST":
        if not may_keep:
            raise Http404
        action, item = request.POST.get("action", ""), request.POST.get("item", "")
        try:
            if action == "rename":
                new = services.rename_checklist(user=request.user, checklist=c, name=request.POST.get("name", ""))
            elif action == "add":
                new = services.add_item(
                    user=request.user,
                    checklist=c,
                    text=request.POST.get("text", ""),
                    max_score=request.POST.get("max_score", ""),
                )
            elif action in ("up", "down"):
                new = services.move_item(user=request.user, checklist=c, item_id=item, up=action == "up")
            elif action == "remove":
                new = services.remove_item(user=request.user, checklist=c, item_id=item)
            else:
                raise PatrolError(_("Choose what to change."))
        except PatrolError as exc:
            error, status = exc.message, exc.status_code
        else:
            if new.pk != c.pk:
                messages.success(
                    request,
                    _("Inspections were already scored on this checklist: a new version is made, they keep theirs."),
                )
            else:
                messages.success(request, _("The checklist is saved."))
            return redirect("patrols:checklist", checklist_pk=new.pk)
    used = Inspection.objects.filter(checklist=c).count()
    return render(
        request,
        "patrols/checklist.html",
        {
            "checklist": c,
            "items": list(c.items.order_by("order", "pk")),
            "may_keep": may_keep and c.active,
            "used": used,
            "error": error,
            "newer": Checklist.objects.filter(replaces=c).first(),
        },
        status=status,
    )


# --- exports -------------------------------------------------------------------------------


@login_required
def patrol_list_export(request):
    qs, _compounds, _chosen = listed_patrols(request)
    kinds = dict(qs.model._meta.get_field("kind").choices)
    columns = [
        (exports.label(qs.model, "started_at"), lambda p: p.started_at),
        (exports.label(qs.model, "ended_at"), lambda p: p.ended_at),
        (exports.label(qs.model, "kind"), lambda p: str(kinds.get(p.kind, p.kind))),
        (exports.label(qs.model, "compound"), lambda p: p.compound.name),
        (exports.label(qs.model, "organisation"), lambda p: p.organisation.name if p.organisation_id else ""),
        (_("Findings"), lambda p: p.n_findings),
    ]
    return exports.export_list(
        request, key="patrols", title=_("Patrol log"), queryset=qs, columns=columns, back=reverse("patrols:list")
    )


@login_required
def inspection_list_export(request):
    qs, _compounds, _chosen = listed_inspections(request)
    columns = [
        (exports.label(Inspection, "date"), lambda i: i.date),
        (exports.label(Inspection, "compound"), lambda i: i.compound.name),
        (exports.label(Inspection, "area"), lambda i: i.area_label),
        (exports.label(Inspection, "company"), lambda i: i.company.name if i.company_id else ""),
        (exports.label(Inspection, "total"), lambda i: i.total),
        (exports.label(Inspection, "max_total"), lambda i: i.max_total),
    ]
    return exports.export_list(
        request,
        key="inspections",
        title=_("Hygiene inspections"),
        queryset=qs,
        columns=columns,
        back=reverse("patrols:inspections"),
    )
