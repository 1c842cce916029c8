"""Mediation of neighbour disputes (邻里矛盾调解): opened on a case, one or more sessions,
then an agreement (or none), then a follow-up visit to see that it holds."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.people.models import Organisation

from .lifecycle import CaseError, actor_label
from .models import FINAL, Case, Event, Mediation, MediationParty, MediationSession
from .rules import may
from .services import _clean_text

MEDIATOR_KINDS = {
    Organisation.Kind.ASSOCIATION,
    Organisation.Kind.RESIDENTS_COMMITTEE,
    Organisation.Kind.SELF_GOVERNANCE,
    Organisation.Kind.PARTY_BRANCH,
    Organisation.Kind.DEPARTMENT,
}


def find(case: Case) -> Mediation | None:
    """The case's mediation with its parties and sessions, or None (pages and API alike)."""
    found = (
        Mediation.objects.filter(case=case)
        .select_related("mediator")
        .prefetch_related(
            Prefetch("parties", queryset=MediationParty.objects.select_related("person", "home__stairwell__building")),
            Prefetch("sessions", queryset=MediationSession.objects.select_related("recorded_by__person")),
        )
        .first()
    )
    if found is not None:
        found.case = case
    return found


def _check(user, case):
    if not may(user, "mediate", case):
        raise PermissionDenied(_("Only the people handling this case can record its mediation."))


def _log(case, user, note, now):
    Event.objects.create(
        case=case,
        type=Event.Type.NOTE,
        action="mediation",
        actor=user,
        actor_label=actor_label(user),
        at=now,
        note=note,
    )


@transaction.atomic
def open_mediation(*, case: Case, user, mediator: Organisation, parties: list[dict], now=None) -> Mediation:
    """parties: [{"name": ..., "side": "a"|"b"|"other", "person": Person|None, "home": Home|None}]"""
    now = now or timezone.now()
    _check(user, case)
    if case.status in FINAL:
        raise CaseError(_("This case is %(status)s.") % {"status": case.get_status_display()})
    if mediator.kind not in MEDIATOR_KINDS:
        raise ValidationError(_("%(org)s does not mediate disputes.") % {"org": mediator}, code="bad_mediator")
    sides = {p.get("side") for p in parties}
    if not {"a", "b"} <= sides:
        raise ValidationError(_("Name at least one person on each side of the dispute."), code="parties")
    try:
        with transaction.atomic():
            mediation = Mediation.objects.create(case=case, mediator=mediator, created=now)
    except IntegrityError:
        raise CaseError(_("This case is already in mediation.")) from None
    for p in parties:
        MediationParty.objects.create(
            mediation=mediation,
            name=_clean_text(p.get("name", ""), _("Name"), max_length=50),
            side=p["side"],
            person=p.get("person"),
            home=p.get("home"),
        )
    _log(case, user, _("Mediation opened by %(org)s.") % {"org": mediator}, now)
    return mediation


def add_session(
    *,
    mediation: Mediation,
    user,
    held_at: dt.datetime,
    place: str,
    mediators: str,
    summary: str,
    attendees: str = "",
    next_step: str = "",
    now=None,
) -> MediationSession:
    _check(user, mediation.case)
    if mediation.outcome != Mediation.Outcome.OPEN:
        raise CaseError(_("This mediation is concluded; record a follow-up instead."))
    now = now or timezone.now()
    if held_at > now + dt.timedelta(hours=1):
        raise ValidationError(_("A session is recorded after it was held, not before."), code="future")
    session = MediationSession.objects.create(
        mediation=mediation,
        held_at=held_at,
        place=_clean_text(place, _("Where"), max_length=120),
        mediators=_clean_text(mediators, _("Mediators"), max_length=200),
        attendees=_clean_text(attendees, _("Present"), max_length=300, required=False),
        summary=_clean_text(summary, _("What was said"), max_length=8000),
        next_step=_clean_text(next_step, _("Next step"), max_length=300, required=False),
        recorded_by=user,
    )
    _log(mediation.case, user, _("Mediation session held at %(place)s.") % {"place": session.place}, now)
    return session


@transaction.atomic
def conclude(
    *, mediation: Mediation, user, outcome: str, agreement: str = "", follow_up_on: dt.date | None = None, now=None
) -> Mediation:
    now = now or timezone.now()
    _check(user, mediation.case)
    mediation = Mediation.objects.select_for_update().get(pk=mediation.pk)
    if mediation.outcome != Mediation.Outcome.OPEN:
        raise CaseError(_("This mediation is already concluded."))
    if outcome not in (Mediation.Outcome.AGREED, Mediation.Outcome.FAILED, Mediation.Outcome.WITHDRAWN):
        raise ValidationError(_("Choose how the mediation ended."), code="outcome")
    agreement = _clean_text(agreement, _("Agreement"), max_length=8000, required=outcome == Mediation.Outcome.AGREED)
    if outcome == Mediation.Outcome.AGREED and not mediation.sessions.exists():
        raise ValidationError(_("Record at least one session before the agreement."), code="no_session")
    if follow_up_on and follow_up_on < timezone.localdate(now):
        raise ValidationError(_("The follow-up date is in the past."), code="follow_up_past")
    mediation.outcome, mediation.agreement, mediation.concluded_at = outcome, agreement, now
    mediation.follow_up_on = follow_up_on
    mediation.save()
    _log(
        mediation.case, user, _("Mediation concluded: %(outcome)s.") % {"outcome": mediation.get_outcome_display()}, now
    )
    return mediation


def record_follow_up(*, mediation: Mediation, user, note: str, now=None) -> Mediation:
    now = now or timezone.now()
    _check(user, mediation.case)
    if mediation.outcome == Mediation.Outcome.OPEN:
        raise CaseError(_("Conclude the mediation before following up."))
    mediation.follow_up_note = _clean_text(note, _("Follow-up"), max_length=4000)
    mediation.followed_up_at = now
    mediation.save(update_fields=["follow_up_note", "followed_up_at"])
    _log(mediation.case, user, _("Mediation followed up."), now)
    return mediation


def due_follow_ups(cases_qs, today: dt.date | None = None):
    """Concluded mediations whose follow-up date has come and that were not followed up."""
    today = today or timezone.localdate()
    return Mediation.objects.filter(
        case__in=cases_qs, followed_up_at__isnull=True, follow_up_on__lte=today
    ).select_related("case", "mediator")
