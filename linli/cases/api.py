"""Cases over the API, under /api/v1/cases: for residents and for those who handle cases.
(The public board and following a case without an account are in public_api.py, the Open311
view in open311.py; the output schemas they share in api_schemas.py.)

Every case is fetched through cases.access (a case outside the caller's area is a 404, the
same as one that does not exist) and every change goes through cases.lifecycle or
cases.services; this module only turns their errors into answers:
`CaseError`/`Conflict` → 409, `PermissionDenied` → 403, Django's `ValidationError` → 422.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.accounts.models import User
from linli.accounts.scope import scope_for, visible_homes, visible_organisations, visible_people
from linli.lib.api_support import ApiError, ErrorOut, Pagination, client_ip, invalid_input
from linli.lib.images import clean_photo
from linli.people.models import Person, RevealLog
from linli.places.models import Building, Compound, Stairwell

from . import access, deadlines, lifecycle, mediation, services
from .access import access_case, can_record_for, is_reporter_of, staff_q, visible_cases
from .api_schemas import (
    CaseCreatedOut,
    CaseDetailOut,
    CaseOut,
    CategoryOut,
    EventOut,
    MediationOut,
    PhotoOut,
    PublicCaseOut,
    RevisitOut,
    case_errors,
    csv_list,
    normal_code,
    public_case,
    public_cases,
    reporter_name,
    reporter_out,
)
from .models import FINAL, Case, Category, Channel, Kind, Mediation, Revisit, Status
from .rules import may

router = Router(tags=["cases"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

# Channels a resident may name for his own case; the others are for recording on someone's behalf.
SELF_CHANNELS = {Channel.MOBILE, Channel.POSTER, Channel.API}


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


def _filtered(qs, f: CaseFilter):
    if statuses := csv_list(f.status):
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


def _case_list(qs):
    """As _cases, with three of the joins made separate queries: PostgreSQL spent 50–200 ms
    planning the eight-table join of a page of cases (each join doubles the orders it weighs),
    while each of these lookups by primary key plans in a fraction of a millisecond."""
    return qs.select_related("category", "compound", "organisation").prefetch_related(
        "building", "stairwell", "assignee__person"
    )


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


def _detail(user, case: Case) -> Case:
    case = _load(case)
    case.timeline = list(access.timeline(user, case).select_related("organisation"))
    photos = case.photos.all()
    if not may(user, "note", case):  # photos of internal entries, as on the case page
        photos = photos.filter(Q(event__isnull=True) | Q(event__public=True))
    case.photo_list = list(photos)
    case.available_actions = lifecycle.available(case, user)
    case.can = {
        "reply": may(user, "reply", case),
        "note": may(user, "note", case),
        "rate": may(user, "rate", case),
        "support": scope_for(user).person_id is not None and not is_reporter_of(user, case),
        "reassign": may(user, "reassign", case),
        "reveal_contact": may(user, "reveal_contact", case),
        "add_photos": may(user, "add_photos", case),
        "mediate": may(user, "mediate", case),
    }
    case.reporter_view = reporter_out(case, you=is_reporter_of(user, case))
    working = case.status not in FINAL and case.status not in (Status.RESOLVED, Status.ON_HOLD)
    case.workdays_left = deadlines.workdays_left(case.resolve_due) if working else None
    return case


# --- categories, lists, figures ---------------------------------------------------------

COUNT_CAP = 1000


class CappedPagination(Pagination):
    """?limit=&offset= as for every list, but `count` stops at COUNT_CAP: counting a
    subdistrict's million cases exactly on every page read them all (0.7–2 s), while knowing
    that there are "more than 1,000" costs a thousand rows. `count_exact` says which it is."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description=f"The number of cases, or {COUNT_CAP} when there are more")
        count_exact: bool = Field(..., description=f"false: there are more than {COUNT_CAP} cases")

    def _items_count(self, queryset) -> int:
        return queryset.order_by()[: COUNT_CAP + 1].count()

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["count_exact"] = page["count"] <= COUNT_CAP
        page["count"] = min(page["count"], COUNT_CAP)
        return page


