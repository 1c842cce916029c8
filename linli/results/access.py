"""Who may read which places' figures.

Staff (community workers, party secretaries, subdistrict administrators, system
administrators) read the figures of the places their role covers, and of the places below.
Unlike `visible_places`, a grant never reaches *up*: a community worker sees the compounds of
his community but not the subdistrict's totals, which would tell him about other communities.
Anyone else reads only the public pages.
"""

from django.db.models import Q
from django.http import Http404

from linli.accounts.scope import LEVELS, MODELS, Role, scope_for

STAFF_ROLES = {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and scope_for(user).roles & STAFF_ROLES)


def places(user, level: str):
    """The places of `level` whose figures the user may read."""
    grants = [g for g in scope_for(user).grants if g.role in STAFF_ROLES]
    q = Q(pk__in=[])
    for grant in grants:
        if grant.level == "all":
            return MODELS[level].objects.all()
        if LEVELS.index(grant.level) <= LEVELS.index(level):
            q |= grant.place_q(level)
    return MODELS[level].objects.filter(q)


def access(user, level: str, pk):
    """The place, if the user may read its figures; else 404 (as for what does not exist)."""
    if level not in ("subdistrict", "community", "compound"):
        raise Http404
    try:
        return places(user, level).get(pk=pk)
    except (MODELS[level].DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def default_place(user):
    """The broadest place the user may read: (level, place), or (None, None)."""
    for level in ("subdistrict", "community", "compound"):
        if place := places(user, level).order_by("pk").first():
            return level, place
    return None, None
