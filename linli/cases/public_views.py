"""Pages anyone can open, mostly on a phone inside WeChat: report a problem (also from a
stairwell poster's QR code), support a case instead of filing it twice, follow one's own case
without an account, rate it, and the compound's public board.

Who may see a case here is decided in three places only: `_tracked_case` (the resident with
his code and digits, his secret link, or his account), `_board_cases` (cases the resident put on
the public board) and `access_place` for poster downloads. Names, homes and phones of residents
never reach a public page unless the resident agreed (`case.public_details`; never the phone).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from linli.accounts.scope import access_place
from linli.lib.api_support import client_ip
from linli.people.models import Occupancy
from linli.places.models import Building, Compound, Stairwell

from . import access, deadlines, lifecycle, limits, services
from .forms import IntakeForm, RateForm, ReopenForm, SupportForm, TrackForm
from .lifecycle import CaseError
from .models import Case, Category, Channel, Event, Photo, Status

T = "cases/public/"
SESSION_TRACKED = "cases_tracked"  # code -> signed "code:pk", proof of a successful lookup
SESSION_NEW = "cases_new"  # the secret of the case just submitted, shown once
TRACK_SALT = "linli.cases.track"
TRACK_MAX_AGE = 7 * 24 * 3600
# Limits on the public lookup: the code is random, and the digits are a second factor; these
# keep anyone from trying all 10,000 endings for a code they saw on the board.
IP_TRIES, IP_WINDOW = 10, 600
CODE_WRONG, CODE_WINDOW = 5, 3600
# Reports and supports by people not logged in, per address: enough for a household, not for a bot.
WRITES_PER_HOUR = 20
BOARD_PAGE = 20
BOARD_RECENT_DAYS = 30
CASE_RELATED = ("category", "compound", "building", "stairwell", "organisation", "home")


# --- helpers ------------------------------------------------------------------------------


def _client_ip(request) -> str:
    return client_ip(request) or "unknown"


def _write_limited(request) -> bool:
    if request.user.is_authenticated:
        return False
    return limits.hit(f"cases:write:{_client_ip(request)}", 3600) > WRITES_PER_HOUR


def _not_found(request, message: str, *, title: str = ""):
    return render(
        request,
        T + "not_found.html",
        {"message": message, "title": title or _("Not found")},
        status=404,
    )


def _too_many(request, message: str = ""):
    message = message or _("Too many tries. Please wait a few minutes and try again.")
    return render(request, T + "not_found.html", {"message": message, "title": _("Please wait")}, status=429)


def _resident(user):
    """(person, home) of a logged-in resident: the case is his, his home's place is preselected."""
    if not user.is_authenticated or user.person_id is None:
        return None, None
    occupancy = (
        Occupancy.objects.active()
        .filter(person_id=user.person_id)
        .select_related("home__stairwell__building__compound")
        .order_by("pk")
        .first()
    )
    return user.person, occupancy.home if occupancy else None


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


# --- who may see which case ---------------------------------------------------------------


def _signer():
    return signing.TimestampSigner(salt=TRACK_SALT)


def _remember(request, case: Case) -> None:
    """Mark the session as the resident's after he proved it is his case (digits or secret link)."""
    tracked = dict(request.session.get(SESSION_TRACKED) or {})
    tracked[case.code] = _signer().sign(f"{case.code}:{case.pk}")
    if len(tracked) > 20:  # the oldest go first; a shared phone should not collect everyone's cases
        tracked = dict(list(tracked.items())[-20:])
    request.session[SESSION_TRACKED] = tracked


def _remembered_pk(request, code: str) -> int | None:
    value = (request.session.get(SESSION_TRACKED) or {}).get(code)
    if not value:
        return None
    try:
        signed_code, pk = _signer().unsign(value, max_age=TRACK_MAX_AGE).split(":")
    except (signing.BadSignature, ValueError):
        return None
    return int(pk) if signed_code == code else None


def _tracked_case(request, code: str) -> Case | None:
    """The case if this session looked it up with its code and digits or its secret link, or
    the logged-in user reported it; None otherwise (whether or not it exists)."""
    code = code.upper()
    pk = _remembered_pk(request, code)
    if pk is not None:
        case = Case.objects.select_related(*CASE_RELATED).filter(pk=pk, code=code).first()
        if case is not None:
            return case
    if request.user.is_authenticated:
        try:
            case = access.access_case(request.user, code)
        except Http404:
            return None
        if access.is_reporter_of(request.user, case):
            return case
    return None


