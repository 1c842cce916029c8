"""Template helpers for the shared page frame: the user's roles and what the nav offers."""

from django import template
from django.utils.translation import gettext_lazy as _

from linli.accounts.scope import Role, scope_for

register = template.Library()

# Roles whose reach is places (buildings, compounds, communities), not only their own homes.
PLACE_ROLES = {
    Role.BUILDING_LEADER,
    Role.ASSOCIATION_OFFICER,
    Role.OWNERS_COMMITTEE,
    Role.PROPERTY_CLERK,
    Role.COMMUNITY_WORKER,
    Role.PARTY_SECRETARY,
    Role.SUBDISTRICT_ADMIN,
    Role.SYSTEM_ADMIN,
}


@register.simple_tag
def user_roles(user):
    """The user's current roles, in a stable order, as (value, label) choices."""
    if not user or not user.is_authenticated:
        return []
    roles = scope_for(user).roles
    return [Role(value) for value in Role.values if value in roles]


@register.simple_tag
def sees_places(user) -> bool:
    return bool(user and user.is_authenticated and scope_for(user).roles & PLACE_ROLES)


@register.simple_tag
def may_import(user) -> bool:
    from linli.people.importing import can_import

    return bool(user and user.is_authenticated and can_import(user))


_COUNTS = [
    ("compound_count", _("Compounds")),
    ("building_count", _("Buildings")),
    ("stairwell_count", _("Stairwells")),
    ("home_count", _("Homes")),
    ("resident_count", _("Residents")),
    ("leader_count", _("Leaders")),
]


@register.filter
def counts(row):
    """The counts annotated on a place (see places/counts.py), as (label, number) pairs."""
    return [(label, getattr(row, attr)) for attr, label in _COUNTS if hasattr(row, attr)]


@register.filter
def has(collection, item) -> bool:
    """`{% include ... with can=revealable|has:person.pk %}`: membership test for includes."""
    return bool(collection) and item in collection


@register.simple_tag
def handles_cases(user) -> bool:
    """Leaders, handlers of an organisation's cases and community staff get the work queue."""
    from linli.cases.access import handler_org_ids, leader_q, staff_q

    if not (user and user.is_authenticated):
        return False
    return bool(handler_org_ids(user)) or leader_q(user) is not None or staff_q(user) is not None
