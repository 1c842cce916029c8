"""Notices of the privacy app: a resident's correction or deletion request decided."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.notices import kinds
from linli.notices.services import notify

GROUP = gettext_lazy("My personal information")
KINDS = {
    "privacy.correction": gettext_lazy("My correction request decided"),
    "privacy.deletion": gettext_lazy("My deletion request decided"),
}


def register_kinds():
    for code, label in KINDS.items():
        kinds.register(code, label, GROUP)


def correction_decided(request, user) -> None:
    if user is None:
        return
    notify(
        users=[user],
        kind="privacy.correction",
        title=_("Your correction of %(field)s: %(status)s")
        % {"field": request.get_field_display(), "status": request.get_status_display()},
        body=request.reason,
        link="/privacy/",
        key=f"privacy.correction.{request.pk}",
    )


def deletion_rejected(request, user) -> None:
    """Only a refusal is told in the app: an accepted deletion deactivates the account, so
    the worker tells the resident in person or by phone before approving."""
    if user is None:
        return
    notify(
        users=[user],
        kind="privacy.deletion",
        title=_("Your deletion request was not accepted"),
        body=request.reason,
        link="/privacy/",
        key=f"privacy.deletion.{request.pk}",
    )
