"""The case lifecycle: one table of transitions, one function that performs them.

    submitted → accepted (受理) → dispatched (派单) → in progress → resolved (办结) → closed
    returned (退回: not ours, back to dispatch) · on hold (clock stopped) · rejected ·
    merged as duplicate · reopened (the resident disagrees)

Each transition is a named permission (rules.py), records who, when and a note, and bumps
the case's version: a page or app that sends the version it saw gets a clear conflict
instead of overwriting what someone else did in the meantime.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import deadlines, routing
from .models import FINAL, Case, Event, Status, Support
from .rules import may
from .signals import notify

S = Status


class CaseError(Exception):
    """A request the case's state does not allow (HTTP 409)."""

    status_code = 409

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


class Conflict(CaseError):
    """Someone else changed the case since the user loaded it."""


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: computed (resume goes back to where the case was)
    label: str
    needs_note: bool = False
    reporter_may: bool = False  # the resident, through his secret link, without an account


def _t(sources, target, label, **kw):
    return Transition(frozenset(sources), target, label, **kw)


WORKING = {S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.REOPENED}
TRANSITIONS: dict[str, Transition] = {
    "accept": _t({S.SUBMITTED}, S.ACCEPTED, gettext_lazy("accept")),
    "dispatch": _t({S.ACCEPTED, S.RETURNED, S.DISPATCHED}, S.DISPATCHED, gettext_lazy("dispatch")),
    "start": _t({S.ACCEPTED, S.DISPATCHED, S.REOPENED}, S.IN_PROGRESS, gettext_lazy("start work")),
    "return": _t(
        {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS}, S.RETURNED, gettext_lazy("return"), needs_note=True
    ),
    "hold": _t(WORKING, S.ON_HOLD, gettext_lazy("put on hold"), needs_note=True),
    "resume": _t({S.ON_HOLD}, None, gettext_lazy("resume")),
    "resolve": _t({S.IN_PROGRESS}, S.RESOLVED, gettext_lazy("resolve")),
    "close": _t({S.RESOLVED}, S.CLOSED, gettext_lazy("close"), reporter_may=True),
    "reject": _t({S.SUBMITTED, S.ACCEPTED, S.RETURNED}, S.REJECTED, gettext_lazy("reject"), needs_note=True),
    "merge": _t({S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.DISPATCHED}, S.MERGED, gettext_lazy("merge")),
    "reopen": _t({S.RESOLVED, S.CLOSED}, S.REOPENED, gettext_lazy("reopen"), needs_note=True, reporter_may=True),
}


