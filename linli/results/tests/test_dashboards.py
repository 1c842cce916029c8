"""The dashboards: trends by month, the comparison of child places, the building grid (values
counted by hand from the results world in conftest.py), their pages, API and public charts."""

import gzip
import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.cases.models import Case, Status
from linli.people.models import Visit
from linli.places.models import Building, Compound, Home, Stairwell
from linli.results import series
from linli.results.period import parse

from .conftest import _case, at

NOV = parse("2026-11")


def chart_data(body: str) -> dict:
    """{chart id: the data its script draws}, from the data-chart attributes."""
    found = re.findall(r'<div class="chart" id="([^"]+)" data-chart="([^"]+)"', body)
    return {chart_id: json.loads(html.unescape(data)) for chart_id, data in found}


def months_of(trend, key):
    found = next(s for s in trend["series"] if s.indicator.key == key)
    return dict(zip([m.code for m in trend["months"]], found.values, strict=True))


def test_twelve_months_end_with_the_periods_month():
    months = series.months_ending(parse("2026-Q1"))
    assert [m.code for m in months][:2] == ["2025-04", "2025-05"]
    assert months[-1].code == "2026-03" and len(months) == 12


def test_trends_of_a_compound_by_month(data):
    w = data
    trend = series.trends("compound", [w.fufeng.pk], NOV)
    assert trend["months"][0].code == "2025-12"
    received = months_of(trend, "cases_received")
    assert received["2026-11"] == 4  # c1-c4; c6 merged into c1
    assert received["2026-10"] == 1  # c5
    assert received["2026-09"] == 0
    assert months_of(trend, "cases_replied_on_time")["2026-11"] == 3
    assert months_of(trend, "cases_resolved_on_time")["2026-11"] == 1
    rate = months_of(trend, "cases_resolution_rate")
    assert rate["2026-11"] == 66.7 and rate["2026-10"] == 0 and rate["2026-09"] is None
    assert months_of(trend, "cases_satisfied")["2026-11"] == 50.0
    assert months_of(trend, "disputes_mediated") | {} == {**dict.fromkeys(received, 0), "2026-10": 1, "2026-11": 1}
    votes = months_of(trend, "votes_held")
    assert (votes["2026-10"], votes["2026-11"]) == (1, 2)
    hours = months_of(trend, "volunteer_hours")
    assert (hours["2026-10"], hours["2026-11"]) == (1, 3.5)  # the adjustment has no activity
    visited = months_of(trend, "homes_visited")
    assert (visited["2026-10"], visited["2026-11"], visited["2026-08"]) == (1, 2, 0)  # 101 twice counts once


def test_trends_agree_with_the_monthly_figures(data):
    """Each month of a trend is the figure of that month as the results table counts it."""
    from linli.results import indicators as ind

    w = data
    trend = series.trends("subdistrict", [w.guicheng.pk], NOV)
    for month in (parse("2026-10"), NOV):
        figures = ind.compute("subdistrict", [w.guicheng.pk], month)[w.guicheng.pk]
        for s in trend["series"]:
            assert s.values[[m.code for m in trend["months"]].index(month.code)] == figures[s.indicator.key], (
                s.indicator.key,
                month.code,
            )


def test_months_are_shanghai_months(data):
    w = data
    # 06:00 on 1 December in Shanghai is still 30 November in UTC.
    Visit.objects.create(home=w.h_yj, visitor=w.p_olga, visited_at=at("2026-12-01", "06:00"), outcome="reached")
    early = _case(w, w.yijing, "noise", "清晨噪音", "2026-12-01")
    Case.objects.filter(pk=early.pk).update(submitted_at=at("2026-12-01", "07:00"))
    trend = series.trends("compound", [w.yijing.pk], parse("2026-12"))
    visited = months_of(trend, "homes_visited")
    assert (visited["2026-11"], visited["2026-12"]) == (1, 1)  # 23:30 on 30 November, 06:00 on 1 December
    assert months_of(trend, "cases_received")["2026-12"] == 1


def test_trends_cost_one_query_per_family(data, django_assert_max_num_queries):
    w = data
    # cases, mediations, votes, hours, homes visited, the subdistrict's compounds (once), and
    # the summaries of its closed months (none here: every month is counted live)
    with django_assert_max_num_queries(7):
        series.trends("subdistrict", [w.guicheng.pk], NOV)


def test_the_compounds_of_a_community_compared(data):
    w = data
    assert series.comparison("subdistrict", w.guicheng, "cases_received", NOV) == [(w.daxin, 4), (w.cuiyi, 2)]
    assert series.comparison("community", w.daxin, "volunteer_hours", NOV) == [(w.fufeng, 3.5)]
    assert series.comparison("compound", w.fufeng, "cases_received", NOV) == []