def _board_cases(compound):
    """Cases of the compound that their residents put on the public board."""
    return Case.objects.filter(compound=compound, on_public_board=True)


def _supportable(code: str) -> Case | None:
    return (
        Case.objects.open()
        .exclude(status=Status.RESOLVED)
        .filter(on_public_board=True, code=code.upper())
        .select_related("category", "compound", "building")
        .first()
    )


# --- intake -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def intake(request):
    """/r/new/: choose the compound (unless known), then the form."""
    _person, home = _resident(request.user)
    raw = request.POST.get("compound") or request.GET.get("compound")
    if raw:
        compound = Compound.objects.filter(pk=_int(raw)).first() if _int(raw) else None
        if compound is None:
            return _compound_picker(request, error=_("Please choose your compound from the list."))
    elif home is not None:
        compound = home.stairwell.building.compound
    else:
        return _compound_picker(request)
    building = stairwell = None
    if home is not None and home.stairwell.building.compound_id == compound.pk:
        stairwell, building = home.stairwell, home.stairwell.building
    if (s := _int(request.GET.get("stairwell"))) is not None:
        stairwell = Stairwell.objects.filter(pk=s, building__compound=compound).select_related("building").first()
        building = stairwell.building if stairwell else None
    elif (b := _int(request.GET.get("building"))) is not None:
        building, stairwell = Building.objects.filter(pk=b, compound=compound).first(), None
    return _intake(request, compound=compound, building=building, stairwell=stairwell, channel=Channel.MOBILE)


def _compound_picker(request, error: str = ""):
    compounds = Compound.objects.select_related("community").order_by("community__name", "name")
    return render(
        request, T + "compound_pick.html", {"compounds": compounds, "error": error}, status=400 if error else 200
    )


@require_http_methods(["GET", "POST"])
def poster_entry(request, stairwell_id):
    """/r/s/<id>/: the URL a stairwell poster's QR code holds; the place is filled in."""
    stairwell = Stairwell.objects.select_related("building__compound").filter(pk=stairwell_id).first()
    if stairwell is None:
        return _not_found(
            request,
            _(
                "This poster's code is not recognised. The stairwell may have been renamed or merged. "
                "You can still report your problem: choose your compound below, or tell your building leader."
            ),
            title=_("Unknown poster"),
        )
    return _intake(
        request,
        compound=stairwell.building.compound,
        building=stairwell.building,
        stairwell=stairwell,
        channel=Channel.POSTER,
        from_poster=True,
    )


def _intake(request, *, compound, building, stairwell, channel, from_poster=False):
    person, home = _resident(request.user)
    needs_contact = person is None
    status = 200
    if request.method == "POST":
        if _write_limited(request):
            return _too_many(request, _("Too many reports from this connection. Please try again in an hour."))
        form = IntakeForm(request.POST, request.FILES, compound=compound, needs_contact=needs_contact)
        if form.is_valid():
            case = _submit(request, form, compound=compound, person=person, home=home, channel=channel)
            if case is not None:
                return redirect("report:done", code=case.code)
        status = 400
        chosen_building = form.cleaned_data.get("building")
        chosen_stairwell = form.cleaned_data.get("stairwell")
        chosen_category = form.cleaned_data.get("category")
    else:
        category = Category.objects.filter(active=True, code=request.GET.get("category") or "").first()
        form = IntakeForm(
            compound=compound,
            needs_contact=needs_contact,
            initial={"building": building, "stairwell": stairwell, "category": category},
            narrow_to=building,
        )
        chosen_building, chosen_stairwell, chosen_category = building, stairwell, category
    similar = (
        _similar(compound, chosen_category, chosen_building, chosen_stairwell) if chosen_category is not None else []
    )
    ctx = {
        "form": form,
        "compound": compound,
        "place_building": building,
        "place_stairwell": stairwell,
        "from_poster": from_poster,
        "similar": similar,
        "similar_asked": chosen_category is not None,
        "person": person,
        "had_photos": request.method == "POST" and bool(request.FILES.getlist("photos")),
    }
    return render(request, T + "intake.html", ctx, status=status)


