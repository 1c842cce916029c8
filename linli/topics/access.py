"""Who sees which topics, who may propose, support, organise and moderate. Every page and API
call comes through here; out of reach is a 404, the same as a topic that does not exist.

- A resident sees the topics of the places he lives in: his stairwell, building, compound and
  community (not those of the next building).
- A building leader sees the topics inside the buildings and stairwells he leads, and those of
  the compound and community around them.
- Community workers and the party secretary see their community's topics, subdistrict
  administrators the subdistrict's, system administrators all.
- The proposer always sees his own topic. Anyone else (a property clerk, a volunteer with no
  home there, another community's worker) sees none.

Propose: a resident of a home inside the place, a leader of that place, staff of its community.
Support: only a person with an active occupancy in a home inside the topic's place.
Organise (put on an agenda, settle, close): staff of the community, and the leaders of a
building or stairwell for topics of their building or stairwell.
Moderate comments (hide, unhide, keep): staff of the community only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from linli.accounts.models import User
from linli.accounts.scope import Role, scope_for
from linli.people.models import LeaderAssignment, Membership, Occupancy, Organisation
from linli.places.models import Building, Community, Compound, Home, Stairwell

from .models import Comment, Level, Topic

STAFF_ROLES = {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}


@dataclass
class Reach:
    """The places a user is in, computed once per request (a few queries, whatever the number of
    topics)."""

    everything: bool = False
    # Where he lives: each home's stairwell, building, compound and community.
    homes: set[int] = field(default_factory=set)
    home_stairwells: set[int] = field(default_factory=set)
    home_buildings: set[int] = field(default_factory=set)
    home_compounds: set[int] = field(default_factory=set)
    home_communities: set[int] = field(default_factory=set)
    # What he leads (whole buildings; single stairwells) and what lies around it.
    led_buildings: set[int] = field(default_factory=set)
    led_stairwells: set[int] = field(default_factory=set)
    around_buildings: set[int] = field(default_factory=set)
    around_compounds: set[int] = field(default_factory=set)
    around_communities: set[int] = field(default_factory=set)
    # The communities he serves as staff.
    staff_communities: set[int] = field(default_factory=set)
    staff_subdistricts: set[int] = field(default_factory=set)

    def serves(self, community: Community | int) -> bool:
        if self.everything:
            return True
        community_id = getattr(community, "pk", community)
        if community_id in self.staff_communities:
            return True
        if not self.staff_subdistricts:
            return False
        return Community.objects.filter(pk=community_id, subdistrict_id__in=self.staff_subdistricts).exists()


def reach_of(user) -> Reach:
    cached = getattr(user, "_linli_topics_reach", None)
    if cached is not None:
        return cached
    scope = scope_for(user)
    reach = Reach()
    for g in scope.grants:
        if g.level == "all":
            reach.everything = True
        elif g.role == Role.RESIDENT:
            reach.homes |= set(g.ids)
        elif g.role == Role.BUILDING_LEADER:
            (reach.led_buildings if g.level == "building" else reach.led_stairwells).update(g.ids)
        elif g.role in STAFF_ROLES:
            (reach.staff_communities if g.level == "community" else reach.staff_subdistricts).update(g.ids)
    if reach.homes:
        for s, b, c, m in Home.objects.filter(pk__in=reach.homes).values_list(
            "stairwell_id",
            "stairwell__building_id",
            "stairwell__building__compound_id",
            "stairwell__building__compound__community_id",
        ):
            reach.home_stairwells.add(s)
            reach.home_buildings.add(b)
            reach.home_compounds.add(c)
            reach.home_communities.add(m)
    if reach.led_stairwells:
        for b, c, m in Stairwell.objects.filter(pk__in=reach.led_stairwells).values_list(
            "building_id", "building__compound_id", "building__compound__community_id"
        ):
            reach.around_buildings.add(b)
            reach.around_compounds.add(c)
            reach.around_communities.add(m)
    if reach.led_buildings:
        for c, m in Building.objects.filter(pk__in=reach.led_buildings).values_list(
            "compound_id", "compound__community_id"
        ):
            reach.around_compounds.add(c)
            reach.around_communities.add(m)
    if user is not None and getattr(user, "is_authenticated", False):
        user._linli_topics_reach = reach
    return reach


def _containing(stairwells, buildings, compounds, communities) -> Q:
    """Topics whose place contains one of these places (given with all their ancestors)."""
    return (
        Q(level=Level.STAIRWELL, stairwell_id__in=stairwells)
        | Q(level=Level.BUILDING, building_id__in=buildings)
        | Q(level=Level.COMPOUND, compound_id__in=compounds)
        | Q(level=Level.COMMUNITY, community_id__in=communities)
    )


def topics_q(user) -> Q:
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    reach = reach_of(user)
    if reach.everything:
        return Q()
    q = Q(proposer_id=scope.user_id)
    if reach.homes:
        q |= _containing(reach.home_stairwells, reach.home_buildings, reach.home_compounds, reach.home_communities)
    if reach.led_buildings or reach.led_stairwells:
        q |= Q(building_id__in=reach.led_buildings) | Q(stairwell_id__in=reach.led_stairwells)
        q |= _containing(
            set(),
            reach.around_buildings,
            reach.around_compounds,
            reach.around_communities,
        )
    if reach.staff_communities:
        q |= Q(community_id__in=reach.staff_communities)
    if reach.staff_subdistricts:
        q |= Q(community__subdistrict_id__in=reach.staff_subdistricts)
    return q


def visible_topics(user):
    return Topic.objects.filter(topics_q(user))


def access_topic(user, code) -> Topic:
    """The topic, if the user may see it; otherwise 404, exactly as for one that does not exist."""
    qs = visible_topics(user).select_related(
        "community", "compound", "building__compound", "stairwell__building__compound", "proposer__person"
    )
    try:
        return qs.get(code=str(code).upper())
    except (Topic.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_comment(user, pk) -> Comment:
    try:
        return Comment.objects.select_related("topic", "author").get(pk=pk, topic__in=visible_topics(user).values("pk"))
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- what the user may do ----------------------------------------------------------------


def homes_inside(topic_or_place) -> Q:
    """Homes inside a topic's place (or inside a place of the grid), as a Q on Home."""
    place = topic_or_place.place if isinstance(topic_or_place, Topic) else topic_or_place
    if isinstance(place, Stairwell):
        return Q(stairwell_id=place.pk)
    if isinstance(place, Building):
        return Q(stairwell__building_id=place.pk)
    if isinstance(place, Compound):
        return Q(stairwell__building__compound_id=place.pk)
    return Q(stairwell__building__compound__community_id=place.pk)


