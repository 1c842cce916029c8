"""Summaries: the figures of closed months, quarters and years of every subdistrict and
community, counted once by `indicators.compute` and kept as `Figure` rows, so that their pages
read a few hundred rows instead of a year of every home, visit and case (docs/results.md,
"Summaries").

- `summarise(period, levels=...)`: counts every place of each level (one `compute` pass per
  level: one query per family) and replaces the period's rows in one transaction.
- `stored(level, place_ids, codes, keys)`: the rows there are.
- `applies(level, period, today)`: whether a figure may come from a summary: a subdistrict or a
  community, a month, quarter or year whose last day is before today (Asia/Shanghai).

`indicators.compute` and `series.trends` read summaries where they apply and count live what
has no row, so a database without summaries gives the same figures, only slower. A compound's
figures are always live: they read one compound's rows, fast at any scale.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from linli.places.models import Community, Subdistrict

from .db import reading_alias
from .models import Figure
from .period import Period, last_full_month, month, quarter, year

LEVELS = ("subdistrict", "community")
DEFAULT_MONTHS = 3  # late edits (a rating, a resolution entered late) are picked up this long
NAMED = re.compile(r"\d{4}(-\d{2}|-Q[1-4])?")  # a month, a quarter or a year, not a custom range


def is_closed(period: Period, today: dt.date | None = None) -> bool:
    return period.end < (today or timezone.localdate())


def applies(level: str, period: Period, today: dt.date | None = None) -> bool:
    return level in LEVELS and NAMED.fullmatch(period.code) is not None and is_closed(period, today)


def _decoded(value):
    """A figure as `compute` gives it: decimals (hours) are kept as strings in JSON."""
    return Decimal(value) if isinstance(value, str) else value


def stored(level: str, place_ids, codes, keys) -> dict[tuple[int, str], dict]:
    """{(place id, period code): {key: figure}} for the rows there are (one query)."""
    found: dict[tuple[int, str], dict] = {}
    rows = (
        Figure.objects.using(reading_alias())
        .filter(level=level, place_id__in=list(place_ids), period__in=list(codes), key__in=list(keys))
        .values_list("place_id", "period", "key", "value")
    )
    for place_id, code, key, value in rows:
        found.setdefault((place_id, code), {})[key] = _decoded(value)
    return found


def computed_at(level: str, place_id: int, codes) -> dt.datetime | None:
    """When the summaries of a place for these periods were last counted (None: none are)."""
    rows = Figure.objects.using(reading_alias()).filter(level=level, place_id=place_id, period__in=list(codes))
    return rows.aggregate(at=Max("computed_at"))["at"]


def _place_ids(level: str) -> list[int]:
    model = {"subdistrict": Subdistrict, "community": Community}[level]
    return list(model.objects.order_by("pk").values_list("pk", flat=True))


def summarise(period: Period, *, levels=LEVELS, now: dt.datetime | None = None) -> int:
    """Count the period's figures for every place of `levels` and replace its rows, all of them
    or none (one transaction). Returns the number of rows written."""
    from . import indicators as ind

    now = now or timezone.now()
    rows = []
    for level in levels:
        ids = _place_ids(level)
        keys = [i.key for i in ind.INDICATORS if level in i.levels]
        figures = ind.compute(level, ids, period, keys=set(keys), now=now, stored=False)
        rows += [
            Figure(level=level, place_id=pk, period=period.code, key=key, value=figures[pk][key], computed_at=now)
            for pk in ids
            for key in keys
        ]
    with transaction.atomic():
        Figure.objects.filter(level__in=list(levels), period=period.code).delete()
        Figure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def periods(*, months: int = DEFAULT_MONTHS, since: Period | None = None, today: dt.date | None = None) -> list:
    """The closed months to summarise (the last `months`, or every one from `since`), then the
    quarters and years that hold them, those that are closed too."""
    today = today or timezone.localdate()
    last = last_full_month(today)
    chosen = [last]
    first = since.start if since else None
    while (len(chosen) < months and first is None) or (first is not None and chosen[-1].start > first):
        before = chosen[-1].start - dt.timedelta(days=1)
        chosen.append(month(before.year, before.month))
    chosen.reverse()
    wider = []
    for m in chosen:
        for period in (quarter(m.start.year, (m.start.month - 1) // 3 + 1), year(m.start.year)):
            if is_closed(period, today) and period not in wider:
                wider.append(period)
    return chosen + sorted(wider, key=lambda p: (len(p.code) == 4, p.start))  # quarters, then years


def last_run() -> dt.datetime | None:
    return Figure.objects.aggregate(at=Max("computed_at"))["at"]
