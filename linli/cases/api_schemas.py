"""What the cases API's routers share: the output schemas of a case (as those who handle it
see it, and as anyone may see it), turning the core's refusals into answers, and finding a
case on the public boards by a code as typed or read aloud."""

import datetime as dt
from contextlib import contextmanager
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema

from linli.lib.api_support import ApiError, Ref, ref
from linli.lib.masking import mask_name, mask_phone

from .lifecycle import CaseError, Conflict
from .models import Case, Event, Photo

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
    "bad_mediator": "body.mediator_id",
    "parties": "body.parties",
    "future": "body.held_at",
    "outcome": "body.outcome",
    "no_session": "body.outcome",
    "follow_up_past": "body.follow_up_on",
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


class _CaseResolvers(Schema):
    """How the staff's and the public's view of a case fill the fields they share (each
    declares its own fields, in its own order)."""

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
    def resolve_overdue(obj):
        return obj.is_overdue()


class CaseOut(_CaseResolvers):
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
        return user_ref(obj.assignee)

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
        return obj.actor_display

    @staticmethod
    def resolve_organisation(obj):
        return ref(obj.organisation)


class PhotoOut(Schema):
    id: int
    url: str = Field(..., description="A page that checks the caller may see the case (uploads are not served)")
    width: int
    height: int

    @staticmethod
    def resolve_url(obj):
        return reverse("cases:photo", kwargs={"code": obj.case.code, "pk": obj.pk})


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
    mediate: bool


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
        return home_ref(obj.home)

    @staticmethod
    def resolve_recorded_by(obj):
        return user_ref(obj.recorded_by)

    @staticmethod
    def resolve_first_receiver(obj):
        return user_ref(obj.first_receiver)

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


def user_ref(user) -> dict | None:
    return {"id": user.pk, "name": user.display_name()} if user is not None else None


def home_ref(home) -> dict | None:
    return {"id": home.pk, "name": str(home)} if home is not None else None


def reporter_name(case: Case) -> str:
    return case.reporter_name or (case.reporter.name if case.reporter_id else "")


def reporter_out(case: Case, *, you: bool = False) -> dict | None:
    """The reporter as ReporterOut: masked, unless the reader is the reporter himself."""
    name = reporter_name(case)
    if not name and not case.reporter_phone:
        return None
    return {"name": name if you else mask_name(name), "phone": mask_phone(case.reporter_phone), "is_you": you}


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


class PublicPhotoOut(Schema):
    id: int
    url: str = Field(..., description="The public board's photo page")
    width: int
    height: int


class PublicCaseOut(_CaseResolvers):
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
    photos: list[PublicPhotoOut] = Field(
        ..., description="The answers' photos; the resident's own only with public_details"
    )

    @staticmethod
    def resolve_place(obj):
        if obj.public_details and obj.home_id:
            return str(obj.home)
        return " ".join(p.name for p in (obj.compound, obj.building) if p is not None)

    @staticmethod
    def resolve_reporter_name(obj):
        if not obj.public_details:
            return None
        return reporter_name(obj) or None

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name if obj.organisation_id else None

    @staticmethod
    def resolve_replies(obj):
        return obj.public_replies

    @staticmethod
    def resolve_photos(obj):
        return board_photos(obj)


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
        return obj.actor_display if obj.actor_id is None or obj.type in (Event.Type.RATING, Event.Type.SUPPORT) else ""


class TrackedCaseOut(PublicCaseOut):
    description: str
    rating: int | None
    timeline: list[PublicEventOut]


def public_cases(qs):
    replies = Event.objects.filter(type=Event.Type.REPLY, public=True).select_related("organisation")
    photos = Photo.objects.filter(Q(event__isnull=True) | Q(event__public=True)).only(
        "pk", "case_id", "event_id", "width", "height"
    )
    return qs.select_related(
        "category", "compound", "building", "organisation", "home__stairwell__building__compound", "reporter"
    ).prefetch_related(
        Prefetch("events", queryset=replies.order_by("at", "pk"), to_attr="public_replies"),
        Prefetch("photos", queryset=photos, to_attr="public_photos"),
    )


def board_photos(case: Case) -> list[dict]:
    """The photos anyone may see, as the board's photo page shows them (report:board_photo):
    the public answers' photos, and the resident's own only if he agreed to show details.
    A case off the board has none: its page would not open. (MEDIA is not served.)"""
    if not case.on_public_board:
        return []
    return [
        {
            "id": p.pk,
            "url": reverse(
                "report:board_photo", kwargs={"compound_id": case.compound_id, "code": case.code, "photo_id": p.pk}
            ),
            "width": p.width,
            "height": p.height,
        }
        for p in case.public_photos
        if p.event_id is not None or case.public_details
    ]


def normal_code(code: str) -> str:
    """As typed or read aloud: Crockford's base32 reads O as 0 and I, L as 1."""
    return (code or "").strip().upper().translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def public_case(code: str) -> Case:
    case = public_cases(Case.objects.filter(on_public_board=True, code=normal_code(code))).first()
    if case is None:
        raise Http404
    return case


def csv_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


# --- mediation (for those who mediate only: the parties' names are private) --------------


class PartyOut(Schema):
    id: int
    name: str
    side: str
    side_label: str
    person: Ref | None = Field(..., description="The resident on record, if known")
    home: Ref | None

    @staticmethod
    def resolve_side_label(obj):
        return str(obj.get_side_display())

    @staticmethod
    def resolve_person(obj):
        return ref(obj.person)

    @staticmethod
    def resolve_home(obj):
        return home_ref(obj.home)


class SessionOut(Schema):
    id: int
    held_at: dt.datetime
    place: str
    mediators: str
    attendees: str
    summary: str
    next_step: str
    recorded_by: Ref | None

    @staticmethod
    def resolve_recorded_by(obj):
        return user_ref(obj.recorded_by)


class MediationOut(Schema):
    case: str = Field(..., description="The case's code")
    mediator: Ref = Field(..., description="The organisation that mediates")
    outcome: str = Field(..., description="open, agreed, failed or withdrawn")
    outcome_label: str
    agreement: str
    created: dt.datetime
    concluded_at: dt.datetime | None
    follow_up_on: dt.date | None
    follow_up_note: str
    followed_up_at: dt.datetime | None
    parties: list[PartyOut]
    sessions: list[SessionOut]

    @staticmethod
    def resolve_case(obj):
        return obj.case.code

    @staticmethod
    def resolve_mediator(obj):
        return ref(obj.mediator)

    @staticmethod
    def resolve_outcome_label(obj):
        return str(obj.get_outcome_display())

    @staticmethod
    def resolve_parties(obj):
        return obj.parties.all()

    @staticmethod
    def resolve_sessions(obj):
        return obj.sessions.all()


# --- revisits ----------------------------------------------------------------------------


class RevisitOut(Schema):
    id: int
    case: CaseOut
    reporter: ReporterOut | None = Field(..., description="Masked; see POST /cases/{code}/reveal-contact to call")
    created: dt.datetime
    due: dt.datetime
    overdue: bool
    done_at: dt.datetime | None
    done_by: Ref | None
    outcome: str = Field(..., description="What the resident said")

    @staticmethod
    def resolve_overdue(obj):
        return obj.done_at is None and obj.due < timezone.now()

    @staticmethod
    def resolve_done_by(obj):
        return user_ref(obj.done_by)

    @staticmethod
    def resolve_reporter(obj):
        return reporter_out(obj.case)
