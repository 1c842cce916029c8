"""Cases over the API: /api/v1/cases (for residents and those who handle cases), /public
(the public board and following a case without an account) and /open311 (a read-only
Open311 GeoReport v2 view of the public boards).

Every case is fetched through cases.access (a case outside the caller's area is a 404, the
same as one that does not exist) and every change goes through cases.lifecycle or
cases.services; this module only turns their errors into answers:
`CaseError`/`Conflict` → 409, `PermissionDenied` → 403, Django's `ValidationError` → 422.
"""

import datetime as dt
import hashlib
import secrets
from contextlib import contextmanager
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.accounts.models import User
from linli.accounts.scope import scope_for, visible_homes, visible_organisations
from linli.lib.api_support import ApiError, ErrorOut, Message, Pagination, Ref, client_ip, invalid_input, ref
from linli.lib.images import clean_photo
from linli.lib.masking import mask_name, mask_phone
from linli.people.models import Person, RevealLog
from linli.places.models import Building, Compound, Stairwell

from . import deadlines, lifecycle, services
from .access import access_case, can_record_for, is_handler_for, is_reporter_of, is_staff_for, visible_cases
from .lifecycle import CaseError, Conflict
from .models import FINAL, OPEN311_CLOSED, Case, Category, Channel, Event, Kind, Photo, Status
from .rules import may

router = Router(tags=["cases"])
public_router = Router(tags=["public"], auth=None)
open311_router = Router(tags=["open311"], auth=None)

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS = {404: ErrorOut, 422: ErrorOut}

# A resident adds photos to his own case only until someone starts on it.
REPORTER_PHOTO_STATUSES = {Status.SUBMITTED, Status.ACCEPTED}
MAX_CASE_PHOTOS = 4 * services.MAX_PHOTOS
# Channels a resident may name for his own case; the others are for recording on someone's behalf.
SELF_CHANNELS = {Channel.MOBILE, Channel.POSTER, Channel.API}
# The public board shows open cases and those finished within this many days.
BOARD_RECENT_DAYS = 30
# Following a case with its code: attempts per client address, and failed attempts per code
# (four digits are only 10,000 guesses: a code is locked for an hour after a few wrong ones).
TRACK_IP_LIMIT, TRACK_IP_WINDOW = 20, 10 * 60
TRACK_CODE_LIMIT, TRACK_CODE_WINDOW = 5, 60 * 60
OPEN311_DEFAULT_DAYS, OPEN311_MAX_RESULTS = 90, 1000


# --- turning the core's errors into answers ---------------------------------------------

# Which input a ValidationError from lifecycle/services is about, by its code.
FIELD_OF_CODE = {
    "note_required": "body.note",
    "reply_required": "body.note",
    "no_organisation": "body.organisation_id",
    "same_org": "body.organisation_id",
    "bad_assignee": "body.assignee_id",
    "no_target": "body.target_code",
    "self_merge": "body.target_code",
    "target_closed": "body.target_code",
    "other_compound": "body.target_code",
    "bad_rating": "body.stars",
    "bad_category": "body.category",
    "bad_place": "body.compound_id",
    "bad_phone": "body.reporter_phone",
}


@contextmanager
def case_errors(field: str = "body"):
    """Run a lifecycle or service call; its refusals become JSON answers with its message."""
    try:
        yield
    except Conflict as exc:
        raise ApiError(409, "conflict", exc.message) from None
    except CaseError as exc:
        raise ApiError(409, "invalid_state", exc.message) from None
    except DjangoValidationError as exc:
        code = getattr(exc, "code", None) or "invalid"
        where = FIELD_OF_CODE.get(code, field)
        messages = [str(m) for m in exc.messages]
        errors = [{"field": where, "message": m, "type": code} for m in messages]
        raise ApiError(422, "invalid", messages[0], errors=errors) from None


# --- schemas ----------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str = Field(..., description="In the language of Accept-Language")
    default_kind: str
    default_kind_label: str
    is_dispute: bool

    @staticmethod
    def resolve_default_kind_label(obj):
        return str(obj.get_default_kind_display())


class CategoryRef(Schema):
    code: str
    name: str