@router.get("/categories", auth=None, response={200: list[CategoryOut]}, summary="Categories a case can be filed under")
def list_categories(request):
    """The active categories, in the language of Accept-Language. No login needed."""
    return list(Category.objects.filter(active=True))


@router.get("", response={200: list[CaseOut], **ERRORS}, summary="List cases within your area")
@paginate(CappedPagination)
def list_cases(request, filters: Query[CaseListFilter]):
    """A resident sees his own cases, a leader his stairwells', a clerk his company's,
    community staff their community's. `count` is exact up to 1,000 (`count_exact`)."""
    qs = _filtered(visible_cases(request.auth), filters)
    return _case_list(qs).order_by(*ORDER[filters.order])


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
    return list(public_cases(Case.objects.filter(pk__in=public)).order_by("-supporters", "-submitted_at", "-pk"))


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


# --- revisits (回访) ----------------------------------------------------------------------
# Before /{code}: "revisits" and "bulk" would otherwise be read as a case's code.


def _revisits(user):
    """Revisit tasks of the cases within the caller's staff grants (community and above)."""
    staff = staff_q(user)
    if staff is None:
        raise PermissionDenied(_("Only community staff record revisits."))
    return Revisit.objects.filter(case__in=visible_cases(user).filter(staff)).select_related(
        *(
            f"case__{f}"
            for f in ("category", "compound", "building", "stairwell", "organisation", "assignee__person", "reporter")
        ),
        "done_by__person",
    )


@router.get("/revisits", response={200: list[RevisitOut], **ERRORS}, summary="Open revisit tasks (staff)")
@paginate(Pagination)
def list_revisits(request):
    """Resolved cases the resident did not rate in time: a community worker calls him. The
    most urgent first. Only for community staff, within their area."""
    return _revisits(request.auth).filter(done_at__isnull=True).order_by("due", "pk")


class RevisitIn(Schema):
    outcome: str = Field(..., max_length=2000, description="What the resident said")
    stars: int | None = Field(None, ge=1, le=5, description="His rating, if he gave one (it closes the case)")


@router.post("/revisits/{int:revisit_id}", response={200: RevisitOut, **ERRORS}, summary="Record a revisit (staff)")
def record_revisit(request, revisit_id: int, payload: RevisitIn):
    user = request.auth
    revisit = _revisits(user).filter(pk=revisit_id).first()
    if revisit is None:
        raise Http404
    with case_errors("body.outcome"):
        services.record_revisit(revisit=revisit, user=user, outcome=payload.outcome, stars=payload.stars)
    return _revisits(user).get(pk=revisit.pk)


# --- bulk actions -----------------------------------------------------------------------

MAX_BULK = 200
# Merging needs a different original for each case: not a bulk action.
BulkAction = Literal[tuple(a for a in lifecycle.TRANSITIONS if a != "merge")]  # type: ignore[valid-type]


class BulkIn(Schema):
    action: BulkAction
    codes: list[str] = Field(..., description=f"At most {MAX_BULK} case codes")
    note: str = Field("", max_length=4000, description="The same note (or reason) for every case")
    organisation_id: int | None = Field(None, description="dispatch: the organisation that must act")


class BulkResultOut(Schema):
    code: str
    ok: bool
    status: str | None = Field(..., description="The case's status afterwards; null for a code not found")
    detail: str = Field(..., description="Why nothing changed; empty when ok")
    error: str | None = Field(
        ..., description="not_found, permission_denied, invalid_state, conflict or invalid; null when ok"
    )


def _bulk_one(user, case: Case, payload: BulkIn, organisation) -> dict:
    try:
        with case_errors():
            case = lifecycle.perform(case, payload.action, user=user, note=payload.note, organisation=organisation)
    except ApiError as exc:
        return {"code": case.code, "ok": False, "status": case.status, "detail": exc.detail, "error": exc.code}
    except PermissionDenied as exc:
        detail = str(exc) or _("Your role does not allow you to do this.")
        return {"code": case.code, "ok": False, "status": case.status, "detail": detail, "error": "permission_denied"}
    return {"code": case.code, "ok": True, "status": case.status, "detail": "", "error": None}


