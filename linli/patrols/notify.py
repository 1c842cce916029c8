"""Telling people about patrols and inspections through the notices app: the community's
workers when a patrol records an urgent hazard, and the property company's clerks when an
inspection of their cleaning is submitted."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.notices import kinds
from linli.notices.services import notify
from linli.people.models import Membership
from linli.people.services import community_staff_users

GROUP = gettext_lazy("Patrols and hygiene inspections")
KINDS = {
    "patrols.urgent_finding": gettext_lazy("A patrol found an urgent hazard"),
    "patrols.inspection_submitted": gettext_lazy("A hygiene inspection of our cleaning was submitted"),
}


def register_kinds():
    for code, label in KINDS.items():
        kinds.register(code, label, GROUP)


def urgent_finding(finding) -> None:
    patrol = finding.patrol
    notify(
        users=[u for u in community_staff_users(patrol.compound.community_id) if u.pk != finding.recorded_by_id],
        kind="patrols.urgent_finding",
        title=_("Urgent hazard found in %(compound)s") % {"compound": patrol.compound},
        body=finding.text[:200],
        link=reverse("patrols:detail", args=[patrol.pk]),
        key=f"patrol-finding:{finding.pk}:urgent",
    )


def inspection_submitted(inspection) -> None:
    if not inspection.company_id:
        return
    clerks = Membership.objects.active().filter(
        organisation_id=inspection.company_id, role__in=(Membership.Role.CLERK, Membership.Role.MANAGER)
    )
    notify(
        users=User.objects.filter(person_id__in=clerks.values("person_id"), is_active=True),
        kind="patrols.inspection_submitted",
        title=_("Hygiene inspection of %(area)s: %(percent)s%%")
        % {"area": inspection.area_label, "percent": inspection.percent},
        body=str(inspection.compound),
        link=reverse("patrols:inspection", args=[inspection.pk]),
        key=f"hygiene-inspection:{inspection.pk}:submitted",
    )
