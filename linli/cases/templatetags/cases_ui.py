"""Small pieces of the case pages: the status badge, the due flag in working days, the
escalation level, the label of a timeline event."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linli.cases.lifecycle import TRANSITIONS
from linli.cases.models import FINAL, Status
from linli.lib.masking import mask_phone

register = template.Library()


@register.simple_tag
def status_badge(case):
    return format_html('<span class="badge st-{}">{}</span>', case.status, case.get_status_display())


def due_state(case, days_left: int, now) -> str:
    """How the clock stands: done, paused, overdue, soon (within a working day) or ok."""
    if case.status in FINAL or case.status == Status.RESOLVED:
        return "done"
    if case.status == Status.ON_HOLD:
        return "paused"
    if case.is_overdue(now):
        return "overdue"
    return "soon" if days_left <= 1 else "ok"


def due_text(state: str, days: int) -> str:
    if state == "done":
        return "—"
    if state == "paused":
        return _("clock stopped")
    if state == "overdue":
        n = -days
        if n <= 0:
            return _("overdue")
        return ngettext("%(n)s working day overdue", "%(n)s working days overdue", n) % {"n": n}
    if days <= 0:
        return _("due today")
    return ngettext("%(n)s working day left", "%(n)s working days left", days) % {"n": days}


@register.simple_tag
def due_badge(state: str, days: int):
    """The due flag: red when overdue, amber within one working day."""
    return format_html('<span class="due due-{}">{}</span>', state, due_text(state, days))


@register.filter
def escalation_label(level) -> str:
    return {1: _("to the community"), 2: _("to the subdistrict")}.get(level, "—")


@register.filter
def masked_phone(value) -> str:
    return mask_phone(value or "")


@register.filter
def event_label(event) -> str:
    """What happened, in words: the transition's name, or the kind of event."""
    if event.type == "transition":
        if event.action == "submit":
            return _("submitted")
        spec = TRANSITIONS.get(event.action)
        return str(spec.label) if spec else event.action
    return event.get_type_display()
