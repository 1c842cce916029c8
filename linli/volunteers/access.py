"""Who sees which teams and activities and who organises them. Out of reach is a 404, the same
as something that does not exist.

- Teams (people.Organisation of TEAM_KINDS) are seen as organisations are: through
  accounts.scope.visible_organisations (residents see the teams of their compound and
  community, members their own teams, staff their area's).
- An activity is seen by whoever sees its team.
- Organisers of a team: its leaders (Membership roles LEADER, CHAIR, VICE_CHAIR, SECRETARY) and
  the staff of its area (community workers and the party secretary of its community,
  subdistrict administrators, system administrators). They approve join requests, create
  activities and series, see the roster, confirm and adjust hours.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from linli.accounts.scope import Role, scope_for, visible_organisations
from linli.people.models import Membership, Organisation

from .models import TEAM_KINDS, Activity

LEADER_ROLES = (
    Membership.Role.LEADER,
    Membership.Role.CHAIR,
    Membership.Role.VICE_CHAIR,
    Membership.Role.SECRETARY,
)
STAFF_ROLES = {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}


def visible_teams(user):
    return visible_organisations(user).filter(kind__in=TEAM_KINDS)


def access_team(user, pk) -> Organisation:
    try:
        return visible_teams(user).select_related("community", "compound", "building").get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_activities(user):
    return Activity.objects.filter(organisation__in=visible_teams(user).values("pk"))


def access_activity(user, code) -> Activity:
    qs = visible_activities(user).select_related("organisation", "compound", "building__compound")
    try:
        return qs.get(code=str(code).upper())
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _staff_q(user) -> Q | None:
    """Organisations whose area this user serves as staff, or None (everything)."""
    q = Q(pk__in=[])
    for g in scope_for(user).grants:
        if g.role not in STAFF_ROLES:
            continue
        if g.level == "all":
            return None
        if g.level == "community":
            q |= Q(community_id__in=g.ids)
        elif g.level == "subdistrict":
            q |= Q(subdistrict_id__in=g.ids)
    return q


def managed_teams(user):
    scope = scope_for(user)
    if scope.user_id is None:
        return Organisation.objects.none()
    staff = _staff_q(user)
    if staff is None:
        return Organisation.objects.filter(kind__in=TEAM_KINDS)
    led = Membership.objects.active().filter(person_id=scope.person_id, role__in=LEADER_ROLES).values("organisation_id")
    return Organisation.objects.filter(Q(pk__in=led) | staff, kind__in=TEAM_KINDS)


def may_manage(user, organisation: Organisation) -> bool:
    cache = getattr(user, "_linli_volunteers_managed", None)
    if cache is None:
        cache = set(managed_teams(user).values_list("pk", flat=True))
        if getattr(user, "is_authenticated", False):
            user._linli_volunteers_managed = cache
    return organisation.pk in cache


def is_member(person_id, organisation: Organisation) -> bool:
    return bool(person_id) and (
        Membership.objects.active().filter(person_id=person_id, organisation=organisation).exists()
    )