def _submit(request, form, *, compound, person, home, channel) -> Case | None:
    cd = form.cleaned_data
    stairwell = cd.get("stairwell")
    try:
        case, secret = services.submit(
            compound=compound,
            category=cd["category"],
            kind=cd.get("kind") or None,
            title=cd["title"],
            description=cd["description"],
            building=cd.get("building"),
            stairwell=stairwell,
            # The reporter's own home when he reports from his own stairwell: handlers can find
            # him, and the board names it only if he agreed.
            home=home if home is not None and stairwell is not None and home.stairwell_id == stairwell.pk else None,
            location=cd.get("location", ""),
            reporter=person,
            reporter_name=cd.get("name", ""),
            reporter_phone=cd.get("phone", ""),
            channel=channel,
            on_public_board=cd["on_public_board"],
            public_details=cd["public_details"],
            photos=cd.get("photos") or [],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    _remember(request, case)
    request.session[SESSION_NEW] = {"code": case.code, "secret": secret}
    return case


def _similar(compound, category, building=None, stairwell=None) -> list[Case]:
    """Open cases like this one that the public may see (a private case's title stays private)."""
    if category is None:
        return []
    found = services.similar_open_cases(
        compound=compound, category=category, building=building, stairwell=stairwell, limit=20
    )
    return [c for c in found if c.on_public_board][:5]


def _place_from_query(request):
    compound = Compound.objects.filter(pk=_int(request.GET.get("compound"))).first()
    if compound is None:
        return None, None, None
    building = stairwell = None
    if (s := _int(request.GET.get("stairwell"))) is not None:
        stairwell = Stairwell.objects.filter(pk=s, building__compound=compound).select_related("building").first()
    if (b := _int(request.GET.get("building"))) is not None:
        building = Building.objects.filter(pk=b, compound=compound).first()
    if stairwell is not None and building is not None and stairwell.building_id != building.pk:
        stairwell = None
    return compound, building, stairwell


@require_GET
def similar(request):
    """htmx partial: open cases of the same category in the same stairwell or building."""
    compound, building, stairwell = _place_from_query(request)
    category = Category.objects.filter(active=True, code=request.GET.get("category") or "").first()
    cases = _similar(compound, category, building, stairwell) if compound is not None else []
    return render(request, T + "_similar.html", {"similar": cases, "similar_asked": category is not None})


@require_GET
def stairwell_options(request):
    """htmx partial: the stairwells of the chosen building, and the similar cases there."""
    compound, building, _stairwell = _place_from_query(request)
    if compound is None:
        raise Http404
    category = Category.objects.filter(active=True, code=request.GET.get("category") or "").first()
    form = IntakeForm(compound=compound, needs_contact=False, initial={"building": building}, narrow_to=building)
    ctx = {
        "form": form,
        "similar": _similar(compound, category, building),
        "similar_asked": category is not None,
        "oob": True,
    }
    return render(request, T + "_stairwell_options.html", ctx)


@require_http_methods(["GET", "POST"])
def support(request, code):
    """Support an open case instead of reporting it again."""
    case = _supportable(code)
    if case is None:
        return _not_found(request, _("This case is not open for support. It may be resolved already."))
    person, _home = _resident(request.user)
    form = SupportForm(request.POST or None) if person is None else None
    ctx = {"case": case, "form": form, "person": person}
    if request.method == "GET":
        return render(request, T + "support.html", ctx)
    if _write_limited(request):
        return _too_many(request)
    if form is not None and not form.is_valid():
        return render(request, T + "support.html", ctx, status=400)
    try:
        # One transaction: if the support is refused, the person record is not kept either.
        with transaction.atomic():
            supporter = person or services.find_or_add_reporter(
                name=form.cleaned_data["name"], phone=form.cleaned_data["phone"]
            )
            added = services.support(case=case, person=supporter)
    except CaseError as exc:
        ctx["error"] = exc.message
        return render(request, T + "support.html", ctx, status=409)
    case.refresh_from_db(fields=["supporters"])
    ctx.update(done=True, added=added)
    return render(request, T + "support.html", ctx)


@require_GET
def done(request, code):
    """After submitting: the code, the secret follow link (shown once) and how to look it up."""
    case = _tracked_case(request, code)
    if case is None:
        return redirect(reverse("report:track") + "?" + urlencode({"code": code}))
    new = request.session.get(SESSION_NEW) or {}
    secret = new.get("secret") if new.get("code") == case.code else None
    if secret:
        del request.session[SESSION_NEW]
    ctx = {"case": case, "secret": secret}
    if secret:
        ctx["secret_url"] = request.build_absolute_uri(reverse("report:secret", args=[case.code, secret]))
    response = render(request, T + "done.html", ctx)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def secret_qr(request, code, secret):
    """The QR code of a case's secret follow link, for the confirmation page."""
    case = Case.objects.filter(code=code.upper()).first()
    if case is None or not case.secret_matches(secret):
        raise Http404
    from linli.lib.posters import qr_png

    url = request.build_absolute_uri(reverse("report:secret", args=[case.code, secret]))
    response = HttpResponse(qr_png(url, box_size=6), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


# --- posters -------------------------------------------------------------------------------


@login_required
@require_GET
def poster(request, stairwell_id, fmt):
    """The A4 poster of a stairwell the user looks after (a leader prints his own)."""
    stairwell = access_place(request.user, "stairwell", stairwell_id)
    stairwell = Stairwell.objects.select_related("building__compound__community").get(pk=stairwell.pk)
    from linli.lib.posters import stairwell_poster

    url = request.build_absolute_uri(reverse("report:poster_entry", args=[stairwell.pk]))
    building = stairwell.building
    # Printed for the stairwell's residents, whatever language the person printing reads.
    with translation.override("zh-hans"):
        title_lines = [
            _("Something wrong? Scan to tell us"),
            f"{building.compound.name} {building.name} {stairwell.name}",
        ]
        footer_lines = [
            _("Every request gets an answer and is followed to the end."),
            _("%(community)s · you can also ask your building leader") % {"community": building.compound.community},
        ]
    with translation.override("en"):
        footer_lines.append(_("Scan the code to report a problem in this stairwell."))
    data = stairwell_poster(title_lines=title_lines, url=url, footer_lines=footer_lines, fmt=fmt)
    response = HttpResponse(data, content_type="application/pdf" if fmt == "pdf" else "image/png")
    response["Content-Disposition"] = f'attachment; filename="poster-stairwell-{stairwell.pk}.{fmt}"'
    return response


# --- following a case ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request):
    """Find one's case with its code and the last 4 digits of the phone (rate-limited)."""
    if request.method == "GET":
        form = TrackForm(initial={"code": request.GET.get("code", "")[:12]})
        return render(request, T + "track_lookup.html", {"form": form})
    form = TrackForm(request.POST)
    limited = _("Too many tries. For your safety, please wait 10 minutes and try again.")
    if limits.hit(limits.track_ip_key(_client_ip(request)), IP_WINDOW) > IP_TRIES:
        return render(request, T + "track_lookup.html", {"form": form, "limited": limited}, status=429)
    if not form.is_valid():
        return render(request, T + "track_lookup.html", {"form": form}, status=400)
    code, last4 = form.cleaned_data["code"], form.cleaned_data["last4"]
    code_key = limits.track_code_key(code)  # the API's /track counts here too
    if limits.tries(code_key) >= CODE_WRONG:
        limited = _("Too many wrong tries for this code. Please wait an hour, or ask your community worker.")
        return render(request, T + "track_lookup.html", {"form": form, "limited": limited}, status=429)
    case = Case.objects.filter(code=code, phone_last4=last4).exclude(phone_last4="").first()
    if case is None:
        limits.hit(code_key, CODE_WINDOW)
        # Never say which part was wrong: that would tell a stranger the code exists.
        form.add_error(None, _("No case matches this code and these digits. Please check both and try again."))
        return render(request, T + "track_lookup.html", {"form": form}, status=400)
    _remember(request, case)
    return redirect("report:case", code=case.code)


@require_http_methods(["GET", "POST"])
def track_case(request, code):
    case = _tracked_case(request, code)
    if case is None:
        return redirect(reverse("report:track") + "?" + urlencode({"code": code.upper()[:12]}))
    return _case_page(request, case)


@require_http_methods(["GET", "POST"])
def track_secret(request, code, secret):
    case = Case.objects.select_related(*CASE_RELATED).filter(code=code.upper()).first()
    if case is None or not case.secret_matches(secret):
        return _not_found(
            request,
            _("This link is not valid. Please check it, or look up your case with its code and your phone's digits."),
        )
    _remember(request, case)
    return _case_page(request, case)


def _case_page(request, case: Case):
    rate_form, reopen_form = RateForm(prefix="rate"), ReopenForm(prefix="reopen")
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rate":
                rate_form = RateForm(request.POST, prefix="rate")
                if not rate_form.is_valid():
                    raise ValidationError(_("Please correct the rating below."))
                services.rate(
                    case=case,
                    stars=rate_form.cleaned_data["stars"],
                    comment=rate_form.cleaned_data["comment"],
                    as_reporter=True,
                )
                done_message = _("Thank you for your rating.")
            elif action == "close":
                lifecycle.perform(case, "close", as_reporter=True, note=_("The resident confirmed it is resolved."))
                done_message = _("Thank you. The case is closed.")
            elif action == "reopen":
                reopen_form = ReopenForm(request.POST, prefix="reopen")
                if not reopen_form.is_valid():
                    raise ValidationError(_("Please say why the problem is not solved."))
                lifecycle.perform(case, "reopen", as_reporter=True, note=reopen_form.cleaned_data["note"])
                done_message = _("The case is reopened. The people handling it have been told.")
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        except CaseError as exc:
            error, status = exc.message, 409
        except PermissionDenied as exc:
            error, status = str(exc) or _("You may not do that."), 403
        else:
            messages.success(request, done_message)
            return redirect(request.path)
        case.refresh_from_db()
    can_reopen = case.status == Status.RESOLVED or (
        case.status == Status.CLOSED and lifecycle.within_reopen_period(case)
    )
    ctx = {
        "case": case,
        "steps": _progress(case),
        "events": _timeline(case, public_board=False),
        "intake_photos": list(case.photos.filter(event__isnull=True)),
        "board": False,
        "dues": _dues(case),
        "can_rate": case.resolved_at is not None
        and case.rating is None
        and case.status in (Status.RESOLVED, Status.CLOSED),
        "can_close": case.status == Status.RESOLVED,
        "can_reopen": can_reopen,
        "rate_form": rate_form,
        "reopen_form": reopen_form,
        "error": error,
    }
    response = render(request, T + "track.html", ctx, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


STEPS = ["accept", "dispatch", "handle", "resolve", "rate"]
# How far along the closed loop (受理 → 派单 → 办理 → 办结 → 评价) each status is: steps done.
_DONE = {
    Status.SUBMITTED: 0,
    Status.ACCEPTED: 1,
    Status.RETURNED: 1,
    Status.DISPATCHED: 2,
    Status.IN_PROGRESS: 2,
    Status.ON_HOLD: 2,
    Status.REOPENED: 2,
    Status.RESOLVED: 4,
    Status.CLOSED: 4,
}


def _progress(case: Case) -> list[dict]:
    """The closed-loop steps with done/current flags; empty for rejected and merged cases."""
    if case.status not in _DONE:
        return []
    done = _DONE[case.status] + (1 if case.status == Status.CLOSED and case.rating is not None else 0)
    names = {
        "accept": _("Accepted"),
        "dispatch": _("Dispatched"),
        "handle": _("Being handled"),
        "resolve": _("Resolved"),
        "rate": _("Rated"),
    }
    return [{"key": key, "label": names[key], "done": i < done, "current": i == done} for i, key in enumerate(STEPS)]


def _dues(case: Case) -> dict:
    if case.status in (Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.MERGED):
        return {}
    if case.status == Status.ON_HOLD:
        return {"on_hold": True, "resolve_due": case.resolve_due}
    cal = deadlines.overrides()
    return {
        "reply_due": case.reply_due if case.first_reply_at is None else None,
        "resolve_due": case.resolve_due,
        "days_left": deadlines.workdays_left(case.resolve_due, cal=cal),
        "overdue": case.is_overdue(),
    }


def _timeline(case: Case, *, public_board: bool) -> list[Event]:
    """The public events (transitions, replies with their photos, supports, ratings), never notes."""
    events = list(
        case.events.filter(public=True)
        .select_related("organisation")
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("pk")))
        .order_by("at", "pk")
    )
    for event in events:
        event.who = _who(event)
        # The note of a case recorded by staff names the recorder; the board keeps it short.
        event.shown_note = "" if (public_board and event.action == "submit") else event.note
    return events


def _who(event: Event) -> str:
    if event.action == "submit":
        return ""
    if event.actor_id is None:
        return event.actor_display  # "the resident", "a neighbour", "the system": no one's name
    if event.organisation_id:
        return event.organisation.name
    return _("community staff")


@require_GET
def case_photo(request, code, photo_id):
    case = _tracked_case(request, code)
    if case is None:
        raise Http404
    photo = case.photos.filter(pk=photo_id).filter(Q(event__isnull=True) | Q(event__public=True)).first()
    return _photo_response(photo, private=True)


def _photo_response(photo, *, private: bool):
    if photo is None:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600" if private else "public, max-age=3600"
    return response


# --- the public board -------------------------------------------------------------------------


def _compound_or_404(compound_id) -> Compound:
    compound = Compound.objects.select_related("community").filter(pk=compound_id).first()
    if compound is None:
        raise Http404
    return compound


@require_GET
def board(request, compound_id):
    compound = _compound_or_404(compound_id)
    now = timezone.now()
    since = now - dt.timedelta(days=BOARD_RECENT_DAYS)
    finished = [Status.RESOLVED, Status.CLOSED]
    open_q = ~Q(status__in=[*finished, Status.REJECTED, Status.MERGED])
    recent_q = Q(status__in=finished, resolved_at__gte=since)
    group = request.GET.get("status", "")
    shown = {"open": open_q, "resolved": recent_q}.get(group, open_q | recent_q)
    categories = list(Category.objects.filter(active=True))
    category = next((c for c in categories if c.code == request.GET.get("category")), None)
    cases = _board_cases(compound).filter(shown)
    if category is not None:
        cases = cases.filter(category=category)
    # The replies counted per row by a subquery, not a join and GROUP BY: the paginator's count
    # then leaves it out and counts the plain cases.
    replies = (
        Event.objects.filter(case=OuterRef("pk"), type=Event.Type.REPLY, public=True)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cases = (
        cases.select_related("category", "building", "stairwell")
        .annotate(public_replies=Coalesce(Subquery(replies), 0))
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(cases, BOARD_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for case in rows:
        case.days_open = max(0, ((case.resolved_at or now) - case.submitted_at).days)
    month_start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now).replace(day=1), dt.time()))
    figures = services.figures(Case.objects.filter(compound=compound, submitted_at__gte=month_start), now=now)
    query = urlencode({k: v for k, v in (("status", group), ("category", category and category.code)) if v})
    ctx = {
        "compound": compound,
        "page": page,
        "rows": rows,
        "figures": figures,
        "categories": categories,
        "category": category,
        "group": group if group in ("open", "resolved") else "",
        "query": query,
    }
    return render(request, T + "board.html", ctx)


@require_GET
def board_case(request, compound_id, code):
    compound = _compound_or_404(compound_id)
    case = _board_cases(compound).select_related(*CASE_RELATED).filter(code=code.upper()).first()
    if case is None:
        return _not_found(request, _("This case is not on the public board."))
    intake_photos = list(case.photos.filter(event__isnull=True)) if case.public_details else []
    ctx = {
        "compound": compound,
        "case": case,
        "steps": _progress(case),
        "events": _timeline(case, public_board=True),
        "intake_photos": intake_photos,
        "board": True,
        "supportable": case.is_open and case.status != Status.RESOLVED,
    }
    return render(request, T + "board_case.html", ctx)


@require_GET
def board_photo(request, compound_id, code, photo_id):
    compound = _compound_or_404(compound_id)
    case = _board_cases(compound).filter(code=code.upper()).first()
    if case is None:
        raise Http404
    photos = case.photos.filter(pk=photo_id)
    # Handlers' reply photos are public; the resident's own only if he agreed to show details.
    photos = (
        photos.filter(Q(event__public=True) | Q(event__isnull=True))
        if case.public_details
        else photos.filter(event__public=True)
    )
    return _photo_response(photos.first(), private=False)
