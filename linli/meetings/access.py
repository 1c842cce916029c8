"""Who sees which meetings, and who organises them.

- Organisers: community workers and the party secretary (their community), subdistrict
  administrators (their subdistrict), system administrators; members of an owners' committee
  or officers of an association (their compound); building leaders (their buildings and
  stairwells: a stairwell meeting is theirs to call).
- Participants: anyone invited, and the residents of the meeting's place, see the meeting.
- Others: nothing (404).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from linli.accounts.scope import Role, scope_for, visible_people
from linli.people.models import Organisation, Person
from linli.places.models import Building, Community, Compound, Stairwell, Venue

from .models import Invitation, Meeting

ORGANISER_ROLES = {
    Role.COMMUNITY_WORKER,
    Role.PARTY_SECRETARY,
    Role.SUBDISTRICT_ADMIN,
    Role.SYSTEM_ADMIN,
    Role.OWNERS_COMMITTEE,
    Role.ASSOCIATION_OFFICER,
    Role.BUILDING_LEADER,
}


def _grants(user, roles):
    return [g for g in scope_for(user).grants if g.role in roles]


def organised_q(user) -> Q:
    """Meetings whose place lies within the user's organiser grants."""
    grants = _grants(user, ORGANISER_ROLES)
    if not grants:
        return Q(pk__in=[])
    scope = scope_for(user)
    staff = [g for g in grants if g.role not in (Role.BUILDING_LEADER,)]
    leaders = [g for g in grants if g.role == Role.BUILDING_LEADER]
    q = Q(pk__in=[])
    if staff:
        compounds = Compound.objects.filter(scope._q("compound", staff)).values("pk")
        # Community-wide staff reach every meeting of the community; compound-level officers
        # the meetings of their compounds.
        wide = [g for g in staff if g.level in ("all", "subdistrict", "community")]
        if wide:
            q |= Q(community_id__in=Community.objects.filter(scope._q("community", wide)).values("pk"))
        q |= Q(compound_id__in=compounds)
    if leaders:
        q |= Q(building_id__in=Building.objects.filter(scope._q("building", leaders)).values("pk"))
        q |= Q(stairwell_id__in=Stairwell.objects.filter(scope._q("stairwell", leaders)).values("pk"))
    return q


def visible_meetings(user):
    scope = scope_for(user)
    if scope.user_id is None:
        return Meeting.objects.none()
    q = organised_q(user)
    if scope.person_id:
        # A subquery, not a join: a join to the invitations needs the rows made distinct again,
        # which at district scale read every meeting of the scope (600 ms for a worker's list).
        q |= Q(pk__in=Invitation.objects.filter(person_id=scope.person_id).values("meeting_id"))
        residents = _grants(user, {Role.RESIDENT})
        if residents:
            # Meetings of the places he lives in: his stairwell, building, compound, community.
            stairwells = Stairwell.objects.filter(scope._q("stairwell", residents)).values("pk")
            buildings = Building.objects.filter(scope._q("building", residents)).values("pk")
            compounds = Compound.objects.filter(scope._q("compound", residents)).values("pk")
            communities = Community.objects.filter(scope._q("community", residents)).values("pk")
            q |= (
                Q(stairwell_id__in=stairwells)
                | Q(stairwell__isnull=True, building_id__in=buildings)
                | Q(building__isnull=True, compound_id__in=compounds)
                | Q(compound__isnull=True, community_id__in=communities)
            )
    # Buildings and stairwells fetched by id for the page of meetings, not joined: the planner
    # cannot tell how few meetings the scope holds and would hash the district's 150,000 of them.
    return (
        Meeting.objects.filter(q)
        .select_related("compound", "venue", "organiser")
        .prefetch_related("building", "stairwell")
    )


def is_organiser(user) -> bool:
    """Whether the user organises meetings anywhere (to offer the pages that do it)."""
    return bool(_grants(user, ORGANISER_ROLES))


