"""Writes for personal-information rights: ask for a correction or a deletion, decide it,
anonymise a person. Bad input or a refused step raises ValidationError with a message in the
user's language (code "invalid" or "conflict") and changes nothing; a request outside the
deciding worker's reach is a 404, as everywhere."""

from __future__ import annotations

import logging

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.scope import Role, scope_for
from linli.lib.normalize import halfwidth, normalize_id_number, normalize_phone
from linli.people.models import HouseholdContact, LeaderAssignment, Membership, Occupancy, PartyMember, Person
from linli.places.models import Community

from . import notify
from .models import CorrectionRequest, DeletionRequest, Status

logger = logging.getLogger("linli.privacy")

# Who decides requests: the community's workers, and above them the subdistrict and system admins.
DECIDERS = {Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}
PSEUDONYM = "已注销居民 #{id}"
# Votes whose frozen electorate still matters: the owners' list is evidence until the result is out.
LIVE_VOTES = ("announced", "open", "closed")


def refuse(message: str, code: str = "invalid"):
    raise ValidationError(message, code=code)


# --- who asks, who decides -------------------------------------------------------------------


def person_of(user) -> Person:
    person = getattr(user, "person", None) if user is not None and user.is_authenticated else None
    if person is None:
        raise Http404
    return person


def home_community(person: Person) -> Community:
    """The community of his current home: its workers decide his requests."""
    occupancy = (
        Occupancy.objects.active()
        .filter(person=person)
        .select_related("home__stairwell__building__compound__community")
        .order_by("pk")
        .first()
    )
    if occupancy is None:
        refuse(_("You have no home on record: please ask your community's office in person."))
    return occupancy.home.stairwell.building.compound.community


def decider_communities(user):
    """The communities whose requests this user may decide: none for anyone but workers and admins."""
    scope = scope_for(user)
    grants = [g for g in scope.grants if g.role in DECIDERS]
    if not grants:
        return Community.objects.none()
    if any(g.level == "all" for g in grants):
        return Community.objects.all()
    q = Q(pk__in=[])
    for g in grants:
        q |= g.place_q("community")
    return Community.objects.filter(q)


def is_decider(user) -> bool:
    return bool(scope_for(user).roles & DECIDERS)


def queue(user, model):
    return model.objects.filter(community__in=decider_communities(user)).select_related("person", "community")


def access_request(user, model, pk):
    try:
        return queue(user, model).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _lock_pending(model, pk, user):
    # Two workers deciding the same request at once: the second finds it decided, not pending.
    request = model.objects.select_for_update().get(pk=pk)
    if request.status != Status.PENDING:
        refuse(_("This request has already been decided."), "conflict")
    if request.person_id == getattr(user, "person_id", None):
        refuse(_("You cannot decide your own request: another worker will."), "conflict")
    return request


# --- corrections -----------------------------------------------------------------------------


def clean_value(field: str, raw) -> str:
    """The corrected value as the registry keeps it, checked as an import or an edit would."""
    raw = halfwidth(str(raw or ""))
    try:
        if field == CorrectionRequest.Field.PHONE:
            return normalize_phone(raw)
        if field == CorrectionRequest.Field.ID_NUMBER:
            return normalize_id_number(raw)
    except ValueError as exc:
        refuse(str(exc))
    if field == CorrectionRequest.Field.NAME:
        if not raw or len(raw) > 50:
            refuse(_("A name has 1 to 50 characters."))
        return raw
    if field == CorrectionRequest.Field.GENDER:
        genders = {"F": "F", "M": "M", "女": "F", "男": "M", "female": "F", "male": "M"}
        if raw.lower() not in genders and raw not in genders:
            refuse(_("Gender is F (female) or M (male)."))
        return genders.get(raw, genders.get(raw.lower()))
    if field == CorrectionRequest.Field.BIRTH_YEAR:
        this_year = timezone.localdate().year
        if not raw.isdigit() or not 1900 <= int(raw) <= this_year:
            refuse(_("The year of birth is a year between 1900 and %(year)d.") % {"year": this_year})
        return raw
    refuse(_("This field cannot be corrected here."))