class CaseOut(Schema):
    code: str
    title: str
    kind: str
    kind_label: str
    category: CategoryRef
    status: str
    status_label: str
    open311_status: Literal["open", "closed"] = Field(..., description="Resolved, closed, rejected, merged: closed")
    compound: Ref
    building: Ref | None
    stairwell: Ref | None
    organisation: Ref | None = Field(..., description="The organisation that must act")
    assignee: Ref | None = Field(..., description="The person handling it (a user id)")
    channel: str
    supporters: int
    escalation: int = Field(..., description="0 none, 1 the community, 2 the subdistrict")
    submitted_at: dt.datetime
    reply_due: dt.datetime
    resolve_due: dt.datetime
    first_reply_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    overdue: bool
    reply_overdue: bool
    soon_due: bool = Field(..., description="Due within 24 hours")
    version: int = Field(..., description="Send it back with an action: a stale one gets a 409")

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_category(obj):
        return {"code": obj.category.code, "name": obj.category.name}

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_compound(obj):
        return ref(obj.compound)

    @staticmethod
    def resolve_building(obj):
        return ref(obj.building)

    @staticmethod
    def resolve_stairwell(obj):
        return ref(obj.stairwell)

    @staticmethod
    def resolve_organisation(obj):
        return ref(obj.organisation)

    @staticmethod
    def resolve_assignee(obj):
        return {"id": obj.assignee.pk, "name": obj.assignee.display_name()} if obj.assignee_id else None

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_reply_overdue(obj):
        return obj.reply_overdue()

    @staticmethod
    def resolve_soon_due(obj):
        return obj.is_soon_due()


class ReporterOut(Schema):
    name: str = Field(..., description="Masked, except for the reporter himself")
    phone: str = Field(..., description="Always masked; see POST /cases/{code}/reveal-contact")
    is_you: bool


class EventOut(Schema):
    id: int
    type: str
    type_label: str
    action: str
    from_status: str
    to_status: str
    by: str
    at: dt.datetime
    note: str
    public: bool = Field(..., description="False: an internal entry, shown only to those who handle the case")
    organisation: Ref | None

    @staticmethod
    def resolve_type_label(obj):
        return str(obj.get_type_display())

    @staticmethod
    def resolve_by(obj):
        return obj.actor_label

    @staticmethod
    def resolve_organisation(obj):
        return ref(obj.organisation)


class PhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int

    @staticmethod
    def resolve_url(obj):
        return obj.image.url


class CanOut(Schema):
    """What the caller's role allows on this case besides the transitions; the case's state
    may still refuse (e.g. no replies once closed)."""

    reply: bool
    note: bool
    rate: bool
    support: bool
    reassign: bool
    reveal_contact: bool
    add_photos: bool


class CaseDetailOut(CaseOut):
    description: str
    location: str
    home: Ref | None
    reporter: ReporterOut | None
    recorded_by: Ref | None
    first_receiver: Ref | None
    on_public_board: bool
    public_details: bool
    merged_into: str | None = Field(..., description="The code of the original case")
    accepted_at: dt.datetime | None
    rating: int | None
    rating_comment: str
    rated_at: dt.datetime | None
    workdays_left: int | None = Field(..., description="Working days to the resolution deadline; null once done")
    photos: list[PhotoOut]
    timeline: list[EventOut]
    available_actions: list[str] = Field(..., description="Actions for POST /cases/{code}/actions/{action}")
    can: CanOut

    @staticmethod
    def resolve_home(obj):
        return {"id": obj.home.pk, "name": str(obj.home)} if obj.home_id else None

    @staticmethod
    def resolve_recorded_by(obj):
        return _user_ref(obj.recorded_by)

    @staticmethod
    def resolve_first_receiver(obj):
        return _user_ref(obj.first_receiver)

    @staticmethod
    def resolve_merged_into(obj):
        return obj.merged_into.code if obj.merged_into_id else None

    @staticmethod
    def resolve_reporter(obj):
        return obj.reporter_view

    @staticmethod
    def resolve_photos(obj):
        return obj.photo_list


class CaseCreatedOut(CaseDetailOut):
    secret: str = Field(..., description="For the resident's follow link; shown only this once")


def _user_ref(user) -> dict | None:
    return {"id": user.pk, "name": user.display_name()} if user is not None else None


# --- what anyone may see of a case -------------------------------------------------------


class PublicReplyOut(Schema):
    at: dt.datetime
    text: str
    by: str = Field(..., description="The organisation that answered")

    @staticmethod
    def resolve_text(obj):
        return obj.note

    @staticmethod
    def resolve_by(obj):
        return obj.organisation.name if obj.organisation_id else ""


class PublicCaseOut(Schema):
    """A case as anyone may see it: no names, phones or homes unless the resident agreed
    (`public_details`), and then no phone still."""

    code: str
    title: str
    category: CategoryRef
    kind: str
    status: str
    status_label: str
    open311_status: Literal["open", "closed"]
    compound: Ref
    place: str = Field(..., description="Compound and building; the home only with public_details")
    reporter_name: str | None = Field(..., description="Only with public_details")
    organisation: str | None = Field(..., description="The organisation that must act")
    supporters: int
    submitted_at: dt.datetime
    resolve_due: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    overdue: bool
    replies: list[PublicReplyOut]

    @staticmethod
    def resolve_category(obj):
        return {"code": obj.category.code, "name": obj.category.name}

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_compound(obj):
        return ref(obj.compound)

    @staticmethod
    def resolve_place(obj):
        if obj.public_details and obj.home_id:
            return str(obj.home)
        return " ".join(p.name for p in (obj.compound, obj.building) if p is not None)

    @staticmethod
    def resolve_reporter_name(obj):
        if not obj.public_details:
            return None
        return obj.reporter_name or (obj.reporter.name if obj.reporter_id else None)

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name if obj.organisation_id else None

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()

    @staticmethod
    def resolve_replies(obj):
        return obj.public_replies


