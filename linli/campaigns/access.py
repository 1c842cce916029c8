"""Who may do what with campaigns. Organisers are the staff of the campaign's place (community
workers, the party secretary, subdistrict admins); visitors record visits to the homes assigned
to them; staff of a home's area may record visits there and review its registry changes."""

from __future__ import annotations

from django.db.models import Q

from linli.accounts.scope import LEVELS, MODELS, Role, scope_for
from linli.people.models import Person

from .models import Assignment, Campaign

STAFF_ROLES = {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}


def staff_grants(user):
    return [g for g in scope_for(user).grants if g.role in STAFF_ROLES]


def _covers(grant, level: str, pk) -> bool:
    if grant.level == "all":
        return True
    if LEVELS.index(grant.level) > LEVELS.index(level):  # the grant is below the place
        return False
    return MODELS[level].objects.filter(Q(pk=pk) & grant.place_q(level)).exists()


def may_organise_place(user, level: str, pk) -> bool:
    return any(_covers(g, level, pk) for g in staff_grants(user))


def is_organiser_anywhere(user) -> bool:
    return bool(staff_grants(user))


def may_organise(user, campaign: Campaign) -> bool:
    return may_organise_place(user, campaign.level, campaign.place.pk)


def may_visit(user, assignment: Assignment) -> bool:
    person_id = getattr(user, "person_id", None)
    if person_id and assignment.visitor_id == person_id:
        return True
    return any(_covers(g, "home", assignment.home_id) for g in staff_grants(user))


def may_review(user, change) -> bool:
    return any(_covers(g, "home", change.home_id) for g in staff_grants(user))


def may_visit_for(user, campaign: Campaign, person: Person) -> bool:
    """A person the organiser may give homes to: someone within the organiser's reach."""
    return Person.objects.filter(Q(pk=person.pk) & scope_for(user).people_q()).exists()


def campaigns_q(user) -> Q:
    """Campaigns the user organises, and those where he has homes to visit."""
    q = Q(pk__in=[])
    for g in staff_grants(user):
        if g.level == "all":
            return Q()
        if g.level == "subdistrict":
            q |= Q(subdistrict_id__in=g.ids)
        elif g.level == "community":
            q |= Q(community_id__in=g.ids)
    person_id = getattr(user, "person_id", None)
    if person_id:
        q |= Q(pk__in=Assignment.objects.filter(visitor_id=person_id).values("campaign_id"))
    return q


def visible_campaigns(user):
    return Campaign.objects.filter(campaigns_q(user))


def organisable(user, level: str):
    """The places of a level where the user may run campaigns."""
    q = Q(pk__in=[])
    for g in staff_grants(user):
        if g.level == "all":
            return MODELS[level].objects.all()
        if LEVELS.index(g.level) <= LEVELS.index(level):
            q |= g.place_q(level)
    return MODELS[level].objects.filter(q)