def _apply(person: Person, field: str, value: str) -> None:
    if field == CorrectionRequest.Field.ID_NUMBER:
        from linli.lib.crypto import keyed_hash

        taken = Person.objects.filter(id_hash=keyed_hash(value)).exclude(pk=person.pk).exists()
        if taken:
            refuse(_("Another person on record has this ID number: check it with the resident."), "conflict")
    setattr(person, field, int(value) if field == CorrectionRequest.Field.BIRTH_YEAR else value)
    try:
        person.full_clean(exclude=["phone_hash", "id_hash"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        refuse("; ".join(exc.messages))
    person.save()  # logged by auditlog (private values masked)


def ask_correction(*, user, field: str, value, note: str = "") -> CorrectionRequest:
    person = person_of(user)
    if field not in CorrectionRequest.Field.values:
        refuse(_("This field cannot be corrected here."))
    value = clean_value(field, value)
    return CorrectionRequest.objects.create(
        person=person, community=home_community(person), field=field, value=value, note=(note or "").strip()[:500],
        requested_by=user,
    )  # fmt: skip


def decide_correction(*, user, pk, accept: bool, reason: str = "", now=None) -> CorrectionRequest:
    """Accept (the value goes through the same checks again and into the record) or reject
    with a reason; the resident is told either way."""
    access_request(user, CorrectionRequest, pk)
    reason = (reason or "").strip()
    if not accept and not reason:
        refuse(_("Say why the request is rejected: the resident will read it."))
    with transaction.atomic():
        request = _lock_pending(CorrectionRequest, pk, user)
        person = Person.objects.select_for_update().get(pk=request.person_id)
        if accept:
            _apply(person, request.field, clean_value(request.field, request.value))
        request.status = Status.ACCEPTED if accept else Status.REJECTED
        request.decided_by, request.decided_at, request.reason = user, now or timezone.now(), reason[:300]
        request.save()
        notify.correction_decided(request, getattr(person, "user", None))
    logger.info("correction %s %s by user %s", request.pk, request.status, user.pk)
    return request


# --- deletion --------------------------------------------------------------------------------


def ask_deletion(*, user, note: str = "") -> DeletionRequest:
    person = person_of(user)
    community = home_community(person)
    try:
        with transaction.atomic():
            return DeletionRequest.objects.create(
                person=person, community=community, note=(note or "").strip()[:500], requested_by=user
            )
    except IntegrityError:
        refuse(_("You have already asked for deletion: a worker will decide it."), "conflict")


def why_not_anonymise(person: Person, on=None) -> str | None:
    """Why this person cannot be anonymised now, or None. He must not be needed as a named
    person: not in the owners' list of a vote still announced, open or being counted (the
    electorate is evidence until the result is out), and holding no role today (building or
    grid leader, household contact, chair, officer, worker, clerk — any membership but plain)."""
    from linli.votes.models import Elector, Owner, Proxy

    live = Q(vote__status__in=LIVE_VOTES)
    if (
        Owner.objects.filter(person=person, elector__vote__status__in=LIVE_VOTES).exists()
        or Elector.objects.filter(live, voter=person).exists()
        or Proxy.objects.filter(person=person, elector__vote__status__in=LIVE_VOTES).exists()
    ):
        return _("He is in the electorate of a vote not yet published: decide after its result.")
    if LeaderAssignment.objects.active(on).filter(person=person).exists():
        return _("He is a leader now: end his assignment first.")
    if HouseholdContact.objects.active(on).filter(party_member__person=person).exists():
        return _("He looks after homes as a party member: hand them over first.")
    if Membership.objects.active(on).filter(person=person).exclude(role=Membership.Role.MEMBER).exists():
        return _("He holds a role in an organisation: end it first.")
    return None


def anonymise_person(person: Person, *, now=None) -> Person:
    """Remove what identifies a person, keeping the records that must stay (cases, ballots and
    electorates, hours, attendance) pointing to the now nameless person. See docs/privacy.md."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if reason := why_not_anonymise(person, today):
            refuse(reason, "conflict")
        pseudonym = PSEUDONYM.format(id=person.pk)
        # Without the audit log: its entry would keep the old name in clear text. Earlier entries
        # about him are emptied below; the DeletionRequest is the record of what was done.
        with disable_auditlog():
            _anonymise(person, pseudonym, today)
    return person


def _anonymise(person: Person, pseudonym: str, today) -> None:
    from linli.accounts.models import ApiToken
    from linli.campaigns.models import ProposedChange
    from linli.cases.models import Case, Event, MediationParty
    from linli.notices.models import Delivery, Notification, Preference, Schedule
    from linli.volunteers.models import VolunteerProfile
    from linli.votes.models import Proxy

    user = getattr(person, "user", None)
    person.name = pseudonym
    person.phone = person.id_number = person.care_note = ""
    person.gender, person.birth_year = "", None
    person.hukou_registered = person.lives_alone = person.disabled = False
    person.save()

    # A term that had not begun begins and ends today (an end before the start is refused).
    for model in (Occupancy, Membership):
        model.objects.filter(person=person, start__gt=today).update(start=today)
        model.objects.filter(Q(end__isnull=True) | Q(end__gt=today), person=person).update(end=today)
    _scrub_audit_log(person, pseudonym)
    PartyMember.objects.filter(person=person).delete()  # party membership is not kept (decision 0016)
    VolunteerProfile.objects.filter(person=person).delete()

    # Rows that stay but copied his name or phone: the copies go, here and in their audit log.
    for rows, values in (
        (Case.objects.filter(reporter=person), {"reporter_name": "", "reporter_phone": "", "phone_last4": ""}),
        (MediationParty.objects.filter(person=person), {"name": pseudonym}),
        (Proxy.objects.filter(person=person), {"name": pseudonym}),
        (ProposedChange.objects.filter(person=person), {"name": "", "phone": ""}),
    ):
        _drop_logged(rows, list(values))
        rows.update(**values)
    CorrectionRequest.objects.filter(person=person).update(value="")
    if user is not None:
        Event.objects.filter(actor=user).update(actor_label=pseudonym)
        Notification.objects.filter(user=user).delete()
        Delivery.objects.filter(user=user).update(target="", payload={})
        Preference.objects.filter(user=user).delete()
        Schedule.objects.filter(user=user).delete()
        ApiToken.objects.filter(user=user).delete()
        user.person = None
        user.is_active = False
        user.username = f"deleted-{user.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.save()  # an inactive user's sessions no longer authenticate


def _drop_logged(rows, fields: list[str]) -> None:
    """Remove these fields' logged changes from the audit log entries of these rows."""
    ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
    if not ids:
        return
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(rows.model), object_pk__in=ids)
    for entry in entries.only("pk", "changes"):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if any(f in changes for f in fields):
            kept = {k: v for k, v in changes.items() if k not in fields}
            LogEntry.objects.filter(pk=entry.pk).update(changes=kept, changes_text="")


def _scrub_audit_log(person: Person, pseudonym: str) -> None:
    """The audit log's entries about him: his record's changes emptied, and the rows whose
    description names him (his homes, memberships, roles) described by the pseudonym."""
    person_type = ContentType.objects.get_for_model(Person)
    LogEntry.objects.filter(content_type=person_type, object_pk=str(person.pk)).update(
        object_repr=pseudonym, changes={}, changes_text=""
    )
    for model, rows in (
        (Occupancy, Occupancy.objects.filter(person=person)),
        (Membership, Membership.objects.filter(person=person)),
        (PartyMember, PartyMember.objects.filter(person=person)),
        (LeaderAssignment, LeaderAssignment.objects.filter(person=person)),
        (HouseholdContact, HouseholdContact.objects.filter(party_member__person=person)),
    ):
        ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        if ids:
            LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_pk__in=ids).update(
                object_repr=pseudonym
            )


def decide_deletion(*, user, pk, accept: bool, reason: str = "", now=None) -> DeletionRequest:
    access_request(user, DeletionRequest, pk)
    reason = (reason or "").strip()
    if not accept and not reason:
        refuse(_("Say why the request is rejected: the resident will read it."))
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock_pending(DeletionRequest, pk, user)
        person = request.person
        resident = getattr(person, "user", None)
        if accept:
            anonymise_person(person, now=now)
        request.status = Status.ACCEPTED if accept else Status.REJECTED
        request.decided_by, request.decided_at, request.reason = user, now, reason[:300]
        request.note = "" if accept else request.note  # his own words may name him
        request.save()
        if not accept:
            notify.deletion_rejected(request, resident)
    logger.info("deletion %s %s by user %s", request.pk, request.status, user.pk)
    return request
