"""The participants' pages: the meetings one can see, one meeting (time, place, agenda, the
reply to one's invitation, the approved minutes), the calendar file and the check-in reached
by the QR code at the venue.

Views are thin: who sees what comes from `access`, every rule from `services`, whose
MeetingError message the page shows (and nothing is changed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.lib import exports
from linli.resolutions.services import visible_resolutions

from . import access, services
from .models import Attendance, Invitation, Meeting, Minutes, MinutesVersion
from .services import MeetingError

LIST_LIMIT = 100  # per group: a year of a busy community's meetings, well under 100 KB


def place_label(meeting: Meeting) -> str:
    """The meeting's place in words: "富丰新城 1栋 1单元", or the community's name."""
    if not meeting.compound_id:
        return meeting.community.name
    return " ".join(p.name for p in (meeting.compound, meeting.building, meeting.stairwell) if p is not None)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def index(request):
    user = request.user
    now = timezone.now()
    meetings = access.visible_meetings(user)
    upcoming = list(
        meetings.filter(ends__gte=now).exclude(status=Meeting.Status.CANCELLED).order_by("starts")[:LIST_LIMIT]
    )
    past = list(meetings.filter(Q(ends__lt=now) | Q(status=Meeting.Status.CANCELLED)).order_by("-starts")[:LIST_LIMIT])
    replies = {}
    if user.person_id:
        replies = dict(
            Invitation.objects.filter(
                person_id=user.person_id, meeting__in=[m.pk for m in upcoming + past]
            ).values_list("meeting_id", "reply")
        )
    labels = dict(Invitation.Reply.choices)
    for m in upcoming + past:
        m.where = services.where(m)
        m.my_reply = replies.get(m.pk)
        m.my_reply_label = labels.get(m.my_reply, "")
    ctx = {
        "groups": [(_("Coming"), upcoming), (_("Past and cancelled"), past)],
        "may_plan": access.organisable_compounds(user).exists(),
    }
    return render(request, "meetings/index.html", ctx)


def minutes_of(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).select_related("approved_by").first()


def minutes_rows(meeting: Meeting, minutes: Minutes | None, content: dict | None = None) -> list[dict]:
    """The agenda with what the minutes say of each item: from the minutes as they stand, or
    from a kept version's content."""
    agenda = list(meeting.agenda.select_related("case"))
    if content is not None:
        said = content.get("items", {})
        return [{"item": a, **said.get(str(a.pk), {})} for a in agenda]
    said = {i.agenda_item_id: i for i in minutes.items.all()} if minutes else {}
    return [
        {
            "item": a,
            "summary": getattr(said.get(a.pk), "summary", ""),
            "positions": getattr(said.get(a.pk), "positions", ""),
            "decision": getattr(said.get(a.pk), "decision", ""),
        }
        for a in agenda
    ]


def my_invitation(user, meeting) -> Invitation | None:
    if not user.person_id:
        return None
    return Invitation.objects.filter(meeting=meeting, person_id=user.person_id).first()


def render_meeting(request, meeting, *, error: str = "", status: int = 200):
    user = request.user
    organiser = access.can_organise(user, meeting)
    minutes = minutes_of(meeting)
    shown = minutes if minutes and (minutes.frozen or organiser) else None
    ctx = {
        "meeting": meeting,
        "where": services.where(meeting),
        "invitation": my_invitation(user, meeting),
        "attended": bool(user.person_id)
        and Attendance.objects.filter(meeting=meeting, person_id=user.person_id).exists(),
        "organiser": organiser,
        "rows": minutes_rows(meeting, shown),
        "minutes": shown,
        "versions": list(MinutesVersion.objects.filter(minutes=shown).select_related("changed_by")) if shown else [],
        "error": error,
        "planned": meeting.status == Meeting.Status.PLANNED,
        # What the meeting resolved and how far it got (事事有着落): those this user may see.
        "resolutions": list(visible_resolutions(user).filter(meeting=meeting).order_by("pk")),
    }
    if organiser:
        counts = dict(
            meeting.invitations.values_list("reply").annotate(n=Count("pk")).values_list("reply", "n").order_by()
        )
        ctx["counts"] = [(label, counts.get(value, 0)) for value, label in Invitation.Reply.choices]
        ctx["invited"] = sum(counts.values())
        ctx["present"] = meeting.attendance.count()
    return render(request, "meetings/meeting.html", ctx, status=status)


