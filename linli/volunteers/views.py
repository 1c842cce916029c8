"""Pages: upcoming activities (sign up in one tap), an activity (the roster, QR code, hours
confirmation and cancelling for organisers), the QR check-in page (one button), my hours with
the certificate, a volunteer's ledger with adjustments, teams with join requests, leaderboards
and the public certificate check. Thin: who sees what is in access.py, every write in
services.py; a refusal shows the page again with the message, nothing changed."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.scope import visible_places
from linli.lib import exports
from linli.people.models import Membership, Organisation, Person

from . import access, pdf, services
from .forms import ActivityForm, AdjustForm, CancelForm, EditForm, JoinForm, PeriodForm, SeriesForm
from .models import Activity, Attendance, Certificate, HoursEntry, JoinRequest, SignUp, VolunteerProfile
from .services import VolunteerError

T = "volunteers/"


def _error(request, exc: VolunteerError, to: str):
    messages.error(request, exc.message)
    return redirect(to)


@login_required
def index(request):
    now = timezone.now()
    activities = list(
        access.visible_activities(request.user)
        .filter(ends_at__gte=now, starts_at__lte=now + dt.timedelta(days=60))
        .select_related("organisation", "compound", "building__compound")
        .order_by("starts_at", "pk")[:100]
    )
    mine = dict(
        SignUp.objects.filter(activity__in=activities, person_id=request.user.person_id).values_list(
            "activity_id", "state"
        )
    )
    for a in activities:
        a.my_state = mine.get(a.pk)
    ctx = {"activities": activities, "organiser": access.managed_teams(request.user).exists()}
    return render(request, T + "index.html", ctx)


def _team_choices(user):
    return list(access.managed_teams(user).order_by("name"))


def _form_page(request, form_class, template, create):
    teams = _team_choices(request.user)
    if not teams:
        raise Http404
    form = form_class(request.POST or None, teams=teams, prefix="a")
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        team = next(t for t in teams if str(t.pk) == d["team"])
        try:
            target = create(team, d)
        except VolunteerError as exc:
            error = exc.message
        else:
            return redirect(target)
    return render(
        request, T + template, {"form": form, "error": error}, status=422 if request.method == "POST" else 200
    )


@login_required
def new_activity(request):
    def create(team, d):
        activity = services.create_activity(
            user=request.user,
            organisation=team,
            kind=d["kind"],
            title=d["title"],
            venue=d["venue"],
            description=d["description"],
            capacity=d["capacity"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
        )
        messages.success(request, _("The activity is published."))
        return reverse("volunteers:activity", args=[activity.code])

    return _form_page(request, ActivityForm, "new.html", create)


@login_required
def new_series(request):
    def create(team, d):
        series = services.create_series(
            user=request.user,
            organisation=team,
            kind=d["kind"],
            title=d["title"],
            venue=d["venue"],
            description=d["description"],
            capacity=d["capacity"],
            rrule=d["rrule"],
            first_start=d["first_start"],
            duration_minutes=d["duration_minutes"],
            skip_holidays=d["skip_holidays"],
        )
        messages.success(
            request, _("The series is published: %(n)s dates in the coming weeks.") % {"n": series.activities.count()}
        )
        return reverse("volunteers:index")

    return _form_page(request, SeriesForm, "new_series.html", create)


def _roster(activity):
    signups = list(
        activity.signups.exclude(state=SignUp.State.CANCELLED).select_related("person").order_by("created", "pk")
    )
    attendance = {a.person_id: a for a in activity.attendances.all()}
    earned = dict(
        HoursEntry.objects.filter(activity=activity, kind=HoursEntry.Kind.EARNED).values_list("person_id", "minutes")
    )
    position = 0
    for s in signups:
        s.attendance = attendance.get(s.person_id)
        s.earned = earned.get(s.person_id)
        s.computed = services.minutes_for(activity, s.attendance)
        if s.state == SignUp.State.WAITING:
            position += 1
            s.position = position
    return signups


@login_required
def activity(request, code):
    a = access.access_activity(request.user, code)
    organiser = access.may_manage(request.user, a.organisation)
    signup = SignUp.objects.filter(activity=a, person_id=request.user.person_id).first()
    attendance = Attendance.objects.filter(activity=a, person_id=request.user.person_id).first()
    now = timezone.now()
    ctx = {
        "activity": a,
        "signup": signup,
        "position": services.waiting_position(signup) if signup else None,
        "attendance": attendance,
        "taken": a.signups.filter(state=SignUp.State.SIGNED_UP).count(),
        "organiser": organiser,
        "upcoming": now < a.starts_at and a.state == Activity.State.SCHEDULED,
        "started": now >= a.starts_at,
    }
    if organiser:
        ctx["roster"] = _roster(a)
        ctx["cancel_form"] = CancelForm(prefix="c")
        ctx["checkin_url"] = request.build_absolute_uri(reverse("volunteers:check_in", args=[a.code, a.checkin_token]))
    return render(request, T + "activity.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def edit_activity(request, code):
    """The organisers change an activity until it starts; a refusal is shown on the form."""
    a = access.access_activity(request.user, code)
    if not access.may_manage(request.user, a.organisation):
        raise Http404
    initial = {f: getattr(a, f) for f in services.EDITABLE}
    initial["starts_at"] = timezone.localtime(a.starts_at)
    initial["ends_at"] = timezone.localtime(a.ends_at)
    form = EditForm(request.POST or None, initial=initial, prefix="a")
    closed = None
    if a.state == Activity.State.CANCELLED:
        closed = _("This activity was cancelled and can no longer be changed.")
    elif timezone.now() >= a.starts_at:
        closed = _("This activity has started and can no longer be changed.")
    if request.method == "POST" and not closed and form.is_valid():
        try:
            services.edit_activity(a, by=request.user, **{f: form.cleaned_data[f] for f in form.changed_data})
        except VolunteerError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The activity is changed."))
            return redirect("volunteers:activity", code=a.code)
    status = 422 if request.method == "POST" else 200
    return render(request, T + "edit.html", {"activity": a, "form": form, "closed": closed}, status=status)


@login_required
@require_POST
def sign_up(request, code):
    a = access.access_activity(request.user, code)
    try:
        s = services.sign_up(activity=a, user=request.user)
    except VolunteerError as exc:
        return _error(request, exc, reverse("volunteers:activity", args=[a.code]))
    if s.state == SignUp.State.SIGNED_UP:
        messages.success(request, _("You are signed up. Thank you!"))
    else:
        messages.success(
            request,
            _("All places are taken: you are number %(n)s on the waiting list.") % {"n": services.waiting_position(s)},
        )
    return redirect(
        request.POST.get("next") == "index"
        and reverse("volunteers:index")
        or reverse("volunteers:activity", args=[a.code])
    )


@login_required
@require_POST
def cancel_sign_up(request, code):
    a = access.access_activity(request.user, code)
    try:
        services.cancel_sign_up(activity=a, user=request.user)
    except VolunteerError as exc:
        return _error(request, exc, reverse("volunteers:activity", args=[a.code]))
    messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteers:activity", code=a.code)


@login_required
@require_POST
def cancel_activity(request, code):
    a = access.access_activity(request.user, code)
    form = CancelForm(request.POST, prefix="c")
    try:
        services.cancel_activity(activity=a, user=request.user, reason=form.data.get("c-reason", ""))
    except VolunteerError as exc:
        return _error(request, exc, reverse("volunteers:activity", args=[a.code]))
    messages.success(request, _("The activity is cancelled; the volunteers are told."))
    return redirect("volunteers:activity", code=a.code)


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, code, token):
    """Where the QR code at the venue leads: one big button."""
    a = access.access_activity(request.user, code)
    ctx = {"activity": a, "token": token, "error": "", "attendance": None}
    if request.method == "POST":
        try:
            ctx["attendance"] = services.check_in(activity=a, user=request.user, token=token)
        except VolunteerError as exc:
            ctx["error"] = exc.message
            return render(request, T + "check_in.html", ctx, status=400)
    else:
        ctx["attendance"] = Attendance.objects.filter(activity=a, person_id=request.user.person_id).first()
    return render(request, T + "check_in.html", ctx)


@login_required
@require_POST
def check_out(request, code):
    a = access.access_activity(request.user, code)
    try:
        services.check_out(activity=a, user=request.user)
    except VolunteerError as exc:
        return _error(request, exc, reverse("volunteers:activity", args=[a.code]))
    messages.success(request, _("You checked out. Thank you for your time!"))
    return redirect("volunteers:activity", code=a.code)


@login_required
def qr_svg(request, code):
    import qrcode
    import qrcode.image.svg

    a = access.access_activity(request.user, code)
    if not access.may_manage(request.user, a.organisation):
        raise Http404
    url = request.build_absolute_uri(reverse("volunteers:check_in", args=[a.code, a.checkin_token]))
    out = BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12).save(out)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def confirm(request, code):
    a = access.access_activity(request.user, code)
    person = get_object_or_404(Person, pk=request.POST.get("person") or 0, volunteer_signups__activity=a)
    raw = (request.POST.get("minutes") or "").strip()
    try:
        entry = services.confirm_hours(activity=a, user=request.user, person=person, minutes=raw or None)
    except VolunteerError as exc:
        return _error(request, exc, reverse("volunteers:activity", args=[a.code]))
    messages.success(
        request, _("Confirmed %(minutes)s minutes for %(name)s.") % {"minutes": entry.minutes, "name": person.name}
    )
    return redirect("volunteers:activity", code=a.code)


def _ledger(person):
    """A volunteer's hours ledger, newest first (the page and its export)."""
    return (
        HoursEntry.objects.filter(person=person)
        .select_related("activity__organisation", "by__person")
        .order_by("-at", "-pk")
    )


