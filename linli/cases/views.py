"""Pages for people who handle cases: the work queue with bulk actions, one case with its
timeline and actions, recording a case on a resident's behalf, revisits and the figures.

Views are thin: what a user may see comes from `access`, what he may do from `lifecycle`,
`services` and `rules`; their errors become the page's answer (a form error 400, refused 403,
the case's state does not allow it 409)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.scope import visible_people, visible_places
from linli.lib import exports
from linli.lib.api_support import client_ip
from linli.lib.crypto import keyed_hash
from linli.lib.normalize import normalize_phone
from linli.people.forms import RevealForm
from linli.people.models import RevealLog

from . import access, deadlines, lifecycle, services
from .figures import grouped_figures
from .lifecycle import TRANSITIONS, CaseError
from .models import FINAL, Revisit, Status
from .rules import may
from .staff_forms import (
    BulkForm,
    FiguresFilter,
    NoteForm,
    QueueFilter,
    ReassignForm,
    RecordForm,
    ReplyForm,
    RevisitForm,
    action_form,
    dispatch_organisations,
    month_bounds,
)
from .templatetags.cases_ui import due_state, escalation_label, masked_phone

PER_PAGE = 50
MORE_FILTERS = ("status", "category", "compound", "organisation", "overdue", "submitted_from", "submitted_to")
# Actions that need nothing but a press of the button (the rest open a small form).
PLAIN_ACTIONS = {"accept", "start", "resume", "close"}
WORKING = ~Q(status__in=[*FINAL, Status.RESOLVED, Status.ON_HOLD])


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, CaseError):
        return exc.message
    return str(exc) or _("Your role does not allow you to do that.")


def acting_q(user) -> Q | None:
    """The cases the user is to act on: his organisations', his stairwells' and buildings' (a
    leader), his community's or subdistrict's (staff). None when he acts on none."""
    q = None
    if orgs := access.handler_org_ids(user):
        q = Q(organisation_id__in=orgs)
    for extra in (access.leader_q(user), access.staff_q(user)):
        if extra is None:
            continue
        if extra == Q():
            return Q()
        q = extra if q is None else q | extra
    return q


def with_clocks(cases, now=None):
    """Working days left on each case's resolution deadline, and how the clock stands."""
    now = now or timezone.now()
    cal = deadlines.overrides()
    for case in cases:
        case.days_left = deadlines.workdays_left(case.resolve_due, now, cal)
        case.due_state = due_state(case, case.days_left, now)
        case.is_reply_overdue = case.reply_overdue(now)
    return cases


def by_urgency(cases, now):
    """Overdue first, then those whose first reply is late, then the soonest due."""
    return cases.annotate(
        late=SqlCase(When(WORKING & Q(resolve_due__lt=now), then=Value(0)), default=Value(1)),
        reply_late=SqlCase(
            When(
                ~Q(status__in=[*FINAL, Status.ON_HOLD]) & Q(first_reply_at__isnull=True, reply_due__lt=now),
                then=Value(0),
            ),
            default=Value(1),
        ),
    ).order_by("late", "reply_late", "resolve_due", "pk")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- the queue ---------------------------------------------------------------------------------


def queue_cases(user, data: dict, now, *, acting=None):
    """The queue's cases for these filters (the form's cleaned data), in the page's order:
    the page and its Excel export both call this, so the file holds what the page lists."""
    cases = access.visible_cases(user)
    if acting is not None and (data.get("show") or "mine") == "mine":
        cases = cases.filter(acting)
    group = data.get("group") or "open"
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    elif group == "open":
        cases = cases.exclude(status__in=[*FINAL, Status.RESOLVED])
    elif group == "resolved":
        cases = cases.filter(status=Status.RESOLVED)
    elif group == "closed":
        cases = cases.filter(status__in=FINAL)
    for field in ("category", "compound", "organisation"):
        if data.get(field):
            cases = cases.filter(**{field: data[field]})
    if data.get("overdue"):
        cases = cases.overdue(now)
    if q := data.get("q"):
        cases = cases.filter(Q(code__istartswith=q) | Q(title__icontains=q))
    if data.get("submitted_from"):
        cases = cases.filter(submitted_at__gte=_day_start(data["submitted_from"]))
    if data.get("submitted_to"):
        cases = cases.filter(submitted_at__lt=_day_start(data["submitted_to"] + dt.timedelta(days=1)))
    if group in ("resolved", "closed") and not data.get("status"):
        cases = cases.order_by("-submitted_at", "-pk")
    else:
        cases = by_urgency(cases, now)
    return cases.select_related("category", "compound", "building", "stairwell", "organisation")


