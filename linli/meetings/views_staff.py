"""The organisers' pages (access.organise_meeting; anyone else gets 404): plan a meeting, invite
by role and by name, see the replies and mark attendance, show the check-in QR code, move or
cancel the meeting, keep the agenda and write the minutes; and a venue's week of bookings.

Every write is a call into services.py; its MeetingError message is shown and nothing changes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.cases import access as case_access
from linli.lib import exports
from linli.lib.masking import mask_name
from linli.lib.posters import qr_png
from linli.votes.forms import find_person

from . import access, services
from .forms import AgendaForm, BookingForm, CancelForm, FindForm, InviteForm, MinutesForm, PlanForm, TimesForm
from .models import Attendance, Booking, Invitation, Meeting, MinutesVersion, OpeningHours
from .services import MeetingError
from .views import minutes_of

T = "meetings/staff/"
PER_PAGE = 50  # people per page of replies: each row has its button, well under 100 KB
BOOKINGS_AHEAD = dt.timedelta(days=14)


def bookings_of(venue, *, start, end):
    return list(
        Booking.objects.filter(venue=venue, cancelled=False, starts__lt=end, ends__gt=start)
        .select_related("meeting")
        .order_by("starts")
    )


# --- planning -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    user = request.user
    if not access.organisable_compounds(user).exists():
        raise Http404
    status, error = 200, ""
    if request.method == "POST" and "show" not in request.POST:
        form = PlanForm(request.POST, user=user)
        if form.is_valid():
            try:
                meeting = services.plan(user=user, **form.plan_kwargs())
            except MeetingError as exc:
                error, status = exc.message, 400
            else:
                messages.success(request, _("The meeting is planned. Invite people and set its agenda."))
                return redirect("meetings:organise", code=meeting.code)
        else:
            status = 400
    else:
        # "Show" (without JavaScript) only redraws the form as typed, with the chosen place's
        # buildings, organisations and venues, and the chosen venue's bookings.
        initial = request.POST.dict() if request.method == "POST" else {"area": request.GET.get("area", "")}
        form = PlanForm(user=user, initial=initial)
    ctx = {"form": form, "error": error, "bookings": _chosen_venue_bookings(form)}
    return render(request, T + "new.html", ctx, status=status)


def _chosen_venue_bookings(form):
    raw = form.data.get("venue") if form.is_bound else form.initial.get("venue")
    if not raw or not str(raw).isdigit():
        return None
    venue = form.fields["venue"].queryset.filter(pk=int(raw)).first()
    if venue is None:
        return None
    now = timezone.now()
    return {"venue": venue, "items": bookings_of(venue, start=now, end=now + BOOKINGS_AHEAD)}


@login_required
def new_places(request):
    """htmx partial: the buildings, stairwells, organisations and venues of the chosen place."""
    area = request.GET.get("area", "")
    form = PlanForm(user=request.user, initial={"area": area})
    if not area or form.area_key != area:  # a place beyond the user's reach
        raise Http404
    return render(request, T + "_place.html", {"form": form})


@login_required
def new_bookings(request):
    """htmx partial: the chosen venue's bookings in the next two weeks."""
    raw = request.GET.get("venue", "")
    bookings = None
    if raw.isdigit():
        venue = access.venues_for(request.user).filter(pk=int(raw)).first()
        if venue is not None:
            now = timezone.now()
            bookings = {"venue": venue, "items": bookings_of(venue, start=now, end=now + BOOKINGS_AHEAD)}
    return render(request, T + "_bookings.html", {"bookings": bookings})


# --- running a meeting ----------------------------------------------------------------------


def render_organise(request, meeting, *, error="", status=200, times_form=None, cancel_form=None, invite_form=None):
    meeting.refresh_from_db()  # after a refusal, show the meeting as it stands
    find = FindForm(request.GET or None)
    found = []
    if find.is_valid() and (q := find.cleaned_data["q"].strip()):
        person = find_person(request.user, q) if q.replace(" ", "").isdigit() else None
        people = access.invitable_people(request.user, meeting)
        found = [person] if person else list(people.filter(name__icontains=q).order_by("name")[:20])
    ctx = {
        "meeting": meeting,
        "where": services.where(meeting),
        "error": error,
        "planned": meeting.status == Meeting.Status.PLANNED,
        "find": find,
        "invite_form": invite_form or InviteForm(found=found),
        "found": found,
        "times_form": times_form
        or TimesForm(initial={"starts": timezone.localtime(meeting.starts), "ends": timezone.localtime(meeting.ends)}),
        "cancel_form": cancel_form or CancelForm(),
        "invited": meeting.invitations.count(),
    }
    return render(request, T + "organise.html", ctx, status=status)


@login_required
def organise(request, code):
    return render_organise(request, access.organise_meeting(request.user, code))


