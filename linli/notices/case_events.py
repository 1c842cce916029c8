"""Case events → who hears of them, and what they read.

The cases app sends `case_notification` after each change commits (linli/cases/signals.py);
this receiver decides the audience and writes the message in the recipient's language:

    submitted, dispatched, reopened, soon due    the handlers of the case's organisation
    overdue (escalated to the community)         the handlers and the community's staff
    escalated, revisit                           the community's staff; at level 2 also the
                                                 subdistrict office's administrators
    accepted, reply, resolved, rejected,         the reporter, if he has an account
    returned, merged                             (returned: also the community's staff, who
                                                 dispatch it again)
    closed                                       no one (the resident closed it, or it closed
                                                 itself after he did not answer)

The person who acted is never told of his own action. The case's group channels hear too: the
organisation's (WeCom, DingTalk, webhook) what its people hear; the stairwell's residents'
group only what the public board may show (a case the resident let be shown, never a
neighbour dispute), and only its arrival and its resolution.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linli.cases.access import HANDLER_ROLES
from linli.cases.models import Case, Event, Revisit
from linli.people.models import Membership, Organisation

from .models import ChannelConfig
from .services import language_for, notify

logger = logging.getLogger("linli.notices")

HANDLERS, REPORTER, COMMUNITY, SUBDISTRICT = "handlers", "reporter", "community", "subdistrict"
AUDIENCES = {
    "submitted": (HANDLERS,),
    "dispatched": (HANDLERS,),
    "reopened": (HANDLERS,),
    "soon_due": (HANDLERS,),
    "overdue": (HANDLERS, COMMUNITY),
    "escalated": (COMMUNITY,),
    "revisit": (COMMUNITY,),
    "accepted": (REPORTER,),
    "reply": (REPORTER,),
    "resolved": (REPORTER,),
    "rejected": (REPORTER,),
    "returned": (REPORTER, COMMUNITY),
    "merged": (REPORTER,),
}
# What a stairwell's residents' group hears by default (and at most).
STAIRWELL_KINDS = {"submitted", "resolved"}
# The event in a case's history that each kind tells of.
SOURCES = {
    "submitted": Q(type=Event.Type.TRANSITION, action="submit"),
    "accepted": Q(type=Event.Type.TRANSITION, action="accept"),
    "dispatched": Q(type=Event.Type.TRANSITION, action="dispatch") | Q(type=Event.Type.REASSIGN),
    "reply": Q(type=Event.Type.REPLY),
    "resolved": Q(type=Event.Type.TRANSITION, action="resolve"),
    "rejected": Q(type=Event.Type.TRANSITION, action="reject"),
    "returned": Q(type=Event.Type.TRANSITION, action="return"),
    "merged": Q(type=Event.Type.TRANSITION, action="merge"),
    "reopened": Q(type=Event.Type.TRANSITION, action="reopen"),
    "closed": Q(type=Event.Type.TRANSITION, action="close"),
    "overdue": Q(type=Event.Type.ESCALATE),
    "escalated": Q(type=Event.Type.ESCALATE),
}
SUBDISTRICT_ROLES = {Membership.Role.ADMIN, Membership.Role.CHAIR, Membership.Role.SECRETARY}


def on_case_notification(sender, kind, case_id, data=None, **kwargs):
    """The receiver. It runs inside the cases app's commit hook: it must never raise there."""
    try:
        announce(kind=kind, case_id=case_id, data=data or {})
    except Exception:
        logger.exception("notices: case event %s of case %s not announced", kind, case_id)


