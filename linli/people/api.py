"""People over the API: /api/v1/residents, /organisations, /assignments, /reveals.

Phone and ID numbers are always masked here; the plaintext comes only from
POST /residents/{id}/reveal, which goes through people.services.reveal (checked and logged).
Party membership is shown only where accounts.scope.can_see_party allows it.
"""

import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from linli.accounts.scope import (
    access_organisation,
    access_person,
    can_see_members,
    can_see_party,
    scope_for,
    visible_assignments,
    visible_homes,
    visible_organisations,
    visible_people,
)
from linli.lib.api_support import ErrorOut, Pagination, Ref, client_ip, invalid_input
from linli.lib.crypto import keyed_hash
from linli.lib.normalize import normalize_phone
from linli.people.models import Membership, Occupancy, Organisation, PartyMember, RevealLog
from linli.people.services import reveal

residents_router = Router(tags=["residents"])
organisations_router = Router(tags=["organisations"])
assignments_router = Router(tags=["assignments"])
reveals_router = Router(tags=["reveals"])

ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def vulnerable_q() -> Q:
    """Person.is_vulnerable as a query: elderly (60+) living alone, disabled, or noted."""
    born_by = timezone.localdate().year - 60
    return Q(disabled=True) | ~Q(care_note="") | Q(lives_alone=True, birth_year__lte=born_by)


# --- residents --------------------------------------------------------------------------


class HomeRef(Schema):
    id: int
    label: str
    relation: str

    @staticmethod
    def resolve_id(obj):
        return obj.home_id

    @staticmethod
    def resolve_label(obj):
        return str(obj.home)


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_year: int | None
    phone: str = Field(..., description="Always masked; see POST /residents/{id}/reveal")
    id_number: str = Field(..., description="Always masked; see POST /residents/{id}/reveal")
    is_vulnerable: bool
    homes: list[HomeRef] = Field(..., description="Only the homes within the caller's area")

    @staticmethod
    def resolve_phone(obj):
        return obj.phone_masked

    @staticmethod
    def resolve_id_number(obj):
        return obj.id_number_masked

    @staticmethod
    def resolve_homes(obj):
        return obj.visible_occupancies


class PartyOut(Schema):
    kind: str
    organisation: Ref | None


class ResidentDetailOut(ResidentOut):
    hukou_registered: bool
    lives_alone: bool
    disabled: bool
    care_note: str
    party: PartyOut | None = Field(None, description="Null when not a party member or when hidden")
    party_hidden: bool = Field(..., description="True when the caller may not see party membership")


class ResidentFilter(Schema):
    home: int | None = None
    stairwell: int | None = None
    building: int | None = None
    compound: int | None = None
    q: str | None = Field(None, description="Part of the name")
    vulnerable: bool | None = None


class ResidentSearchIn(Schema):
    phone: str = Field(..., min_length=1, max_length=40, description="Exact mobile number; spaces, dashes, +86 allowed")


class RevealIn(Schema):
    field: Literal["phone", "id_number"]
    reason: str = Field(..., max_length=200)


class RevealOut(Schema):
    field: str
    value: str


def _people(user):
    occupancies = (
        Occupancy.objects.active()
        .filter(home__in=visible_homes(user))
        .select_related("home__stairwell__building__compound")
        .order_by("home_id")
    )
    return visible_people(user).prefetch_related(
        Prefetch("occupancies", queryset=occupancies, to_attr="visible_occupancies")
    )


@residents_router.get("", response={200: list[ResidentOut], **ERRORS})
@paginate(Pagination)
def list_residents(request, filters: Query[ResidentFilter]):
    user = request.auth
    qs = _people(user)
    places = {
        "home_id": filters.home,
        "home__stairwell_id": filters.stairwell,
        "home__stairwell__building_id": filters.building,
        "home__stairwell__building__compound_id": filters.compound,
    }
    places = {lookup: value for lookup, value in places.items() if value is not None}
    if places:
        # Only homes within the caller's area: a filter must not reveal where else someone lives.
        lives_there = Occupancy.objects.active().filter(person=OuterRef("pk"), home__in=visible_homes(user), **places)
        qs = qs.filter(Exists(lives_there))
    if filters.q and filters.q.strip():
        qs = qs.filter(name__icontains=filters.q.strip())
    if filters.vulnerable is not None:
        qs = qs.filter(vulnerable_q() if filters.vulnerable else ~vulnerable_q())
    return qs


@residents_router.post("/search", response={200: list[ResidentOut], **ERRORS})
@paginate(Pagination)
def search_residents(request, payload: ResidentSearchIn):
    """Residents within the caller's area with this mobile number, masked as in the list. A POST
    with the number in the body, so that it never appears in a URL (access logs, proxies)."""
    try:
        phone = normalize_phone(payload.phone)
    except ValueError as exc:
        raise invalid_input("body.phone", str(exc)) from None
    return _people(request.auth).filter(phone_hash=keyed_hash(phone))


@residents_router.get("/{int:person_id}", response={200: ResidentDetailOut, **ERRORS})
def get_resident(request, person_id: int):
    user = request.auth
    person = access_person(user, person_id)  # 404 outside the caller's area
    person = _people(user).get(pk=person.pk)
    person.party_hidden = not can_see_party(user, person)
    person.party = None
    if not person.party_hidden:
        person.party = PartyMember.objects.filter(person=person).select_related("organisation").first()
    return person


