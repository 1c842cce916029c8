"""Who sees which votes, and who runs them. Every page and API call comes through here.

- Community workers and the party secretary run the votes of their community, subdistrict
  administrators those of their subdistrict, system administrators all; members of an owners'
  committee run the votes of its compound (the owners' assembly is theirs to convene).
- A resident, a building leader or an association officer sees the votes of his compound once
  they are announced (drafts stay with those who run them); a resident votes for the homes he
  is the designated voter or the proxy of. A property company sees none: a vote may be about
  replacing it (its notice and result are public all the same).
- The notice and the published result of a vote are public, by its code: owners' decisions
  are posted in the compound, and anyone may check the count (chain.py).
- The electorate list (home, area, masked owner names) is for those who run the vote and the
  owners in it, to raise objections.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from linli.accounts.scope import Role, scope_for
from linli.places.models import Compound

from .models import Vote

MANAGER_ROLES = {
    Role.COMMUNITY_WORKER,
    Role.PARTY_SECRETARY,
    Role.SUBDISTRICT_ADMIN,
    Role.SYSTEM_ADMIN,
    Role.OWNERS_COMMITTEE,
}
# Those who live or serve in the compound follow its votes; a property company does not (a
# vote may be about replacing it), though the notice and the result are public anyway.
FOLLOWER_ROLES = {Role.RESIDENT, Role.BUILDING_LEADER, Role.HOUSEHOLD_CONTACT, Role.ASSOCIATION_OFFICER}
PUBLIC_STATUSES = (Vote.Status.ANNOUNCED, Vote.Status.OPEN, Vote.Status.CLOSED, Vote.Status.PUBLISHED)


def managed_compounds(user):
    scope = scope_for(user)
    grants = [g for g in scope.grants if g.role in MANAGER_ROLES]
    if not grants:
        return Compound.objects.none()
    return Compound.objects.filter(scope._q("compound", grants))


def is_manager(user) -> bool:
    return bool(scope_for(user).roles & MANAGER_ROLES)


def visible_votes(user):
    """Votes within the user's reach: all states for those who run them, announced and later
    for residents of the compound."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Vote.objects.none()
    followed = [g for g in scope.grants if g.role in FOLLOWER_ROLES]
    mine = Compound.objects.filter(scope._q("compound", followed)).values("pk") if followed else []
    managed = managed_compounds(user).values("pk")
    return Vote.objects.filter(
        Q(compound_id__in=managed) | Q(compound_id__in=mine, status__in=PUBLIC_STATUSES)
    ).select_related("compound", "building", "stairwell")


def can_manage(user, vote: Vote) -> bool:
    return managed_compounds(user).filter(pk=vote.compound_id).exists()


def access_vote(user, code: str) -> Vote:
    try:
        return visible_votes(user).get(code=code)
    except Vote.DoesNotExist:
        raise Http404 from None


def manage_vote(user, code: str) -> Vote:
    vote = access_vote(user, code)
    if not can_manage(user, vote):
        raise Http404
    return vote


def public_vote(code: str) -> Vote:
    """A vote's notice and result, for anyone with the code."""
    try:
        return Vote.objects.select_related("compound", "building", "stairwell").get(
            code=code, status__in=PUBLIC_STATUSES
        )
    except Vote.DoesNotExist:
        raise Http404 from None


def sees_electorate(user, vote: Vote) -> bool:
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    if can_manage(user, vote):
        return True
    return bool(scope.person_id) and vote.electorate.filter(owners__person_id=scope.person_id).exists()
