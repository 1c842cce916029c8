"""Writes about people that touch several models or must be logged."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from linli.accounts.scope import can_reveal
from linli.people.models import Person, RevealLog

REVEALABLE = {RevealLog.Field.PHONE: "phone", RevealLog.Field.ID_NUMBER: "id_number"}


def reveal(*, user, person: Person, field: str, reason: str, ip: str | None = None) -> str:
    """Show a private value unmasked, if the user's role and place allow it, and log it."""
    if field not in REVEALABLE:
        raise ValueError(_("This field cannot be revealed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Please say why you need to see this."))
    if not can_reveal(user, person, field):
        raise PermissionDenied(_("Your role does not allow you to see this."))
    RevealLog.objects.create(user=user, person=person, field=field, reason=reason[:200], ip=ip)
    return getattr(person, REVEALABLE[field])


def community_staff_users(community_id):
    """The active users who staff a community: its residents' committee and party committee,
    members with a role (workers, secretaries, chairs), not plain members. One query."""
    from linli.accounts.models import User

    from .models import Membership, Organisation

    orgs = Organisation.objects.filter(
        kind__in=(Organisation.Kind.RESIDENTS_COMMITTEE, Organisation.Kind.PARTY_COMMITTEE),
        community_id=community_id,
    )
    people = Membership.objects.active().filter(organisation__in=orgs).exclude(role=Membership.Role.MEMBER)
    return User.objects.filter(person_id__in=people.values("person_id"), is_active=True)
