"""The monthly report's charts: twelve months of cases and volunteer hours counted by hand from
the results world (conftest), the communities compared, every word in the embedded font, and
staff switching charts off in the template."""

import datetime as dt
from decimal import Decimal

from linli.lib.tests import pdfdoc
from linli.results import indicators as ind
from linli.results import report
from linli.results import report_charts as charts
from linli.results.models import ReportTemplate
from linli.results.period import parse

NOV = parse("2026-11")
TREND = "近12个月诉求受理与办结（件）"
HOURS = "近12个月志愿服务时长（小时）"
COMPARE = "各社区受理与按时办结诉求（件）"


def after(runs: list[str], title: str, count: int) -> list[str]:
    """The `count` strings drawn after the chart's title."""
    start = runs.index(title) + 1
    return runs[start : start + count]


def test_twelve_months_of_cases_and_hours_counted_by_hand(data):
    w = data
    points = charts.monthly("community", w.daxin, NOV)
    assert [p.label for p in points][:2] == ["2025.12", "2026.01"] and points[-1].label == "2026.11"
    assert len(points) == 12 and points[0].month == dt.date(2025, 12, 1)
    # October: c5 received, nothing resolved, 60 minutes of the team's patrol. November: c1-c4
    # received (c6 merged away), c1 and c2 resolved; 120 + 90 minutes (the -30 adjustment has no activity).
    assert [(p.received, p.resolved, p.hours) for p in points[-2:]] == [(1, 0, Decimal("1.0")), (4, 2, Decimal("3.5"))]
    assert all((p.received, p.resolved, p.hours) == (0, 0, 0) for p in points[:-2])
    # The same figures as the indicators of each month.
    for period, point in ((parse("2026-10"), points[-2]), (NOV, points[-1])):
        figures = ind.compute("community", [w.daxin.pk], period, keys=("cases_received", "volunteer_hours"))
        assert figures[w.daxin.pk] == {"cases_received": point.received, "volunteer_hours": point.hours}


def test_the_subdistricts_months_take_three_queries_whatever_the_rows(data, django_assert_num_queries):
    with django_assert_num_queries(3):
        points = charts.monthly("subdistrict", data.guicheng, NOV)
    assert [(p.received, p.resolved, float(p.hours)) for p in points[-2:]] == [(1, 0, 1.0), (6, 3, 4.0)]


def test_a_custom_period_ends_the_twelve_months_with_its_last_month(data):
    points = charts.monthly("compound", data.fufeng, parse("2026-10-15..2026-11-20"))
    assert points[-1].label == "2026.11" and points[-1].received == 4


def test_the_report_draws_the_charts_with_their_values_in_the_embedded_font(data):
    pdfdoc.require_cjk_font()
    pdf = report.build("subdistrict", data.guicheng, NOV)
    text = pdfdoc.embedded_chinese(pdf)  # every word of the charts too, in the embedded font
    runs = [shown for _font, shown in pdfdoc.read(pdf).runs]
    months = ["2025.12", *[f"2026.{m:02d}" for m in range(1, 12)]]
    # The trend: the months, the value axis, then the labels of the received line (October 1,
    # November 6) and of the resolved one (November 3; empty months are not labelled), the legend.
    assert after(runs, TREND, 12 + 4 + 3 + 2) == [*months, "0", "2", "4", "6", "1", "6", "3", "受理", "办结"]
    # The hours: a bar each for October (1) and November (0.5 + 3.5), then the months.
    assert after(runs, HOURS, 2 + 12) == ["1", "4", *months]
    # The communities side by side, the first at the top: received 翠颐 2, 大新 4; on time 1 and 1.
    assert after(runs, COMPARE, 6) == ["2", "4", "1", "1", "翠颐社区", "大新社区"]
    assert text.index("一、主要指标") < text.index(TREND) < text.index("二、各社区情况对比") < text.index(COMPARE)
    assert text.index(COMPARE) < text.index("三、本月诉求分类") < text.index("四、本月重点诉求")


def test_staff_switch_the_charts_off_in_the_template(data):
    ReportTemplate.objects.filter(subdistrict__isnull=True, community__isnull=True).update(
        chart_trend=False, chart_compare=False, chart_categories=False
    )
    d = report.data("subdistrict", data.guicheng, NOV, switches=report.chart_switches(ReportTemplate.objects.get()))
    assert d["months"] == []  # not even counted
    text = pdfdoc.text(report.build("subdistrict", data.guicheng, NOV))
    assert TREND not in text and HOURS not in text and COMPARE not in text
    assert "三、本月诉求分类" not in text  # its heading goes with the chart
    assert "二、各社区情况对比" in text and "四、本月重点诉求" in text  # the tables stay
    # A community's own template switches only its own report.
    ReportTemplate.objects.create(
        community=data.daxin, title="{place}{month}简报", heading_indicators="一、指标", heading_compare="二、对比",
        heading_chart="三、分类", heading_cases="四、重点",
    )  # fmt: skip
    assert "近12个月诉求受理与办结（件）" in pdfdoc.text(report.build("community", data.daxin, NOV))
