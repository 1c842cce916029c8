"""The case figures, for any set of cases (already filtered by place, organisation,
category and period): received, first reply on time, resolved on time, resolution rate,
average rating, overdue now. One query for the totals, one per grouping."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import get_language

from .models import FINAL, Status

WORKING = ~Q(status__in=[*FINAL, Status.RESOLVED, Status.ON_HOLD])


def figures(cases, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    return _rates(cases.exclude(status=Status.MERGED).aggregate(**_aggregates(now)))


def _aggregates(now):
    """The figures as aggregates, so that they can also be grouped."""
    return {
        "received": Count("pk"),
        "replied_on_time": Count("pk", filter=Q(first_reply_at__isnull=False, first_reply_at__lte=F("reply_due"))),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "resolved_on_time": Count("pk", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due"))),
        "rejected": Count("pk", filter=Q(status=Status.REJECTED)),
        "overdue": Count("pk", filter=Q(resolve_due__lt=now) & WORKING),
        "rated": Count("rating"),
        "rating": Avg("rating"),
    }


def _rates(row: dict) -> dict:
    handled = row["received"] - row["rejected"]
    row["resolution_rate"] = round(100 * row["resolved"] / handled, 1) if handled else None
    row["reply_on_time_rate"] = round(100 * row["replied_on_time"] / row["received"], 1) if row["received"] else None
    row["rating"] = round(row["rating"], 2) if row["rating"] is not None else None
    return row


def grouped_figures(cases, by: str, now=None) -> list[dict]:
    """The figures per compound or per category: one grouped query."""
    now = now or timezone.now()
    names = {"compound": ["compound__name"], "category": ["category__name_zh", "category__name_en"]}[by]
    rows = (
        cases.exclude(status=Status.MERGED)
        .order_by()
        .values(f"{by}_id", *names)
        .annotate(**_aggregates(now))
        .order_by(*names)
    )
    zh = (get_language() or "zh-hans").startswith("zh")
    out = []
    for row in rows:
        row = _rates(dict(row))
        row["name"] = row[names[0]] if (zh or len(names) == 1) else row[names[1]]
        out.append(row)
    out.sort(key=lambda row: (-row["received"], row["name"]))  # the busiest first
    return out
