"""The one access layer: who may see which places, homes, people and organisations.

A user's roles are read from the person's active memberships and assignments, and each role
grants a place in the grid (a subdistrict, communities, compounds, buildings, stairwells or
homes) with what may be seen there. Pages and the API never filter by hand: they call
`scope_for(user)` and the `visible_*` / `access_*` functions below, so a leak is impossible
by construction rather than by remembering.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from linli.people.models import (
    HouseholdContact,
    LeaderAssignment,
    Membership,
    Occupancy,
    Organisation,
    Person,
    PropertyServicePeriod,
)
from linli.places.models import Building, Community, Compound, Home, Stairwell, Subdistrict


class Role(models.TextChoices):
    RESIDENT = "resident", _("resident")
    BUILDING_LEADER = "building_leader", _("building leader")
    HOUSEHOLD_CONTACT = "household_contact", _("party member with household contacts")
    VOLUNTEER = "volunteer", _("volunteer")
    ASSOCIATION_OFFICER = "association_officer", _("association officer")
    OWNERS_COMMITTEE = "owners_committee", _("owners' committee member")
    PROPERTY_CLERK = "property_clerk", _("property-company clerk")
    COMMUNITY_WORKER = "community_worker", _("community worker")
    PARTY_SECRETARY = "party_secretary", _("community party secretary")
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("subdistrict administrator")
    SYSTEM_ADMIN = "system_admin", _("system administrator")


LEVELS = ("subdistrict", "community", "compound", "building", "stairwell", "home")
MODELS = {
    "subdistrict": Subdistrict,
    "community": Community,
    "compound": Compound,
    "building": Building,
    "stairwell": Stairwell,
    "home": Home,
}
# The foreign key from each level to the one above it.
_UP = {
    "home": "stairwell",
    "stairwell": "building",
    "building": "compound",
    "compound": "community",
    "community": "subdistrict",
}

PHONE = "phone"
ID_NUMBER = "id_number"


def up_path(start: str, target: str) -> str:
    """The lookup from a level to an ancestor level: up_path("home", "compound") ==
    "stairwell__building__compound". Empty when start is target."""
    steps, level = [], start
    while level != target:
        level = _UP[level]
        steps.append(level)
    return "__".join(steps)


@dataclass(frozen=True)
class Grant:
    """A role's reach: a level of the grid, the ids there, and what may be seen of people."""

    role: str
    level: str  # one of LEVELS, or "all"
    ids: frozenset[int] = frozenset()
    people: bool = True  # residents and their homes, not only the places
    reveal: frozenset[str] = frozenset()  # private fields that may be revealed (and logged)
    party: bool = False  # may see who is a party member

    def place_q(self, level: str, prefix: str = "") -> Q:
        """Rows of `level` (or rows whose `prefix` leads to that level) within this grant."""
        if self.level == "all":
            return Q()
        if not self.ids:
            return Q(pk__in=[])
        mine, theirs = LEVELS.index(self.level), LEVELS.index(level)
        if mine <= theirs:  # the grant is at or above the rows' level
            path = up_path(level, self.level)
            lookup = f"{prefix}{path}_id__in" if path else f"{prefix}pk__in" if not prefix else f"{prefix[:-2]}_id__in"
            return Q(**{lookup: self.ids})
        # The grant is below the rows' level: the rows that contain a granted place.
        ancestors = MODELS[self.level].objects.filter(pk__in=self.ids).values(up_path(self.level, level))
        lookup = f"{prefix[:-2]}_id__in" if prefix else "pk__in"
        return Q(**{lookup: ancestors})


