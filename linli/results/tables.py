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
