"""The period a figure is counted over: a month, a quarter, a year or a custom range of days.

A period has a code that round-trips through a URL: "2026-11" (a month), "2026-Q4" (a
quarter), "2026" (a year), "2026-11-03..2026-11-20" (a custom range, both days included).
The default is the last full month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_DAYS = 366 * 20  # a range longer than twenty years is a typo


@dataclass(frozen=True)
class Period:
    start: dt.date  # the first day counted
    end: dt.date  # the last day counted (included)
    code: str

    @property
    def start_at(self) -> dt.datetime:
        """The first instant, in the site's time zone (Asia/Shanghai)."""
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        """The first instant after the period."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def __str__(self) -> str:
        return self.code if ".." not in self.code else f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


def month(year: int, number: int) -> Period:
    start = dt.date(year, number, 1)
    nxt = dt.date(year + (number == 12), number % 12 + 1, 1)
    return Period(start, nxt - dt.timedelta(days=1), f"{year:04d}-{number:02d}")


def quarter(year: int, number: int) -> Period:
    first, last = month(year, 3 * number - 2), month(year, 3 * number)
    return Period(first.start, last.end, f"{year:04d}-Q{number}")


def year(number: int) -> Period:
    return Period(dt.date(number, 1, 1), dt.date(number, 12, 31), f"{number:04d}")


def custom(start: dt.date, end: dt.date) -> Period:
    if start > end:
        raise ValidationError(_("The first day must not be after the last day."), code="bad_period")
    if (end - start).days > MAX_DAYS:
        raise ValidationError(_("Choose a period of at most twenty years."), code="bad_period")
    return Period(start, end, f"{start:%Y-%m-%d}..{end:%Y-%m-%d}")


def last_full_month(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    previous = today.replace(day=1) - dt.timedelta(days=1)
    return month(previous.year, previous.month)


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            _("Enter the %(field)s as a date like 2026-11-30.") % {"field": field}, code="bad_date"
        ) from None


def parse(code: str | None = None, *, start: str | None = None, end: str | None = None) -> Period:
    """The period from a code or from two dates (the dates win when given). Bad input raises
    ValidationError with a message for the user."""
    if start or end:
        if not (start and end):
            raise ValidationError(_("Give both the first and the last day."), code="bad_period")
        return custom(_date(start, _("first day")), _date(end, _("last day")))
    code = (code or "").strip()
    if not code:
        return last_full_month()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", code):
            if 1 <= int(m[2]) <= 12:
                return month(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", code):
            return quarter(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"\d{4}", code):
            return year(int(code))
        elif m := re.fullmatch(r"(\S+)\.\.(\S+)", code):
            return custom(_date(m[1], _("first day")), _date(m[2], _("last day")))
    except ValueError:
        pass
    raise ValidationError(
        _("Give the period as a month (2026-11), a quarter (2026-Q4), a year (2026) or two dates."),
        code="bad_period",
    )
