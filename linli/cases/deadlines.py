"""Deadlines in working days: a first reply within 1, resolution by kind (Guangdong 12345)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from linli.lib import workdays

from .models import CalendarDay, DeadlineRule, Kind

# Used when an administrator deleted a kind's rule: the 12345 norms.
DEFAULT_DAYS = {
    Kind.CONSULTATION: (1, 2),
    Kind.REQUEST: (1, 10),
    Kind.SUGGESTION: (1, 10),
    Kind.COMPLAINT: (1, 15),
    Kind.DISPUTE: (1, 15),
}


def overrides() -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.values_list("date", "is_workday"))


def days_for(kind: str) -> tuple[int, int]:
    rule = DeadlineRule.objects.filter(kind=kind).values_list("reply_days", "resolve_days").first()
    return rule or DEFAULT_DAYS.get(kind, (1, 10))


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a day in the site's time zone (Beijing)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def dues(start: dt.datetime, kind: str, cal: dict | None = None) -> tuple[dt.datetime, dt.datetime]:
    """(first reply due, resolution due) for a case received at `start`: the end of the n-th
    working day after the day it arrived."""
    cal = overrides() if cal is None else cal
    reply_days, resolve_days = days_for(kind)
    day = local_date(start)
    return (
        end_of_day(workdays.add_workdays(day, reply_days, cal)),
        end_of_day(workdays.add_workdays(day, resolve_days, cal)),
    )


def shift(due: dt.datetime, days: int, cal: dict | None = None) -> dt.datetime:
    """Move a due date later by `days` working days (the time a case spent on hold)."""
    if days <= 0:
        return due
    cal = overrides() if cal is None else cal
    return end_of_day(workdays.add_workdays(local_date(due), days, cal))


def held_workdays(start: dt.datetime, end: dt.datetime, cal: dict | None = None) -> int:
    cal = overrides() if cal is None else cal
    return workdays.workdays_between(local_date(start), local_date(end), cal)


def workdays_left(due: dt.datetime, now: dt.datetime | None = None, cal: dict | None = None) -> int:
    """Working days from today until the due day (negative when overdue)."""
    cal = overrides() if cal is None else cal
    today, due_day = local_date(now or timezone.now()), local_date(due)
    if due_day >= today:
        return workdays.workdays_between(today, due_day, cal)
    return -workdays.workdays_between(due_day, today, cal)