def test_public_figures_that_point_at_a_few_people_are_withheld(data):
    w = data
    trend = series.trends("compound", [w.fufeng.pk], NOV, public_only=True)
    received = months_of(trend, "cases_received")
    assert received["2026-11"] is None and received["2026-10"] is None  # 4 and 1: withheld
    assert received["2026-09"] == 0  # nothing identifies nobody
    assert months_of(trend, "votes_held")["2026-11"] == 2  # collective decisions: shown
    assert months_of(trend, "volunteer_hours")["2026-11"] is None  # two volunteers
    assert "homes_visited" not in {s.indicator.key for s in trend["series"]}  # not public
    assert series.comparison("subdistrict", w.guicheng, "cases_received", NOV, public_only=True) == [
        (w.daxin, None),
        (w.cuiyi, None),
    ]


def test_the_building_grid_of_a_compound(data):
    w = data
    _case(w, w.fufeng, "parking", "楼下占道", "2026-11-10", building=w.b1)
    _case(w, w.fufeng, "hygiene", "楼道堆物", "2026-10-10", building=w.b1, status=Status.CLOSED)
    _case(w, w.fufeng, "noise", "装修噪音", "2026-10-11", building=w.b2)
    grid = {row.building: row for row in series.building_grid(w.fufeng, NOV)}
    assert list(grid) == [w.b1, w.b2]
    b1, b2 = grid[w.b1], grid[w.b2]
    assert (b1.homes, b1.visited, b1.recorded, b1.received, b1.open, b1.leaders) == (4, 2, 4, 1, 1, 1)
    assert (b1.visited_percent, b1.recorded_percent) == (50.0, 100.0)
    # 2栋101's resident left on 2026-10-31; its visit was in October; 王邻's lane post ended.
    assert (b2.homes, b2.visited, b2.recorded, b2.received, b2.open, b2.leaders) == (1, 0, 0, 0, 1, 2)
    assert series.band(b1.visited_percent) == "fair" and series.band(b2.recorded_percent) == "low"


def _more_compounds(w, n):
    for i in range(n):
        compound = Compound.objects.create(community=w.daxin, name=f"加建小区{i}")
        for j in range(3):
            building = Building.objects.create(compound=compound, name=f"{j + 1}栋")
            stairwell = Stairwell.objects.create(building=building, name="1单元")
            Home.objects.create(stairwell=stairwell, number="101", floor=1)
        _case(w, compound, "parking", "占道", "2026-11-12")


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_costs_the_same_for_one_compound_or_many(client, data):
    w = data
    client.force_login(w.carol)
    params = {"place": f"community:{w.daxin.pk}", "period": "2026-11", "indicator": "cases_received"}
    one = _count_queries(client, "/results/dashboard/", params)
    grid_one = _count_queries(client, "/results/buildings/", {"place": f"compound:{w.fufeng.pk}"})
    _more_compounds(w, 6)
    Building.objects.create(compound=w.fufeng, name="3栋")
    assert _count_queries(client, "/results/dashboard/", params) == one
    assert _count_queries(client, "/results/buildings/", {"place": f"compound:{w.fufeng.pk}"}) == grid_one


def test_the_dashboard_page_stays_within_its_query_budget(client, data, django_assert_max_num_queries):
    w = data
    _more_compounds(w, 4)
    client.force_login(w.carol)
    with django_assert_max_num_queries(25):
        response = client.get("/results/dashboard/", {"place": f"community:{w.daxin.pk}", "period": "2026-11"})
    assert response.status_code == 200