def _ledger_ctx(person):
    entries = list(_ledger(person))
    total = sum(e.minutes for e in entries)
    return {
        "person": person,
        "entries": entries,
        "total": total,
        "hours": round(total / 60, 2),
        "points": services.points(total),
    }


@login_required
def my_hours(request):
    person = request.user.person
    if person is None:
        raise Http404
    today = timezone.localdate()
    ctx = _ledger_ctx(person)
    ctx["period_form"] = PeriodForm(initial={"start": today.replace(month=1, day=1), "end": today}, prefix="p")
    profile = VolunteerProfile.objects.filter(person=person).first()
    ctx["show_name"] = bool(profile and profile.show_name)
    return render(request, T + "hours.html", ctx)


@login_required
def person_hours(request, person_id):
    person = get_object_or_404(Person, pk=person_id)
    if not services.may_adjust(request.user, person):
        raise Http404
    form = AdjustForm(request.POST or None, prefix="j")
    error = None
    if request.method == "POST":
        try:
            services.adjust_hours(
                user=request.user,
                person=person,
                minutes=form.data.get("j-minutes"),
                reason=form.data.get("j-reason", ""),
            )
        except VolunteerError as exc:
            error = exc.message
        else:
            messages.success(request, _("The adjustment is recorded."))
            return redirect("volunteers:person_hours", person_id=person.pk)
    ctx = {**_ledger_ctx(person), "form": form, "error": error}
    return render(request, T + "person_hours.html", ctx, status=422 if error else 200)


