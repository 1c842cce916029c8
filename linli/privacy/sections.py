"""Everything linli holds about one person, grouped by kind: the registry behind 个人信息查阅.

Each app's section is one function here, registered with `@section(key, title, columns)`; it
reads that app's models for the person (and his user account) and returns rows, each a dict
of the section's column keys. The page, the JSON and the Excel export are all built from
`collect()`, so a new app that holds personal data adds one function and all three show it.

Rules every section keeps: only rows about this person (his homes' other residents never
appear), and nothing he could not see elsewhere (internal case notes, other owners' ballots,
a visitor's notes about the household are left out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.people.models import Person


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (key, label)
    rows: Callable  # (person, user) -> iterable of dicts


SECTIONS: list[Section] = []


def section(key: str, title, columns: list[tuple[str, object]]):
    def register(fn):
        SECTIONS.append(Section(key, title, tuple(columns), fn))
        return fn

    return register


def text(value) -> str | int | bool | None:
    """A value as it goes into the page, the JSON and a spreadsheet cell."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def collect(person: Person, user) -> list[dict]:
    """All sections for this person: [{"key", "title", "columns": [(key, label)], "rows": [...]}]."""
    out = []
    for s in SECTIONS:
        rows = [{k: text(row.get(k)) for k, _label in s.columns} for row in s.rows(person, user)]
        out.append({"key": s.key, "title": str(s.title), "columns": [(k, str(v)) for k, v in s.columns], "rows": rows})
    return out


def _home_periods(person):
    from linli.people.models import Occupancy

    return list(Occupancy.objects.filter(person=person).select_related("home__stairwell__building__compound"))


# --- people ----------------------------------------------------------------------------------


@section(
    "person",
    _("My record"),
    [
        ("name", _("name")),
        ("gender", _("gender")),
        ("birth_year", _("year of birth")),
        ("phone", _("phone")),
        ("id_number", _("ID number")),
        ("hukou_registered", _("local hukou")),
        ("lives_alone", _("lives alone")),
        ("disabled", _("disabled")),
        ("care_note", _("care note")),
        ("created", _("recorded on")),
        ("updated", _("last changed")),
    ],
)
def person_record(person, user):
    # His own values, unmasked: not a RevealLog entry (decision 0016).
    yield {
        "name": person.name,
        "gender": person.get_gender_display(),
        "birth_year": person.birth_year,
        "phone": person.phone,
        "id_number": person.id_number,
        "hukou_registered": person.hukou_registered,
        "lives_alone": person.lives_alone,
        "disabled": person.disabled,
        "care_note": person.care_note,
        "created": person.created,
        "updated": person.updated,
    }


@section(
    "account",
    _("My account"),
    [("username", _("username")), ("email", _("email")), ("joined", _("joined")), ("last_login", _("last login"))],
)
def account(person, user):
    if user is not None and user.is_authenticated:
        yield {
            "username": user.username,
            "email": user.email,
            "joined": user.date_joined,
            "last_login": user.last_login,
        }


@section(
    "homes",
    _("My homes"),
    [("home", _("home")), ("relation", _("relation")), ("start", _("from")), ("end", _("until"))],
)
def homes(person, user):
    for o in _home_periods(person):
        yield {"home": o.home, "relation": o.get_relation_display(), "start": o.start, "end": o.end}


@section(
    "memberships",
    _("Organisations I belong to"),
    [("organisation", _("organisation")), ("role", _("role")), ("start", _("from")), ("end", _("until"))],
)
def memberships(person, user):
    from linli.people.models import Membership

    for m in Membership.objects.filter(person=person).select_related("organisation").order_by("pk"):
        yield {"organisation": m.organisation, "role": m.get_role_display(), "start": m.start, "end": m.end}


@section(
    "party",
    _("Party membership"),
    [("kind", _("kind")), ("organisation", _("party organisation")), ("workplace", _("workplace")),
     ("reported_on", _("reported to the community on"))],
)  # fmt: skip
def party(person, user):
    from linli.people.models import PartyMember

    pm = PartyMember.objects.filter(person=person).select_related("organisation").first()
    if pm:
        yield {"kind": pm.get_kind_display(), "organisation": pm.organisation, "workplace": pm.workplace,
               "reported_on": pm.reported_on}  # fmt: skip


@section(
    "leader",
    _("Places I am responsible for"),
    [("kind", _("kind")), ("place", _("place")), ("start", _("from")), ("end", _("until"))],
)
def leader(person, user):
    from linli.people.models import LeaderAssignment

    for a in LeaderAssignment.objects.filter(person=person).select_related("building", "grid_cell").order_by("pk"):
        yield {"kind": a.get_kind_display(), "place": a.building or a.grid_cell, "start": a.start, "end": a.end}