@login_required
@require_POST
def invite(request, code):
    user = request.user
    meeting = access.organise_meeting(user, code)
    allowed = access.invitable_people(user, meeting)
    found = list(allowed.filter(pk__in=[int(p) for p in request.POST.getlist("people") if p.isdigit()][:200]))
    data = request.POST.copy()
    data.setlist("people", [str(p.pk) for p in found])  # anyone beyond reach is dropped
    form = InviteForm(data, found=found)
    if not form.is_valid():
        return render_organise(request, meeting, invite_form=form, status=400)
    roles, people = form.cleaned_data["roles"], form.cleaned_data["people"]
    if not roles and not people:
        return render_organise(request, meeting, error=_("Tick a role or a person to invite."), status=400)
    try:
        added = services.invite(meeting=meeting, roles=roles, people=people)
    except MeetingError as exc:
        return render_organise(request, meeting, error=exc.message, status=400)
    messages.success(request, _("%(n)s newly invited.") % {"n": added})
    return redirect("meetings:organise", code=meeting.code)


@login_required
@require_POST
def reschedule(request, code):
    meeting = access.organise_meeting(request.user, code)
    form = TimesForm(request.POST)
    if not form.is_valid():
        return render_organise(request, meeting, times_form=form, status=400)
    try:
        services.reschedule(meeting=meeting, user=request.user, **form.cleaned_data)
    except MeetingError as exc:
        return render_organise(request, meeting, times_form=form, error=exc.message, status=400)
    messages.success(request, _("The meeting is moved; those invited are told."))
    return redirect("meetings:organise", code=meeting.code)


@login_required
@require_POST
def cancel(request, code):
    meeting = access.organise_meeting(request.user, code)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return render_organise(request, meeting, cancel_form=form, status=400)
    try:
        services.cancel(meeting=meeting, user=request.user, reason=form.cleaned_data["reason"])
    except MeetingError as exc:
        return render_organise(request, meeting, cancel_form=form, error=exc.message, status=400)
    messages.success(request, _("The meeting is cancelled; those invited are told."))
    return redirect("meetings:meeting", code=meeting.code)


# --- replies and attendance -----------------------------------------------------------------


def listed_invitations(user, meeting, reply: str = ""):
    """The invitations of the replies page (one reply, or all), with what shown_name() and
    presence() need: the page and its Excel export."""
    invitations = meeting.invitations.select_related("person").order_by("pk")
    if reply in Invitation.Reply.values:
        invitations = invitations.filter(reply=reply)
    attended = Attendance.objects.filter(meeting=meeting, person_id=OuterRef("person_id"))
    # Full names for the people within the organiser's own reach; others (a clerk invited by
    # role, say) masked, as everywhere.
    known = access.visible_people(user).filter(pk=OuterRef("person_id"))
    return invitations.annotate(how=Subquery(attended.values("how")[:1]), known=Exists(known))


def shown_name(invitation) -> str:
    name = invitation.person.name
    return name if invitation.known else mask_name(name)


def presence(invitation) -> str:
    return str(dict(Attendance.How.choices).get(invitation.how, ""))


@login_required
def people(request, code):
    """Who is invited, what each replied, who came; a button to mark someone present."""
    user = request.user
    meeting = access.organise_meeting(user, code)
    reply = request.GET.get("reply", "")
    page = Paginator(listed_invitations(user, meeting, reply), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for i in rows:
        i.shown_name, i.present = shown_name(i), presence(i)
    ctx = {
        "meeting": meeting,
        "page": page,
        "rows": rows,
        "reply": reply,
        "replies": Invitation.Reply.choices,
        "present_count": meeting.attendance.count(),
        "may_mark": meeting.status != Meeting.Status.CANCELLED,
    }
    return render(request, T + "people.html", ctx)


@login_required
def people_export(request, code):
    """Who is invited, what each replied, who came, as on the replies page (its reply filter
    kept, names outside the organiser's reach masked), every invitation rather than one page."""
    user = request.user
    meeting = access.organise_meeting(user, code)
    reply = request.GET.get("reply", "")
    columns = [
        (_("Name"), shown_name),
        (_("Invited as"), lambda i: i.as_what),
        (_("Reply"), lambda i: str(i.get_reply_display())),
        (_("Present"), presence),
    ]
    return exports.export_list(
        request,
        key="meeting_invitations",
        title=f"{meeting.title} · {_('Replies and attendance')}",
        queryset=listed_invitations(user, meeting, reply),
        columns=columns,
        back=reverse("meetings:people", args=[meeting.code]),
        filters=exports.filters_of(request) | {"meeting": meeting.code},
    )


@login_required
@require_POST
def mark(request, code):
    user = request.user
    meeting = access.organise_meeting(user, code)
    raw = request.POST.get("person", "")
    person = access.invitable_people(user, meeting).filter(pk=int(raw)).first() if raw.isdigit() else None
    if person is None:
        raise Http404
    back = reverse("meetings:people", args=[meeting.code])
    if (page := request.POST.get("page", "")).isdigit():
        back += f"?page={page}"
    try:
        services.mark_attended(meeting=meeting, person=person, user=user)
    except MeetingError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("Marked present."))
    return redirect(back)


@login_required
def qr_page(request, code):
    """A big QR code of the check-in address, to show on a screen or print at the door."""
    meeting = access.organise_meeting(request.user, code)
    url = request.build_absolute_uri(reverse("meetings:check_in", args=[meeting.code, meeting.checkin_token]))
    ctx = {
        "meeting": meeting,
        "where": services.where(meeting),
        "url": url,
        "opens": meeting.starts - services.CHECKIN_EARLY,
        "closes": meeting.ends + services.CHECKIN_LATE,
    }
    return render(request, T + "qr.html", ctx)