class PublicEventOut(Schema):
    at: dt.datetime
    type: str
    type_label: str
    action: str
    to_status: str
    note: str
    by: str = Field(..., description="The organisation, or “the resident”, “a neighbour”, “the system”")

    @staticmethod
    def resolve_type_label(obj):
        return str(obj.get_type_display())

    @staticmethod
    def resolve_note(obj):
        return "" if obj.action == "submit" else obj.note  # "recorded by <leader>" stays inside

    @staticmethod
    def resolve_by(obj):
        if obj.action == "submit":
            return ""
        if obj.type in (Event.Type.REPLY, Event.Type.TRANSITION) and obj.actor_id and obj.organisation_id:
            return obj.organisation.name
        return obj.actor_label if obj.actor_id is None or obj.type in (Event.Type.RATING, Event.Type.SUPPORT) else ""


class TrackedCaseOut(PublicCaseOut):
    description: str
    rating: int | None
    timeline: list[PublicEventOut]


def _public_cases(qs):
    replies = Event.objects.filter(type=Event.Type.REPLY, public=True).select_related("organisation")
    return qs.select_related(
        "category", "compound", "building", "organisation", "home__stairwell__building__compound", "reporter"
    ).prefetch_related(Prefetch("events", queryset=replies.order_by("at", "pk"), to_attr="public_replies"))


def _normal_code(code: str) -> str:
    """As typed or read aloud: Crockford's base32 reads O as 0 and I, L as 1."""
    return (code or "").strip().upper().translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def _public_case(code: str) -> Case:
    case = _public_cases(Case.objects.filter(on_public_board=True, code=_normal_code(code))).first()
    if case is None:
        raise Http404
    return case


# --- filters ----------------------------------------------------------------------------


class CaseFilter(Schema):
    status: str | None = Field(
        None, description="One or more of " + ", ".join(Status.values) + " (comma-separated)", examples=["submitted"]
    )
    open: bool | None = Field(None, description="true: not closed, rejected or merged")
    category: str | None = Field(None, description="Category code")
    community: int | None = None
    compound: int | None = None
    building: int | None = None
    organisation: int | None = Field(None, description="The responsible organisation's id")
    overdue: bool | None = None
    submitted_after: dt.date | None = Field(None, description="Submitted on or after this day")
    submitted_before: dt.date | None = Field(None, description="Submitted on or before this day")
    q: str | None = Field(None, description="Part of the code or the title")


class CaseListFilter(CaseFilter):
    order: Literal["newest", "oldest", "due"] = Field("newest", description="due: the most urgent first")


ORDER = {
    "newest": ("-submitted_at", "-pk"),
    "oldest": ("submitted_at", "pk"),
    "due": ("resolve_due", "pk"),
}


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _filtered(qs, f: CaseFilter):
    if statuses := _csv(f.status):
        if unknown := set(statuses) - set(Status.values):
            raise invalid_input(
                "query.status", _("Unknown status: %(status)s") % {"status": ", ".join(sorted(unknown))}
            )
        qs = qs.filter(status__in=statuses)
    if f.open is not None:
        qs = qs.open() if f.open else qs.filter(status__in=FINAL)
    if f.category:
        qs = qs.filter(category__code=f.category)
    for field, value in (
        ("community_id", f.community),
        ("compound_id", f.compound),
        ("building_id", f.building),
        ("organisation_id", f.organisation),
    ):
        if value is not None:
            qs = qs.filter(**{field: value})
    if f.overdue is not None:
        qs = qs.overdue() if f.overdue else qs.exclude(pk__in=Case.objects.overdue().values("pk"))
    if f.submitted_after:
        qs = qs.filter(submitted_at__date__gte=f.submitted_after)
    if f.submitted_before:
        qs = qs.filter(submitted_at__date__lte=f.submitted_before)
    if f.q and f.q.strip():
        q = f.q.strip()
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q))
    return qs


def _cases(qs):
    return qs.select_related("category", "compound", "building", "stairwell", "organisation", "assignee__person")


def _load(case: Case) -> Case:
    """The case (already checked by access_case) with everything the detail shows."""
    return (
        _cases(Case.objects)
        .select_related(
            "home__stairwell__building__compound",
            "reporter",
            "recorded_by__person",
            "first_receiver__person",
            "merged_into",
        )
        .get(pk=case.pk)
    )


