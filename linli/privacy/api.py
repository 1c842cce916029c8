"""Personal-information rights over the API, under /api/v1/privacy: my data (the same
sections as the page), my requests to correct or delete, and for community workers the queue
and the decision. A request outside the worker's reach is a 404; a refusal of
privacy.services becomes 409 or 422 with its message."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema
from ninja import Status as Answer

from linli.lib.api_support import ApiError, ErrorOut

from . import export, services
from .models import CorrectionRequest, DeletionRequest

router = Router(tags=["privacy"])
ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@contextlib.contextmanager
def refusals(field: str = "body"):
    try:
        yield
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if getattr(exc, "code", None) == "conflict":
            raise ApiError(409, "conflict", message) from None
        raise ApiError(422, "invalid", message, errors=[{"field": field, "message": message}]) from None


class RequestOut(Schema):
    id: int
    kind: Literal["correction", "deletion"]
    person_id: int
    person: str
    community: str
    field: str | None = None
    value: str | None = None  # masked for phones and ID numbers
    note: str
    status: str
    created: dt.datetime
    decided_at: dt.datetime | None
    reason: str


class CorrectionIn(Schema):
    field: Literal["name", "phone", "id_number", "gender", "birth_year"]
    value: str
    note: str = ""


class DeletionIn(Schema):
    note: str = ""


class DecisionIn(Schema):
    accept: bool
    reason: str = ""


def _out(r) -> RequestOut:
    correction = isinstance(r, CorrectionRequest)
    return RequestOut(
        id=r.pk, kind="correction" if correction else "deletion", person_id=r.person_id, person=r.person.name,
        community=r.community.name, field=r.field if correction else None,
        value=r.value_masked if correction else None, note=r.note, status=r.status, created=r.created,
        decided_at=r.decided_at, reason=r.reason,
    )  # fmt: skip


@router.get("/me", response={200: dict, 404: ErrorOut})
def my_data(request):
    """Everything held about the caller, by section (the same as /privacy/export.json)."""
    return export.as_dict(services.person_of(request.user), request.user)


@router.get("/me/requests", response=list[RequestOut])
def my_requests(request):
    person = getattr(request.user, "person", None)
    if person is None:
        return []
    corrections = CorrectionRequest.objects.filter(person=person).select_related("person", "community")
    deletions = DeletionRequest.objects.filter(person=person).select_related("person", "community")
    return [_out(r) for r in [*corrections, *deletions]]


@router.post("/me/corrections", response={201: RequestOut, **ERRORS})
def ask_correction(request, payload: CorrectionIn):
    with refusals("value"):
        return Answer(201, _out(services.ask_correction(user=request.user, **payload.dict())))


@router.post("/me/deletion", response={201: RequestOut, **ERRORS})
def ask_deletion(request, payload: DeletionIn):
    with refusals("note"):
        return Answer(201, _out(services.ask_deletion(user=request.user, note=payload.note)))


@router.get("/requests", response={200: list[RequestOut], 404: ErrorOut})
def request_queue(request, status: Literal["pending", "accepted", "rejected"] = "pending"):
    """The requests of the caller's communities (community workers and admins); others: 404."""
    if not services.is_decider(request.user):
        raise Http404
    out = [*services.queue(request.user, CorrectionRequest).filter(status=status)]
    out += [*services.queue(request.user, DeletionRequest).filter(status=status)]
    return [_out(r) for r in out]


@router.get("/corrections/{correction_id}", response={200: RequestOut, 404: ErrorOut})
def correction(request, correction_id: int):
    return _out(services.access_request(request.user, CorrectionRequest, correction_id))


@router.post("/corrections/{correction_id}/decision", response={200: RequestOut, **ERRORS})
def decide_correction(request, correction_id: int, payload: DecisionIn):
    with refusals("reason"):
        return _out(services.decide_correction(user=request.user, pk=correction_id, **payload.dict()))


@router.get("/deletions/{deletion_id}", response={200: RequestOut, 404: ErrorOut})
def deletion(request, deletion_id: int):
    return _out(services.access_request(request.user, DeletionRequest, deletion_id))


@router.post("/deletions/{deletion_id}/decision", response={200: RequestOut, **ERRORS})
def decide_deletion(request, deletion_id: int, payload: DecisionIn):
    with refusals("reason"):
        r = services.decide_deletion(user=request.user, pk=deletion_id, **payload.dict())
    return _out(DeletionRequest.objects.select_related("person", "community").get(pk=r.pk))