def can_organise(user, meeting: Meeting) -> bool:
    return Meeting.objects.filter(organised_q(user), pk=meeting.pk).exists()


def may_organise_at(user, *, community, compound=None, building=None, stairwell=None) -> bool:
    """Whether the user may call a meeting for this place."""
    grants = _grants(user, ORGANISER_ROLES)
    if not grants:
        return False
    scope = scope_for(user)
    leaders = [g for g in grants if g.role == Role.BUILDING_LEADER]
    staff = [g for g in grants if g.role != Role.BUILDING_LEADER]
    wide = [g for g in staff if g.level in ("all", "subdistrict", "community")]
    if wide and Community.objects.filter(scope._q("community", wide), pk=community.pk).exists():
        return True
    if compound and staff and Compound.objects.filter(scope._q("compound", staff), pk=compound.pk).exists():
        return True
    if leaders and stairwell:
        return Stairwell.objects.filter(scope._q("stairwell", leaders), pk=stairwell.pk).exists()
    if leaders and building and not stairwell:
        return Building.objects.filter(scope._q("building", leaders), pk=building.pk).exists()
    return False


def access_meeting(user, code: str) -> Meeting:
    try:
        return visible_meetings(user).get(code=code)
    except Meeting.DoesNotExist:
        raise Http404 from None


def organise_meeting(user, code: str) -> Meeting:
    meeting = access_meeting(user, code)
    if not can_organise(user, meeting):
        raise Http404
    return meeting


# --- where one may call meetings, with whom, and which venues ---------------------------------


def organisable_compounds(user):
    """Compounds in which the user may call some meeting: those within his organiser grants, and
    those holding a building or stairwell he leads (whose meetings are his to call)."""
    grants = _grants(user, ORGANISER_ROLES)
    if not grants:
        return Compound.objects.none()
    scope = scope_for(user)
    leaders = [g for g in grants if g.role == Role.BUILDING_LEADER]
    staff = [g for g in grants if g.role != Role.BUILDING_LEADER]
    q = Q(pk__in=[])
    if staff:
        q |= scope._q("compound", staff)
    if leaders:
        q |= Q(pk__in=Building.objects.filter(scope._q("building", leaders)).values("compound_id"))
    return Compound.objects.filter(q)


def organisable_communities(user):
    """Communities whose meetings (some of them) the user may call; the community-wide staff may
    also call a meeting of the whole community (may_organise_at says which)."""
    return Community.objects.filter(pk__in=organisable_compounds(user).values("community_id"))


def wide_communities(user):
    """Communities the user may call a meeting of as a whole (community workers and above)."""
    grants = [g for g in _grants(user, ORGANISER_ROLES) if g.level in ("all", "subdistrict", "community")]
    if not grants:
        return Community.objects.none()
    return Community.objects.filter(scope_for(user)._q("community", grants))


def organisers_for(user, community):
    """The organisations a meeting of this community may be called in the name of: the user's
    own (active memberships) and the community's residents' committee."""
    scope = scope_for(user)
    return Organisation.objects.filter(
        Q(pk__in=scope.org_ids) | Q(kind=Organisation.Kind.RESIDENTS_COMMITTEE, community_id=community.pk)
    ).order_by("kind", "name")


def venues_for(user):
    """Venues of the communities where the user calls meetings: he sees their bookings."""
    return Venue.objects.filter(compound__community__in=organisable_communities(user)).select_related("compound")


def access_venue(user, pk):
    try:
        return venues_for(user).get(pk=int(pk))
    except (Venue.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def invitable_people(user, meeting: Meeting):
    """Whom an organiser may invite by name or mark as attending: people within his reach, and
    those invited already (a property clerk invited by role, say)."""
    return Person.objects.filter(
        Q(pk__in=visible_people(user).values("pk")) | Q(pk__in=meeting.invitations.values("person_id"))
    )
