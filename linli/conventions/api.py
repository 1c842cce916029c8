"""Conventions over the API, under /api/v1/conventions."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.lib.api_support import ApiError, ErrorOut, Pagination
from linli.meetings import access as meeting_access
from linli.places.models import Compound
from linli.votes import access as vote_access

from . import services
from .models import Convention

router = Router(tags=["conventions"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class VersionOut(Schema):
    number: int
    text: str
    adopted_on: dt.date
    meeting: str | None = Field(None, description="The code of the meeting that adopted it")
    vote: str | None = Field(None, description="The code of the owners' vote that adopted it")
    note: str

    @staticmethod
    def resolve_meeting(obj):
        return obj.meeting.code if obj.meeting_id else None

    @staticmethod
    def resolve_vote(obj):
        return obj.vote.code if obj.vote_id else None


class ConventionOut(Schema):
    id: int
    title: str
    kind: str
    community: int = Field(..., alias="community_id")
    compound: int | None = Field(None, alias="compound_id")
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj):
        return sorted(obj.versions.all(), key=lambda v: v.number)


class AdoptIn(Schema):
    convention: int | None = Field(None, description="An existing convention: a new version of it")
    title: str = ""
    kind: str = Field("other", description=", ".join(Convention.Kind.values))
    compound: int | None = None
    text: str
    note: str = ""
    meeting: str | None = Field(None, description="The code of a meeting whose minutes are approved")
    vote: str | None = Field(None, description="The code of an owners' vote that passed, result published")


@router.get("", response={200: list[ConventionOut], **ERRORS}, summary="Conventions of your places")
@paginate(Pagination)
def list_conventions(request):
    return services.visible_conventions(request.auth).prefetch_related("versions__meeting", "versions__vote")


@router.get("/{pk}", response={200: ConventionOut, **ERRORS}, summary="A convention and its versions")
def get_convention(request, pk: int):
    found = services.visible_conventions(request.auth).filter(pk=pk).first()
    if found is None:
        raise ApiError(404, "not_found", _("Not found."))
    return found


@router.post("", response={201: VersionOut, **ERRORS}, summary="Record a convention's new version")
def adopt(request, payload: AdoptIn):
    user = request.auth
    convention = None
    if payload.convention:
        convention = services.visible_conventions(user).filter(pk=payload.convention).first()
        if convention is None:
            raise ApiError(404, "not_found", _("Not found."))
    compound = Compound.objects.filter(pk=payload.compound).first() if payload.compound else None
    meeting = vote = None
    if payload.meeting:
        meeting = meeting_access.visible_meetings(user).filter(code=payload.meeting).first()
        if meeting is None:
            raise ApiError(404, "not_found", _("Not found."))
    if payload.vote:
        vote = vote_access.visible_votes(user).filter(code=payload.vote).first()
        if vote is None:
            raise ApiError(404, "not_found", _("Not found."))
    try:
        version = services.adopt(
            user=user, title=payload.title, kind=payload.kind, compound=compound, convention=convention,
            text=payload.text, note=payload.note, meeting=meeting, vote=vote,
        )  # fmt: skip
    except services.ConventionError as exc:
        raise ApiError(422, "invalid", exc.message) from None
    return Answer(201, version)
