"""Writes on cases other than transitions (lifecycle.py): intake, replies, notes, ratings,
support, reassignment, the periodic tick (reminders, escalation, auto-close, revisits) and
the figures."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.lib.crypto import keyed_hash
from linli.lib.normalize import normalize_phone
from linli.lib.workdays import add_workdays
from linli.people.models import Person
from linli.places.models import Building, Compound, Home, Stairwell

from . import deadlines, routing
from .figures import figures  # noqa: F401  (callers know the figures as services.figures)
from .lifecycle import CaseError, Conflict, _add_reply, actor_label, perform
from .models import FINAL, Case, Category, Channel, Event, Photo, Revisit, Status, Support, new_code
from .rules import may
from .signals import notify

MAX_PHOTOS = 6


def _clean_text(value: str, label: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("%(field)s is required.") % {"field": label}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            _("%(field)s is too long: at most %(n)s characters.") % {"field": label, "n": max_length}, code="too_long"
        )
    return value


def check_place(*, compound: Compound, building=None, stairwell=None, home=None):
    """Building, stairwell and home must lie inside each other and the compound; the most
    precise one given fills in the others."""
    if home is not None:
        stairwell = stairwell or home.stairwell
        if home.stairwell_id != stairwell.pk:
            raise ValidationError(_("That home is not in that stairwell."), code="bad_place")
    if stairwell is not None:
        building = building or stairwell.building
        if stairwell.building_id != building.pk:
            raise ValidationError(_("That stairwell is not in that building."), code="bad_place")
    if building is not None and building.compound_id != compound.pk:
        raise ValidationError(_("That building is not in that compound."), code="bad_place")
    return building, stairwell, home


def find_or_add_reporter(*, name: str, phone: str, trusted: bool = True) -> Person:
    """The person with this phone number, or a new person record (not living anywhere yet):
    the community can link him to a home later. Untrusted (a form anyone can fill in): never
    attach the case to an existing resident's record on the strength of a typed number, or
    anyone could file cases in a neighbour's name; a new record is made instead."""
    person = Person.objects.filter(phone_hash=keyed_hash(phone)).order_by("pk").first() if trusted else None
    if person is None:
        person = Person.objects.create(name=name or phone[-4:], phone=phone)
    return person


@transaction.atomic
def submit(
    *,
    compound: Compound,
    category: Category,
    title: str,
    description: str,
    kind: str | None = None,
    building: Building | None = None,
    stairwell: Stairwell | None = None,
    home: Home | None = None,
    location: str = "",
    reporter: Person | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    channel: str = Channel.MOBILE,
    recorded_by=None,
    on_public_board: bool = True,
    public_details: bool = False,
    photos=(),
    now: dt.datetime | None = None,
) -> tuple[Case, str]:
    """Record a new case and route it. Returns the case and the secret for the resident's
    follow link (only its hash is stored: show it once)."""
    now = now or timezone.now()
    if not category.active:
        raise ValidationError(_("This category is no longer in use. Please choose another."), code="bad_category")
    title = _clean_text(title, _("Title"), max_length=80)
    description = _clean_text(description, _("Description"), max_length=4000)
    location = _clean_text(location, _("Exact spot"), max_length=120, required=False)
    reporter_name = _clean_text(reporter_name, _("Name"), max_length=50, required=False)
    building, stairwell, home = check_place(compound=compound, building=building, stairwell=stairwell, home=home)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)s photos.") % {"n": MAX_PHOTOS}, code="too_many_photos")
    phone = ""
    if reporter_phone:
        try:
            phone = normalize_phone(reporter_phone)
        except ValueError as exc:
            raise ValidationError(str(exc), code="bad_phone") from None
    if reporter is None and phone:
        reporter = find_or_add_reporter(name=reporter_name, phone=phone, trusted=recorded_by is not None)
    if reporter is not None:
        reporter_name = reporter_name or reporter.name
        phone = phone or reporter.phone
    kind = kind or category.default_kind
    reply_due, resolve_due = deadlines.dues(now, kind)
    case = Case(
        code=new_code(now),
        kind=kind,
        category=category,
        title=title,
        description=description,
        compound=compound,
        building=building,
        stairwell=stairwell,
        home=home,
        location=location,
        reporter=reporter,
        reporter_name=reporter_name,
        reporter_phone=phone,
        phone_last4=phone[-4:],
        channel=channel,
        recorded_by=recorded_by,
        on_public_board=on_public_board,
        public_details=public_details,
        submitted_at=now,
        reply_due=reply_due,
        resolve_due=resolve_due,
    )
    secret = case.new_secret()
    case.community_id = compound.community_id
    case.organisation = routing.route(case)
    case.save()
    for photo in photos:
        Photo.objects.create(
            case=case, image=ContentFile(photo.content, name=photo.name), width=photo.width, height=photo.height
        )
    Event.objects.create(
        case=case,
        type=Event.Type.TRANSITION,
        action="submit",
        to_status=Status.SUBMITTED,
        actor=recorded_by,
        actor_label=actor_label(recorded_by) if recorded_by else Event.RESIDENT,
        at=now,
        note=_("Recorded by %(who)s (%(channel)s)")
        % {"who": actor_label(recorded_by), "channel": case.get_channel_display()}
        if recorded_by
        else "",
        public=True,
        organisation=case.organisation,
    )
    notify("submitted", case.pk, organisation_id=case.organisation_id)
    return case, secret