def available(case: Case, user) -> list[str]:
    """The actions this user may take on the case now, in table order (for buttons)."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if case.status in t.sources and may(user, name, case) and _extra_ok(case, name, user)
    ]


def _extra_ok(case, action, user) -> bool:
    if action == "reopen" and case.status == S.CLOSED:
        return within_reopen_period(case)
    return True


def within_reopen_period(case, now=None) -> bool:
    """A closed case may be reopened for CASES_REOPEN_DAYS after it closed."""
    days = getattr(settings, "CASES_REOPEN_DAYS", 30)
    now = now or timezone.now()
    return case.closed_at is not None and now - case.closed_at <= timezone.timedelta(days=days)


def actor_label(user, *, reporter: bool = False, system: bool = False) -> str:
    if system:
        return Event.SYSTEM
    if reporter or user is None:
        return Event.RESIDENT
    return user.display_name() if hasattr(user, "display_name") else str(user)


@transaction.atomic
def perform(
    case: Case | int,
    action: str,
    *,
    user=None,
    note: str = "",
    version: int | None = None,
    as_reporter: bool = False,
    system: bool = False,
    organisation=None,
    assignee=None,
    target: Case | None = None,
    now=None,
) -> Case:
    """Carry out one transition. `as_reporter` is for the resident acting through his secret
    link (the caller has checked it); everyone else is checked by the named permission.

    The row is locked (select_for_update) so that two clerks pressing "resolve" at the same
    moment are served one after the other: the second sees the new status and gets a clear
    error instead of recording the case twice."""
    now = now or timezone.now()
    pk = case.pk if isinstance(case, Case) else case
    case = Case.objects.select_for_update().get(pk=pk)
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise CaseError(_("Unknown action: %(action)s") % {"action": action})
    if system:
        pass  # the periodic tick (auto-close); never reachable from a request
    elif as_reporter:
        if not spec.reporter_may:
            raise PermissionDenied(_("Only the people handling this case can do that."))
    elif not may(user, action, case):
        raise PermissionDenied(_("Your role does not allow you to %(action)s this case.") % {"action": spec.label})
    if version is not None and int(version) != case.version:
        raise Conflict(
            _("Someone else changed this case a moment ago (it is now %(status)s). Please look again and retry.")
            % {"status": case.get_status_display()}
        )
    if case.status not in spec.sources:
        raise CaseError(
            _("A case that is %(status)s cannot be given the action “%(action)s”.")
            % {"status": case.get_status_display(), "action": spec.label}
        )
    note = (note or "").strip()
    if spec.needs_note and not note:
        raise ValidationError(_("Please give a reason."), code="note_required")

    before = case.status
    extra = _APPLY[action](
        case, user=user, note=note, now=now, organisation=organisation, assignee=assignee, target=target
    )
    case.status = spec.target or case.status
    case.version = F("version") + 1
    case.save()
    case.refresh_from_db(fields=["version"])
    Event.objects.create(
        case=case,
        type=Event.Type.TRANSITION,
        action=action,
        from_status=before,
        to_status=case.status,
        actor=None if as_reporter or system else user,
        actor_label=actor_label(user, reporter=as_reporter, system=system),
        at=now,
        note=note,
        public=action in ("reject", "return", "resolve", "reopen", "close", "merge", "hold"),
        organisation_id=case.organisation_id,
    )
    kind = {"start": None, "hold": None, "resume": None, "dispatch": "dispatched"}.get(action, _NOTIFY.get(action))
    if kind:
        notify(kind, case.pk, by=actor_label(user, reporter=as_reporter, system=system), **(extra or {}))
    return case


_NOTIFY = {
    "accept": "accepted",
    "return": "returned",
    "resolve": "resolved",
    "close": "closed",
    "reject": "rejected",
    "merge": "merged",
    "reopen": "reopened",
}


def _accept(case, *, user, now, **_kw):
    case.accepted_at = now
    if case.first_receiver_id is None and user is not None:
        case.first_receiver = user  # 首接负责: whoever accepts first answers for it
    if case.organisation_id is None:
        case.organisation = routing.route(case)


def _dispatch(case, *, user, note, organisation, assignee, **_kw):
    from .access import is_staff_for

    organisation = organisation or case.organisation or routing.route(case)
    if organisation is None:
        raise ValidationError(_("Choose the organisation that must act on this case."), code="no_organisation")
    if not routing.serves(organisation, case):
        raise ValidationError(
            _("%(org)s does not serve %(compound)s.") % {"org": organisation, "compound": case.compound},
            code="bad_organisation",
        )
    if case.organisation_id and organisation.pk != case.organisation_id:
        if not is_staff_for(user, case):
            raise PermissionDenied(_("Only community staff can hand a case to another organisation."))
        if not note:
            raise ValidationError(_("Please say why the case goes to another organisation."), code="note_required")
    if assignee is not None:
        from .access import handler_org_ids

        if organisation.pk not in handler_org_ids(assignee):
            raise ValidationError(
                _("%(name)s does not handle cases for %(org)s.") % {"name": assignee, "org": organisation},
                code="bad_assignee",
            )
    case.organisation = organisation
    case.assignee = assignee
    return {"organisation_id": organisation.pk}


def _start(case, *, user, **_kw):
    from .access import is_handler_for

    if case.assignee_id is None and is_handler_for(user, case):
        case.assignee = user


def _return(case, **_kw):
    case.assignee = None


def _hold(case, *, now, **_kw):
    case.held_from = case.status
    case.hold_started = now


def _resume(case, *, now, **_kw):
    cal = deadlines.overrides()
    held = deadlines.held_workdays(case.hold_started, now, cal)
    case.resolve_due = deadlines.shift(case.resolve_due, held, cal)
    if case.first_reply_at is None:
        case.reply_due = deadlines.shift(case.reply_due, held, cal)
    case.status = case.held_from  # the table's target is None: back to where it was
    case.held_from = ""
    case.hold_started = None
    case.soon_due_notified = False


def _resolve(case, *, user, note, now, **_kw):
    if note:
        _add_reply(case, user=user, text=note, now=now)
    if case.first_reply_at is None:
        raise ValidationError(
            _("Write a reply to the resident before resolving: say what was done."), code="reply_required"
        )
    case.resolved_at = now


def _close(case, *, now, **_kw):
    case.closed_at = now


def _reject(case, *, now, **_kw):
    case.closed_at = now


def _merge(case, *, target, now, user, **_kw):
    if target is None:
        raise ValidationError(_("Choose the case this one duplicates."), code="no_target")
    target = Case.objects.select_for_update().get(pk=target.pk)
    if target.pk == case.pk:
        raise ValidationError(_("A case cannot be a duplicate of itself."), code="self_merge")
    if target.status in FINAL:
        raise ValidationError(
            _("Case %(code)s is %(status)s: merge into an open case.")
            % {"code": target.code, "status": target.get_status_display()},
            code="target_closed",
        )
    if target.compound_id != case.compound_id:
        raise ValidationError(_("Only cases of the same compound can be merged."), code="other_compound")
    case.merged_into = target
    case.closed_at = now
    # The duplicate's reporter and supporters now support the original (once each).
    people = set(case.supports.values_list("person_id", flat=True)) | {case.reporter_id}
    people -= {None, target.reporter_id}
    have = set(target.supports.filter(person_id__in=people).values_list("person_id", flat=True))
    Support.objects.bulk_create([Support(case=target, person_id=p, at=now) for p in people - have])
    added = len(people - have)
    Case.objects.filter(pk=target.pk).update(supporters=F("supporters") + added)
    Event.objects.create(
        case=target,
        type=Event.Type.SUPPORT,
        action="merge",
        actor=user,
        actor_label=actor_label(user),
        at=now,
        note=_("Case %(code)s was merged into this one.") % {"code": case.code},
        public=True,
    )
    return {"target_id": target.pk}


def _reopen(case, *, user, now, **_kw):
    from .access import is_staff_for

    if case.status == S.CLOSED and not within_reopen_period(case, now) and not is_staff_for(user, case):
        raise CaseError(_("This case was closed too long ago to reopen. Please submit a new case."))
    case.resolved_at = None
    case.closed_at = None
    case.resolve_due = deadlines.dues(now, case.kind)[1]
    case.soon_due_notified = False


_APPLY = {
    "accept": _accept,
    "dispatch": _dispatch,
    "start": _start,
    "return": _return,
    "hold": _hold,
    "resume": _resume,
    "resolve": _resolve,
    "close": _close,
    "reject": _reject,
    "merge": _merge,
    "reopen": _reopen,
}


def _add_reply(case, *, user, text, now) -> Event:
    event = Event.objects.create(
        case=case,
        type=Event.Type.REPLY,
        actor=user,
        actor_label=actor_label(user),
        at=now,
        note=text,
        public=True,
        organisation_id=case.organisation_id,
    )
    if case.first_reply_at is None:
        case.first_reply_at = now
    return event
