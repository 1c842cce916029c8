"""The monthly report's charts, drawn with reportlab.graphics into the PDF.

- `monthly(level, place, period)`: the twelve months ending with the period's last month, each
  with the cases received (by day of submission, as the indicator "Cases received"), the cases
  resolved (by day of resolution: the work done that month) and the volunteer hours (as the
  indicator "Volunteer hours"). Three grouped queries (`TruncMonth` in the site's time zone),
  whatever the number of months or of rows.
- `trend_chart`, `hours_chart`, `compare_chart`, `category_chart`: the drawings, every word in the report's font.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DateField, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from linli.cases.models import Case, Status

from . import indicators as ind
from .period import Period, custom, month

MONTHS = 12
MOST_CHILDREN = 20  # bars one can still read on an A4 page
BLUE, GREEN, ORANGE = "#2b6cb0", "#38a169", "#dd6b20"


@dataclass(frozen=True)
class Point:
    month: dt.date  # its first day
    received: int
    resolved: int
    hours: Decimal

    @property
    def label(self) -> str:
        return f"{self.month:%Y.%m}"


def months_to(period: Period, count: int = MONTHS) -> list[dt.date]:
    """The first days of the `count` months ending with the month of the period's last day."""
    y, m = period.end.year, period.end.month
    firsts = []
    for _ in range(count):
        firsts.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return firsts[::-1]


def _first_of_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value.replace(day=1)


def _by_month(rows) -> dict[dt.date, object]:
    return {_first_of_month(row["m"]): row["n"] for row in rows if row["m"] is not None}


def monthly(level: str, place, period: Period, *, now: dt.datetime | None = None) -> list[Point]:
    now = now or timezone.now()
    firsts = months_to(period)
    span = custom(firsts[0], month(firsts[-1].year, firsts[-1].month).end)
    tz = timezone.get_current_timezone()

    def in_months(column: str):
        return TruncMonth(column, output_field=DateField(), tzinfo=tz)

    received = _by_month(
        ind.CASES.filtered(level, [place.pk], span, now)
        .order_by()
        .annotate(m=in_months("submitted_at"))
        .values("m")
        .annotate(n=Count("pk"))
    )
    resolved = _by_month(
        Case.objects.exclude(status=Status.MERGED)
        .filter(**{ind.via("compound")[level]: place.pk})
        .filter(resolved_at__gte=span.start_at, resolved_at__lt=span.end_before)
        .annotate(m=in_months("resolved_at"))
        .values("m")
        .annotate(n=Count("pk"))
    )
    minutes = _by_month(
        ind.HOURS.filtered(level, [place.pk], span, now)
        .order_by()
        .annotate(m=TruncMonth("on", output_field=DateField()))
        .values("m")
        .annotate(n=Sum("minutes"))
    )
    return [
        Point(
            first,
            received.get(first, 0),
            resolved.get(first, 0),
            round(Decimal(minutes.get(first) or 0) / 60, 1),
        )
        for first in firsts
    ]


# --- the drawings -----------------------------------------------------------------------


def _number(value) -> str:
    """A value label: nothing for zero (twelve zeros only hide the line), else without trailing zeros."""
    return f"{value:g}" if value else ""


def _title(drawing, text: str, font: str, width: float, y: float):
    from reportlab.graphics.shapes import String

    drawing.add(String(width / 2, y, text, fontName=font, fontSize=10, textAnchor="middle"))


def _legend(drawing, pairs, font: str, x: float, y: float):
    from reportlab.graphics.charts.legends import Legend
    from reportlab.lib import colors

    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.boxAnchor = "sw"
    legend.colorNamePairs = [(colors.HexColor(colour), name) for colour, name in pairs]
    drawing.add(legend)


