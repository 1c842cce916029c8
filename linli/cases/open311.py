"""A read-only Open311 GeoReport v2 view of the public boards, under /api/v1/open311."""

import datetime as dt
from typing import Literal

from django.db.models import Max, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from linli.lib.api_support import ErrorOut, invalid_input

from .api_schemas import csv_list, normal_code
from .models import OPEN311_CLOSED, Case, Category, Event

open311_router = Router(tags=["open311"], auth=None)

PUBLIC_ERRORS = {404: ErrorOut, 422: ErrorOut}
OPEN311_DEFAULT_DAYS, OPEN311_MAX_RESULTS = 90, 1000


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
        qs = qs.filter(code__in=[normal_code(c) for c in csv_list(filters.service_request_id)])
    else:
        if filters.service_code:
            qs = qs.filter(category__code__in=csv_list(filters.service_code))
        statuses = set(csv_list(filters.status))
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
    qs = Case.objects.filter(code=normal_code(code))
    if jurisdiction_id is not None:
        qs = qs.filter(compound_id=jurisdiction_id)
    case = _open311_cases(qs).first()
    if case is None:
        raise Http404
    return [_open311(case)]
