"""Roster notices: a swap decided, a shift short of people soon."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.notices import kinds
from linli.notices.services import notify

GROUP = gettext_lazy("Duty rosters")
KINDS = {
    "rosters.swap": gettext_lazy("A duty swap was decided"),
    "rosters.gap": gettext_lazy("A duty shift is short of people"),
}


def register_kinds():
    for code, label in KINDS.items():
        kinds.register(code, label, GROUP)


def swap_decided(swap, person_ids) -> None:
    notify(
        users=User.objects.filter(person_id__in=person_ids, is_active=True),
        kind="rosters.swap",
        title=_("Duty swap %(state)s: %(shift)s") % {"state": swap.get_status_display(), "shift": swap.duty.shift},
        key=f"rosters.swap.{swap.pk}",
    )


def gap(shift, users, missing: int) -> None:
    notify(
        users=users,
        kind="rosters.gap",
        title=_("Shift short of %(n)d: %(shift)s") % {"n": missing, "shift": shift},
        key=f"rosters.gap.{shift.pk}",
    )
