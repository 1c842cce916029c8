"""Telling volunteers and organisers, through the notices app: a join request to the team's
organisers and its decision to the applicant, a place freed from the waiting list, an activity
cancelled, and the reminder the day before. Each event reaches a person once (its key)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.notices import kinds
from linli.notices.services import notify

GROUP = gettext_lazy("Volunteering")
KINDS = {
    "volunteers.join_requested": gettext_lazy("Someone asks to join a team I lead"),
    "volunteers.join_decided": gettext_lazy("My request to join a team was decided"),
    "volunteers.promoted": gettext_lazy("I got a place from the waiting list"),
    "volunteers.cancelled": gettext_lazy("An activity I signed up for was cancelled"),
    "volunteers.reminder": gettext_lazy("Reminder the day before an activity"),
    "activity.changed": gettext_lazy("The time or place of an activity I signed up for changed"),
}


def register_kinds():
    for code, label in KINDS.items():
        kinds.register(code, label, GROUP)


def _users(person_ids):
    return User.objects.filter(person_id__in=list(person_ids), is_active=True)


def _link(activity) -> str:
    return reverse("volunteers:activity", args=[activity.code])


def _when(activity) -> str:
    return f"{timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M}"


def join_requested(request, organisers) -> None:
    notify(
        users=organisers,
        kind="volunteers.join_requested",
        title=_("%(name)s asks to join %(team)s") % {"name": request.person.name, "team": request.organisation.name},
        body=request.message,
        link=reverse("volunteers:team", args=[request.organisation_id]),
        key=f"volunteers:join:{request.pk}",
    )


def join_decided(request) -> None:
    approved = request.state == request.State.APPROVED
    notify(
        users=_users([request.person_id]),
        kind="volunteers.join_decided",
        title=(_("Welcome to %(team)s") if approved else _("Your request to join %(team)s was declined"))
        % {"team": request.organisation.name},
        link=reverse("volunteers:team", args=[request.organisation_id]),
        key=f"volunteers:join:{request.pk}:decided",
    )


def promoted(signup) -> None:
    activity = signup.activity
    notify(
        users=_users([signup.person_id]),
        kind="volunteers.promoted",
        title=_("A place is free for you: %(title)s") % {"title": activity.title},
        body=_("You moved up from the waiting list. %(when)s, %(venue)s.")
        % {"when": _when(activity), "venue": activity.venue},
        link=_link(activity),
        key=f"volunteers:signup:{signup.pk}:promoted:{signup.updated.timestamp():.0f}",
    )


def cancelled(activity, person_ids) -> None:
    notify(
        users=_users(person_ids),
        kind="volunteers.cancelled",
        title=_("Cancelled: %(title)s (%(when)s)") % {"title": activity.title, "when": _when(activity)},
        body=_("Reason: %(reason)s") % {"reason": activity.cancelled_reason},
        link=_link(activity),
        key=f"volunteers:activity:{activity.pk}:cancelled",
    )


def reminder(activity, person_ids) -> None:
    notify(
        users=_users(person_ids),
        kind="volunteers.reminder",
        title=_("Tomorrow: %(title)s") % {"title": activity.title},
        body=_("%(when)s, %(venue)s. Scan the QR code there to check in.")
        % {"when": _when(activity), "venue": activity.venue},
        link=_link(activity),
        key=f"volunteers:activity:{activity.pk}:reminder",
    )


def changed(activity, person_ids, *, at) -> None:
    """The time or the venue moved: one notice per person and change (its key holds the moment
    of the change, so a second change is told again)."""
    notify(
        users=_users(person_ids),
        kind="activity.changed",
        title=_("Changed: %(title)s") % {"title": activity.title},
        body=_("Now %(when)s–%(end)s, %(venue)s.")
        % {"when": _when(activity), "end": f"{timezone.localtime(activity.ends_at):%H:%M}", "venue": activity.venue},
        link=_link(activity),
        key=f"volunteers:activity:{activity.pk}:changed:{at.timestamp():.6f}",
    )