@login_required
def meeting_page(request, code):
    return render_meeting(request, access.access_meeting(request.user, code))


@login_required
@require_POST
def reply(request, code):
    """The answer to one's invitation: yes, no or maybe. With htmx, only the reply box is redrawn."""
    meeting = access.access_meeting(request.user, code)
    error = ""
    try:
        services.reply(meeting=meeting, user=request.user, answer=request.POST.get("answer", ""))
    except MeetingError as exc:
        error = exc.message
    if is_htmx(request):
        ctx = {"meeting": meeting, "invitation": my_invitation(request.user, meeting), "error": error,
               "planned": meeting.status == Meeting.Status.PLANNED, "saved": not error}  # fmt: skip
        return render(request, "meetings/_reply.html", ctx, status=422 if error else 200)
    if error:
        return render_meeting(request, meeting, error=error, status=400)
    messages.success(request, _("Your reply is saved."))
    return redirect("meetings:meeting", code=meeting.code)


@login_required
def calendar(request, code):
    meeting = access.access_meeting(request.user, code)
    url = request.build_absolute_uri(f"/meetings/{meeting.code}/")
    response = HttpResponse(services.ical(meeting, url=url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.code}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, code, token):
    """Where the QR code at the venue leads: one big button. A meeting the user cannot see is a
    404 as anywhere; a wrong code or a time outside the window is the service's message."""
    meeting = access.access_meeting(request.user, code)
    ctx = {"meeting": meeting, "token": token, "where": services.where(meeting), "error": "", "done": False}
    if request.method == "POST":
        try:
            _attendance, new = services.check_in(meeting=meeting, user=request.user, token=token)
        except MeetingError as exc:
            ctx["error"] = exc.message
            return render(request, "meetings/check_in.html", ctx, status=400)
        ctx["done"], ctx["new"] = True, new
    elif (
        request.user.person_id and Attendance.objects.filter(meeting=meeting, person_id=request.user.person_id).exists()
    ):
        ctx["done"], ctx["new"] = True, False  # back on the page after checking in
    return render(request, "meetings/check_in.html", ctx)


@login_required
def minutes_version(request, code, number):
    """The text of the minutes as it stood at an earlier version (for anyone who sees the meeting
    once the minutes are approved; organisers always)."""
    meeting = access.access_meeting(request.user, code)
    minutes = minutes_of(meeting)
    if minutes is None or not (minutes.frozen or access.can_organise(request.user, meeting)):
        raise Http404
    version = MinutesVersion.objects.filter(minutes=minutes, number=number).select_related("changed_by").first()
    if version is None:
        raise Http404
    ctx = {
        "meeting": meeting,
        "version": version,
        "summary": version.content.get("summary", ""),
        "rows": minutes_rows(meeting, minutes, content=version.content),
        "current": minutes.version,
    }
    return render(request, "meetings/minutes_version.html", ctx)


@login_required
def index_export(request):
    """Every meeting the user may see (the page shows the latest hundred of each group)."""
    kinds = dict(Meeting.Kind.choices)
    statuses = dict(Meeting.Status.choices)
    meetings = access.visible_meetings(request.user).select_related("venue").order_by("-starts", "-pk")
    columns = [
        (exports.label(Meeting, "title"), lambda m: m.title),
        (exports.label(Meeting, "kind"), lambda m: str(kinds.get(m.kind, m.kind))),
        (exports.label(Meeting, "starts"), lambda m: m.starts),
        (exports.label(Meeting, "ends"), lambda m: m.ends),
        (_("Where"), lambda m: services.where(m)),
        (exports.label(Meeting, "status"), lambda m: str(statuses.get(m.status, m.status))),
    ]
    return exports.export_list(
        request, key="meetings", title=_("Meetings"), queryset=meetings, columns=columns, back=reverse("meetings:index")
    )