def trend_chart(points: list[Point], font: str, width: float):
    """Cases received and resolved, month by month: two lines with their values."""
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    height = 150
    drawing = Drawing(width, height)
    _title(drawing, f"近{len(points)}个月诉求受理与办结（件）", font, width, height - 12)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 30, 28, width - 45, height - 70
    chart.data = [[p.received for p in points], [p.resolved for p in points]]
    chart.categoryAxis.categoryNames = [p.label for p in points]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    _value_axis(chart.valueAxis, max([0, *chart.data[0], *chart.data[1]]), font)
    chart.lineLabelFormat = _number
    chart.lineLabels.fontName, chart.lineLabels.fontSize = font, 7
    chart.lineLabels.dy = 5
    for i, colour in enumerate((BLUE, GREEN)):
        chart.lines[i].strokeColor = colors.HexColor(colour)
        chart.lines[i].strokeWidth = 1.5
    drawing.add(chart)
    _legend(drawing, [(BLUE, "受理"), (GREEN, "办结")], font, 30, height - 36)
    return drawing


def hours_chart(points: list[Point], font: str, width: float):
    """Volunteer hours, month by month: one bar each."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    height = 130
    drawing = Drawing(width, height)
    _title(drawing, f"近{len(points)}个月志愿服务时长（小时）", font, width, height - 12)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 20, width - 45, height - 50
    chart.data = [[float(p.hours) for p in points]]
    chart.categoryAxis.categoryNames = [p.label for p in points]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    _value_axis(chart.valueAxis, max([0, *chart.data[0]]), font)
    chart.bars[0].fillColor = colors.HexColor(ORANGE)
    chart.barLabelFormat = _number
    chart.barLabels.fontName, chart.barLabels.fontSize = font, 7
    chart.barLabels.nudge = 5
    drawing.add(chart)
    return drawing


def category_chart(categories: list[tuple[str, int]], font: str):
    """The period's cases by category: one bar each."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    drawing = Drawing(170 * mm, 60 * mm)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 12 * mm, 10 * mm, 150 * mm, 45 * mm
    bars.data = [[n for _label, n in categories]]
    bars.categoryAxis.categoryNames = [label for label, _n in categories]
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 8
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = max([n for _label, n in categories] + [4])
    bars.valueAxis.valueStep = max(1, bars.valueAxis.valueMax // 4)
    bars.bars[0].fillColor = colors.HexColor(BLUE)
    bars.barLabelFormat = "%d"
    bars.barLabels.fontSize = 8
    drawing.add(bars)
    return drawing


def compare_chart(names: list[str], received: list[int], on_time: list[int], font: str, width: float, what: str):
    """The children side by side: cases received and resolved on time, one pair of bars each,
    the MOST_CHILDREN with the most cases received when there are more."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    rows = list(zip(names, received, on_time, strict=True))
    title = f"各{what}受理与按时办结诉求（件）"
    if len(rows) > MOST_CHILDREN:
        rows = sorted(rows, key=lambda r: -(r[1] or 0))[:MOST_CHILDREN]
        title += f"：受理最多的{MOST_CHILDREN}个"
    rows.reverse()  # the first row at the top
    row_height = 18
    height = 60 + row_height * len(rows)
    drawing = Drawing(width, height)
    _title(drawing, title, font, width, height - 12)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 80, 20, width - 110, row_height * len(rows)
    chart.data = [[r[1] or 0 for r in rows], [r[2] or 0 for r in rows]]
    chart.categoryAxis.categoryNames = [r[0] for r in rows]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    _value_axis(chart.valueAxis, max([0, *chart.data[0], *chart.data[1]]), font)
    chart.bars[0].fillColor = colors.HexColor(BLUE)
    chart.bars[1].fillColor = colors.HexColor(GREEN)
    chart.barLabelFormat = _number
    chart.barLabels.fontName, chart.barLabels.fontSize = font, 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    _legend(drawing, [(BLUE, "受理诉求"), (GREEN, "按时办结")], font, 80, height - 36)
    return drawing


def _value_axis(axis, top, font: str):
    axis.valueMin = 0
    axis.valueMax = max(4, top * 1.15)
    axis.valueStep = max(1, round(axis.valueMax / 4))
    axis.labels.fontName, axis.labels.fontSize = font, 7
    axis.labelTextFormat = "%d"
