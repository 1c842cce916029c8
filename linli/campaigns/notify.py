"""Telling visitors they have homes to visit (through the notices app)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.notices import kinds
from linli.notices.services import notify

GROUP = gettext_lazy("Door-to-door campaigns")
KINDS = {"campaign.assigned": gettext_lazy("I have homes to visit for a campaign")}


def register_kinds():
    for code, label in KINDS.items():
        kinds.register(code, label, GROUP)


def assigned(campaign, person_ids) -> None:
    if not person_ids:
        return
    notify(
        users=User.objects.filter(person_id__in=person_ids, is_active=True),
        kind="campaign.assigned",
        title=_("Homes to visit: %(title)s") % {"title": campaign.title},
        body=_("Your list is ready. It keeps working without signal once opened."),
        link=reverse("campaigns:mine"),
        key="",
    )