def _may_add_photos(user, case: Case) -> bool:
    if case.status in FINAL:
        return False
    if is_handler_for(user, case) or is_staff_for(user, case):
        return True
    return is_reporter_of(user, case) and case.status in REPORTER_PHOTO_STATUSES


def _detail(user, case: Case) -> Case:
    case = _load(case)
    events = case.events.select_related("organisation")
    if not may(user, "note", case):  # internal notes and steps only for those who work on it
        events = events.filter(public=True)
    case.timeline = list(events)
    case.photo_list = list(case.photos.all())
    case.available_actions = lifecycle.available(case, user)
    case.can = {
        "reply": may(user, "reply", case),
        "note": may(user, "note", case),
        "rate": may(user, "rate", case),
        "support": scope_for(user).person_id is not None and not is_reporter_of(user, case),
        "reassign": may(user, "reassign", case),
        "reveal_contact": may(user, "reveal_contact", case),
        "add_photos": _may_add_photos(user, case),
    }
    case.reporter_view = _reporter(user, case)
    working = case.status not in FINAL and case.status not in (Status.RESOLVED, Status.ON_HOLD)
    case.workdays_left = deadlines.workdays_left(case.resolve_due) if working else None
    return case


def _reporter(user, case: Case) -> dict | None:
    name = case.reporter_name or (case.reporter.name if case.reporter_id else "")
    if not name and not case.reporter_phone:
        return None
    you = is_reporter_of(user, case)
    return {"name": name if you else mask_name(name), "phone": mask_phone(case.reporter_phone), "is_you": you}


# --- categories, lists, figures ---------------------------------------------------------


@router.get("/categories", auth=None, response={200: list[CategoryOut]}, summary="Categories a case can be filed under")
def list_categories(request):
    """The active categories, in the language of Accept-Language. No login needed."""
    return list(Category.objects.filter(active=True))


@router.get("", response={200: list[CaseOut], **ERRORS}, summary="List cases within your area")
@paginate(Pagination)
def list_cases(request, filters: Query[CaseListFilter]):
    """A resident sees his own cases, a leader his stairwells', a clerk his company's,
    community staff their community's."""
    qs = _filtered(visible_cases(request.auth), filters)
    return _cases(qs).order_by(*ORDER[filters.order])


class FiguresOut(Schema):
    received: int
    replied_on_time: int
    reply_on_time_rate: float | None = Field(..., description="Percent of cases received")
    resolved: int
    resolved_on_time: int
    resolution_rate: float | None = Field(..., description="Percent of cases received and not rejected")
    rejected: int
    overdue: int = Field(..., description="Overdue now")
    rated: int
    rating: float | None = Field(..., description="Average rating, 1 to 5")


@router.get("/figures", response={200: FiguresOut, **ERRORS}, summary="Figures for the cases within your area")
def case_figures(request, filters: Query[CaseFilter]):
    """The same filters as the list; merged duplicates are not counted."""
    return services.figures(_filtered(visible_cases(request.auth), filters))


class SimilarFilter(Schema):
    compound: int
    category: str
    building: int | None = None
    stairwell: int | None = None


@router.get(
    "/similar", response={200: list[PublicCaseOut], **ERRORS}, summary="Open cases like the one about to be filed"
)
def similar_cases(request, filters: Query[SimilarFilter]):
    """Open cases of the same category in the same stairwell (else building) that are on the
    public board: support one (POST /cases/{code}/support) instead of filing it again."""
    compound = Compound.objects.filter(pk=filters.compound).first()
    category = Category.objects.filter(code=filters.category).first()
    if compound is None or category is None:
        return []
    building = Building.objects.filter(pk=filters.building, compound=compound).first() if filters.building else None
    stairwell = (
        Stairwell.objects.filter(pk=filters.stairwell, building__compound=compound).select_related("building").first()
        if filters.stairwell
        else None
    )
    found = services.similar_open_cases(compound=compound, category=category, building=building, stairwell=stairwell)
    public = [c.pk for c in found if c.on_public_board]
    return list(_public_cases(Case.objects.filter(pk__in=public)).order_by("-supporters", "-submitted_at", "-pk"))


# --- intake -----------------------------------------------------------------------------