def lives_inside(person, place) -> bool:
    if person is None:
        return False
    homes = Home.objects.filter(homes_inside(place)).values("pk")
    return Occupancy.objects.active().filter(person=person, home__in=homes).exists()


def _community_of(place) -> int:
    if isinstance(place, Community):
        return place.pk
    if isinstance(place, Compound):
        return place.community_id
    if isinstance(place, Building):
        return place.compound.community_id
    return place.building.compound.community_id


def leads(user, place) -> bool:
    """A building or stairwell this user leads (a compound or community is not a leader's)."""
    reach = reach_of(user)
    if isinstance(place, Building):
        return place.pk in reach.led_buildings
    if isinstance(place, Stairwell):
        return place.pk in reach.led_stairwells or place.building_id in reach.led_buildings
    return False


def may_propose(user, place) -> bool:
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    reach = reach_of(user)
    return reach.serves(_community_of(place)) or leads(user, place) or lives_inside(user.person, place)


def may_support(user, topic: Topic) -> bool:
    return lives_inside(getattr(user, "person", None), topic)


def may_organise(user, topic: Topic) -> bool:
    if user is None or scope_for(user).user_id is None:
        return False
    return reach_of(user).serves(topic.community_id) or leads(user, topic.place)


def may_moderate(user, topic: Topic) -> bool:
    if user is None or scope_for(user).user_id is None:
        return False
    return reach_of(user).serves(topic.community_id)