@dataclass
class Scope:
    user_id: int | None
    person_id: int | None
    roles: set[str] = field(default_factory=set)
    grants: list[Grant] = field(default_factory=list)
    org_ids: frozenset[int] = frozenset()  # organisations the person is an active member of

    @property
    def is_staff_scope(self) -> bool:
        return bool(
            self.roles & {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}
        )

    def _q(self, level: str, grants, prefix: str = "") -> Q:
        # An empty Q() means "everything", but OR-ing it away would lose that: check first.
        if any(g.level == "all" for g in grants):
            return Q()
        q = Q(pk__in=[])
        for grant in grants:
            q |= grant.place_q(level, prefix)
        return q

    def places_q(self, level: str) -> Q:
        return self._q(level, self.grants)

    def homes_q(self, *, reveal: str | None = None, party: bool = False, prefix: str = "") -> Q:
        grants = [
            g for g in self.grants if g.people and (reveal is None or reveal in g.reveal) and (not party or g.party)
        ]
        return self._q("home", grants, prefix)

    def people_q(self, *, reveal: str | None = None, party: bool = False) -> Q:
        """People living in homes within reach, the user's own person, and for staff the
        members of organisations in their place.

        One `pk IN (… UNION …)` rather than EXISTS … OR EXISTS …: PostgreSQL cannot turn an OR
        of subqueries into a join, so it tested each of a million people in turn; the union
        of the three short lists is found by their indexes."""
        allowed = [g for g in self.grants if (reveal is None or reveal in g.reveal) and (not party or g.party)]
        if any(g.level == "all" for g in allowed):
            return Q()
        ids = (
            Occupancy.objects.active()
            .filter(self.homes_q(reveal=reveal, party=party, prefix="home__"))
            .order_by()
            .values("person_id")
        )
        parts = []
        if self.person_id:
            parts.append(Person.objects.filter(pk=self.person_id).order_by().values("pk"))
        if staff := [g for g in allowed if g.level in ("subdistrict", "community")]:
            orgs = Organisation.objects.filter(self._org_place_q(staff)).values("pk")
            parts.append(Membership.objects.active().filter(organisation__in=orgs).order_by().values("person_id"))
        return Q(pk__in=ids.union(*parts) if parts else ids)

    def _org_place_q(self, grants) -> Q:
        """Organisations whose place lies inside the grants, or which serve a place inside
        them (a community-level organisation serves the compounds below it)."""
        q = Q(pk__in=[])
        for g in grants:
            if g.level == "all":
                return Q()
            if g.level == "subdistrict":
                q |= Q(subdistrict_id__in=g.ids)
                continue
            communities = g.place_q("community")
            q |= Q(community__isnull=False, compound__isnull=True) & Q(
                community_id__in=Community.objects.filter(communities).values("pk")
            )
            if g.level in ("community",):
                q |= Q(community_id__in=g.ids)
            else:
                compounds = Compound.objects.filter(g.place_q("compound")).values("pk")
                q |= Q(compound_id__in=compounds)
        return q

    def organisations_q(self) -> Q:
        if any(g.level == "all" for g in self.grants):
            return Q()
        return (
            self._org_place_q(self.grants)
            | Q(pk__in=self.org_ids)
            | Q(
                pk__in=PropertyServicePeriod.objects.active()
                .filter(compound__in=Compound.objects.filter(self.places_q("compound")))
                .values("company_id")
            )
        )


def _leader_grants(person: Person) -> list[Grant]:
    grants = []
    assignments = LeaderAssignment.objects.active().filter(person=person).prefetch_related("stairwells")
    stairwells, buildings = set(), set()
    for a in assignments:
        if a.kind == LeaderAssignment.Kind.GRID:
            stairwells.update(a.grid_cell.stairwells.values_list("pk", flat=True))
        elif chosen := [s.pk for s in a.stairwells.all()]:
            stairwells.update(chosen)
        else:
            buildings.add(a.building_id)
    reveal = frozenset({PHONE})
    if buildings:
        grants.append(Grant(Role.BUILDING_LEADER, "building", frozenset(buildings), reveal=reveal))
    if stairwells:
        grants.append(Grant(Role.BUILDING_LEADER, "stairwell", frozenset(stairwells), reveal=reveal))
    return grants


