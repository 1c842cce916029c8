"""Who sees which elevator projects, and who runs them.

- Those who run the votes of a compound (linli.votes.access.managed_compounds: community
  workers, the party secretary, subdistrict and system administrators, the owners' committee)
  run the elevator projects of its stairwells: the plan, the calculator, adoption, milestones,
  maintenance, the agreement document.
- A resident of the stairwell sees its project and milestones read-only, and of the shares only
  those of his own homes.
- Anyone else gets a 404, the same as for a project that does not exist.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from linli.accounts.scope import Role, scope_for
from linli.places.models import Home, Stairwell
from linli.votes.access import managed_compounds

from .models import ElevatorProject
from .services import frozen_shares


def own_home_ids(user) -> set[int]:
    """The homes the user lives in (any active occupancy)."""
    scope = scope_for(user)
    ids: set[int] = set()
    for grant in scope.grants:
        if grant.role == Role.RESIDENT:
            ids |= set(grant.ids)
    return ids


def managed_projects(user):
    return ElevatorProject.objects.filter(stairwell__building__compound__in=managed_compounds(user))


def visible_projects(user):
    scope = scope_for(user)
    if scope.user_id is None:
        return ElevatorProject.objects.none()
    stairwells = Home.objects.filter(pk__in=own_home_ids(user)).values("stairwell_id")
    managed = managed_compounds(user).values("pk")
    return ElevatorProject.objects.filter(
        Q(stairwell__building__compound__in=managed) | Q(stairwell__in=stairwells)
    ).select_related("stairwell__building__compound", "consent_vote")


def can_manage(user, project: ElevatorProject) -> bool:
    return managed_compounds(user).filter(pk=project.stairwell.building.compound_id).exists()


def access_project(user, pk) -> ElevatorProject:
    try:
        return visible_projects(user).get(pk=pk)
    except (ElevatorProject.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def manage_project(user, pk) -> ElevatorProject:
    project = access_project(user, pk)
    if not can_manage(user, project):
        raise Http404
    return project


def shares_seen(user, project: ElevatorProject):
    """The frozen shares the user may see: all for those who run the project, his own homes' for
    a resident."""
    shares = frozen_shares(project)
    if can_manage(user, project):
        return shares
    return shares.filter(home_id__in=own_home_ids(user))


def manageable_stairwells(user):
    return Stairwell.objects.filter(building__compound__in=managed_compounds(user)).select_related("building__compound")