@residents_router.post(
    "/{int:person_id}/reveal", response={200: RevealOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def reveal_field(request, person_id: int, payload: RevealIn, response: HttpResponse):
    """Show a phone or ID number unmasked. Needs a reason; every reveal is logged."""
    response["Cache-Control"] = "no-store"  # the plaintext must not stay in any cache
    user = request.auth
    person = access_person(user, person_id)
    try:
        with transaction.atomic():
            value = reveal(user=user, person=person, field=payload.field, reason=payload.reason, ip=client_ip(request))
    except ValueError as exc:  # no reason given; PermissionDenied becomes a 403 in api_support
        raise invalid_input("body.reason", str(exc)) from None
    return {"field": payload.field, "value": value}


# --- organisations ----------------------------------------------------------------------


class PlaceRef(Schema):
    level: str
    id: int
    name: str


class OrganisationOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    parent_id: int | None
    place: PlaceRef
    founded: datetime.date | None
    registered: datetime.date | None

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_place(obj):
        for level in ("stairwell", "building", "compound", "community", "subdistrict"):
            place = getattr(obj, level)
            if place is not None:
                return {"level": level, "id": place.pk, "name": str(place)}
        return None


class MemberOut(Schema):
    person: Ref
    role: str
    role_label: str
    start: datetime.date | None
    end: datetime.date | None
    phone: str = Field(..., description="Always masked")


class OrganisationDetailOut(OrganisationOut):
    description: str
    members: list[MemberOut] | None = Field(None, description="Omitted when members_hidden")
    members_hidden: bool


class OrganisationFilter(Schema):
    kind: Organisation.Kind | None = None
    compound: int | None = None
    community: int | None = None
    q: str | None = None


def _organisations(user):
    return (
        visible_organisations(user)
        .select_related("subdistrict", "community", "compound", "building__compound", "stairwell__building__compound")
        .order_by("kind", "name", "pk")
    )


@organisations_router.get("", response={200: list[OrganisationOut], **ERRORS})
@paginate(Pagination)
def list_organisations(request, filters: Query[OrganisationFilter]):
    qs = _organisations(request.auth)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.compound is not None:
        qs = qs.filter(compound_id=filters.compound)
    if filters.community is not None:
        qs = qs.filter(community_id=filters.community)
    if filters.q and filters.q.strip():
        qs = qs.filter(name__icontains=filters.q.strip())
    return qs


@organisations_router.get("/{int:organisation_id}", response={200: OrganisationDetailOut, **ERRORS}, exclude_unset=True)
def get_organisation(request, organisation_id: int):
    user = request.auth
    org = access_organisation(user, organisation_id)  # 404 outside the caller's area
    org = _organisations(user).get(pk=org.pk)
    org.members_hidden = not can_see_members(user, org)
    if not org.members_hidden:
        # Left unset otherwise, so exclude_unset drops the key from the answer.
        org.members = [
            {
                "person": {"id": m.person.pk, "name": m.person.name},
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "start": m.start,
                "end": m.end,
                "phone": m.person.phone_masked,
            }
            for m in Membership.objects.active()
            .filter(organisation=org)
            .select_related("person")
            .order_by("role", "person__name")
        ]
    return org


# --- leader assignments -----------------------------------------------------------------


class AssignmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    person: Ref
    building: Ref | None
    stairwells: list[Ref] = Field(..., description="Empty: the whole building")
    grid_cell: Ref | None
    start: datetime.date | None
    end: datetime.date | None

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_building(obj):
        return {"id": obj.building.pk, "name": str(obj.building)} if obj.building_id else None

    @staticmethod
    def resolve_stairwells(obj):
        return [{"id": s.pk, "name": s.name} for s in obj.stairwells.all()]


class AssignmentFilter(Schema):
    kind: Literal["building", "lane", "street", "grid"] | None = None
    building: int | None = None
    active: bool | None = Field(None, description="true: only current terms")


@assignments_router.get("", response={200: list[AssignmentOut], **ERRORS})
@paginate(Pagination)
def list_assignments(request, filters: Query[AssignmentFilter]):
    qs = (
        visible_assignments(request.auth)
        .select_related("person", "building__compound", "grid_cell")
        .prefetch_related("stairwells")
        .order_by("building__compound__name", "building__sort_key", "kind", "pk")
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.building is not None:
        qs = qs.filter(Q(building_id=filters.building) | Q(grid_cell__stairwells__building_id=filters.building))
    if filters.active:
        qs = qs.active()
    return qs


# --- reveal log -------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str
    display_name: str

    @staticmethod
    def resolve_display_name(obj):
        return obj.person.name if obj.person_id else (obj.get_full_name() or obj.username)


class RevealLogOut(Schema):
    id: int
    user: UserRef
    person: Ref
    field: str
    reason: str
    at: datetime.datetime
    ip: str | None


class RevealFilter(Schema):
    person: int | None = None
    field: Literal["phone", "id_number"] | None = None
    mine: bool | None = Field(None, description="true: only the caller's own reveals")


@reveals_router.get("", response={200: list[RevealLogOut], **ERRORS})
@paginate(Pagination)
def list_reveals(request, filters: Query[RevealFilter]):
    """The caller's own reveals; staff also see reveals of people within their area."""
    user = request.auth
    q = Q(user=user)
    if scope_for(user).is_staff_scope and not filters.mine:
        q |= Q(person__in=visible_people(user))
    qs = RevealLog.objects.filter(q).select_related("user__person", "person").order_by("-at", "-pk")
    if filters.person is not None:
        qs = qs.filter(person_id=filters.person)
    if filters.field:
        qs = qs.filter(field=filters.field)
    return qs