@router.post("/bulk", response={200: list[BulkResultOut], **ERRORS}, summary="One action on many cases")
def bulk(request, payload: BulkIn):
    """The same step of the lifecycle for each case, each in its own transaction: one answer
    per code, in the order sent, never all-or-nothing. A code outside the caller's area is
    "not_found", the same as one that does not exist."""
    user = request.auth
    if len(payload.codes) > MAX_BULK:
        raise invalid_input("body.codes", _("At most %(n)s cases at a time.") % {"n": MAX_BULK})
    codes = list(dict.fromkeys(normal_code(c) for c in payload.codes if c.strip()))
    if not codes:
        raise invalid_input("body.codes", _("Send at least one case code."))
    organisation = _organisation(user, payload.organisation_id, "body.organisation_id")
    found = {c.code: c for c in visible_cases(user).filter(code__in=codes)}
    missing = _("There is no case with this code within your area.")
    return [
        _bulk_one(user, found[code], payload, organisation)
        if code in found
        else {"code": code, "ok": False, "status": None, "detail": missing, "error": "not_found"}
        for code in codes
    ]


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
        case = public_case(code)
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
    name = reporter_name(case)
    if case.reporter_id and case.reporter_phone:
        RevealLog.objects.create(user=user, person=case.reporter, field="phone", reason=reason, ip=client_ip(request))
    return {"name": name, "phone": case.reporter_phone}


@router.post("/{code}/photos", response={201: list[PhotoOut], **ERRORS}, summary="Add photos to a case (multipart)")
def add_photos(request, code: str, photos: File[list[UploadedFile]]):
    """`multipart/form-data` with one or more `photos` (JPEG, PNG or WebP), at most 6 on a
    case in all. The reporter may add photos while the case is submitted or accepted; those
    who handle it and community staff, until it is closed (otherwise a 409). Each photo is
    resized and stripped of its metadata (and so of its location); its `url` is a page that
    checks the caller may see the case."""
    user = request.auth
    case = access_case(user, code)
    if not may(user, "add_photos", case):  # before the work of reading the images
        raise PermissionDenied(_("Your role does not allow you to add photos to this case."))
    if len(photos) > services.MAX_PHOTOS:
        raise invalid_input("body.photos", _("At most %(n)s photos.") % {"n": services.MAX_PHOTOS})
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(clean_photo(upload))
        except DjangoValidationError as exc:
            raise invalid_input("body.photos", exc.messages[0]) from None
    with case_errors("body.photos"):
        saved = services.add_photos(case=case, user=user, photos=cleaned)
    return Answer(201, saved)


# --- mediation (调解) -------------------------------------------------------------------


def _mediation_case(user, code: str) -> Case:
    """The case if the caller may mediate it: 404 if he cannot see it, 403 if he can but may
    not mediate (the parties' names are for the mediators only)."""
    case = access_case(user, code)
    if not may(user, "mediate", case):
        raise PermissionDenied(_("Only the people handling this case can see or record its mediation."))
    return case


def _mediation(case: Case) -> Mediation:
    found = mediation.find(case)
    if found is None:
        raise ApiError(404, "no_mediation", _("This case is not in mediation."))
    return found


def _private(response: HttpResponse) -> None:
    response["Cache-Control"] = "no-store"  # names of the parties to a dispute


@router.get("/{code}/mediation", response={200: MediationOut, **ERRORS}, summary="A dispute's mediation")
def get_mediation(request, code: str, response: HttpResponse):
    """The parties, each session, the agreement and the follow-up. Only for those who handle
    the case and community staff; a case not in mediation is a 404 with code `no_mediation`."""
    _private(response)
    return _mediation(_mediation_case(request.auth, code))