def test_staff_see_the_dashboard_with_charts_and_their_numbers(client, data):
    w = data
    client.force_login(w.carol)
    response = client.get("/results/dashboard/", {"place": f"community:{w.daxin.pk}", "period": "2026-11"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Trends by month" in body and "The compounds compared" in body
    assert "uPlot.iife.min.js" in body and "charts.js" in body
    assert chart_data(body)["r-chart-cases"]["labels"][-1] == "2026-11"
    assert not re.search(r"<script(?! src=)", body)  # no inline script: the CSP forbids it
    # The numbers are there as text for those who cannot see the chart.
    assert re.search(r"<th scope=\"row\"[^>]*>2026-11</th><td[^>]*>4</td>", body)
    # The results page links to it; a compound's dashboard links to its building grid.
    assert "/results/dashboard/?place=community:" in client.get("/results/", {"period": "2026-11"}).content.decode()
    compound_page = client.get("/results/dashboard/", {"place": f"compound:{w.fufeng.pk}"}).content.decode()
    assert f"/results/buildings/?place=compound:{w.fufeng.pk}" in compound_page


def test_the_chart_scripts_are_loaded_only_on_dashboard_pages(client, data):
    w = data
    client.force_login(w.carol)
    assert "uPlot" not in client.get("/results/", {"period": "2026-11"}).content.decode()
    assert "uPlot" not in client.get("/").content.decode()


def test_htmx_switches_the_compared_figure_without_the_page(client, data):
    w = data
    client.force_login(w.erin)
    params = {"place": f"subdistrict:{w.guicheng.pk}", "period": "2026-11", "indicator": "volunteer_hours"}
    response = client.get("/results/dashboard/", params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="r-dash")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="r-dash"') and "<html" not in body
    assert chart_data(body)["r-chart-compare"]["series"][0]["values"] == [3.5, 0.5]  # the charts come along
    assert '<option value="volunteer_hours" selected>' in body
    # The same GET without HTMX is the whole page.
    assert "<html" in client.get("/results/dashboard/", params).content.decode()


def test_the_building_grid_page(client, data):
    w = data
    _case(w, w.fufeng, "parking", "楼下占道", "2026-11-10", building=w.b1)
    client.force_login(w.carol)
    response = client.get("/results/buildings/", {"place": f"compound:{w.fufeng.pk}", "period": "2026-11"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "1栋" in body and "2栋" in body
    assert 'class="band fair">2 (50.0%)</td>' in body  # coloured, and the value as text
    assert "<script" not in body.split("<main", 1)[1]  # no JS needed
    # A community is not a compound.
    assert client.get("/results/buildings/", {"place": f"community:{w.daxin.pk}"}).status_code == 404


def test_only_staff_of_the_place_see_dashboards(client, data):
    w = data
    for user in (w.alice, w.bob, w.dave):
        client.force_login(user)
        assert client.get("/results/dashboard/").status_code == 403
        assert client.get("/results/buildings/", {"place": f"compound:{w.fufeng.pk}"}).status_code == 403
    client.force_login(w.carol)
    assert client.get("/results/dashboard/", {"place": f"community:{w.cuiyi.pk}"}).status_code == 404
    assert client.get("/results/dashboard/", {"place": f"subdistrict:{w.guicheng.pk}"}).status_code == 404
    assert client.get("/results/buildings/", {"place": f"compound:{w.yijing.pk}"}).status_code == 404
    client.logout()
    assert client.get("/results/dashboard/").status_code == 302


def test_the_public_pages_chart_only_what_may_be_public(client, data):
    w = data
    response = client.get(f"/results/public/community/{w.daxin.pk}/", {"period": "2026-11"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Trends by month" in body and "The compounds compared" in body
    assert "Homes visited" not in body  # not a public figure
    assert f"place=compound:{w.fufeng.pk}" not in body  # no links into the staff pages
    cases = chart_data(body)["r-chart-cases"]["series"][0]
    # November's 4 cases and October's 1 are withheld in the chart's data as in its table.
    assert cases == {"label": "Cases received", "values": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, None]}
    assert "Owners&#x27; votes held" in body or "Owners' votes held" in body
    compound = client.get(f"/results/public/compound/{w.yijing.pk}/", {"period": "2026-11"}).content.decode()
    assert "The compounds compared" not in compound and "Trends by month" in compound


def _static_refs(body: str) -> list[str]:
    return re.findall(r'(?:href|src)="' + re.escape(settings.STATIC_URL) + r'([^"]+)"', body)


@pytest.mark.parametrize("path", ["dashboard", "public"])
def test_a_dashboard_page_weighs_under_100_kb_gzipped(client, data, path):
    """The page and every CSS and JS file it loads, each gzipped as the server sends them."""
    w = data
    _more_compounds(w, 12)
    client.force_login(w.carol)
    if path == "dashboard":
        response = client.get("/results/dashboard/", {"place": f"community:{w.daxin.pk}", "period": "2026-11"})
    else:
        response = client.get(f"/results/public/community/{w.daxin.pk}/", {"period": "2026-11"})
    body = response.content.decode()
    refs = _static_refs(body)
    assert any("uPlot" in r for r in refs) and any(r.endswith(".css") for r in refs)
    total = len(gzip.compress(response.content))
    for ref in refs:
        found = finders.find(ref.split("?")[0])
        assert found, ref
        total += len(gzip.compress(Path(found).read_bytes()))
    print(path, total)
    assert total < 100 * 1024, total


def test_the_public_table_withholds_what_open_data_withholds(client, data):
    w = data
    response = client.get(f"/results/public/compound/{w.fufeng.pk}/", {"period": "2026-11"})
    sections = {i.key: cells for _label, rows in response.context["sections"] for i, cells in rows}
    assert sections["cases_received"][0][1] is None  # 4 cases: withheld
    assert sections["votes_held"][0][1] == 2  # collective decisions: shown
    assert sections["clubs"][0][1] == 2
    community = client.get(f"/results/public/community/{w.daxin.pk}/", {"period": "2026-11"})
    sections = {i.key: cells for _label, rows in community.context["sections"] for i, cells in rows}
    assert [v for _c, v in sections["cases_received"]] == [None, None]
    assert [v for _c, v in sections["votes_held"]] == [2, 2]