class CaseIn(Schema):
    category: str = Field(..., description="Category code, see GET /cases/categories")
    title: str = Field(..., max_length=80)
    description: str = Field(..., max_length=4000)
    kind: Kind | None = Field(None, description="Defaults to the category's kind")
    compound_id: int
    building_id: int | None = None
    stairwell_id: int | None = None
    home_id: int | None = Field(None, description="One of the homes within your area")
    location: str = Field("", max_length=120, description="The exact spot")
    on_public_board: bool = True
    public_details: bool = Field(False, description="Show the reporter's name and home on the public board")
    on_behalf: bool = Field(False, description="true: recorded for someone else (leaders, clerks, staff)")
    reporter_name: str = Field("", max_length=50, description="Only on behalf")
    reporter_phone: str = Field("", max_length=20, description="Only on behalf")
    channel: Channel | None = Field(None, description="How the case came in; on behalf defaults to phone_call")


def _place(model, pk, field, message):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise invalid_input(field, message)
    return found


@router.post("", response={201: CaseCreatedOut, **ERRORS}, summary="File a case")
def create_case(request, payload: CaseIn):
    """A resident files a case for himself; a leader, clerk or community worker may record one
    on someone's behalf (`on_behalf`, with the reporter's name and phone and the channel).
    Photos are added afterwards with POST /cases/{code}/photos."""
    user = request.auth
    category = Category.objects.filter(code=payload.category, active=True).first()
    if category is None:
        raise invalid_input("body.category", _("Choose one of the categories."))
    compound = _place(Compound, payload.compound_id, "body.compound_id", _("There is no such compound."))
    building = _place(Building, payload.building_id, "body.building_id", _("There is no such building."))
    stairwell = _place(Stairwell, payload.stairwell_id, "body.stairwell_id", _("There is no such stairwell."))
    home = None
    if payload.home_id is not None:
        home = visible_homes(user).select_related("stairwell__building").filter(pk=payload.home_id).first()
        if home is None:
            raise invalid_input("body.home_id", _("That home is not within your area."))

    if payload.on_behalf:
        if not can_record_for(user, compound):
            raise PermissionDenied(_("Your role does not allow you to record cases for others in this compound."))
        who = {
            "reporter_name": payload.reporter_name,
            "reporter_phone": payload.reporter_phone,
            "channel": payload.channel or Channel.PHONE_CALL,
            "recorded_by": user,
        }
    else:
        if payload.reporter_name or payload.reporter_phone:
            raise invalid_input("body.on_behalf", _("To record a case for someone else, set on_behalf."))
        if payload.channel is not None and payload.channel not in SELF_CHANNELS:
            raise invalid_input("body.channel", _("This channel is only for cases recorded on someone's behalf."))
        if user.person_id is None:
            raise invalid_input(
                "body.on_behalf", _("Your account is not linked to a resident. Record the case on someone's behalf.")
            )
        who = {"reporter": user.person, "channel": payload.channel or Channel.API}

    with case_errors():
        case, secret = services.submit(
            compound=compound,
            category=category,
            title=payload.title,
            description=payload.description,
            kind=payload.kind,
            building=building,
            stairwell=stairwell,
            home=home,
            location=payload.location,
            on_public_board=payload.on_public_board,
            public_details=payload.public_details,
            **who,
        )
    case = _detail(user, case)
    case.secret = secret
    return Answer(201, case)


# --- one case ---------------------------------------------------------------------------


@router.get("/{code}", response={200: CaseDetailOut, **ERRORS}, summary="A case with its timeline")
def get_case(request, code: str):
    """The case, its photos and timeline (internal notes only for those who work on it), the
    reporter with name and phone masked, and the actions the caller may take now."""
    return _detail(request.auth, access_case(request.auth, code))


class ActionIn(Schema):
    note: str = Field("", max_length=4000, description="Required for return, hold, reject, reopen")
    version: int | None = Field(None, description="The version you saw; a stale one gets a 409")
    organisation_id: int | None = Field(None, description="dispatch: the organisation that must act")
    assignee_id: int | None = Field(None, description="dispatch: the user who will handle it")
    target_code: str | None = Field(None, description="merge: the code of the original case")


Action = Literal[tuple(lifecycle.TRANSITIONS)]  # type: ignore[valid-type]


def _organisation(user, pk: int | None, field: str):
    if pk is None:
        return None
    org = visible_organisations(user).filter(pk=pk).first()
    if org is None:
        raise invalid_input(field, _("There is no such organisation within your area."))
    return org


