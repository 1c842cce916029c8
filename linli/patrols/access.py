"""Who sees and does what in patrols and hygiene inspections, on top of accounts.scope.

Patrolling (and inspecting) in a compound: its building leaders, members of the volunteer
teams, clubs and the volunteer association of that compound (or of its community when the
organisation serves the whole community), party members of its branch, the community's
workers and party secretary, the subdistrict's administrators. The property company's
clerks never inspect their own cleaning, but see the results where they serve.

Seeing: everything within the user's compounds (scope.places_q) and the compounds he
patrols. A resident of 颐景园 sees nothing of 富丰新城.
"""

from __future__ import annotations

from django.db.models import Q

from linli.accounts.scope import Role, _get, scope_for
from linli.people.models import Membership, Organisation, PartyMember, Person
from linli.places.models import Community, Compound

from .models import Checklist, Finding, Inspection, ItemScore, Patrol

TEAM_KINDS = (Organisation.Kind.VOLUNTEER_TEAM, Organisation.Kind.CLUB, Organisation.Kind.ASSOCIATION)
STAFF_ROLES = (Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN)


def _org_compounds_q(orgs) -> Q:
    """Compounds an organisation belongs to: its own, or every compound of its community."""
    q = Q(pk__in=[])
    for org in orgs:
        if org.compound_id:
            q |= Q(pk=org.compound_id)
        elif org.community_id:
            q |= Q(community_id=org.community_id)
    return q


def patrol_compounds(user):
    """The compounds where this user may patrol and inspect."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Compound.objects.none()
    if Role.SYSTEM_ADMIN in scope.roles:
        return Compound.objects.all()
    q = Q(pk__in=[])
    for grant in scope.grants:
        if grant.role == Role.BUILDING_LEADER or grant.role in STAFF_ROLES:
            q |= grant.place_q("compound")
    if scope.person_id:
        teams = [
            m.organisation
            for m in Membership.objects.active()
            .filter(person_id=scope.person_id, organisation__kind__in=TEAM_KINDS)
            .select_related("organisation")
        ]
        q |= _org_compounds_q(teams)
        branches = list(
            Organisation.objects.filter(kind=Organisation.Kind.PARTY_BRANCH).filter(
                Q(party_members__person_id=scope.person_id)
                | Q(pk__in=Membership.objects.active().filter(person_id=scope.person_id).values("organisation_id"))
            )
        )
        q |= _org_compounds_q(branches)
    return Compound.objects.filter(q).distinct()


def may_patrol(user, compound) -> bool:
    return patrol_compounds(user).filter(pk=compound.pk).exists()


def patrol_teams(user, compound):
    """Organisations a patrol in this compound may be logged for: teams, clubs, the
    association and the party branch of the compound or its community."""
    return Organisation.objects.filter(
        Q(compound=compound) | Q(compound__isnull=True, community_id=compound.community_id),
        kind__in=(*TEAM_KINDS, Organisation.Kind.PARTY_BRANCH),
    )


def visible_compounds(user):
    scope = scope_for(user)
    if scope.user_id is None:
        return Compound.objects.none()
    return Compound.objects.filter(scope.places_q("compound") | Q(pk__in=patrol_compounds(user).values("pk")))


def visible_patrols(user):
    return Patrol.objects.filter(compound__in=visible_compounds(user))


def visible_findings(user):
    return Finding.objects.filter(patrol__compound__in=visible_compounds(user))


def visible_inspections(user):
    return Inspection.objects.filter(compound__in=visible_compounds(user))


def access_patrol(user, pk) -> Patrol:
    return _get(visible_patrols(user).select_related("compound", "organisation", "started_by"), pk)


def access_finding(user, pk) -> Finding:
    return _get(visible_findings(user).select_related("patrol__compound"), pk)


def access_inspection(user, pk) -> Inspection:
    return _get(visible_inspections(user).select_related("compound", "company", "checklist", "building"), pk)


def access_item_score(user, pk) -> ItemScore:
    return _get(ItemScore.objects.filter(inspection__in=visible_inspections(user)).select_related("inspection"), pk)


def is_party_member(user) -> bool:
    return bool(getattr(user, "person_id", None)) and PartyMember.objects.filter(person_id=user.person_id).exists()


def visible_people_for_patrol(user, compound, ids):
    """Participants named by id: people the user may see, or fellow members of the teams of
    this compound."""
    from linli.accounts.scope import visible_people

    if not ids:
        return Person.objects.none()
    teams = patrol_teams(user, compound)
    fellows = Membership.objects.active().filter(organisation__in=teams).values("person_id")
    return Person.objects.filter(pk__in=ids).filter(Q(pk__in=visible_people(user).values("pk")) | Q(pk__in=fellows))


def patrol_teams_in(compounds):
    """The teams that may be named on a patrol in any of these compounds."""
    return Organisation.objects.filter(
        Q(compound__in=compounds) | Q(compound__isnull=True, community__in=compounds.values("community_id")),
        kind__in=(*TEAM_KINDS, Organisation.Kind.PARTY_BRANCH),
    ).order_by("name")


def organised_compounds(user):
    """Compounds whose organisers this user is: the community's workers and party secretary,
    the subdistrict's administrators, system administrators. They lead any patrol there and
    keep the compound's hygiene checklist."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Compound.objects.none()
    if Role.SYSTEM_ADMIN in scope.roles:
        return Compound.objects.all()
    q = Q(pk__in=[])
    for grant in scope.grants:
        if grant.role in STAFF_ROLES:
            q |= grant.place_q("compound")
    return Compound.objects.filter(q)


def may_lead(user, patrol: Patrol) -> bool:
    """Who changes a patrol's participants: whoever started it, and the compound's organisers."""
    if getattr(user, "pk", None) is None:
        return False
    return patrol.started_by_id == user.pk or organised_compounds(user).filter(pk=patrol.compound_id).exists()


def participant_candidates(user, patrol: Patrol):
    """People the leader may add: members of the teams of the patrol's compound (and its
    party branch), not yet on the patrol."""
    teams = patrol_teams(user, patrol.compound)
    fellows = Membership.objects.active().filter(organisation__in=teams).values("person_id")
    return Person.objects.filter(pk__in=fellows).exclude(pk__in=patrol.participants.values("pk")).order_by("name")


def may_keep_checklist(user, checklist) -> bool:
    """Who edits a hygiene checklist: a compound's own by its organisers, a community's by
    that community's staff, the default one by system administrators only."""
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    if Role.SYSTEM_ADMIN in scope.roles:
        return True
    if checklist.compound_id:
        return organised_compounds(user).filter(pk=checklist.compound_id).exists()
    if checklist.community_id:
        q = Q(pk__in=[])
        for grant in scope.grants:
            if grant.role in STAFF_ROLES:
                q |= grant.place_q("community")
        return Community.objects.filter(q, pk=checklist.community_id).exists()
    return False


def visible_checklists(user):
    """Checklists of the compounds within reach, of their communities, and the default."""
    compounds = visible_compounds(user)
    if scope_for(user).user_id is None:
        return Checklist.objects.none()
    return Checklist.objects.filter(
        Q(compound__in=compounds)
        | Q(community__in=compounds.values("community_id"))
        | Q(compound__isnull=True, community__isnull=True)
    )


def access_checklist(user, pk) -> Checklist:
    return _get(visible_checklists(user).select_related("compound", "community"), pk)
