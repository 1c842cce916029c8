"""Who sees which cases, and who may act on one. Every page and API call comes through here.

- the reporter sees his own cases;
- a building leader sees the cases of the stairwells and buildings he leads;
- an organisation's handlers (clerks and managers of a property company, officers of a
  committee, association or department) see the cases their organisation is responsible for,
  and nothing else: a clerk never sees another company's case;
- community workers and the party secretary see their community's cases, subdistrict
  administrators the subdistrict's, system administrators all.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from linli.accounts.scope import Role, scope_for
from linli.people.models import Membership, Organisation
from linli.places.models import Community

from .models import Case

STAFF_ROLES = {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}
# Plain members of an organisation do not handle its cases; these roles do.
HANDLER_ROLES = {
    Membership.Role.CLERK,
    Membership.Role.MANAGER,
    Membership.Role.CHAIR,
    Membership.Role.VICE_CHAIR,
    Membership.Role.SECRETARY,
    Membership.Role.OFFICER,
    Membership.Role.LEADER,
    Membership.Role.WORKER,
    Membership.Role.ADMIN,
}


def handler_org_ids(user) -> frozenset[int]:
    """Organisations whose cases this user handles (cached on the user for the request)."""
    cached = getattr(user, "_linli_handler_orgs", None)
    if cached is None:
        scope = scope_for(user)
        cached = frozenset()
        if scope.person_id:
            cached = frozenset(
                Membership.objects.active()
                .filter(person_id=scope.person_id, role__in=HANDLER_ROLES)
                .exclude(
                    organisation__kind__in=[
                        Organisation.Kind.CLUB,
                        Organisation.Kind.VOLUNTEER_TEAM,
                        Organisation.Kind.PARTY_GROUP,
                        Organisation.Kind.LEADER_TEAM,
                    ]
                )
                .values_list("organisation_id", flat=True)
            )
        if user is not None and getattr(user, "is_authenticated", False):
            user._linli_handler_orgs = cached
    return cached


def staff_q(user) -> Q | None:
    """Cases within the user's staff grants (community and above), or None for no staff role."""
    scope = scope_for(user)
    q = None
    for g in scope.grants:
        if g.role not in STAFF_ROLES:
            continue
        if g.level == "all":
            return Q()
        # The subdistrict's communities as a subquery rather than a join: the case's own
        # community_id then meets the (community, …) indexes.
        part = (
            Q(community_id__in=Community.objects.filter(subdistrict_id__in=g.ids).values("pk"))
            if g.level == "subdistrict"
            else Q(community_id__in=g.ids)
            if g.level == "community"
            else None
        )
        if part is not None:
            q = part if q is None else q | part
    return q


def leader_q(user) -> Q | None:
    scope = scope_for(user)
    q = None
    for g in scope.grants:
        if g.role != Role.BUILDING_LEADER:
            continue
        part = Q(building_id__in=g.ids) if g.level == "building" else Q(stairwell_id__in=g.ids)
        q = part if q is None else q | part
    return q


def cases_q(user) -> Q:
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    q = Q(recorded_by_id=scope.user_id)
    if scope.person_id:
        q |= Q(reporter_id=scope.person_id)
    if orgs := handler_org_ids(user):
        q |= Q(organisation_id__in=orgs)
    for extra in (leader_q(user), staff_q(user)):
        if extra is not None:
            if extra == Q():
                return Q()
            q |= extra
    return q


def visible_cases(user):
    return Case.objects.filter(cases_q(user))


def access_case(user, pk_or_code) -> Case:
    """The case, if the user may see it; otherwise 404, exactly as for a case that does not exist."""
    # Four of the related rows as separate lookups by primary key: PostgreSQL took 10–25 ms to
    # plan the eight-table join, longer than the four queries take to run.
    qs = (
        visible_cases(user)
        .select_related("category", "compound", "organisation")
        .prefetch_related("building", "stairwell", "assignee", "reporter")
    )
    lookup = {"code": str(pk_or_code).upper()} if not str(pk_or_code).isdigit() else {"pk": pk_or_code}
    try:
        return qs.get(**lookup)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- what the user is to one case --------------------------------------------------------


def is_staff_for(user, case: Case) -> bool:
    q = staff_q(user)
    if q is None:
        return False
    if q == Q():
        return True
    return Case.objects.filter(Q(pk=case.pk) & q).exists()


def is_handler_for(user, case: Case) -> bool:
    return case.organisation_id is not None and case.organisation_id in handler_org_ids(user)


def is_reporter_of(user, case: Case) -> bool:
    scope = scope_for(user)
    return scope.person_id is not None and case.reporter_id == scope.person_id


def is_leader_for(user, case: Case) -> bool:
    scope = scope_for(user)
    for g in scope.grants:
        if g.role == Role.BUILDING_LEADER and (
            (g.level == "building" and case.building_id in g.ids)
            or (g.level == "stairwell" and case.stairwell_id in g.ids)
        ):
            return True
    return False


def can_record_for(user, compound) -> bool:
    """Who may record a case on someone else's behalf in a compound: its leaders, handlers of
    an organisation serving it, and community staff."""
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    if scope.roles & (STAFF_ROLES | {Role.BUILDING_LEADER, Role.PROPERTY_CLERK, Role.HOUSEHOLD_CONTACT}):
        from linli.accounts.scope import visible_places

        return visible_places(user, "compound").filter(pk=compound.pk).exists()
    return False


def timeline(user, case: Case):
    """The case's events this user may read: public ones for all; internal notes and steps for
    those who work on it (rules "note"); mediation entries only for those who may mediate —
    a leader must not even learn that a dispute in his building went to mediation."""
    from .rules import may

    events = case.events.all()
    if not may(user, "note", case):
        return events.filter(public=True)
    if not may(user, "mediate", case):
        events = events.exclude(action="mediation")
    return events
