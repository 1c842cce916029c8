"""The table of figures a page shows: one column for the place, one per child place
(communities of a subdistrict, compounds of a community), one row per indicator, by section."""

from __future__ import annotations

from dataclasses import dataclass

from linli.places.models import Community, Compound

from . import indicators as ind
from .period import Period


@dataclass
class Column:
    level: str
    place: object
    total: bool = False

    @property
    def ref(self) -> str:
        return f"{self.level}:{self.place.pk}"


def children(level: str, place):
    if level == "subdistrict":
        return list(Community.objects.filter(subdistrict=place).order_by("name", "pk"))
    if level == "community":
        return list(Compound.objects.filter(community=place).order_by("name", "pk"))
    return []


def table(level: str, place, period: Period, *, public_only: bool = False) -> dict:
    """{"columns": [...], "sections": [(label, [(indicator, [(column, figure)])])]}: two
    queries per family whatever the number of children (the place, then its children)."""
    columns = [Column(level, place, total=True)]
    values = {columns[0].ref: ind.compute(level, [place.pk], period, public_only=public_only)[place.pk]}
    kids = children(level, place)
    if kids:
        child_level = ind.CHILD[level]
        figures = ind.compute(child_level, [k.pk for k in kids], period, public_only=public_only)
        for kid in kids:
            column = Column(child_level, kid)
            columns.append(column)
            values[column.ref] = figures[kid.pk]
    sections = []
    for key, label in ind.SECTIONS.items():
        rows = [
            (i, [(c, values[c.ref][i.key] if c.level in i.levels else None) for c in columns])
            for i in ind.INDICATORS
            if ind.section(i) == key and (i.public or not public_only) and level in i.levels
        ]
        if rows:
            sections.append((label, rows))
    return {"columns": columns, "sections": sections}


def parse_place(text: str | None) -> tuple[str, str]:
    """ "community:5" -> ("community", "5"); anything else -> ("", "")."""
    level, _, pk = (text or "").partition(":")
    return (level, pk) if level in ind.LEVELS and pk else ("", "")


def withhold_small_figures(tbl: dict, period: Period, *, now=None) -> dict:
    """The public table with what open data withholds replaced by None (docs/decisions/0017):
    counts of people or cases from 1 to 4, rates and means over fewer than 5, and within a
    community the next smallest compound beside a lone withheld one. Three grouped queries per
    level for the counts behind the rates (the figures themselves are already there)."""
    from django.utils import timezone

    from . import exports

    now = now or timezone.now()
    by_level: dict[str, list[Column]] = {}
    for column in tbl["columns"]:
        by_level.setdefault(column.level, []).append(column)
    cells = {}  # (column ref, key) -> figure, after withholding
    for level, columns in by_level.items():
        if level == "compound" and columns[0].total:
            # A compound's own page: withheld as among its community's compounds (the secondary
            # rule), else its figure here would undo what the community's page withholds.
            siblings = list(
                Compound.objects.filter(community_id=columns[0].place.community_id).values_list("pk", flat=True)
            )
            rows = exports._places(level, exports.open_indicators(), siblings, period, now)
            exports._secondary(rows)
            own = next(r for r in rows if r["id"] == columns[0].place.pk)
            for key, figure in own["values"].items():
                cells[(columns[0].ref, key)] = figure
            continue
        bases = exports._bases(level, [c.place.pk for c in columns], period, now)
        rows = []
        for column in columns:
            values, suppressed = dict.fromkeys(exports.ADDITIVE), []
            for _label, section_rows in tbl["sections"]:
                for indicator, figures in section_rows:
                    figure = dict((c.ref, v) for c, v in figures)[column.ref]
                    if exports._withheld(indicator, figure, bases[column.place.pk]):
                        suppressed.append(indicator.key)
                        figure = None
                    values[indicator.key] = figure
            rows.append({"id": column.ref, "values": values, "suppressed": suppressed})
        if level == "compound":
            exports._secondary(rows)
        for row in rows:
            for key, figure in row["values"].items():
                cells[(row["id"], key)] = figure
    sections = [
        (label, [(i, [(c, cells.get((c.ref, i.key), v)) for c, v in figures]) for i, figures in section_rows])
        for label, section_rows in tbl["sections"]
    ]
    return {**tbl, "sections": sections}