def _ledger_export(request, person, back):
    kinds = dict(HoursEntry.Kind.choices)
    columns = [
        (exports.label(HoursEntry, "on"), lambda e: e.on),
        (_("Activity"), lambda e: e.activity.title if e.activity else ""),
        (exports.label(HoursEntry, "kind"), lambda e: str(kinds.get(e.kind, e.kind))),
        (exports.label(HoursEntry, "reason"), lambda e: e.reason),
        (exports.label(HoursEntry, "minutes"), lambda e: e.minutes),
        (_("Recorded by"), lambda e: e.by.display_name() if e.by else ""),
    ]
    return exports.export_list(
        request,
        key="volunteer_hours",
        title=f"{person.name} · {_('Volunteer hours')}",
        queryset=_ledger(person),
        columns=columns,
        back=back,
        filters={"person": str(person.pk)},
    )


@login_required
def my_hours_export(request):
    """One's own hours ledger, as on "My hours"."""
    person = request.user.person
    if person is None:
        raise Http404
    return _ledger_export(request, person, reverse("volunteers:hours"))


@login_required
def person_hours_export(request, person_id):
    """A volunteer's hours ledger, for those who may adjust it (as on his hours page)."""
    person = get_object_or_404(Person, pk=person_id)
    if not services.may_adjust(request.user, person):
        raise Http404
    return _ledger_export(request, person, reverse("volunteers:person_hours", args=[person.pk]))