@router.post(
    "/{code}/actions/{action}", response={200: CaseDetailOut, **ERRORS}, summary="Move a case on (accept, resolve…)"
)
def act(request, code: str, action: Action, payload: ActionIn):
    """One step of the lifecycle: accept, dispatch, start, return, hold, resume, resolve,
    close, reject, merge, reopen. A step the case's state does not allow, or a stale
    `version`, is a 409 with a message; a step the caller's role does not allow is a 403."""
    user = request.auth
    case = access_case(user, code)
    organisation = _organisation(user, payload.organisation_id, "body.organisation_id")
    assignee = None
    if payload.assignee_id is not None:
        # Only people who belong to an organisation the caller can see; lifecycle then checks
        # that the person handles cases for the chosen organisation.
        assignee = (
            User.objects.filter(
                pk=payload.assignee_id,
                is_active=True,
                person__memberships__organisation__in=visible_organisations(user),
            )
            .select_related("person")
            .first()
        )
        if assignee is None:
            raise invalid_input("body.assignee_id", _("Choose someone who handles cases for that organisation."))
    target = None
    if payload.target_code:
        try:
            target = access_case(user, payload.target_code)
        except Http404:
            raise invalid_input("body.target_code", _("There is no case with this code within your area.")) from None
    with case_errors():
        case = lifecycle.perform(
            case,
            action,
            user=user,
            note=payload.note,
            version=payload.version,
            organisation=organisation,
            assignee=assignee,
            target=target,
        )
    return _detail(user, case)


class TextIn(Schema):
    text: str = Field(..., max_length=4000)


@router.post("/{code}/replies", response={201: EventOut, **ERRORS}, summary="Reply to the resident (public)")
def add_reply(request, code: str, payload: TextIn):
    """A public answer; the first one stops the first-reply clock."""
    case = access_case(request.auth, code)
    with case_errors("body.text"):
        event = services.reply(case=case, user=request.auth, text=payload.text)
    return Answer(201, event)


@router.post("/{code}/notes", response={201: EventOut, **ERRORS}, summary="Add an internal note")
def add_note(request, code: str, payload: TextIn):
    """Seen only by those who handle the case, community staff and the building's leaders."""
    case = access_case(request.auth, code)
    with case_errors("body.text"):
        event = services.add_note(case=case, user=request.auth, text=payload.text)
    return Answer(201, event)


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


@router.post("/{code}/rating", response={200: CaseDetailOut, **ERRORS}, summary="Rate a resolved case (reporter)")
def rate_case(request, code: str, payload: RatingIn):
    """The reporter's rating, once resolved; rating a resolved case confirms it and closes it."""
    user = request.auth
    case = access_case(user, code)
    with case_errors("body.stars"):
        case = services.rate(case=case, user=user, stars=payload.stars, comment=payload.comment)
    return _detail(user, case)


class SupportOut(Schema):
    added: bool = Field(..., description="false: you already supported it")
    supporters: int


@router.post("/{code}/support", response={200: SupportOut, **ERRORS}, summary="Support a neighbour's open case")
def support_case(request, code: str):
    """Instead of filing the same case again. Any case within your area or on a public board."""
    user = request.auth
    try:
        case = access_case(user, code)
    except Http404:
        case = _public_case(code)
    person_id = scope_for(user).person_id
    if person_id is None:
        raise PermissionDenied(_("Only residents can support a case."))
    with case_errors():
        added = services.support(case=case, person=Person.objects.get(pk=person_id))
    case.refresh_from_db(fields=["supporters"])
    return {"added": added, "supporters": case.supporters}


class ReassignIn(Schema):
    organisation_id: int
    note: str = Field(..., max_length=4000, description="Why the case goes to another organisation")
    version: int | None = None


@router.post(
    "/{code}/reassign", response={200: CaseDetailOut, **ERRORS}, summary="Hand a case to another organisation (staff)"
)
def reassign_case(request, code: str, payload: ReassignIn):
    user = request.auth
    case = access_case(user, code)
    organisation = _organisation(user, payload.organisation_id, "body.organisation_id")
    with case_errors():
        case = services.reassign(
            case=case, user=user, organisation=organisation, note=payload.note, version=payload.version
        )
    return _detail(user, case)


class RevealIn(Schema):
    reason: str = Field(..., max_length=200)


class ContactOut(Schema):
    name: str
    phone: str


@router.post(
    "/{code}/reveal-contact",
    response={200: ContactOut, **ERRORS},
    summary="Show the reporter's name and phone (logged)",
)
def reveal_contact(request, code: str, payload: RevealIn, response: HttpResponse):
    """For those who handle the case and community staff; needs a reason, and every reveal is
    logged in the reveal log (GET /reveals)."""
    response["Cache-Control"] = "no-store"  # the plaintext must not stay in any cache
    user = request.auth
    case = access_case(user, code)
    if not may(user, "reveal_contact", case):
        raise PermissionDenied(_("Your role does not allow you to see the resident's contact details."))
    reason = payload.reason.strip()
    if not reason:
        raise invalid_input("body.reason", _("Please say why you need to see this."))
    name = case.reporter_name or (case.reporter.name if case.reporter_id else "")
    if case.reporter_id and case.reporter_phone:
        RevealLog.objects.create(user=user, person=case.reporter, field="phone", reason=reason, ip=client_ip(request))
    return {"name": name, "phone": case.reporter_phone}


