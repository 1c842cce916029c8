"""Exports of the results: the staff table and the rows behind a figure as Excel files, and the
open data (anonymised aggregates of the public indicators per compound and community) as CSV
and JSON.

Open data suppression (docs/results.md, "Open data"): a figure that counts people, or cases
people filed, is withheld when it is 1 to 4; a rate or mean is withheld when fewer than five
cases (or rated cases, or assigned homes) stand behind it; volunteer hours when fewer than five
volunteers earned them. Within a community, when exactly one compound's additive figure is
withheld, the next smallest compound's is withheld too, else the community's total minus the
others would give it away.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from linli.cases.models import Status
from linli.lib import xlsx
from linli.places.models import Community, Compound

from . import indicators as ind
from .period import Period

XLSX = xlsx.XLSX
SCHEMA = "linli-open-results/1"
THRESHOLD = 5

# --- Excel -------------------------------------------------------------------------------


def _book(title: str, headers: list[str], widths: list[int], lines) -> bytes:
    """A title row, a bold frozen header row, then the lines; text that reads as a number (hours
    "1.5") becomes one."""
    sheet = xlsx.Sheet(title, headers, lines, widths=widths, title_line=True, numbers_from_text=True)
    return xlsx.as_bytes([sheet])


def table_workbook(level: str, place, period: Period, table: dict) -> bytes:
    """The results table of `tables.table`: one row per indicator, a column per place."""
    columns = table["columns"]
    headers = [_("Section"), _("Indicator"), _("Unit")] + [c.place.name for c in columns]
    widths = [14, 36, 12] + [xlsx.width(c.place.name, 12) for c in columns]
    title = f"{_('Results')} · {place.name} · {period}"

    def lines():
        for section_label, rows in table["sections"]:
            for indicator, figures in rows:
                yield [str(section_label), str(indicator.label), str(indicator.unit_label)] + [
                    figure for _col, figure in figures
                ]

    return _book(title, headers, widths, lines())


def rows_workbook(indicator, level: str, place, period: Period, value, qs) -> bytes:
    """Every row behind a figure, with the columns (and the masking) of the rows page."""
    columns = indicator.row_columns
    headers = [capfirst(str(label)) for label, _fn in columns]
    widths = [xlsx.width(h, 16) for h in headers]
    shown = "—" if value is None else xlsx.number(xlsx.cell_value(value))
    title = f"{indicator.label}: {shown} · {place.name} · {period}"

    def lines():
        for obj in qs.iterator(chunk_size=2000):
            yield [fn(obj) for _label, fn in columns]

    return _book(title, headers, widths, lines())


# --- Open data ---------------------------------------------------------------------------

CASE_FAMILIES = {"cases", "overdue", "mediations"}


def open_indicators() -> list:
    """The public indicators counted at compound or community level."""
    return [i for i in ind.INDICATORS if i.public and {"compound", "community"} & set(i.levels)]


def _counts_people(indicator) -> bool:
    return indicator.unit == "people" or (indicator.family.key in CASE_FAMILIES and indicator.unit == "count")


ADDITIVE = {i.key for i in open_indicators() if _counts_people(i)} | {"volunteer_hours"}


def _bases(level: str, place_ids, period: Period, now) -> dict:
    """{place_id: {name: count}}: how many cases, rated cases, volunteers and assigned homes
    stand behind the rates, means and sums (three grouped queries)."""
    out = {pk: {"handled": 0, "rated": 0, "volunteers": 0, "assigned": 0} for pk in place_ids}
    queries = [
        (
            ind.CASES,
            {"handled": Count("pk", filter=~Q(status=Status.REJECTED)), "rated": Count("rating")},
        ),
        (ind.HOURS, {"volunteers": Count("person", distinct=True)}),
        (ind.REACH, {"assigned": Count("pk")}),
    ]
    for family, aggregates in queries:
        rows = family.filtered(level, place_ids, period, now).order_by().values("place_key").annotate(**aggregates)
        for row in rows:
            out[row["place_key"]].update({k: row[k] for k in aggregates})
    return out


def _withheld(indicator, figure, base: dict) -> bool:
    if figure is None:
        return False
    key = indicator.key
    if _counts_people(indicator):
        return 0 < figure < THRESHOLD
    if key == "cases_resolution_rate":
        return base["handled"] < THRESHOLD
    if key in ("cases_rating", "cases_satisfied"):
        return base["rated"] < THRESHOLD
    if key == "volunteer_hours":
        return bool(figure) and base["volunteers"] < THRESHOLD
    if key == "campaign_reach":
        return base["assigned"] < THRESHOLD
    return False


def _places(level: str, chosen, place_ids, period: Period, now) -> list[dict]:
    figures = ind.compute(level, place_ids, period, keys={i.key for i in chosen}, public_only=True, now=now)
    bases = _bases(level, place_ids, period, now)
    out = []
    for pk in place_ids:
        values, suppressed = {}, []
        for indicator in chosen:
            figure = figures[pk].get(indicator.key) if level in indicator.levels else None
            if _withheld(indicator, figure, bases[pk]):
                suppressed.append(indicator.key)
                figure = None
            values[indicator.key] = float(figure) if isinstance(figure, Decimal) else figure
        out.append({"level": level, "id": pk, "values": values, "suppressed": suppressed})
    return out


def _secondary(compounds: list[dict]) -> None:
    """Within one community: a lone withheld additive figure takes the next smallest with it."""
    for key in ADDITIVE:
        withheld = [c for c in compounds if key in c["suppressed"]]
        shown = [c for c in compounds if key not in c["suppressed"] and c["values"][key] is not None]
        if len(withheld) == 1 and shown:
            other = min(shown, key=lambda c: (c["values"][key], c["id"]))
            other["values"][key] = None
            other["suppressed"].append(key)


def open_data(period: Period, *, now: dt.datetime | None = None) -> dict:
    """The open data of a period: every compound and community, the public indicators only,
    no names of people, small figures withheld."""
    now = now or timezone.now()
    chosen = open_indicators()
    communities = list(Community.objects.order_by("pk").values("pk", "name"))
    compounds = list(Compound.objects.order_by("pk").values("pk", "name", "community_id"))
    names = {("community", c["pk"]): c["name"] for c in communities}
    names |= {("compound", c["pk"]): c["name"] for c in compounds}
    community_of = {c["pk"]: c["community_id"] for c in compounds}
    rows = _places("community", chosen, [c["pk"] for c in communities], period, now)
    compound_rows = _places("compound", chosen, [c["pk"] for c in compounds], period, now)
    for community in communities:
        _secondary([r for r in compound_rows if community_of[r["id"]] == community["pk"]])
    places = []
    for row in rows + compound_rows:
        community_id = row["id"] if row["level"] == "community" else community_of[row["id"]]
        places.append(
            {
                "level": row["level"],
                "id": row["id"],
                "name": names[(row["level"], row["id"])],
                "community_id": community_id,
                "community": names[("community", community_id)],
                "values": row["values"],
                "suppressed": sorted(row["suppressed"]),
            }
        )
    return {
        "schema": SCHEMA,
        "period": {"code": period.code, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "suppression": {
            "threshold": THRESHOLD,
            "rule": _(
                "Counts of people or of cases from 1 to 4 are withheld; rates and means when fewer "
                "than 5 cases, rated cases or assigned homes stand behind them; volunteer hours "
                "when fewer than 5 volunteers earned them."
            ),
        },
        "indicators": [
            {"key": i.key, "label": str(i.label), "unit": i.unit, "kind": i.kind, "help": str(i.help)} for i in chosen
        ],
        "places": places,
    }


CSV_FIXED = ["period", "level", "id", "name", "community_id", "community"]


def open_csv(data: dict) -> str:
    """The open data as CSV: one line per place, one column per indicator (empty: withheld or
    not computable), a `suppressed` column naming the withheld ones. UTF-8 with a BOM, so that
    Excel reads the Chinese names."""
    keys = [i["key"] for i in data["indicators"]]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIXED + keys + ["suppressed"])
    for place in data["places"]:
        fixed = [data["period"]["code"]] + [place[k] for k in CSV_FIXED[1:]]
        figures = ["" if place["values"][k] is None else place["values"][k] for k in keys]
        writer.writerow(fixed + figures + [" ".join(place["suppressed"])])
    return out.getvalue()