@section(
    "visits",
    _("Visits to my home"),
    [("home", _("home")), ("what", _("visit")), ("at", _("visited at")), ("outcome", _("outcome")),
     ("visitor", _("visitor"))],
)  # fmt: skip
def visits(person, user):
    """Door-to-door visits to his homes while he lived there; the visitor's notes and answers
    are about the household, not him alone, and stay with the workers."""
    from linli.campaigns.models import CampaignVisit
    from linli.people.models import Visit

    for o in _home_periods(person):
        during = Q(home_id=o.home_id)
        if o.start:
            during &= Q(visited_at__date__gte=o.start)
        if o.end:
            during &= Q(visited_at__date__lte=o.end)
        for v in Visit.objects.filter(during).select_related("visitor", "home"):
            yield {"home": o.home, "what": _("door-to-door visit"), "at": v.visited_at,
                   "outcome": v.get_outcome_display(), "visitor": v.visitor.name}  # fmt: skip
        for v in CampaignVisit.objects.filter(during).select_related("visitor", "campaign"):
            yield {"home": o.home, "what": v.campaign.title, "at": v.visited_at,
                   "outcome": v.get_outcome_display(), "visitor": v.visitor.name if v.visitor else ""}  # fmt: skip


@section(
    "access_log",
    _("Who saw my private data"),
    [("at", _("at")), ("field", _("field")), ("by", _("by")), ("role", _("role and organisation")),
     ("reason", _("reason"))],
)  # fmt: skip
def access_log(person, user):
    """RevealLog: every time someone saw his phone or ID number unmasked, with who and why."""
    from linli.people.models import Membership, RevealLog

    entries = list(RevealLog.objects.filter(person=person).select_related("user__person").order_by("-at", "-pk"))
    roles: dict[int, str] = {}
    for e in entries:
        if e.user_id not in roles:
            u = e.user
            if u.person_id == person.pk:
                roles[u.pk] = str(_("myself"))
                continue
            held = Membership.objects.active().filter(person_id=u.person_id).exclude(role=Membership.Role.MEMBER)
            held = [f"{m.organisation} ({m.get_role_display()})" for m in held.select_related("organisation")]
            if u.is_superuser:
                held.append(str(_("system administrator")))
            roles[u.pk] = "; ".join(held)
        who = e.user.person.name if e.user.person_id else e.user.username
        yield {"at": e.at, "field": e.get_field_display(), "by": who, "role": roles[e.user_id], "reason": e.reason}


# --- cases -----------------------------------------------------------------------------------


@section(
    "cases",
    _("Requests I filed"),
    [("code", _("code")), ("title", _("title")), ("status", _("status")), ("submitted", _("submitted")),
     ("closed", _("closed")), ("rating", _("rating")), ("phone", _("reporter's phone"))],
)  # fmt: skip
def cases(person, user):
    from linli.cases.models import Case

    for c in Case.objects.filter(reporter=person).order_by("-submitted_at"):
        yield {"code": c.code, "title": c.title, "status": c.get_status_display(), "submitted": c.submitted_at,
               "closed": c.closed_at, "rating": c.rating, "phone": c.reporter_phone}  # fmt: skip


@section(
    "case_events",
    _("Replies and steps on my requests"),
    [("code", _("code")), ("at", _("at")), ("type", _("type")), ("by", _("by")), ("note", _("note"))],
)
def case_events(person, user):
    """What he sees on his own case's page: the public events only, never internal notes."""
    from linli.cases.models import Event

    events = Event.objects.filter(case__reporter=person, public=True).select_related("case").order_by("case_id", "at")
    for e in events:
        yield {"code": e.case.code, "at": e.at, "type": e.get_type_display(), "by": e.actor_display, "note": e.note}


@section("case_supports", _("Requests I supported"), [("code", _("code")), ("title", _("title")), ("at", _("at"))])
def case_supports(person, user):
    from linli.cases.models import Support

    for s in Support.objects.filter(person=person).select_related("case").order_by("at"):
        yield {"code": s.case.code, "title": s.case.title, "at": s.at}


# --- deliberation ----------------------------------------------------------------------------


@section(
    "topics",
    _("Topics I raised, supported or commented on"),
    [("code", _("code")), ("title", _("title")), ("what", _("what")), ("at", _("at")), ("text", _("text"))],
)
def topics(person, user):
    from linli.topics.models import Comment, Support, Topic

    for t in Topic.objects.filter(proposer_person=person).order_by("created"):
        yield {"code": t.code, "title": t.title, "what": _("raised"), "at": t.created, "text": t.text}
    for s in Support.objects.filter(person=person).select_related("topic").order_by("created"):
        yield {"code": s.topic.code, "title": s.topic.title, "what": _("supported"), "at": s.created}
    if user is not None and user.pk:
        for c in Comment.objects.filter(author=user).select_related("topic").order_by("created"):
            yield {"code": c.topic.code, "title": c.topic.title, "what": _("commented"), "at": c.created,
                   "text": c.text}  # fmt: skip


