"""The figures behind the dashboards: trends by month, a comparison of child places, and the
building grid of a compound.

- `trends(level, place_ids, period)`: the twelve months ending with the period's last month,
  one grouped query per family (`TruncMonth` in Asia/Shanghai, the indicators' own
  aggregates), whatever the number of months or places.
- `comparison(level, place, key, period)`: the communities of a subdistrict or the compounds
  of a community on one indicator (`indicators.compute`, one query).
- `building_grid(compound, period)`: per building its homes, homes visited, homes with
  residents recorded, cases received, open cases and leaders: four grouped queries.

Everything reads `db.reading_alias()` (the replica when there is one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import Count, DateField, F, Func, Q, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from linli.campaigns.models import CampaignVisit
from linli.cases.models import OPEN_WORK, Case, Status
from linli.people.models import LeaderAssignment, Visit
from linli.places.models import Building, Compound, Home

from . import exports, summaries
from . import indicators as ind
from .db import reading_alias
from .period import Period, custom, month
from .tables import children

MONTHS = 12
# The figures that mean something per month (flows; "overdue now" and the stocks do not).
TREND_KEYS = (
    "cases_received",
    "cases_replied_on_time",
    "cases_resolved_on_time",
    "cases_resolution_rate",
    "cases_satisfied",
    "disputes_mediated",
    "votes_held",
    "volunteer_hours",
    "homes_visited",
)
# The column that dates a family's rows, and whether it is a datetime (counted in Asia/Shanghai days).
MONTH_OF = {
    "cases": ("submitted_at", True),
    "mediations": ("concluded_at", True),
    "votes": ("closed_at", True),
    "hours": ("on", False),
}
# What a public chart must not show alone (exports._withheld): the counts behind rates and sums.
BASES = {
    "cases": {"handled": Count("pk", filter=~Q(status=Status.REJECTED)), "rated": Count("rating")},
    "hours": {"volunteers": Count("person", distinct=True)},
}
# The indicators a comparison may be asked for: those with a meaning per place and period.
COMPARE_KEYS = TREND_KEYS + ("cases_overdue", "campaign_reach", "building_leaders", "organisation_members")


def months_ending(period: Period, count: int = MONTHS) -> list[Period]:
    """The `count` months ending with the month of the period's last day, oldest first."""
    y, m = period.end.year, period.end.month
    out = []
    for _i in range(count):
        out.append(month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def _fixed_offset(months: list[Period]) -> dt.timedelta | None:
    """The site's UTC offset if it is the same all over these months (Asia/Shanghai has had no
    summer time since 1991), else None."""
    zone = timezone.get_default_timezone()
    offsets = {
        zone.utcoffset(dt.datetime.combine(m.start + dt.timedelta(days=d), dt.time())) for m in months for d in (0, 14)
    }
    return offsets.pop() if len(offsets) == 1 else None


def _month_expression(column: str, is_datetime: bool, months: list[Period]):
    """The first day of a row's month (a date), in the site's time zone for a datetime.

    On SQLite, Django's TruncMonth calls a Python function per row; with a fixed offset,
    SQLite's own strftime does the same several times faster (thousands of visits a year)."""
    if connections[reading_alias()].vendor == "sqlite":
        offset = _fixed_offset(months) if is_datetime else dt.timedelta(0)
        if offset is not None:
            minutes = f"{int(offset.total_seconds() // 60):+d} minutes"
            return Func(Value("%Y-%m-01"), F(column), Value(minutes), function="strftime", output_field=DateField())
    if is_datetime:
        return TruncMonth(column, output_field=DateField(), tzinfo=timezone.get_default_timezone())
    return TruncMonth(column, output_field=DateField())


def _as_month(value) -> dt.date:
    """The first day of the month a row was grouped under (SQLite hands raw SQL a string)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass
class Series:
    indicator: ind.Indicator
    values: list  # one per month; None: nothing to divide by, or withheld on a public page
    withheld: list = field(default_factory=list)  # the months (first days) withheld

    @property
    def points(self) -> list:
        return [float(v) if isinstance(v, Decimal) else v for v in self.values]


def trend_indicators(level: str, *, public_only: bool = False, keys=TREND_KEYS) -> list[ind.Indicator]:
    chosen = [ind.get(k) for k in keys]
    return [i for i in chosen if i and level in i.levels and (i.public or not public_only)]


def trends(level: str, place_ids, period: Period, *, public_only: bool = False, keys=TREND_KEYS, now=None) -> dict:
    """{"months": [Period], "series": [Series]}: the chosen indicators over the twelve months
    ending with the period, summed over `place_ids`. On a public page (`public_only`) a
    month's figure that open data would withhold is None and listed in `withheld`."""
    now = now or timezone.now()
    place_ids = list(place_ids)
    months = months_ending(period)
    chosen = trend_indicators(level, public_only=public_only, keys=keys)
    found: dict[str, dict] = {i.key: {} for i in chosen}
    summarised = {} if public_only or len(place_ids) != 1 else _summarised(level, place_ids[0], months, chosen, now)
    live_months = [m for m in months if m.start not in summarised]
    span = custom(live_months[0].start, live_months[-1].end) if live_months else None
    bases = _bases(months)
    if span is not None:  # the months without a summary, counted live
        bases |= _count_live(level, place_ids, span, live_months, chosen, found, public_only=public_only, now=now)
    for first, values in summarised.items():
        for indicator in chosen:
            found[indicator.key][first] = values[indicator.key]
    series = []
    for indicator in chosen:
        empty = _empty(indicator, span or custom(months[0].start, months[-1].end), now)
        values, withheld = [], []
        for m in months:
            figure = found[indicator.key].get(m.start, empty)
            if public_only and exports._withheld(indicator, figure, bases[m.start]):
                figure = None
                withheld.append(m.start)
            values.append(figure)
        series.append(Series(indicator, values, withheld))
    return {"months": months, "series": series}


def _bases(months: list[Period]) -> dict:
    return {m.start: {"handled": 0, "rated": 0, "volunteers": 0, "assigned": 0} for m in months}


def _summarised(level: str, place_id, months: list[Period], chosen, now) -> dict:
    """{first day of month: {key: figure}} for the closed months whose summary has every
    chosen figure (one query; none when no month is closed)."""
    today = timezone.localdate(now)
    closed = [m for m in months if summaries.applies(level, m, today)]
    if not closed or not chosen:
        return {}
    keys = {i.key for i in chosen}
    found = summaries.stored(level, [place_id], [m.code for m in closed], keys)
    return {m.start: found[(place_id, m.code)] for m in closed if keys <= found.get((place_id, m.code), {}).keys()}


def _count_live(level, place_ids, span, months, chosen, found, *, public_only, now) -> dict:
    """The chosen figures of `months` (the span from the first to the last) from the records,
    into `found`, one grouped query per family; returns the months' withholding bases."""
    bases = _bases(months)
    families: dict[str, list[ind.Indicator]] = {}
    compounds: dict = {}  # the place's compounds, asked once for every family placed by them
    for indicator in chosen:
        families.setdefault(indicator.family.key, []).append(indicator)
    for key, members in families.items():
        if key == "homes":
            visited = _homes_visited(level, place_ids, span, months)
            for indicator in members:
                found[indicator.key] = visited
            continue
        column, is_datetime = MONTH_OF[key]
        family_level, family_ids = _by_compounds(members[0].family, level, place_ids, compounds)
        aggregates = {}
        for indicator in members:
            aggregates.update(indicator.aggregates(span))
        if public_only:
            aggregates.update({f"base__{name}": expr for name, expr in BASES.get(key, {}).items()})
        rows = (
            members[0]
            .family.filtered(family_level, family_ids, span, now)
            .using(reading_alias())
            .annotate(series_month=_month_expression(column, is_datetime, months))
            .order_by()
            .values("series_month")
            .annotate(**aggregates)
        )
        for row in rows:
            first = _as_month(row["series_month"])
            if first in bases:
                bases[first].update({k[6:]: v for k, v in row.items() if k.startswith("base__")})
            for indicator in members:
                found[indicator.key][first] = indicator.result(row)
    return bases


def _by_compounds(family: ind.Family, level: str, place_ids: list, compounds: dict) -> tuple[str, list]:
    """(level, ids) to filter a family's rows by. Rows placed by their compound column (cases,
    …) are filtered by the ids of the place's compounds, the same rows as through
    `compound.community_id`, but given as literals PostgreSQL reads the (compound, submitted_at)
    index instead of a year of every place's cases (docs/bench.md, "Results at street scale").
    `compounds` keeps the ids for the next family (one query per trend)."""
    if level == "compound" or family.places != ind.via("compound"):
        return level, place_ids
    if "ids" not in compounds:
        column = {"community": "community_id__in", "subdistrict": "community__subdistrict_id__in"}[level]
        found = Compound.objects.using(reading_alias()).filter(**{column: place_ids}).values_list("pk", flat=True)
        compounds["ids"] = list(found)
    return "compound", compounds["ids"]


def _empty(indicator, period, now):
    """The figure of a month without rows: 0 for counts and sums, None for rates (no query)."""
    if indicator.key == "homes_visited":
        return 0
    return indicator.result(indicator.family.base(period, now).none().aggregate(**indicator.aggregates(period)))


def _homes_visited(level: str, place_ids, span: Period, months: list[Period]) -> dict:
    """{first day of month: homes visited}: distinct homes with a registry or a campaign visit
    that month, both tables in one query (a UNION of (home, month) pairs, counted per month)."""
    alias = reading_alias()
    column = ind.via("home__stairwell__building__compound")[level]
    parts = [
        model.objects.using(alias)
        .filter(**{f"{column}__in": place_ids}, visited_at__gte=span.start_at, visited_at__lt=span.end_before)
        .annotate(series_month=_month_expression("visited_at", True, months))
        .order_by()
        .values_list("home_id", "series_month")
        for model in (Visit, CampaignVisit)
    ]
    union = parts[0].union(parts[1])  # UNION, not UNION ALL: a home visited twice in a month counts once
    sql, params = union.query.get_compiler(alias).as_sql()
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT u.series_month, COUNT(*) FROM ({sql}) u GROUP BY u.series_month", params)
        return {_as_month(first): n for first, n in cursor.fetchall()}


# --- comparison ------------------------------------------------------------------------


def compare_indicators(level: str, *, public_only: bool = False) -> list[ind.Indicator]:
    child = ind.CHILD.get(level)
    if child is None:
        return []
    return trend_indicators(child, public_only=public_only, keys=COMPARE_KEYS)


def comparison(level: str, place, key: str, period: Period, *, public_only: bool = False, now=None) -> list:
    """[(child place, figure)] for the communities of a subdistrict or the compounds of a
    community on one indicator. Public: what open data would withhold is None (its primary and,
    among compounds, its secondary rule)."""
    indicator = ind.get(key)
    kids = children(level, place)
    child_level = ind.CHILD.get(level)
    if not kids or indicator is None or child_level not in indicator.levels:
        return []
    ids = [k.pk for k in kids]
    if public_only:
        rows = exports._places(child_level, [indicator], ids, period, now or timezone.now())
        if child_level == "compound":
            for row in rows:  # _secondary looks at every additive figure; the others are absent here
                row["values"] = {**dict.fromkeys(exports.ADDITIVE), **row["values"]}
            exports._secondary(rows)
        figures = {r["id"]: r["values"][key] for r in rows}
    else:
        figures = {pk: v[key] for pk, v in ind.compute(child_level, ids, period, keys={key}, now=now).items()}
    return [(kid, figures[kid.pk]) for kid in kids]


# --- the building grid -----------------------------------------------------------------


@dataclass
class BuildingRow:
    building: Building
    homes: int = 0
    visited: int = 0
    recorded: int = 0
    received: int = 0
    open: int = 0
    leaders: int = 0

    @property
    def visited_percent(self):
        return ind.percent(self.visited, self.homes)

    @property
    def recorded_percent(self):
        return ind.percent(self.recorded, self.homes)


def building_grid(compound, period: Period) -> list[BuildingRow]:
    """One row per building of the compound (four grouped queries): homes, homes visited in
    the period, homes with a resident recorded on its last day, cases received in the period
    and open now (those placed on a building), building leaders on its last day."""
    alias = reading_alias()
    rows = {
        b.pk: BuildingRow(b)
        for b in Building.objects.using(alias).filter(compound=compound).order_by("sort_key", "name", "pk")
    }
    homes = (
        Home.objects.using(alias)
        .filter(stairwell__building__compound=compound)
        .order_by()
        .values("stairwell__building_id")
        .annotate(
            homes=Count("pk"),
            visited=Count("pk", filter=ind._visited(period)),
            recorded=Count("pk", filter=ind._occupied(period)),
        )
    )
    for row in homes:
        found = rows.get(row["stairwell__building_id"])
        if found:
            found.homes, found.visited, found.recorded = row["homes"], row["visited"], row["recorded"]
    cases = (
        Case.objects.using(alias)
        .filter(compound=compound, building__isnull=False)
        .exclude(status=Status.MERGED)
        .order_by()
        .values("building_id")
        .annotate(
            received=Count("pk", filter=Q(submitted_at__gte=period.start_at, submitted_at__lt=period.end_before)),
            open=Count("pk", filter=OPEN_WORK),
        )
    )
    for row in cases:
        if found := rows.get(row["building_id"]):
            found.received, found.open = row["received"], row["open"]
    leaders = (
        ind._as_of(LeaderAssignment.objects.using(alias).filter(kind__in=ind.LEADER_KINDS), period.end)
        .filter(building__compound=compound)
        .order_by()
        .values("building_id")
        .annotate(n=Count("person_id", distinct=True))
    )
    for row in leaders:
        if found := rows.get(row["building_id"]):
            found.leaders = row["n"]
    return list(rows.values())


def band(percent_value) -> str:
    """The colour band of a share (a CSS class; the cell shows the number as text too)."""
    if percent_value is None:
        return "none"
    if percent_value >= 80:
        return "good"
    if percent_value >= 50:
        return "fair"
    return "low"