@login_required
def qr_image(request, code):
    meeting = access.organise_meeting(request.user, code)
    url = request.build_absolute_uri(reverse("meetings:check_in", args=[meeting.code, meeting.checkin_token]))
    response = HttpResponse(qr_png(url, box_size=12), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


# --- agenda and minutes ---------------------------------------------------------------------


def render_minutes(request, meeting, *, error="", status=200, form=None, agenda_form=None):
    minutes = minutes_of(meeting)
    agenda = list(meeting.agenda.select_related("case"))
    ctx = {
        "meeting": meeting,
        "minutes": minutes,
        "frozen": bool(minutes and minutes.frozen),
        "agenda": agenda,
        "form": form or MinutesForm(agenda=agenda, minutes=minutes),
        "agenda_form": agenda_form or AgendaForm(user=request.user, meeting=meeting),
        "versions": list(MinutesVersion.objects.filter(minutes=minutes).select_related("changed_by"))
        if minutes
        else [],
        "error": error,
    }
    return render(request, T + "minutes.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def minutes(request, code):
    user = request.user
    meeting = access.organise_meeting(user, code)
    if request.method == "GET":
        return render_minutes(request, meeting)
    agenda = list(meeting.agenda.all())
    form = MinutesForm(request.POST, agenda=agenda)
    if not form.is_valid():
        return render_minutes(request, meeting, form=form, status=400)
    try:
        services.write_minutes(
            meeting=meeting, user=user, summary=form.cleaned_data["summary"], items=form.items(),
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except MeetingError as exc:
        return render_minutes(request, meeting, form=form, error=exc.message, status=400)
    messages.success(request, _("The minutes are saved."))
    return redirect("meetings:minutes", code=meeting.code)


@login_required
@require_POST
def approve(request, code):
    meeting = access.organise_meeting(request.user, code)
    try:
        services.approve_minutes(meeting=meeting, user=request.user)
    except MeetingError as exc:
        return render_minutes(request, meeting, error=exc.message, status=400)
    messages.success(request, _("The minutes are approved. From now on a change needs a reason."))
    return redirect("meetings:minutes", code=meeting.code)


@login_required
@require_POST
def add_agenda_item(request, code):
    user = request.user
    meeting = access.organise_meeting(user, code)
    form = AgendaForm(request.POST, user=user, meeting=meeting)
    if not form.is_valid():
        return render_minutes(request, meeting, agenda_form=form, status=400)
    d = form.cleaned_data
    case = None
    if d["case"].strip():
        try:
            case = case_access.access_case(user, d["case"].strip())
        except Http404:
            form.add_error("case", _("No case with this code within your reach."))
            return render_minutes(request, meeting, agenda_form=form, status=400)
    try:
        services.add_agenda_item(
            meeting=meeting, title=d["title"] or (case.title if case else ""), text=d["text"], case=case,
            topic=d["topic"], user=user,
        )  # fmt: skip
    except MeetingError as exc:
        return render_minutes(request, meeting, agenda_form=form, error=exc.message, status=400)
    messages.success(request, _("Added to the agenda."))
    return redirect("meetings:minutes", code=meeting.code)


# --- venues ---------------------------------------------------------------------------------


def _monday(raw: str):
    try:
        day = dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def render_venue(request, venue, *, form=None, error="", status=200):
    monday = _monday(request.GET.get("week") or request.POST.get("week", ""))
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))
    end = start + dt.timedelta(days=7)
    bookings = bookings_of(venue, start=start, end=end)
    hours = list(OpeningHours.objects.filter(venue=venue))
    days = []
    for n in range(7):
        day = monday + dt.timedelta(days=n)
        days.append(
            {
                "date": day,
                "hours": [h for h in hours if h.weekday == day.weekday()],
                "bookings": [b for b in bookings if timezone.localtime(b.starts).date() <= day
                             and timezone.localtime(b.ends).date() >= day],
            }
        )  # fmt: skip
    ctx = {
        "venue": venue,
        "days": days,
        "has_hours": bool(hours),
        "monday": monday,
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "form": form or BookingForm(),
        "error": error,
    }
    return render(request, T + "venue.html", ctx, status=status)


@login_required
def venue(request, pk):
    return render_venue(request, access.access_venue(request.user, pk))


@login_required
@require_POST
def book(request, pk):
    venue = access.access_venue(request.user, pk)
    form = BookingForm(request.POST)
    if not form.is_valid():
        return render_venue(request, venue, form=form, status=400)
    try:
        services.book(venue=venue, user=request.user, **form.cleaned_data)
    except MeetingError as exc:
        return render_venue(request, venue, form=form, error=exc.message, status=400)
    messages.success(request, _("The venue is booked."))
    week = timezone.localdate(form.cleaned_data["starts"]).isoformat()
    return redirect(reverse("meetings:venue", args=[venue.pk]) + f"?week={week}")