def similar_open_cases(*, compound, category, building=None, stairwell=None, limit: int = 5):
    """Open cases of the same category in the same stairwell, else building: shown before a
    resident submits, so he can support one instead of filing it again."""
    qs = Case.objects.open().exclude(status=Status.RESOLVED).filter(compound=compound, category=category)
    if stairwell is not None:
        qs = qs.filter(Q(stairwell=stairwell) | Q(building=stairwell.building_id, stairwell__isnull=True))
    elif building is not None:
        qs = qs.filter(building=building)
    return list(qs.select_related("category", "building", "stairwell").order_by("-supporters", "-submitted_at")[:limit])


@transaction.atomic
def support(*, case: Case, person: Person, now=None) -> bool:
    """Add one resident's support to an open case; False if he already supports it."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status in FINAL or case.status == Status.RESOLVED:
        raise CaseError(_("This case is no longer open; support is closed."))
    if case.reporter_id == person.pk:
        raise CaseError(_("This is your own case."))
    try:
        with transaction.atomic():
            Support.objects.create(case=case, person=person, at=now or timezone.now())
    except IntegrityError:
        return False
    Case.objects.filter(pk=case.pk).update(supporters=F("supporters") + 1)
    Event.objects.create(case=case, type=Event.Type.SUPPORT, actor_label=Event.NEIGHBOUR, at=now, public=True)
    return True


@transaction.atomic
def reply(*, case: Case, user, text: str, photos=(), now=None) -> Event:
    """A public answer to the resident. The first one stops the first-reply clock."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not may(user, "reply", case):
        raise PermissionDenied(_("Your role does not allow you to reply to this case."))
    if case.status in FINAL:
        raise CaseError(
            _("This case is %(status)s: replies are closed. Add an internal note, or reopen it first.")
            % {"status": case.get_status_display()}
        )
    text = _clean_text(text, _("Reply"), max_length=4000)
    first = case.first_reply_at is None
    event = _add_reply(case, user=user, text=text, now=now)
    case.save(update_fields=["first_reply_at"])
    for photo in photos:
        Photo.objects.create(
            case=case,
            event=event,
            image=ContentFile(photo.content, name=photo.name),
            width=photo.width,
            height=photo.height,
        )
    notify("reply", case.pk, first=first)
    return event


# A resident adds photos to his own case only until someone starts on it.
REPORTER_PHOTO_STATUSES = {Status.SUBMITTED, Status.ACCEPTED}


