"""Working days in mainland China: weekends, statutory holidays and make-up workdays (调休).

The State Council publishes each year's schedule in the autumn before; `chinesecalendar`
carries the published years. For a year it does not know yet, we fall back to weekends plus
the fixed-date statutory holidays, and `overrides` (entered by an administrator, see
cases.CalendarDay) win over both, so the next year's schedule can be typed in the day it is
published instead of waiting for a library release.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

import chinese_calendar

log = logging.getLogger(__name__)

# Statutory holidays that fall on a fixed date (Regulations on Public Holidays, 2025 text):
# New Year's Day, Labour Day (1-2 May), National Day (1-3 October). The lunar ones (Spring
# Festival, Qingming, Dragon Boat, Mid-Autumn) need the published schedule or an override.
_FIXED = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
_warned: set[int] = set()

Overrides = Mapping[dt.date, bool]  # date -> is a working day


def is_workday(day: dt.date, overrides: Overrides | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            log.warning("no published holiday schedule for %s: using weekends and fixed holidays", day.year)
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED


def add_workdays(start: dt.date, n: int, overrides: Overrides | None = None) -> dt.date:
    """The n-th working day after `start` (start itself not counted). n == 0 gives the first
    working day on or after start."""
    day = start
    if n <= 0:
        while not is_workday(day, overrides):
            day += dt.timedelta(days=1)
        return day
    while n:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            n -= 1
    return day


def workdays_between(start: dt.date, end: dt.date, overrides: Overrides | None = None) -> int:
    """Working days in (start, end]: how many working days a clock ran from start to end."""
    if end <= start:
        return 0
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day, overrides)
    return count