@router.post("/{code}/photos", response={201: list[PhotoOut], **ERRORS}, summary="Add photos to a case (multipart)")
def add_photos(request, code: str, photos: File[list[UploadedFile]]):
    """`multipart/form-data` with one or more `photos` (JPEG, PNG or WebP). The reporter may
    add photos while the case is submitted or accepted; those who handle it, until it is
    closed. Each photo is resized and stripped of its metadata (and so of its location)."""
    user = request.auth
    case = access_case(user, code)
    if not _may_add_photos(user, case):
        raise PermissionDenied(_("Photos can no longer be added to this case."))
    if len(photos) > services.MAX_PHOTOS:
        raise invalid_input("body.photos", _("At most %(n)s photos.") % {"n": services.MAX_PHOTOS})
    if case.photos.count() + len(photos) > MAX_CASE_PHOTOS:
        raise invalid_input("body.photos", _("This case already has as many photos as it can hold."))
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(clean_photo(upload))
        except DjangoValidationError as exc:
            raise invalid_input("body.photos", exc.messages[0]) from None
    with transaction.atomic():
        saved = [
            Photo.objects.create(case=case, image=ContentFile(p.content, name=p.name), width=p.width, height=p.height)
            for p in cleaned
        ]
    return Answer(201, saved)


# --- public: the board and following a case ---------------------------------------------


class BoardOut(Schema):
    compound: Ref
    open_count: int = Field(..., description="Open cases on the board")
    count: int
    items: list[PublicCaseOut]


@public_router.get(
    "/compounds/{int:compound_id}/board",
    response={200: BoardOut, **PUBLIC_ERRORS},
    summary="A compound's public board",
)
def public_board(
    request,
    compound_id: int,
    limit: int = Query(50, ge=1, le=settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE),
    offset: int = Query(0, ge=0),
):
    """Open cases and those finished in the last 30 days, with their public replies. No
    names or homes unless the resident agreed, never a phone number. No login needed."""
    compound = Compound.objects.filter(pk=compound_id).first()
    if compound is None:
        raise Http404
    since = timezone.now() - dt.timedelta(days=BOARD_RECENT_DAYS)
    board = Case.objects.filter(compound=compound, on_public_board=True).filter(
        ~Q(status__in=FINAL) | Q(closed_at__gte=since)
    )
    return {
        "compound": ref(compound),
        "open_count": board.exclude(status__in=OPEN311_CLOSED).count(),
        "count": board.count(),
        "items": list(_public_cases(board).order_by("-submitted_at", "-pk")[offset : offset + limit]),
    }


class TrackIn(Schema):
    code: str = Field(..., max_length=20)
    last4: str | None = Field(None, max_length=4, description="The last four digits of the reporter's phone")
    secret: str | None = Field(None, max_length=64, description="Or the secret of the follow link")