class PartyIn(Schema):
    name: str = Field(..., max_length=50)
    side: Literal["a", "b", "other"]
    person_id: int | None = Field(None, description="A resident within your area")
    home_id: int | None = Field(None, description="A home within your area")


class MediationIn(Schema):
    mediator_id: int = Field(..., description="The organisation that mediates (not a property company)")
    parties: list[PartyIn] = Field(..., max_length=20, description="At least one on side a and one on side b")


@router.post("/{code}/mediation", response={201: MediationOut, **ERRORS}, summary="Open a mediation")
def open_mediation(request, code: str, payload: MediationIn, response: HttpResponse):
    _private(response)
    user = request.auth
    case = _mediation_case(user, code)
    mediator = _organisation(user, payload.mediator_id, "body.mediator_id")
    people, homes = visible_people(user), visible_homes(user)
    parties = []
    for i, p in enumerate(payload.parties):
        person = home = None
        if p.person_id is not None and (person := people.filter(pk=p.person_id).first()) is None:
            raise invalid_input(f"body.parties.{i}.person_id", _("There is no such resident within your area."))
        if p.home_id is not None and (home := homes.filter(pk=p.home_id).first()) is None:
            raise invalid_input(f"body.parties.{i}.home_id", _("That home is not within your area."))
        parties.append({"name": p.name, "side": p.side, "person": person, "home": home})
    with case_errors("body.parties"):
        mediation.open_mediation(case=case, user=user, mediator=mediator, parties=parties)
    return Answer(201, _mediation(case))


class SessionIn(Schema):
    held_at: dt.datetime = Field(..., description="When it was held (Beijing time unless an offset is given)")
    place: str = Field(..., max_length=120)
    mediators: str = Field(..., max_length=200, description="Who mediated")
    summary: str = Field(..., max_length=8000, description="What was said")
    attendees: str = Field("", max_length=300, description="Who was present")
    next_step: str = Field("", max_length=300)


@router.post("/{code}/mediation/sessions", response={201: MediationOut, **ERRORS}, summary="Record a mediation session")
def add_mediation_session(request, code: str, payload: SessionIn, response: HttpResponse):
    _private(response)
    user = request.auth
    found = _mediation(_mediation_case(user, code))
    held_at = payload.held_at if timezone.is_aware(payload.held_at) else timezone.make_aware(payload.held_at)
    fields = payload.model_dump(exclude={"held_at"})
    with case_errors():
        mediation.add_session(mediation=found, user=user, held_at=held_at, **fields)
    return Answer(201, _mediation(found.case))


class ConcludeIn(Schema):
    outcome: Literal["agreed", "failed", "withdrawn"]
    agreement: str = Field("", max_length=8000, description="Required when agreed")
    follow_up_on: dt.date | None = Field(None, description="When to check that the agreement holds")


@router.post("/{code}/mediation/conclude", response={200: MediationOut, **ERRORS}, summary="Conclude a mediation")
def conclude_mediation(request, code: str, payload: ConcludeIn, response: HttpResponse):
    """An agreement needs its text and at least one session recorded before."""
    _private(response)
    user = request.auth
    found = _mediation(_mediation_case(user, code))
    with case_errors("body.agreement"):
        mediation.conclude(
            mediation=found,
            user=user,
            outcome=payload.outcome,
            agreement=payload.agreement,
            follow_up_on=payload.follow_up_on,
        )
    return _mediation(found.case)


class FollowUpIn(Schema):
    note: str = Field(..., max_length=4000, description="Does the agreement hold?")


@router.post(
    "/{code}/mediation/follow-up", response={200: MediationOut, **ERRORS}, summary="Record a mediation's follow-up"
)
def follow_up_mediation(request, code: str, payload: FollowUpIn, response: HttpResponse):
    _private(response)
    user = request.auth
    found = _mediation(_mediation_case(user, code))
    with case_errors("body.note"):
        mediation.record_follow_up(mediation=found, user=user, note=payload.note)
    return _mediation(found.case)
