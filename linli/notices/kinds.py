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


# Groups on the preferences page: a resident sees his own cases; those who work on cases both.
MY_CASES = _("My requests")
WORK = _("Cases I work on")
for _code, _label, _group in [
    ("case.accepted", _("My case accepted"), MY_CASES),
    ("case.reply", _("A reply to my case"), MY_CASES),
    ("case.resolved", _("My case resolved"), MY_CASES),
    ("case.rejected", _("My case not accepted"), MY_CASES),
    ("case.returned", _("My case being passed on"), MY_CASES),
    ("case.merged", _("My case merged with another"), MY_CASES),
    ("case.submitted", _("A new case for my organisation"), WORK),
    ("case.dispatched", _("A case dispatched to my organisation"), WORK),
    ("case.reopened", _("A case reopened by the resident"), WORK),
    ("case.soon_due", _("A case due within a day"), WORK),
    ("case.overdue", _("A case overdue"), WORK),
    ("case.escalated", _("A case escalated"), WORK),
    ("case.revisit", _("A revisit to do"), WORK),
]:
    register(_code, _label, _group)

# Announcements reach everyone in a place: under the bell only, unless a person asks for more.
register("announcement", _("An announcement for my home"), _("Announcements"), default_channels=())