@transaction.atomic
def add_photos(*, case: Case, user=None, as_reporter: bool = False, photos) -> list[Photo]:
    """More photos on a case (already cleaned: linli.lib.images.clean_photo). The reporter
    (or the resident through his secret link, `as_reporter`) while the case is submitted or
    accepted; those who handle it and community staff until it is final. At most MAX_PHOTOS
    on a case in all, replies' photos included."""
    from .access import is_handler_for, is_staff_for

    # Locked: two uploads at the same moment must not pass the limit together.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not as_reporter and not may(user, "add_photos", case):
        raise PermissionDenied(_("Your role does not allow you to add photos to this case."))
    handles = not as_reporter and (is_handler_for(user, case) or is_staff_for(user, case))
    if case.status in FINAL or (not handles and case.status not in REPORTER_PHOTO_STATUSES):
        raise CaseError(_("Photos can no longer be added to this case."))
    photos = list(photos)
    if not photos:
        raise ValidationError(_("Choose at least one photo."), code="no_photos")
    have = case.photos.count()
    if have + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("A case can have at most %(n)s photos; this one has %(have)s.") % {"n": MAX_PHOTOS, "have": have},
            code="too_many_photos",
        )
    return [
        Photo.objects.create(
            case=case, image=ContentFile(photo.content, name=photo.name), width=photo.width, height=photo.height
        )
        for photo in photos
    ]


def add_note(*, case: Case, user, text: str, now=None) -> Event:
    if not may(user, "note", case):
        raise PermissionDenied(_("Your role does not allow you to add notes to this case."))
    text = _clean_text(text, _("Note"), max_length=4000)
    return Event.objects.create(
        case=case,
        type=Event.Type.NOTE,
        actor=user,
        actor_label=actor_label(user),
        at=now or timezone.now(),
        note=text,
        public=False,
    )


@transaction.atomic
def rate(*, case: Case, stars, comment: str = "", user=None, as_reporter: bool = False, now=None) -> Case:
    """The resident's rating (1–5). Rating a resolved case confirms it: the case closes."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not as_reporter and not may(user, "rate", case):
        raise PermissionDenied(_("Only the resident who submitted the case can rate it."))
    if case.status not in (Status.RESOLVED, Status.CLOSED) or case.resolved_at is None:
        raise CaseError(_("A case can be rated once it is resolved."))
    if case.rating is not None:
        raise CaseError(_("This case has already been rated."))
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError(_("Choose from 1 to 5 stars."), code="bad_rating")
    comment = _clean_text(comment, _("Comment"), max_length=500, required=False)
    case.rating, case.rating_comment, case.rated_at = stars, comment, now
    case.save(update_fields=["rating", "rating_comment", "rated_at"])
    Event.objects.create(
        case=case,
        type=Event.Type.RATING,
        actor=None if as_reporter else user,
        actor_label=Event.RESIDENT,
        at=now,
        note=f"{'★' * stars}{'☆' * (5 - stars)} {comment}".strip(),
        public=True,
    )
    if case.status == Status.RESOLVED:
        case = perform(
            case, "close", user=user, as_reporter=True, note=_("Confirmed by the resident's rating."), now=now
        )
    Revisit.objects.filter(case=case, done_at__isnull=True).update(done_at=now, outcome=_("Rated by the resident."))
    return case


@transaction.atomic
def reassign(*, case: Case, user, organisation, note: str, version=None, now=None) -> Case:
    """Hand the case to another organisation (staff only, with a reason)."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not may(user, "reassign", case):
        raise PermissionDenied(_("Only community staff can hand a case to another organisation."))
    if version is not None and int(version) != case.version:
        raise Conflict(_("Someone else changed this case a moment ago. Please look again and retry."))
    if case.status in FINAL:
        raise CaseError(_("This case is %(status)s.") % {"status": case.get_status_display()})
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Please say why the case goes to another organisation."), code="note_required")
    if organisation.pk == case.organisation_id:
        raise ValidationError(_("The case is already with %(org)s.") % {"org": organisation}, code="same_org")
    if not routing.serves(organisation, case):
        raise ValidationError(
            _("%(org)s does not serve %(compound)s.") % {"org": organisation, "compound": case.compound},
            code="bad_organisation",
        )
    case.organisation, case.assignee = organisation, None
    case.version = F("version") + 1
    case.save()
    case.refresh_from_db(fields=["version"])
    Event.objects.create(
        case=case,
        type=Event.Type.REASSIGN,
        actor=user,
        actor_label=actor_label(user),
        at=now,
        note=note,
        organisation=organisation,
    )
    notify("dispatched", case.pk, organisation_id=organisation.pk)
    return case