def build_scope(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None, person_id=None)
    scope = Scope(user_id=user.pk, person_id=user.person_id)
    if user.is_superuser:
        scope.roles.add(Role.SYSTEM_ADMIN)
        scope.grants.append(Grant(Role.SYSTEM_ADMIN, "all", reveal=frozenset({PHONE, ID_NUMBER}), party=True))
    person = user.person
    if person is None:
        return scope

    homes = frozenset(Occupancy.objects.active().filter(person=person).values_list("home_id", flat=True))
    if homes:
        scope.roles.add(Role.RESIDENT)
        scope.grants.append(Grant(Role.RESIDENT, "home", homes))

    leader = _leader_grants(person)
    if leader:
        scope.roles.add(Role.BUILDING_LEADER)
        scope.grants.extend(leader)

    contacts = frozenset(
        HouseholdContact.objects.active().filter(party_member__person=person).values_list("home_id", flat=True)
    )
    if contacts:
        scope.roles.add(Role.HOUSEHOLD_CONTACT)
        scope.grants.append(Grant(Role.HOUSEHOLD_CONTACT, "home", contacts, reveal=frozenset({PHONE})))

    memberships = list(Membership.objects.active().filter(person=person).select_related("organisation"))
    scope.org_ids = frozenset(m.organisation_id for m in memberships)
    K, R = Organisation.Kind, Membership.Role
    officer_roles = {R.CHAIR, R.VICE_CHAIR, R.SECRETARY, R.OFFICER, R.LEADER}
    for m in memberships:
        org = m.organisation
        if org.kind == K.VOLUNTEER_TEAM:
            scope.roles.add(Role.VOLUNTEER)
        elif org.kind == K.ASSOCIATION and m.role in officer_roles:
            scope.roles.add(Role.ASSOCIATION_OFFICER)
            if org.compound_id:
                scope.grants.append(
                    Grant(Role.ASSOCIATION_OFFICER, "compound", frozenset({org.compound_id}), people=False)
                )
        elif org.kind == K.OWNERS_COMMITTEE:
            scope.roles.add(Role.OWNERS_COMMITTEE)
            if org.compound_id:
                scope.grants.append(
                    Grant(Role.OWNERS_COMMITTEE, "compound", frozenset({org.compound_id}), people=False)
                )
        elif org.kind == K.PROPERTY_COMPANY and m.role in (R.CLERK, R.MANAGER):
            served = frozenset(
                PropertyServicePeriod.objects.active().filter(company=org).values_list("compound_id", flat=True)
            )
            scope.roles.add(Role.PROPERTY_CLERK)
            scope.grants.append(Grant(Role.PROPERTY_CLERK, "compound", served, reveal=frozenset({PHONE})))
        elif org.kind == K.RESIDENTS_COMMITTEE and m.role != R.MEMBER and org.community_id:
            scope.roles.add(Role.COMMUNITY_WORKER)
            scope.grants.append(
                Grant(
                    Role.COMMUNITY_WORKER,
                    "community",
                    frozenset({org.community_id}),
                    reveal=frozenset({PHONE, ID_NUMBER}),
                    party=True,
                )
            )
        elif org.kind == K.PARTY_COMMITTEE and m.role == R.SECRETARY and org.community_id:
            scope.roles.add(Role.PARTY_SECRETARY)
            scope.grants.append(
                Grant(
                    Role.PARTY_SECRETARY,
                    "community",
                    frozenset({org.community_id}),
                    reveal=frozenset({PHONE, ID_NUMBER}),
                    party=True,
                )
            )
        elif org.kind == K.SUBDISTRICT_OFFICE and m.role in (R.ADMIN, R.CHAIR, R.SECRETARY):
            scope.roles.add(Role.SUBDISTRICT_ADMIN)
            scope.grants.append(
                Grant(
                    Role.SUBDISTRICT_ADMIN,
                    "subdistrict",
                    frozenset({org.subdistrict_id}),
                    reveal=frozenset({PHONE, ID_NUMBER}),
                    party=True,
                )
            )
    return scope


def scope_for(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached = getattr(user, "_linli_scope", None)
    if cached is None:
        cached = build_scope(user)
        if user is not None:
            user._linli_scope = cached
    return cached


# --- querysets within reach -------------------------------------------------------------


def visible_places(user, level: str):
    return MODELS[level].objects.filter(scope_for(user).places_q(level))


def visible_homes(user):
    return Home.objects.filter(scope_for(user).homes_q())


def visible_people(user):
    return Person.objects.filter(scope_for(user).people_q())


def visible_organisations(user):
    return Organisation.objects.filter(scope_for(user).organisations_q())


def visible_assignments(user):
    """Leader assignments in the places within reach of the user's people grants."""
    scope = scope_for(user)
    buildings = Building.objects.filter(scope.places_q("building"))
    return LeaderAssignment.objects.filter(
        Q(building__in=buildings) | Q(grid_cell__stairwells__building__in=buildings)
    ).distinct()


# --- single objects: fetched only through the scope -------------------------------------


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        # Outside the scope looks exactly like "does not exist": no probing for ids.
        raise Http404 from None


def access_place(user, level: str, pk):
    return _get(visible_places(user, level), pk)


def access_home(user, pk):
    return _get(visible_homes(user), pk)


def access_person(user, pk):
    return _get(visible_people(user), pk)


def access_organisation(user, pk):
    return _get(visible_organisations(user), pk)


# --- what may be seen of one person -----------------------------------------------------


def can_reveal(user, person: Person, field_name: str) -> bool:
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    if person.pk == scope.person_id:
        return True
    return Person.objects.filter(Q(pk=person.pk) & scope.people_q(reveal=field_name)).exists()


def can_see_party(user, person: Person) -> bool:
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    if person.pk == scope.person_id:
        return True
    return Person.objects.filter(Q(pk=person.pk) & scope.people_q(party=True)).exists()


def can_see_members(user, organisation: Organisation) -> bool:
    """Members of a party organisation reveal party membership: only for those who may see
    it in that place, or fellow members."""
    party_kinds = {
        Organisation.Kind.PARTY_COMMITTEE,
        Organisation.Kind.PARTY_BRANCH,
        Organisation.Kind.PARTY_GROUP,
        Organisation.Kind.PARTY_BASE,
    }
    if organisation.kind not in party_kinds:
        return True
    scope = scope_for(user)
    if organisation.pk in scope.org_ids:
        return True
    party_grants = [g for g in scope.grants if g.party]
    return (
        Organisation.objects.filter(Q(pk=organisation.pk) & scope._org_place_q(party_grants)).exists()
        if party_grants
        else False
    )


def require(condition: bool):
    if not condition:
        raise PermissionDenied