@login_required
@require_POST
def certificate(request):
    person = request.user.person
    if person is None:
        raise Http404
    form = PeriodForm(request.POST, prefix="p")
    if not form.is_valid():
        messages.error(request, _("Give the period as two dates."))
        return redirect("volunteers:hours")
    try:
        cert = services.issue_certificate(
            user=request.user, person=person, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
    except VolunteerError as exc:
        return _error(request, exc, reverse("volunteers:hours"))
    url = request.build_absolute_uri(reverse("volunteers:verify", args=[cert.code]))
    response = HttpResponse(pdf.certificate_pdf(cert, url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="hours-{cert.code}.pdf"'
    return response


def verify(request, code):
    """Public: anyone holding a certificate checks it here (name masked)."""
    cert = Certificate.objects.filter(code=str(code).upper()).select_related("person").first()
    return render(request, T + "verify.html", {"cert": cert, "code": code}, status=200 if cert else 404)


@login_required
@require_POST
def profile(request):
    services.set_show_name(user=request.user, show=request.POST.get("show_name") == "1")
    messages.success(request, _("Your choice is saved."))
    return redirect("volunteers:hours")


def listed_teams(user):
    """The teams and clubs the user may see, as the teams page lists them (and its export)."""
    return (
        access.visible_teams(user)
        .select_related("subdistrict", "community", "compound", "building__compound", "stairwell__building__compound")
        .order_by("kind", "name")
    )


def team_members(org):
    """A team's current members, as its page lists them (and its export)."""
    return (
        Membership.objects.active().filter(organisation=org).select_related("person").order_by("role", "person__name")
    )


@login_required
def teams(request):
    return render(request, T + "teams.html", {"teams": listed_teams(request.user)})


@login_required
def teams_export(request):
    kinds = dict(Organisation.Kind.choices)
    columns = [
        (_("Name"), lambda o: o.name),
        (_("Kind of team"), lambda o: str(kinds.get(o.kind, o.kind))),
        (_("Serves"), lambda o: str(o.place)),
    ]
    return exports.export_list(
        request,
        key="volunteer_teams",
        title=_("Teams and clubs"),
        queryset=listed_teams(request.user),
        columns=columns,
        back=reverse("volunteers:teams"),
    )


@login_required
def team_members_export(request, pk):
    """A team's members as on its page: names and roles for all who see the team; the phone,
    masked, only for its organisers (as on the page)."""
    org = access.access_team(request.user, pk)
    roles = dict(Membership.Role.choices)
    columns = [
        (_("Name"), lambda m: m.person.name),
        (_("Role"), lambda m: str(roles.get(m.role, m.role))),
    ]
    if access.may_manage(request.user, org):
        columns.append((_("Phone"), lambda m: m.person.phone_masked if m.person.phone else ""))
    return exports.export_list(
        request,
        key="team_members",
        title=f"{org.name} · {_('Members')}",
        queryset=team_members(org),
        columns=columns,
        back=reverse("volunteers:team", args=[org.pk]),
        filters={"team": str(org.pk)},
    )


@login_required
def team(request, pk):
    org = access.access_team(request.user, pk)
    organiser = access.may_manage(request.user, org)
    members = team_members(org)
    now = timezone.now()
    ctx = {
        "team": org,
        "organiser": organiser,
        "members": members,
        "member": access.is_member(request.user.person_id, org),
        "pending": JoinRequest.objects.filter(
            organisation=org, person_id=request.user.person_id, state=JoinRequest.State.PENDING
        ).exists(),
        "activities": Activity.objects.filter(organisation=org, ends_at__gte=now).order_by("starts_at")[:20],
        "requests": JoinRequest.objects.filter(organisation=org, state=JoinRequest.State.PENDING).select_related(
            "person"
        )
        if organiser
        else [],
        "join_form": JoinForm(prefix="j"),
    }
    return render(request, T + "team.html", ctx)


@login_required
@require_POST
def join(request, pk):
    org = access.access_team(request.user, pk)
    try:
        services.request_join(user=request.user, organisation=org, message=request.POST.get("j-message", ""))
    except VolunteerError as exc:
        return _error(request, exc, reverse("volunteers:team", args=[org.pk]))
    messages.success(request, _("Your request is sent to the team's leaders."))
    return redirect("volunteers:team", pk=org.pk)


@login_required
@require_POST
def decide(request, pk, decision):
    req = get_object_or_404(
        JoinRequest.objects.select_related("organisation", "person"),
        pk=pk,
        organisation__in=access.managed_teams(request.user),
    )
    try:
        services.decide_join(user=request.user, request=req, approve=decision == "approve")
    except VolunteerError as exc:
        return _error(request, exc, reverse("volunteers:team", args=[req.organisation_id]))
    messages.success(request, _("The decision is recorded and %(name)s is told.") % {"name": req.person.name})
    return redirect("volunteers:team", pk=req.organisation_id)


def _period(request):
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, prefix="p")
    if request.GET and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    start = today.replace(day=1)
    return PeriodForm(initial={"start": start, "end": today}, prefix="p"), start, today


@login_required
def leaderboard(request):
    form, start, end = _period(request)
    teams = list(access.visible_teams(request.user).order_by("name"))
    compounds = list(visible_places(request.user, "compound").order_by("name"))
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
    compound = next((c for c in compounds if str(c.pk) == request.GET.get("compound")), None)
    if team is None and compound is None:
        team = teams[0] if teams else None
    rows = (
        services.leaderboard(start=start, end=end, organisation=team, compound=compound) if (team or compound) else []
    )
    ctx = {"form": form, "teams": teams, "compounds": compounds, "team": team, "compound": compound, "rows": rows}
    return render(request, T + "leaderboard.html", ctx)


@login_required
def roster_export(request, code):
    """An activity's roster as its organisers see it on the activity's page."""
    a = access.access_activity(request.user, code)
    if not access.may_manage(request.user, a.organisation):
        raise Http404
    states = dict(SignUp.State.choices)
    hows = dict(Attendance._meta.get_field("how").choices)

    def state(s):
        if s.state == SignUp.State.WAITING:
            return _("waiting, number %(n)s") % {"n": s.position}
        return str(states.get(s.state, s.state))

    columns = [
        (_("Volunteer"), lambda s: s.person.name),
        (_("Sign-up"), state),
        (exports.label(Attendance, "checked_in_at"), lambda s: s.attendance.checked_in_at if s.attendance else None),
        (exports.label(Attendance, "checked_out_at"), lambda s: s.attendance.checked_out_at if s.attendance else None),
        (_("Attendance"), lambda s: str(hows.get(s.attendance.how, "")) if s.attendance else ""),
        (_("Minutes served"), lambda s: s.earned),
    ]
    return exports.export_list(
        request,
        key="activity_roster",
        title=f"{a.title} · {_('Roster')}",
        queryset=_roster(a),
        model=SignUp,
        columns=columns,
        back=reverse("volunteers:activity", args=[a.code]),
        filters={"activity": a.code},
    )