# --- the tick: run every few minutes (manage.py cases_tick) -----------------------------


def _setting(name, default):
    return getattr(settings, name, default)


def tick(now: dt.datetime | None = None) -> dict[str, int]:
    """Reminders for cases soon due, escalation of overdue ones (the community, then the
    subdistrict), auto-close of resolved cases the resident did not answer, and revisit tasks
    for resolved cases left unrated. Safe to run as often as wanted: each step is idempotent."""
    now = now or timezone.now()
    cal = deadlines.overrides()
    done = {"soon_due": 0, "escalated": 0, "closed": 0, "revisits": 0}
    working = Case.objects.exclude(status__in=FINAL | {Status.RESOLVED, Status.ON_HOLD})

    for case in working.filter(
        soon_due_notified=False, resolve_due__gte=now, resolve_due__lte=now + dt.timedelta(days=1)
    ):
        Case.objects.filter(pk=case.pk).update(soon_due_notified=True)
        notify("soon_due", case.pk, organisation_id=case.organisation_id)
        done["soon_due"] += 1

    later = _setting("CASES_ESCALATE_AFTER_DAYS", 3)  # working days overdue before the subdistrict
    for case in working.filter(resolve_due__lt=now, escalation__lt=2).select_related("category"):
        overdue_days = deadlines.workdays_left(case.resolve_due, now, cal) * -1
        level = 2 if overdue_days >= later else 1
        if level <= case.escalation:
            continue
        with transaction.atomic():
            updated = Case.objects.filter(pk=case.pk, escalation=case.escalation).update(escalation=level)
            if not updated:
                continue  # another tick got there first
            Event.objects.create(
                case=case,
                type=Event.Type.ESCALATE,
                actor_label=Event.SYSTEM,
                at=now,
                note=_("Overdue: escalated to the community.")
                if level == 1
                else _("Overdue: escalated to the subdistrict."),
            )
            notify("escalated" if level > 1 or case.escalation else "overdue", case.pk, level=level)
        done["escalated"] += 1

    confirm_days = _setting("CASES_CONFIRM_DAYS", 7)
    for case in Case.objects.filter(status=Status.RESOLVED, resolved_at__lt=now - dt.timedelta(days=confirm_days)):
        perform(
            case,
            "close",
            system=True,
            note=_("Closed automatically: the resident did not answer within %(n)s days.") % {"n": confirm_days},
            now=now,
        )
        done["closed"] += 1

    revisit_after = _setting("CASES_REVISIT_AFTER_WORKDAYS", 3)
    unrated = Case.objects.filter(
        status__in=[Status.RESOLVED, Status.CLOSED],
        resolved_at__isnull=False,
        rating__isnull=True,
        revisit__isnull=True,
    ).only("pk", "community_id", "resolved_at")
    for case in unrated.iterator():
        if deadlines.held_workdays(case.resolved_at, now, cal) < revisit_after:
            continue
        due = deadlines.end_of_day(add_workdays(timezone.localdate(now), 2, cal))
        defaults = {"community_id": case.community_id, "due": due, "created": now}
        created = Revisit.objects.get_or_create(case=case, defaults=defaults)[1]
        if created:
            notify("revisit", case.pk, community_id=case.community_id)
            done["revisits"] += 1
    return done


def record_revisit(*, revisit: Revisit, user, outcome: str, stars=None, now=None) -> Revisit:
    """The community worker's call: what the resident said, and his rating if he gave one."""
    now = now or timezone.now()
    if not may(user, "revisit", revisit.case):
        raise PermissionDenied(_("Only community staff record revisits."))
    if revisit.done_at:
        raise CaseError(_("This revisit is already done."))
    outcome = _clean_text(outcome, _("What the resident said"), max_length=2000)
    with transaction.atomic():
        if stars:
            rate(case=revisit.case, stars=stars, comment=outcome[:500], as_reporter=True, now=now)
        revisit.done_at, revisit.done_by, revisit.outcome = now, user, outcome
        revisit.save()
        Event.objects.create(
            case=revisit.case,
            type=Event.Type.REVISIT,
            actor=user,
            actor_label=actor_label(user),
            at=now,
            note=outcome,
        )
    return revisit
