"""The kinds of event a person can be told about, each with a label for the preferences page.

Kinds are namespaced by the app that announces them ("case.reply"); an app adds its own with
`register()` in its AppConfig.ready. A kind not registered can still be sent: it is then on
for every channel and does not appear on the preferences page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    group: str
    # Personal channels that are on until the person turns them off (in-app is always on).
    default_channels: frozenset[str] = frozenset({"email"})


KINDS: dict[str, Kind] = {}


def register(code: str, label, group, *, default_channels=("email",)) -> None:
    KINDS[code] = Kind(code, label, group, frozenset(default_channels))


def label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


CASES = _("Requests and disputes")
for _code, _label in [
    ("case.submitted", _("A new case for my organisation")),
    ("case.dispatched", _("A case dispatched to my organisation")),
    ("case.reopened", _("A case reopened by the resident")),
    ("case.soon_due", _("A case due within a day")),
    ("case.overdue", _("A case overdue")),
    ("case.escalated", _("A case escalated")),
    ("case.revisit", _("A revisit to do")),
    ("case.accepted", _("My case accepted")),
    ("case.reply", _("A reply to my case")),
    ("case.resolved", _("My case resolved")),
    ("case.rejected", _("My case not accepted")),
    ("case.returned", _("My case being passed on")),
    ("case.merged", _("My case merged with another")),
]:
    register(_code, _label, CASES)