def _queue_filter(request):
    acting = acting_q(request.user)
    form = QueueFilter(request.GET, user=request.user, acting=acting is not None)
    return form, (form.cleaned_data if form.is_valid() else {}), acting


@login_required
def queue(request):
    user = request.user
    now = timezone.now()
    form, data, acting = _queue_filter(request)
    cases = queue_cases(user, data, now, acting=acting)

    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = with_clocks(list(page.object_list), now)
    query = request.GET.copy()
    for key in ("page", "select"):
        query.pop(key, None)
    staff = access.staff_q(user) is not None
    ctx = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "here": request.get_full_path(),
        "select_all": request.GET.get("select") == "all",
        # Leaders follow their stairwells' cases; handlers and staff act on them in bulk.
        "bulk": BulkForm(user=user, staff=staff) if staff or access.handler_org_ids(user) else None,
        "may_record": _recordable_compounds(user).exists(),
        "sees_revisits": staff,
        "more_open": any(request.GET.get(k) for k in MORE_FILTERS),
    }
    return render(request, "cases/staff/queue.html", ctx)


@login_required
def queue_export(request):
    """The queue as filtered, every matching case (not one page), as an Excel file."""
    now = timezone.now()
    _form, data, acting = _queue_filter(request)
    statuses = dict(Status.choices)
    columns = [
        (_("Code"), lambda c: c.code),
        (_("Category"), lambda c: c.category.name),
        (_("Title"), lambda c: c.title),
        (_("Place"), lambda c: c.place_label),
        (_("Status"), lambda c: str(statuses.get(c.status, c.status))),
        (_("Organisation"), lambda c: c.organisation.name if c.organisation_id else ""),
        (_("Submitted at"), lambda c: c.submitted_at),
        (_("Due"), lambda c: c.resolve_due),
        (_("Escalated"), lambda c: escalation_label(c.escalation)),
        (_("Supporters"), lambda c: c.supporters),
    ]
    return exports.export_list(
        request,
        key="cases",
        title=_("Cases"),
        queryset=queue_cases(request.user, data, now, acting=acting),
        columns=columns,
        back=reverse("cases:queue"),
    )