def _count(key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _too_many(response: HttpResponse, wait: int):
    response["Retry-After"] = str(wait)
    message = _("Too many attempts. Please try again in %(minutes)s minutes.") % {"minutes": max(1, wait // 60)}
    return Answer(429, {"detail": message, "code": "throttled"})


@public_router.post(
    "/track",
    response={200: TrackedCaseOut, 404: ErrorOut, 422: ErrorOut, 429: Message},
    summary="Follow a case with its code",
)
def track(request, payload: TrackIn, response: HttpResponse):
    """The code and the last four digits of the reporter's phone (or the follow link's
    secret) show the case as the public sees it, with its description and public timeline.
    Limited per client address and per code; a wrong code and wrong digits get the same 404."""
    response["Cache-Control"] = "no-store"
    last4, secret = (payload.last4 or "").strip(), (payload.secret or "").strip()
    if not secret and not (len(last4) == 4 and last4.isdigit()):
        raise invalid_input("body.last4", _("Enter the last four digits of the phone number given with the case."))
    code = _normal_code(payload.code)
    code_key = "cases:track:code:" + hashlib.sha256(code.encode()).hexdigest()[:32]
    if _count(f"cases:track:ip:{client_ip(request)}", TRACK_IP_WINDOW) > TRACK_IP_LIMIT:
        return _too_many(response, TRACK_IP_WINDOW)
    if (cache.get(code_key) or 0) >= TRACK_CODE_LIMIT:
        return _too_many(response, TRACK_CODE_WINDOW)
    case = Case.objects.filter(code=code).first()
    matches = case is not None and (
        (secret and case.secret_matches(secret))
        or (last4 and case.phone_last4 and secrets.compare_digest(case.phone_last4, last4))
    )
    if not matches:
        _count(code_key, TRACK_CODE_WINDOW)
        raise ApiError(404, "not_found", _("No case matches this code and these digits."))
    case = _public_cases(Case.objects.filter(pk=case.pk)).get()
    case.timeline = list(case.events.filter(public=True).select_related("organisation"))
    return case


# --- Open311 GeoReport v2 (read-only) ---------------------------------------------------

OPEN311_DOC = """Open311 GeoReport v2, read-only, over the public boards. `jurisdiction_id` is a
compound's id. Only cases on a public board appear, with no personal data: no names, homes,
phones or positions (lat, long, address_id, zipcode and media_url are always null).

Our eleven states map onto GeoReport's two:

| our status | Open311 |
|---|---|
| submitted, accepted, dispatched, in_progress, on_hold, returned, reopened | open |
| resolved, closed, rejected, merged | closed |

A resolved case is "closed" for Open311 (the work is done) although the resident may still
reopen it; `status_notes` is the last public reply and `expected_datetime` the resolution
deadline in working days. Errors use this API's `{"detail", "code"}` shape.
"""


class ServiceOut(Schema):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


@open311_router.get("/services.json", response={200: list[ServiceOut]}, summary="Open311: service list")
def open311_services(request, jurisdiction_id: int | None = None):
    """The case categories as GeoReport services."""
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": str(c.get_default_kind_display()),
            "metadata": False,
            "type": "realtime",
            "keywords": ",".join([c.code, c.name_zh, c.name_en]),
            "group": str(_("neighbour disputes") if c.is_dispute else _("requests")),
        }
        for c in Category.objects.filter(active=True)
    ]


class RequestOut(Schema):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime | None
    expected_datetime: dt.datetime | None
    address: str
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


def _open311_cases(qs):
    last_reply = Event.objects.filter(case=OuterRef("pk"), type=Event.Type.REPLY, public=True).order_by("-at", "-pk")
    return (
        qs.filter(on_public_board=True)
        .select_related("category", "compound", "building", "organisation")
        .annotate(
            last_reply=Subquery(last_reply.values("note")[:1]),
            updated=Max("events__at", filter=Q(events__public=True)),
        )
    )


def _open311(case: Case) -> dict:
    return {
        "service_request_id": case.code,
        "status": case.open311_status,
        "status_notes": case.last_reply,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.title,
        "agency_responsible": case.organisation.name if case.organisation_id else None,
        "service_notice": None,
        "requested_datetime": case.submitted_at,
        "updated_datetime": case.updated or case.submitted_at,
        "expected_datetime": case.resolve_due,
        "address": " ".join(p.name for p in (case.compound, case.building) if p is not None),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


class RequestsFilter(Schema):
    jurisdiction_id: int = Field(..., description="A compound's id")
    service_request_id: str | None = Field(None, description="Codes, comma-separated; the other filters are ignored")
    service_code: str | None = Field(None, description="Category codes, comma-separated")
    start_date: dt.datetime | None = None
    end_date: dt.datetime | None = None
    status: str | None = Field(None, description="open, closed, or both comma-separated")


@open311_router.get(
    "/requests.json",
    response={200: list[RequestOut], **PUBLIC_ERRORS},
    summary="Open311: requests",
    description=OPEN311_DOC,
)
def open311_requests(request, filters: Query[RequestsFilter]):
    """A compound's public cases; without dates, the last 90 days; at most 1000, newest first."""
    qs = Case.objects.filter(compound_id=filters.jurisdiction_id)
    if filters.service_request_id:
        qs = qs.filter(code__in=[_normal_code(c) for c in _csv(filters.service_request_id)])
    else:
        if filters.service_code:
            qs = qs.filter(category__code__in=_csv(filters.service_code))
        statuses = set(_csv(filters.status))
        if statuses - {"open", "closed"}:
            raise invalid_input("query.status", _("Choose one of: %(choices)s") % {"choices": "open, closed"})
        if statuses == {"open"}:
            qs = qs.exclude(status__in=OPEN311_CLOSED)
        elif statuses == {"closed"}:
            qs = qs.filter(status__in=OPEN311_CLOSED)
        start, end = filters.start_date, filters.end_date
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=OPEN311_DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(submitted_at__gte=start)
        if end is not None:
            qs = qs.filter(submitted_at__lte=end)
    cases = _open311_cases(qs).order_by("-submitted_at", "-pk")[:OPEN311_MAX_RESULTS]
    return [_open311(c) for c in cases]


@open311_router.get(
    "/requests/{code}.json", response={200: list[RequestOut], **PUBLIC_ERRORS}, summary="Open311: one request"
)
def open311_request(request, code: str, jurisdiction_id: int | None = None):
    """One public case, as a list of one (as GeoReport answers)."""
    qs = Case.objects.filter(code=_normal_code(code))
    if jurisdiction_id is not None:
        qs = qs.filter(compound_id=jurisdiction_id)
    case = _open311_cases(qs).first()
    if case is None:
        raise Http404
    return [_open311(case)]
