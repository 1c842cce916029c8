"""Resolutions over the API, under /api/v1/resolutions. Refusals are 422 with their message;
anything outside the caller's reach is a 404. The public list of a compound needs no login."""

import contextlib
import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.lib.api_support import ApiError, ErrorOut, Pagination
from linli.lib.images import clean_photo
from linli.meetings import access as meeting_access
from linli.people.models import Organisation
from linli.places.models import Compound

from . import services
from .models import Resolution

router = Router(tags=["resolutions"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@contextlib.contextmanager
def refusals():
    try:
        yield
    except services.ResolutionError as exc:
        raise ApiError(422, "invalid", exc.message, errors=[{"field": "body", "message": exc.message}]) from None


class ProgressOut(Schema):
    percent: int
    text: str
    at: dt.datetime
    by: str
    photo: bool

    @staticmethod
    def resolve_by(obj):
        return obj.by.display_name()

    @staticmethod
    def resolve_photo(obj):
        return bool(obj.photo)


class ResolutionOut(Schema):
    code: str
    title: str
    text: str
    status: str
    status_label: str
    percent: int
    due: dt.date
    owner: str
    compound: int | None = Field(None, alias="compound_id")
    meeting: str | None = None
    public: bool

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_owner(obj):
        return obj.owner.name

    @staticmethod
    def resolve_meeting(obj):
        return obj.meeting.code if obj.meeting_id else None


class ResolutionDetailOut(ResolutionOut):
    progress: list[ProgressOut]

    @staticmethod
    def resolve_progress(obj):
        return list(obj.progress.select_related("by__person").order_by("at", "pk"))


class ResolutionIn(Schema):
    meeting: str = Field(..., description="The code of the meeting that decided it")
    title: str
    text: str = ""
    owner: int = Field(..., description="The responsible organisation's id")
    due: dt.date
    public: bool = True


class DropIn(Schema):
    reason: str


class ResolutionFilter(Schema):
    status: str | None = None
    compound: int | None = None


def _get(user, code) -> Resolution:
    try:
        return services.visible_resolutions(user).get(code=code)
    except Resolution.DoesNotExist:
        raise ApiError(404, "not_found", _("Not found.")) from None


@router.get("", response={200: list[ResolutionOut], **ERRORS}, summary="Resolutions within your reach")
@paginate(Pagination)
def list_resolutions(request, filters: Query[ResolutionFilter]):
    qs = services.visible_resolutions(request.auth)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.compound:
        qs = qs.filter(compound_id=filters.compound)
    return qs.order_by("due", "pk")


@router.get("/public/{compound}", auth=None, response={200: list[ResolutionOut], 404: ErrorOut}, summary="A compound's")
def public_resolutions(request, compound: int):
    """The public resolutions of a compound and how far each has come (no login)."""
    place = Compound.objects.filter(pk=compound).first()
    if place is None:
        raise ApiError(404, "not_found", _("Not found."))
    return list(services.public_resolutions(place).order_by("due", "pk"))


@router.get("/{code}", response={200: ResolutionDetailOut, **ERRORS}, summary="One resolution and its progress")
def get_resolution(request, code: str):
    return _get(request.auth, code)


@router.post("", response={201: ResolutionDetailOut, **ERRORS}, summary="Make a resolution at a meeting")
def create_resolution(request, payload: ResolutionIn):
    meeting = meeting_access.organise_meeting(request.auth, payload.meeting)
    owner = Organisation.objects.filter(pk=payload.owner).first()
    with refusals():
        resolution = services.create(
            user=request.auth, meeting=meeting, title=payload.title, text=payload.text, owner=owner,
            due=payload.due, public=payload.public,
        )  # fmt: skip
    return Answer(201, resolution)


@router.post("/{code}/progress", response={201: ResolutionDetailOut, **ERRORS}, summary="Report progress")
def report(request, code: str, percent: Form[int], text: Form[str], photo: File[UploadedFile] = None):
    """By the responsible organisation; 100 makes it done. A photo is optional evidence."""
    from django.core.exceptions import ValidationError

    resolution = _get(request.auth, code)
    cleaned = None
    if photo is not None:
        try:
            cleaned = clean_photo(photo)
        except ValidationError as exc:
            raise ApiError(422, "invalid", exc.messages[0]) from None
    with refusals():
        services.report(resolution=resolution, user=request.auth, percent=percent, text=text, photo=cleaned)
    return Answer(201, _get(request.auth, code))


@router.post("/{code}/drop", response={200: ResolutionDetailOut, **ERRORS}, summary="Drop with a reason")
def drop(request, code: str, payload: DropIn):
    resolution = _get(request.auth, code)
    with refusals():
        services.drop(resolution=resolution, user=request.auth, reason=payload.reason)
    return _get(request.auth, code)
