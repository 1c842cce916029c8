"""The grid over the API: /api/v1/places/... and /api/v1/homes. Everything is read through
linli.accounts.scope, so a list holds only what the caller may see and a detail outside the
caller's area is a 404."""

from decimal import Decimal

from django.db.models import Prefetch, Q
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from linli.accounts.scope import access_home, access_place, visible_homes, visible_people, visible_places
from linli.lib.api_support import ErrorOut, Pagination, Ref
from linli.people.models import Occupancy
from linli.places.counts import residents_count, with_counts

router = Router(tags=["places"])
homes_router = Router(tags=["homes"])

ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- schemas ----------------------------------------------------------------------------


class CommunityOut(Schema):
    id: int
    name: str
    code: str
    subdistrict: Ref
    compound_count: int
    building_count: int
    stairwell_count: int
    home_count: int
    resident_count: int
    leader_count: int


class CompoundOut(Schema):
    id: int
    name: str
    alias: str
    kind: str
    built_year: int | None
    address: str
    community: Ref
    building_count: int
    stairwell_count: int
    home_count: int
    resident_count: int
    leader_count: int


class BuildingOut(Schema):
    id: int
    name: str
    kind: str
    floors: int | None
    compound: Ref
    stairwell_count: int
    home_count: int
    resident_count: int
    leader_count: int


class StairwellOut(Schema):
    id: int
    name: str
    building: Ref
    compound: Ref
    home_count: int
    resident_count: int

    @staticmethod
    def resolve_compound(obj):
        return obj.building.compound


class HomeOut(Schema):
    id: int
    number: str
    floor: int
    area: Decimal | None
    area_source: str
    is_vacant: bool
    stairwell: Ref
    building: Ref
    compound: Ref
    resident_count: int

    @staticmethod
    def resolve_building(obj):
        return obj.stairwell.building

    @staticmethod
    def resolve_compound(obj):
        return obj.stairwell.building.compound


class HomeResidentOut(Schema):
    id: int
    name: str
    relation: str
    phone: str
    is_vulnerable: bool


class HomeDetailOut(HomeOut):
    residents: list[HomeResidentOut]


# --- filters ----------------------------------------------------------------------------


class CompoundFilter(Schema):
    community: int | None = None
    q: str | None = None


class BuildingFilter(Schema):
    compound: int | None = None
    q: str | None = None


class StairwellFilter(Schema):
    building: int | None = None
    compound: int | None = None


class HomeFilter(Schema):
    stairwell: int | None = None
    building: int | None = None
    compound: int | None = None
    floor: int | None = None
    vacant: bool | None = None


def _name_q(q: str | None) -> Q:
    return Q(name__icontains=q.strip()) if q and q.strip() else Q()


# --- places -----------------------------------------------------------------------------


def _communities(user):
    qs = visible_places(user, "community").select_related("subdistrict").order_by("name", "pk")
    return with_counts(qs, "community")


def _compounds(user):
    qs = visible_places(user, "compound").select_related("community").order_by("name", "pk")
    return with_counts(qs, "compound")


def _buildings(user):
    qs = visible_places(user, "building").select_related("compound")
    return with_counts(qs.order_by("compound__name", "compound_id", "sort_key", "name", "pk"), "building")


def _stairwells(user):
    qs = visible_places(user, "stairwell").select_related("building__compound")
    order = ("building__compound__name", "building__compound_id", "building__sort_key", "building__name", "sort_key")
    return with_counts(qs.order_by(*order, "name", "pk"), "stairwell")


def _detail(qs, user, level: str, pk: int):
    place = access_place(user, level, pk)  # 404 outside the caller's area
    return qs.get(pk=place.pk)


@router.get("/communities", response={200: list[CommunityOut], **ERRORS})
@paginate(Pagination)
def list_communities(request, q: str | None = None):
    return _communities(request.auth).filter(_name_q(q))


@router.get("/communities/{int:community_id}", response={200: CommunityOut, **ERRORS})
def get_community(request, community_id: int):
    return _detail(_communities(request.auth), request.auth, "community", community_id)


@router.get("/compounds", response={200: list[CompoundOut], **ERRORS})
@paginate(Pagination)
def list_compounds(request, filters: Query[CompoundFilter]):
    qs = _compounds(request.auth).filter(_name_q(filters.q))
    if filters.community is not None:
        qs = qs.filter(community_id=filters.community)
    return qs


@router.get("/compounds/{int:compound_id}", response={200: CompoundOut, **ERRORS})
def get_compound(request, compound_id: int):
    return _detail(_compounds(request.auth), request.auth, "compound", compound_id)


@router.get("/buildings", response={200: list[BuildingOut], **ERRORS})
@paginate(Pagination)
def list_buildings(request, filters: Query[BuildingFilter]):
    qs = _buildings(request.auth).filter(_name_q(filters.q))
    if filters.compound is not None:
        qs = qs.filter(compound_id=filters.compound)
    return qs


@router.get("/buildings/{int:building_id}", response={200: BuildingOut, **ERRORS})
def get_building(request, building_id: int):
    return _detail(_buildings(request.auth), request.auth, "building", building_id)


@router.get("/stairwells", response={200: list[StairwellOut], **ERRORS})
@paginate(Pagination)
def list_stairwells(request, filters: Query[StairwellFilter]):
    qs = _stairwells(request.auth)
    if filters.building is not None:
        qs = qs.filter(building_id=filters.building)
    if filters.compound is not None:
        qs = qs.filter(building__compound_id=filters.compound)
    return qs


@router.get("/stairwells/{int:stairwell_id}", response={200: StairwellOut, **ERRORS})
def get_stairwell(request, stairwell_id: int):
    return _detail(_stairwells(request.auth), request.auth, "stairwell", stairwell_id)


# --- homes ------------------------------------------------------------------------------


def _homes(user):
    return (
        visible_homes(user)
        .select_related("stairwell__building__compound")
        .annotate(resident_count=residents_count("home"))
        .order_by(
            "stairwell__building__compound__name",
            "stairwell__building__sort_key",
            "stairwell__sort_key",
            "stairwell_id",
            "floor",
            "number",
            "pk",
        )
    )


@homes_router.get("", response={200: list[HomeOut], **ERRORS})
@paginate(Pagination)
def list_homes(request, filters: Query[HomeFilter]):
    qs = _homes(request.auth)
    if filters.stairwell is not None:
        qs = qs.filter(stairwell_id=filters.stairwell)
    if filters.building is not None:
        qs = qs.filter(stairwell__building_id=filters.building)
    if filters.compound is not None:
        qs = qs.filter(stairwell__building__compound_id=filters.compound)
    if filters.floor is not None:
        qs = qs.filter(floor=filters.floor)
    if filters.vacant is not None:
        qs = qs.filter(is_vacant=filters.vacant)
    return qs


@homes_router.get("/{int:home_id}", response={200: HomeDetailOut, **ERRORS})
def get_home(request, home_id: int):
    user = request.auth
    home = access_home(user, home_id)  # 404 outside the caller's area
    occupancies = (
        Occupancy.objects.active()
        .filter(home=home, person__in=visible_people(user))
        .select_related("person")
        .order_by("person__name", "person_id")
    )
    home = (
        _homes(user)
        .prefetch_related(Prefetch("occupancies", queryset=occupancies, to_attr="active_occupancies"))
        .get(pk=home.pk)
    )
    home.residents = [
        {
            "id": o.person.pk,
            "name": o.person.name,
            "relation": o.relation,
            "phone": o.person.phone_masked,
            "is_vulnerable": o.person.is_vulnerable,
        }
        for o in home.active_occupancies
    ]
    return home