@login_required
@require_POST
def bulk(request):
    """One action on many cases, each in its own transaction: what succeeded and what failed
    (and why) is reported case by case, never all-or-nothing."""
    user = request.user
    back = _safe_next(request, reverse("cases:queue"))
    form = BulkForm(request.POST, user=user, staff=access.staff_q(user) is not None)
    picked = BulkForm.picked(request.POST.getlist("case"))
    if not picked:
        messages.error(request, _("Tick the cases first."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action, note = form.cleaned_data["action"], form.cleaned_data["note"]
    organisation = form.cleaned_data.get("organisation") if action == "dispatch" else None
    found = {c.code: c for c in access.visible_cases(user).filter(code__in=list(picked))}
    done, failed = [], []
    for code, version in picked.items():
        case = found.get(code)
        if case is None:
            failed.append((code, "", _("No such case among the cases you can see.")))
            continue
        if organisation is not None and not dispatch_organisations(user, case).filter(pk=organisation.pk).exists():
            failed.append((code, case.title, _("%(org)s does not serve this compound.") % {"org": organisation}))
            continue
        try:
            lifecycle.perform(case, action, user=user, note=note, version=version, organisation=organisation)
        except (CaseError, PermissionDenied, ValidationError) as exc:
            failed.append((code, case.title, _error_text(exc)))
        else:
            done.append(code)
    label = TRANSITIONS[action].label
    if done:
        messages.success(
            request,
            ngettext(
                "%(action)s: done for %(n)s case (%(codes)s).",
                "%(action)s: done for %(n)s cases (%(codes)s).",
                len(done),
            )
            % {"action": label, "n": len(done), "codes": ", ".join(done)},
        )
    for code, title, reason in failed:
        messages.error(
            request,
            _("%(code)s “%(title)s” was not changed: %(reason)s") % {"code": code, "title": title, "reason": reason},
        )
    return redirect(back)


# --- one case ----------------------------------------------------------------------------------


def _render_case(request, case, *, status=200, error="", bound=None, fresh=False):
    user = request.user
    bound = bound or {}
    now = timezone.now()
    if not fresh:  # after a refusal or a failed form, show the case as it stands now
        case = access.access_case(user, case.pk)
    with_clocks([case], now)
    cal = deadlines.overrides()
    reply_days = deadlines.workdays_left(case.reply_due, now, cal)
    staff = access.is_staff_for(user, case)
    internal = may(user, "note", case)
    events = access.timeline(user, case).select_related("organisation").prefetch_related("photos").order_by("at", "pk")
    action_forms = []
    for action in lifecycle.available(case, user):
        form = bound.get(action) or action_form(action, case=case, user=user, staff=staff)
        action_forms.append((action, TRANSITIONS[action], form))
    ctx = {
        "case": case,
        "error": error,
        "reply_days": reply_days,
        "events": list(events),
        "photos": list(case.photos.filter(event__isnull=True)),
        "plain_actions": [a for a in action_forms if a[0] in PLAIN_ACTIONS],
        "form_actions": [a for a in action_forms if a[0] not in PLAIN_ACTIONS],
        "reply_form": (bound.get("reply") or ReplyForm(prefix="reply"))
        if case.is_open and may(user, "reply", case)
        else None,
        "note_form": (bound.get("note") or NoteForm(prefix="note")) if internal else None,
        "reassign_form": (bound.get("reassign") or ReassignForm(case=case, user=user))
        if case.is_open and may(user, "reassign", case)
        else None,
        "can_reveal": bool(case.reporter_id and case.reporter_phone) and may(user, "reveal_contact", case),
        "internal": internal,
        "first_receiver": case.first_receiver.display_name() if case.first_receiver_id else "",
        "assignee": case.assignee.display_name() if case.assignee_id else "",
    }
    return render(request, "cases/staff/case.html", ctx, status=status)


@login_required
def case_detail(request, code):
    return _render_case(request, access.access_case(request.user, code), fresh=True)


def _attempt(request, case, key, form, write, done_message):
    """Run a write from lifecycle/services; on success back to the case page, else the page
    with the message: 400 for input, 403 for a refused role, 409 for the case's state."""
    try:
        write()
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_case(request, case, status=400, bound={key: form})
    except PermissionDenied as exc:
        return _render_case(request, case, status=403, error=_error_text(exc))
    except CaseError as exc:
        return _render_case(request, case, status=409, error=exc.message)
    messages.success(request, done_message)
    return redirect("cases:case", code=case.code)


@login_required
@require_POST
def act(request, code, action):
    user = request.user
    case = access.access_case(user, code)
    if action not in TRANSITIONS:
        raise Http404
    form = action_form(action, request.POST, case=case, user=user, staff=access.is_staff_for(user, case))
    if not form.is_valid():
        return _render_case(request, case, status=400, bound={action: form})
    return _attempt(
        request,
        case,
        action,
        form,
        lambda: lifecycle.perform(case, action, user=user, **form.perform_kwargs()),
        _("Done: %(action)s.") % {"action": TRANSITIONS[action].label},
    )


@login_required
@require_POST
def reply(request, code):
    user = request.user
    case = access.access_case(user, code)
    form = ReplyForm(request.POST, request.FILES, prefix="reply")
    if not form.is_valid():
        return _render_case(request, case, status=400, bound={"reply": form})
    data = form.cleaned_data
    return _attempt(
        request,
        case,
        "reply",
        form,
        lambda: services.reply(case=case, user=user, text=data["text"], photos=data["photos"]),
        _("Your reply was sent to the resident."),
    )


@login_required
@require_POST
def note(request, code):
    user = request.user
    case = access.access_case(user, code)
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return _render_case(request, case, status=400, bound={"note": form})
    return _attempt(
        request,
        case,
        "note",
        form,
        lambda: services.add_note(case=case, user=user, text=form.cleaned_data["text"]),
        _("Internal note added."),
    )


@login_required
@require_POST
def reassign(request, code):
    user = request.user
    case = access.access_case(user, code)
    form = ReassignForm(request.POST, case=case, user=user)
    if not form.is_valid():
        return _render_case(request, case, status=400, bound={"reassign": form})
    data = form.cleaned_data
    return _attempt(
        request,
        case,
        "reassign",
        form,
        lambda: services.reassign(
            case=case, user=user, organisation=data["organisation"], note=data["note"], version=data["version"]
        ),
        _("The case now goes to %(org)s.") % {"org": data["organisation"]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reveal(request, code):
    """The reporter's phone, unmasked, after the user says why; every reveal is logged."""
    user = request.user
    case = access.access_case(user, code)
    ctx = {
        "case": case,
        # The people pages' reveal answer (people/_reveal.html), asking for this case's reporter.
        "field": "phone",
        "question": _("Why do you need the resident's phone number?"),
        "reveal_url": reverse("cases:reveal", args=[case.code]),
        "back_url": reverse("cases:case", args=[case.code]),
    }
    status = 200
    allowed = bool(case.reporter_id and case.reporter_phone) and may(user, "reveal_contact", case)
    if request.method == "GET" and "cancel" in request.GET and _is_htmx(request):
        return render(request, "cases/staff/_phone.html", {"case": case, "can_reveal": allowed})
    if not allowed:
        ctx["denied"] = _("Your role does not allow you to see this.")
        status = 403
    elif request.method == "GET":
        ctx["form"] = RevealForm()
    else:
        form = RevealForm(request.POST)
        ctx["form"] = form
        if form.is_valid():
            reason = f"{case.code} {form.reason_text()}"
            RevealLog.objects.create(
                user=user,
                person=case.reporter,
                field=RevealLog.Field.PHONE,
                reason=reason[:200],
                ip=client_ip(request),
            )
            ctx["value"] = case.reporter_phone
        else:
            status = 422
    template = "people/_reveal.html" if _is_htmx(request) else "cases/staff/reveal_page.html"
    response = render(request, template, ctx, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def photo(request, code, pk):
    case = access.access_case(request.user, code)
    item = get_object_or_404(case.photos.select_related("event"), pk=pk)
    if item.event_id and not item.event.public and not may(request.user, "note", case):
        raise Http404
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- recording on someone's behalf ---------------------------------------------------------------


def _recordable_compounds(user):
    """Compounds where the user may record a case for a resident. `can_record_for` is the rule;
    it depends on the user's roles, not on the compound beyond his reach, so one check holds
    for the whole list (and every submission is checked again)."""
    cached = getattr(user, "_cases_recordable", None)
    if cached is None:
        compounds = visible_places(user, "compound").order_by("name")
        first = compounds.first()
        cached = compounds if first is not None and access.can_record_for(user, first) else compounds.none()
        user._cases_recordable = cached
    return cached


def _find_people(user, who: str, limit: int = 10):
    """Residents within the user's reach whose name contains `who`, or whose phone it is."""
    who = (who or "").strip()
    if not who:
        return []
    q = Q(name__icontains=who)
    with contextlib.suppress(ValueError):  # not a phone number: search by name only
        q |= Q(phone_hash=keyed_hash(normalize_phone(who)))
    return list(visible_people(user).filter(q).order_by("name", "pk")[:limit])


@login_required
@require_http_methods(["GET", "POST"])
def record(request):
    user = request.user
    compounds = _recordable_compounds(user)
    if not compounds.exists():
        raise PermissionDenied(_("Your role does not allow you to record cases for residents."))
    status = 200
    # A press of "Show its buildings" or "Search" (without JavaScript) only redraws the form.
    if request.method == "POST" and "step" not in request.POST:
        form = RecordForm(request.POST, request.FILES, user=user, compounds=compounds)
        if form.is_valid():
            data = form.cleaned_data
            if not access.can_record_for(user, data["compound"]):
                raise PermissionDenied(_("Your role does not allow you to record cases for residents."))
            try:
                case, _secret = services.submit(
                    compound=data["compound"],
                    building=data["building"],
                    stairwell=data["stairwell"],
                    location=data["location"],
                    category=data["category"],
                    kind=data["kind"] or None,
                    title=data["title"],
                    description=data["description"],
                    reporter=data["person"],
                    reporter_name=data["reporter_name"] if not data["person"] else "",
                    reporter_phone=data["reporter_phone"] if not data["person"] else "",
                    channel=data["channel"],
                    recorded_by=user,
                    on_public_board=data["on_public_board"],
                    photos=data["photos"],
                )
            except ValidationError as exc:
                field = "reporter_phone" if getattr(exc, "code", "") == "bad_phone" else None
                form.add_error(field, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Case %(code)s recorded. Tell the resident its code: he can follow it with the "
                        "last four digits of his phone."
                    )
                    % {"code": case.code},
                )
                return redirect("cases:case", code=case.code)
        status = 400
    else:
        source = request.POST if request.method == "POST" else request.GET
        initial = source.dict()
        if request.method == "POST":
            initial["on_public_board"] = "on_public_board" in source
        form = RecordForm(initial=initial, user=user, compounds=compounds)
    who = (form.data if form.is_bound else form.initial).get("who", "")
    chosen = _chosen_person(user, form)
    people = _find_people(user, who)
    if chosen is not None and chosen not in people:
        people.insert(0, chosen)
    ctx = {"form": form, "people": people, "who": who, "chosen": chosen}
    return render(request, "cases/staff/record.html", ctx, status=status)


def _chosen_person(user, form):
    raw = form.data.get("person") if form.is_bound else form.initial.get("person")
    if raw and str(raw).isdigit():
        return visible_people(user).filter(pk=int(raw)).first()
    return None


@login_required
def record_people(request):
    """HTMX: the residents matching what was typed, to choose one."""
    if not _recordable_compounds(request.user).exists():
        raise PermissionDenied
    who = request.GET.get("who", "")
    return render(request, "cases/staff/_people.html", {"people": _find_people(request.user, who), "who": who})


@login_required
def record_places(request):
    """HTMX: the buildings and stairwells of the chosen compound."""
    compounds = _recordable_compounds(request.user)
    if not compounds.exists():
        raise PermissionDenied
    form = RecordForm(initial={"compound": request.GET.get("compound")}, user=request.user, compounds=compounds)
    return render(request, "cases/staff/_place.html", {"form": form})


# --- revisits ------------------------------------------------------------------------------------


def _revisits(user):
    staff = access.staff_q(user)
    if staff is None:
        raise PermissionDenied(_("Only community staff record revisits."))
    return Revisit.objects.filter(case__in=access.visible_cases(user).filter(staff))


def open_revisits(tasks):
    """The revisits still to do, soonest due first (the page's cards)."""
    return (
        tasks.filter(done_at__isnull=True)
        .select_related("case__category", "case__compound", "case__building", "case__stairwell")
        .order_by("due", "pk")
    )


def done_revisits(tasks):
    """The revisits done, newest first (the page shows the latest twenty)."""
    return tasks.filter(done_at__isnull=False).select_related("case", "done_by__person").order_by("-done_at", "-pk")


def listed_revisits(user):
    """Every revisit the page lists, all of them: those to do (soonest due first), then those
    done (newest first), for the Excel export."""
    return (
        _revisits(user)
        .select_related("case__compound", "case__building", "case__stairwell", "done_by__person")
        .order_by(SqlCase(When(done_at__isnull=True, then=Value(0)), default=Value(1)), "-done_at", "due", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def revisits(request, pk=None):
    user = request.user
    tasks = _revisits(user)
    bound, status = {}, 200
    if request.method == "POST":
        revisit = get_object_or_404(tasks.select_related("case"), pk=pk)
        form = RevisitForm(request.POST, prefix=f"r{revisit.pk}")
        if form.is_valid():
            try:
                services.record_revisit(
                    revisit=revisit, user=user, outcome=form.cleaned_data["outcome"], stars=form.cleaned_data["stars"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except PermissionDenied as exc:
                form.add_error(None, _error_text(exc))
                status = 403
            except CaseError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("Revisit of %(code)s recorded.") % {"code": revisit.case.code})
                return redirect("cases:revisits")
        bound[revisit.pk] = form
        status = status if status != 200 else 400
    elif pk is not None:
        return redirect("cases:revisits")
    open_tasks = list(open_revisits(tasks))
    for task in open_tasks:
        task.form = bound.get(task.pk) or RevisitForm(prefix=f"r{task.pk}")
    done = done_revisits(tasks)[:20]
    ctx = {"tasks": open_tasks, "done": list(done), "now": timezone.now()}
    from . import mediation, mediation_views  # the mediation follow-ups due, for those who may mediate them

    follow_ups = mediation.due_follow_ups(mediation_views.mediable_cases(user)).order_by("follow_up_on", "pk")
    ctx.update(follow_ups=list(follow_ups), today=timezone.localdate())
    return render(request, "cases/staff/revisits.html", ctx, status=status)


@login_required
def revisits_export(request):
    """Every revisit, to do and done (the page shows the latest twenty done), as Excel; the
    resident's phone masked as on the page."""
    columns = [
        (_("Code"), lambda r: r.case.code),
        (_("Title"), lambda r: r.case.title),
        (_("Place"), lambda r: r.case.place_label),
        (_("Resident"), lambda r: r.case.reporter_name or _("anonymous")),
        (_("Phone"), lambda r: masked_phone(r.case.reporter_phone)),
        (_("Resolved"), lambda r: r.case.resolved_at),
        (_("Call by"), lambda r: r.due),
        (_("Done"), lambda r: r.done_at),
        (_("By"), lambda r: r.done_by.display_name() if r.done_by_id else ""),
        (_("What the resident said"), lambda r: r.outcome),
    ]
    return exports.export_list(
        request,
        key="revisits",
        title=_("Revisits"),
        queryset=listed_revisits(request.user),
        columns=columns,
        back=reverse("cases:revisits"),
    )


# --- figures -------------------------------------------------------------------------------------


@login_required
def figures(request):
    user = request.user
    now = timezone.now()
    visible = access.visible_cases(user)
    form = FiguresFilter(request.GET, user=user)
    cases, month = visible, None
    if form.is_valid():
        data = form.cleaned_data
        for field in ("compound", "organisation", "category"):
            if data.get(field):
                cases = cases.filter(**{field: data[field]})
        if month := data.get("month"):
            start, end = month_bounds(month)
            cases = cases.filter(submitted_at__gte=start, submitted_at__lt=end)
    else:
        cases = cases.none()
    ctx = {
        "form": form,
        "month": month,
        "totals": services.figures(cases, now),
        "by_compound": grouped_figures(cases, "compound", now),
        "by_category": grouped_figures(cases, "category", now),
    }
    return render(request, "cases/staff/figures.html", ctx)