def is_moderator(user) -> bool:
    reach = reach_of(user)
    return reach.everything or bool(reach.staff_communities or reach.staff_subdistricts)


def moderated_topics(user):
    """Topics whose comments this user moderates."""
    reach = reach_of(user)
    if reach.everything:
        return Topic.objects.all()
    return Topic.objects.filter(
        Q(community_id__in=reach.staff_communities) | Q(community__subdistrict_id__in=reach.staff_subdistricts)
    )


def organised_topics(user):
    """Topics this user may put on an agenda, settle or close (for the meetings app's agenda
    picker: filter by status, e.g. ready first)."""
    reach = reach_of(user)
    if scope_for(user).user_id is None:
        return Topic.objects.none()
    if reach.everything:
        return Topic.objects.all()
    q = (
        Q(community_id__in=reach.staff_communities)
        | Q(community__subdistrict_id__in=reach.staff_subdistricts)
        | Q(building_id__in=reach.led_buildings, level__in=[Level.BUILDING, Level.STAIRWELL])
        | Q(stairwell_id__in=reach.led_stairwells)
    )
    return Topic.objects.filter(q)


def proposable_places(user) -> list:
    """The places this user may propose a topic for, widest first: for a resident his homes'
    community, compound, building and stairwell; for a leader his buildings and stairwells; for
    staff the communities and compounds they serve (a stairwell they name through the API)."""
    reach = reach_of(user)
    if reach.everything:
        served = Community.objects.all()
    else:
        served = Community.objects.filter(
            Q(pk__in=reach.staff_communities) | Q(subdistrict_id__in=reach.staff_subdistricts)
        )
    served = served.values("pk")
    communities = Community.objects.filter(Q(pk__in=served) | Q(pk__in=reach.home_communities))
    compounds = Compound.objects.filter(Q(community_id__in=served) | Q(pk__in=reach.home_compounds))
    buildings = Building.objects.filter(pk__in=reach.home_buildings | reach.led_buildings)
    stairwells = Stairwell.objects.filter(
        Q(pk__in=reach.home_stairwells | reach.led_stairwells) | Q(building_id__in=reach.led_buildings)
    )
    return [
        *communities,
        *compounds.select_related("community"),
        *buildings.select_related("compound"),
        *stairwells.select_related("building__compound"),
    ]


def place_key(place) -> str:
    return f"{Level(type(place).__name__.lower()).value}:{place.pk}"


def place_from_key(key: str):
    """ "stairwell:12" → the Stairwell, or None."""
    level, _, pk = str(key).partition(":")
    model = {"stairwell": Stairwell, "building": Building, "compound": Compound, "community": Community}.get(level)
    if model is None or not pk.isdigit():
        return None
    return model.objects.filter(pk=int(pk)).first()


# --- who is told -------------------------------------------------------------------------


def organiser_users(topic: Topic):
    """Those told when a topic is ready: the community's staff (residents' committee workers,
    the party secretary) and the leaders of the topic's building or stairwell."""
    K, R = Organisation.Kind, Membership.Role
    staff = Membership.objects.active().filter(
        (Q(organisation__kind=K.RESIDENTS_COMMITTEE) & ~Q(role=R.MEMBER))
        | Q(organisation__kind=K.PARTY_COMMITTEE, role=R.SECRETARY),
        organisation__community_id=topic.community_id,
    )
    people = Q(person_id__in=staff.values("person_id"))
    if topic.level in (Level.BUILDING, Level.STAIRWELL):
        whole = Q(building_id=topic.building_id, stairwells__isnull=True)
        led = whole if topic.level == Level.BUILDING else whole | Q(stairwells=topic.stairwell_id)
        if topic.level == Level.STAIRWELL:
            led |= Q(grid_cell__stairwells=topic.stairwell_id)
        people |= Q(person_id__in=LeaderAssignment.objects.active().filter(led).values("person_id"))
    return User.objects.filter(people, is_active=True)