@section(
    "meetings",
    _("Meetings: invitations and attendance"),
    [("meeting", _("meeting")), ("starts", _("starts")), ("reply", _("reply")), ("attended", _("attended at"))],
)
def meetings(person, user):
    from linli.meetings.models import Attendance, Invitation

    attended = {a.meeting_id: a.at for a in Attendance.objects.filter(person=person)}
    invited = set()
    for i in Invitation.objects.filter(person=person).select_related("meeting").order_by("meeting__starts"):
        invited.add(i.meeting_id)
        yield {"meeting": i.meeting.title, "starts": i.meeting.starts, "reply": i.get_reply_display(),
               "attended": attended.get(i.meeting_id)}  # fmt: skip
    for a in Attendance.objects.filter(person=person).exclude(meeting_id__in=invited).select_related("meeting"):
        yield {"meeting": a.meeting.title, "starts": a.meeting.starts, "attended": a.at}


@section(
    "votes",
    _("Votes: where I am an owner, and my ballots"),
    [("vote", _("vote")), ("home", _("home")), ("what", _("what")), ("channel", _("channel")), ("at", _("at"))],
)
def votes(person, user):
    """That he is in a vote's electorate and that (and when) he voted; not his choices, which
    the vote's own pages show him by his receipt."""
    from linli.votes.models import Ballot, Owner

    for o in Owner.objects.filter(person=person).select_related("elector__vote", "elector__home").order_by("pk"):
        yield {"vote": o.elector.vote.title, "home": o.elector.home, "what": _("owner in the electorate")}
    for b in Ballot.objects.filter(voter=person).select_related("vote", "home").order_by("cast_at"):
        yield {"vote": b.vote.title, "home": b.home, "what": _("voted"), "channel": b.get_channel_display(),
               "at": b.cast_at}  # fmt: skip


# --- volunteering and duties -----------------------------------------------------------------


@section(
    "volunteering",
    _("Volunteering: sign-ups, hours and certificates"),
    [("what", _("what")), ("activity", _("activity")), ("state", _("state")), ("minutes", _("minutes")),
     ("at", _("at"))],
)  # fmt: skip
def volunteering(person, user):
    from linli.volunteers.models import Certificate, HoursEntry, JoinRequest, SignUp

    for j in JoinRequest.objects.filter(person=person).select_related("organisation"):
        yield {"what": _("join request"), "activity": j.organisation, "state": j.get_state_display(), "at": j.created}
    for s in SignUp.objects.filter(person=person).select_related("activity").order_by("created"):
        yield {"what": _("sign-up"), "activity": s.activity.title, "state": s.get_state_display(), "at": s.created}
    for h in HoursEntry.objects.filter(person=person).select_related("activity").order_by("at"):
        yield {"what": _("hours"), "activity": h.activity.title if h.activity else h.reason,
               "state": h.get_kind_display(), "minutes": h.minutes, "at": h.at}  # fmt: skip
    for c in Certificate.objects.filter(person=person).order_by("issued_at"):
        yield {"what": _("certificate"), "activity": c.code, "minutes": c.total_minutes, "at": c.issued_at}


@section("duties", _("Duty shifts"), [("shift", _("shift")), ("checked_in", _("checked in at"))])
def duties(person, user):
    from linli.rosters.models import Duty

    for d in Duty.objects.filter(person=person).select_related("shift__post").order_by("shift__starts"):
        yield {"shift": d.shift, "checked_in": d.checked_in_at}


# --- notifications and requests --------------------------------------------------------------


@section(
    "notifications",
    _("Notifications to me"),
    [("kind", _("kind")), ("title", _("title")), ("created", _("created")), ("read", _("read"))],
)
def notifications(person, user):
    from linli.notices import kinds
    from linli.notices.models import Notification

    if user is not None and user.pk:
        for n in Notification.objects.filter(user=user).order_by("-created", "-pk"):
            yield {"kind": kinds.label(n.kind), "title": n.title, "created": n.created, "read": n.read_at}


@section(
    "requests",
    _("My requests to correct or delete"),
    [("what", _("what")), ("field", _("field")), ("status", _("status")), ("created", _("asked on")),
     ("decided", _("decided on")), ("reason", _("reason"))],
)  # fmt: skip
def requests(person, user):
    from .models import CorrectionRequest, DeletionRequest

    for r in CorrectionRequest.objects.filter(person=person):
        yield {"what": _("correction"), "field": r.get_field_display(), "status": r.get_status_display(),
               "created": r.created, "decided": r.decided_at, "reason": r.reason}  # fmt: skip
    for r in DeletionRequest.objects.filter(person=person):
        yield {"what": _("deletion"), "status": r.get_status_display(), "created": r.created,
               "decided": r.decided_at, "reason": r.reason}  # fmt: skip
