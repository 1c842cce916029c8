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