def announce(*, kind: str, case_id: int, data: dict) -> None:
    audiences = list(AUDIENCES.get(kind, ()))
    if not audiences:
        return
    case = (
        Case.objects.select_related("category", "compound", "building", "stairwell", "community", "merged_into")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        return
    event = case.events.filter(SOURCES[kind]).order_by("-pk").first() if kind in SOURCES else None
    level = int(data.get("level") or case.escalation or 0)
    if kind == "escalated" and level >= 2:
        audiences.append(SUBDISTRICT)

    actors = set()
    if event is not None and event.actor_id:
        actors.add(event.actor_id)
    if event is not None and event.actor_label == Event.RESIDENT and case.reporter_id:
        actors.update(_users(person_id=case.reporter_id))  # the resident acted himself

    key = f"case:{case.pk}:{kind}:{_marker(kind, case, event)}"
    # The resident follows his case on its own page (rate, confirm, reopen); the others work on it.
    links = {REPORTER: reverse("report:case", args=[case.code])}
    staff_link = reverse("cases:case", args=[case.code])
    told: set[int] = set()
    for audience in audiences:
        users = _audience(audience, case) - actors - told
        told |= users
        with translation.override(language_for(None)):
            title, body = message(kind, audience, case, event, level)
        groups = _org_groups(audience, case, kind)
        link = links.get(audience, staff_link)
        notify(users=users, kind=f"case.{kind}", title=title, body=body, link=link, key=key, groups=groups)
    if stairwell := _stairwell_groups(case, kind):
        with translation.override(language_for(None)):
            title, body = group_message(kind, case)
        board = reverse("report:board_case", args=[case.compound_id, case.code])
        notify(users=(), kind=f"case.{kind}", title=title, body=body, link=board, key=key, groups=stairwell)


def _marker(kind: str, case: Case, event: Event | None) -> str:
    """What makes this event this one: its history entry, else its due date or revisit."""
    if event is not None:
        return str(event.pk)
    if kind == "soon_due":
        return f"due{int(case.resolve_due.timestamp())}"
    if kind == "revisit":
        return f"revisit{Revisit.objects.filter(case=case).values_list('pk', flat=True).first() or 0}"
    return "0"


# --- who --------------------------------------------------------------------------------


def _users(**person_filter) -> set[int]:
    return set(
        get_user_model()
        .objects.filter(is_active=True, person__isnull=False, **person_filter)
        .values_list("pk", flat=True)
    )


def _members(organisations, roles=None, exclude_roles=None) -> set[int]:
    memberships = Membership.objects.active().filter(organisation__in=organisations)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    if exclude_roles is not None:
        memberships = memberships.exclude(role__in=exclude_roles)
    return _users(person_id__in=memberships.values("person_id"))


def _audience_orgs(audience: str, case: Case):
    if audience == HANDLERS:
        return Organisation.objects.filter(pk=case.organisation_id)
    if audience == COMMUNITY:
        return Organisation.objects.filter(kind=Organisation.Kind.RESIDENTS_COMMITTEE, community_id=case.community_id)
    if audience == SUBDISTRICT:
        return Organisation.objects.filter(
            kind=Organisation.Kind.SUBDISTRICT_OFFICE, subdistrict_id=case.community.subdistrict_id
        )
    return Organisation.objects.none()


def _audience(audience: str, case: Case) -> set[int]:
    if audience == REPORTER:
        return _users(person_id=case.reporter_id) if case.reporter_id else set()
    if audience == HANDLERS and case.organisation_id is None:
        return set()
    orgs = _audience_orgs(audience, case)
    if audience == HANDLERS:
        return _members(orgs, roles=HANDLER_ROLES)
    if audience == COMMUNITY:
        return _members(orgs, exclude_roles=[Membership.Role.MEMBER])
    return _members(orgs, roles=SUBDISTRICT_ROLES)


def _wants(config: ChannelConfig, kind: str, default: set[str] | None = None) -> bool:
    chosen = config.kind_list()
    if chosen:
        return kind in chosen or f"case.{kind}" in chosen
    return default is None or kind in default


def _org_groups(audience: str, case: Case, kind: str) -> list[ChannelConfig]:
    if audience == REPORTER:
        return []
    configs = ChannelConfig.objects.filter(active=True, organisation__in=_audience_orgs(audience, case))
    return [c for c in configs if _wants(c, kind)]


def _stairwell_groups(case: Case, kind: str) -> list[ChannelConfig]:
    """A stairwell's group is its residents: only what the public board may show."""
    if case.stairwell_id is None or kind not in STAIRWELL_KINDS:
        return []
    if not case.on_public_board or case.category.is_dispute:
        return []
    configs = ChannelConfig.objects.filter(active=True, stairwell_id=case.stairwell_id)
    return [c for c in configs if _wants(c, kind, STAIRWELL_KINDS)]


# --- what -------------------------------------------------------------------------------


def place(case: Case) -> str:
    """富丰新城 1栋1单元: the compound, then the building and stairwell as one would say them."""
    inner = "".join(p.name for p in (case.building, case.stairwell) if p is not None)
    return f"{case.compound.name} {inner}".strip()


def _due(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def message(kind: str, audience: str, case: Case, event: Event | None, level: int = 0) -> tuple[str, str]:
    """The title and text for one audience, in the active language."""
    what = {"title": case.title, "place": place(case), "code": case.code}
    note = (event.note if event is not None and event.public else "")[:500]
    ref = f"{case.code} · {case.category.name}"
    if audience == REPORTER:
        titles = {
            "accepted": _("Your case was accepted: %(title)s"),
            "reply": _("New reply to your case: %(title)s"),
            "resolved": _("Your case was resolved: %(title)s"),
            "rejected": _("Your case was not accepted: %(title)s"),
            "returned": _("Your case is being passed on: %(title)s"),
            "merged": _("Your case is followed with another: %(title)s"),
        }
        bodies = {
            "reply": note,
            "resolved": "\n".join(
                p for p in (note, _("Please confirm it, or reopen it if the problem is not solved.")) if p
            ),
            "rejected": note,
            "returned": _("It goes back to the community to be sent to the right office."),
            "merged": _("It is followed together with case %(code)s.")
            % {"code": case.merged_into.code if case.merged_into_id else ""},
        }
        return titles[kind] % what, bodies.get(kind, ref) or ref
    titles = {
        "submitted": _("New case: %(title)s (%(place)s)"),
        "dispatched": _("Case dispatched to you: %(title)s (%(place)s)"),
        "reopened": _("Case reopened: %(title)s (%(place)s)"),
        "soon_due": _("Due within a day: %(title)s (%(place)s)"),
        "overdue": _("Overdue: %(title)s (%(place)s)"),
        "escalated": _("Escalated to the subdistrict: %(title)s (%(place)s)")
        if level >= 2
        else _("Escalated: %(title)s (%(place)s)"),
        "revisit": _("Revisit due: %(title)s (%(place)s)"),
        "returned": _("Case returned, to dispatch again: %(title)s (%(place)s)"),
    }
    bodies = {
        "submitted": f"{ref}\n{case.description[:200]}",
        "reopened": "\n".join(p for p in (ref, note) if p),
        "soon_due": "\n".join((ref, _("Due %(due)s.") % {"due": _due(case.resolve_due)})),
        "overdue": "\n".join((ref, _("Was due %(due)s.") % {"due": _due(case.resolve_due)})),
        "escalated": "\n".join((ref, _("Was due %(due)s.") % {"due": _due(case.resolve_due)})),
        "revisit": "\n".join((ref, _("Call the resident and record what they say."))),
        "returned": "\n".join(p for p in (ref, note) if p),
    }
    return titles[kind] % what, bodies.get(kind, ref)


def group_message(kind: str, case: Case) -> tuple[str, str]:
    """What a stairwell's residents read: no description, no names."""
    titles = {"submitted": _("New case: %(title)s (%(place)s)"), "resolved": _("Resolved: %(title)s (%(place)s)")}
    return titles[kind] % {"title": case.title, "place": place(case)}, f"{case.code} · {case.category.name}"
