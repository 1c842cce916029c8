"""Summaries of closed periods (results/summaries.py, `manage.py results_summarise`): oracle
tests against the live figures of the results world (conftest.py), for every indicator, level
and closed period; re-runs, fallbacks, the open month, query counts and the command's input."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.campaigns.models import Assignment, CampaignVisit, HomeState
from linli.cases.models import Case, Status
from linli.places.models import Community
from linli.results import indicators as ind
from linli.results import series, summaries
from linli.results.models import Figure
from linli.results.period import parse
from linli.results.tables import table

from .conftest import _case, at

NOW = at("2026-12-07", "03:00")  # November 2026 and everything before it are closed
NOV = parse("2026-11")
CLOSED = [parse(code) for code in ("2026-09", "2026-10", "2026-11", "2026-Q3", "2025")]


def _places(w):
    return {"subdistrict": [w.guicheng.pk], "community": [w.daxin.pk, w.cuiyi.pk]}


def _live(level, ids, period, **kw):
    return ind.compute(level, ids, period, now=NOW, stored=False, **kw)


def _summarise(*periods, levels=summaries.LEVELS):
    for period in periods:
        summaries.summarise(period, levels=levels, now=NOW)


def test_summaries_give_every_figure_as_counted_live(data):
    """The oracle: for every indicator, summarised level and closed period, the figure read
    through the summary (one query) is the figure counted live."""
    w = data
    expected = {(level, p.code): _live(level, ids, p) for level, ids in _places(w).items() for p in CLOSED}
    _summarise(*CLOSED)
    for level, ids in _places(w).items():
        for period in CLOSED:
            with CaptureQueriesContext(connection) as ctx:
                got = ind.compute(level, ids, period, now=NOW)
            assert got == expected[(level, period.code)], (level, period.code)
            assert len(ctx.captured_queries) == 1, (level, period.code)  # the summary rows only
    assert set(expected[("community", "2026-11")][w.daxin.pk]) == {i.key for i in ind.INDICATORS}
    assert expected[("subdistrict", "2026-11")][w.guicheng.pk]["cases_received"] == 6  # not a vacuous check
    assert expected[("community", "2026-11")][w.daxin.pk]["volunteer_hours"] == Decimal("3.5")


def test_figures_keep_their_types_through_the_summary(data):
    w = data
    _summarise(NOV)
    got = ind.compute("community", [w.daxin.pk], NOV, now=NOW)[w.daxin.pk]
    assert got["volunteer_hours"] == Decimal("3.5") and isinstance(got["volunteer_hours"], Decimal)
    assert got["cases_resolution_rate"] == 66.7 and isinstance(got["cases_resolution_rate"], float)
    assert got["cases_received"] == 4 and isinstance(got["cases_received"], int)
    cuiyi = ind.compute("community", [w.cuiyi.pk], NOV, now=NOW)[w.cuiyi.pk]
    assert cuiyi["campaign_reach"] is None  # nothing assigned: no rate, stored as null


def test_trends_read_closed_months_from_summaries_and_the_open_month_live(data):
    w = data
    dec = parse("2026-12")  # its twelve months: January to December 2026, December still open
    before = series.trends("subdistrict", [w.guicheng.pk], dec, now=NOW)
    call_command("results_summarise", "--since", "2026-01", stdout=StringIO())
    # A case of the open month counts at once; a late case of a closed month waits for the next run.
    _case(w, w.fufeng, "noise", "十二月噪音", "2026-12-03")
    _case(w, w.fufeng, "noise", "补录十一月", "2026-11-28")
    with CaptureQueriesContext(connection) as ctx:
        after = series.trends("subdistrict", [w.guicheng.pk], dec, now=NOW)
    assert len(ctx.captured_queries) <= 7  # the summaries, then December's families live
    old = {s.indicator.key: s.values for s in before["series"]}
    new = {s.indicator.key: s.values for s in after["series"]}
    for key, values in old.items():
        if key not in {"cases_received", "cases_replied_on_time", "cases_resolution_rate"}:
            assert new[key] == values, key
    assert old["cases_received"][10:] == [6, 0] and new["cases_received"][10:] == [6, 1]
    assert new["cases_received"][:10] == old["cases_received"][:10]
    call_command("results_summarise", "--months", "1", stdout=StringIO())
    rerun = series.trends("subdistrict", [w.guicheng.pk], dec, now=NOW)
    assert next(s for s in rerun["series"] if s.indicator.key == "cases_received").values[10:] == [7, 1]


def test_trends_of_summarised_months_equal_the_live_trends(data):
    w = data
    nov_live = {}
    for level, ids in _places(w).items():
        for pk in ids:
            nov_live[(level, pk)] = series.trends(level, [pk], NOV, now=NOW)
    call_command("results_summarise", "--since", "2025-12", stdout=StringIO())
    for (level, pk), expected in nov_live.items():
        with CaptureQueriesContext(connection) as ctx:
            got = series.trends(level, [pk], NOV, now=NOW)
        assert [s.values for s in got["series"]] == [s.values for s in expected["series"]], (level, pk)
        assert len(ctx.captured_queries) == 1, (level, pk)  # twelve closed months: one read
    assert sum(next(s for s in expected["series"] if s.indicator.key == "homes_visited").values) > 0


def test_a_rerun_counts_what_changed(data):
    w = data
    _summarise(NOV)
    Case.objects.filter(pk=w.c2.pk).update(rating=5)  # a late rating of a November case
    _case(w, w.yijing, "parking", "补录", "2026-11-29")
    stale = ind.compute("community", [w.daxin.pk, w.cuiyi.pk], NOV, now=NOW)
    assert stale[w.daxin.pk]["cases_satisfied"] == 50.0  # frozen until the next run
    assert stale[w.cuiyi.pk]["cases_received"] == 2
    out = StringIO()
    call_command("results_summarise", "--months", "1", stdout=out)
    assert "2026-11:" in out.getvalue()
    fresh = ind.compute("community", [w.daxin.pk, w.cuiyi.pk], NOV, now=NOW)
    assert fresh == _live("community", [w.daxin.pk, w.cuiyi.pk], NOV)
    assert fresh[w.daxin.pk]["cases_satisfied"] == 100.0 and fresh[w.cuiyi.pk]["cases_received"] == 3


def test_what_has_no_summary_is_counted_live(data):
    w = data
    expected = _live("community", [w.daxin.pk, w.cuiyi.pk], NOV)
    _summarise(NOV, levels=("community",))
    Figure.objects.filter(level="community", place_id=w.cuiyi.pk).delete()  # a community added since
    Figure.objects.filter(level="community", place_id=w.daxin.pk, key="homes_visited").delete()  # a new figure
    with CaptureQueriesContext(connection) as ctx:
        got = ind.compute("community", [w.daxin.pk, w.cuiyi.pk], NOV, now=NOW)
    assert got == expected
    families = {i.family.key for i in ind.INDICATORS if "community" in i.levels}
    assert len(ctx.captured_queries) == 1 + len(families)  # the summaries, then the missing live
    # The subdistrict has no summary at all: live, the same figures as before.
    assert ind.compute("subdistrict", [w.guicheng.pk], NOV, now=NOW) == _live("subdistrict", [w.guicheng.pk], NOV)


def test_open_periods_custom_ranges_compounds_and_public_pages_are_live(data):
    w = data
    fake = dict(key="cases_received", value=999, computed_at=NOW)
    Figure.objects.bulk_create(
        [
            Figure(level="community", place_id=w.daxin.pk, period="2026-12", **fake),  # the open month
            Figure(level="community", place_id=w.daxin.pk, period="2026-Q4", **fake),  # open quarter
            Figure(level="compound", place_id=w.fufeng.pk, period="2026-11", **fake),  # compounds are live
            Figure(level="community", place_id=w.daxin.pk, period="2026-11", **fake),
        ]
    )
    assert ind.compute("community", [w.daxin.pk], parse("2026-12"), now=NOW)[w.daxin.pk]["cases_received"] == 0
    assert ind.compute("community", [w.daxin.pk], parse("2026-Q4"), now=NOW)[w.daxin.pk]["cases_received"] == 5
    assert ind.compute("compound", [w.fufeng.pk], NOV, now=NOW)[w.fufeng.pk]["cases_received"] == 4
    custom = parse("2026-11-01..2026-11-30")
    assert ind.compute("community", [w.daxin.pk], custom, now=NOW)[w.daxin.pk]["cases_received"] == 4
    assert ind.compute("community", [w.daxin.pk], NOV, now=NOW, public_only=True)[w.daxin.pk]["cases_received"] == 4
    assert ind.compute("community", [w.daxin.pk], NOV, now=NOW)[w.daxin.pk]["cases_received"] == 999  # the row


def test_the_subdistrict_table_costs_the_same_for_2_and_6_communities(data):
    w = data
    call_command("results_summarise", "--months", "1", stdout=StringIO())
    with CaptureQueriesContext(connection) as two:
        table("subdistrict", w.guicheng, NOV)
    for i in range(4):
        Community.objects.create(subdistrict=w.guicheng, name=f"新社区{i}")
    call_command("results_summarise", "--months", "1", stdout=StringIO())
    with CaptureQueriesContext(connection) as six:
        rendered = table("subdistrict", w.guicheng, NOV)
    assert len(rendered["columns"]) == 1 + 6
    assert len(two.captured_queries) == len(six.captured_queries) == 3  # the children, two summary reads


def test_a_closed_months_now_figures_are_as_of_its_end(data):
    """Overdue and campaign reach of a closed month are counted at its end, so neither the
    summary nor the live figure moves when a case is resolved or a home reached later."""
    w = data
    nov_before = _live("compound", [w.fufeng.pk], NOV)
    assert (nov_before[w.fufeng.pk]["cases_overdue"], nov_before[w.fufeng.pk]["campaign_reach"]) == (1, 50.0)
    # In December: c3 (overdue since 20 November) is resolved, 102 is reached.
    Case.objects.filter(pk=w.c3.pk).update(status=Status.RESOLVED, resolved_at=at("2026-12-02"))
    assignment = Assignment.objects.get(home=w.h102, state=HomeState.NOT_HOME)
    CampaignVisit.objects.create(campaign=assignment.campaign, assignment=assignment, home=w.h102, visitor=w.p_bob,
                                 recorded_by=w.bob, outcome="reached", visited_at=at("2026-12-01"))  # fmt: skip
    Assignment.objects.filter(pk=assignment.pk).update(state=HomeState.REACHED)
    nov_after = _live("compound", [w.fufeng.pk], NOV)[w.fufeng.pk]
    assert (nov_after["cases_overdue"], nov_after["campaign_reach"]) == (1, 50.0)
    assert list(ind.get("cases_overdue").rows("compound", [w.fufeng.pk], NOV, now=NOW)) == [w.c3]
    # The open month reads the state now: c3 is no longer overdue, three of four homes reached.
    dec = ind.compute("compound", [w.fufeng.pk], parse("2026-12"), now=NOW)[w.fufeng.pk]
    assert (dec["cases_overdue"], dec["campaign_reach"]) == (0, None)  # the campaign ended in November
    nov_now = ind.compute("compound", [w.fufeng.pk], parse("2026-11-01..2026-12-31"), now=NOW)[w.fufeng.pk]
    assert (nov_now["cases_overdue"], nov_now["campaign_reach"]) == (0, 75.0)


def test_the_periods_summarised_by_default():
    codes = [p.code for p in summaries.periods(today=dt.date(2026, 12, 7))]
    assert codes == ["2026-09", "2026-10", "2026-11", "2026-Q3"]  # Q4 and 2026 are not over
    codes = [p.code for p in summaries.periods(today=dt.date(2027, 1, 1))]
    assert codes == ["2026-10", "2026-11", "2026-12", "2026-Q4", "2026"]
    since = [p.code for p in summaries.periods(since=parse("2026-05"), today=dt.date(2026, 8, 20))]
    assert since == ["2026-05", "2026-06", "2026-07", "2026-Q2"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--months", "0"], "give 1 or more"),
        (["--months", "-2"], "give 1 or more"),
        (["--since", "2026-13"], "give a month like 2026-01"),
        (["--since", "2026-Q3"], "give a month like 2026-01"),
        (["--since", "last year"], "give a month like 2026-01"),
        (["--since", "2999-01"], "not over yet"),
        (["--level", "compound"], "invalid choice"),
    ],
)
def test_bad_arguments_are_refused_and_change_nothing(data, args, message):
    _summarise(NOV)
    rows = list(Figure.objects.order_by("pk").values_list("pk", "value", "computed_at"))
    with pytest.raises(CommandError, match=message):
        call_command("results_summarise", *args, stdout=StringIO())
    assert list(Figure.objects.order_by("pk").values_list("pk", "value", "computed_at")) == rows


def test_the_command_is_idempotent_and_says_what_it_did(data):
    out = StringIO()
    call_command("results_summarise", "--since", "2026-10", "--level", "community", stdout=out)
    first = sorted(Figure.objects.values_list("level", "place_id", "period", "key", "value"))
    call_command("results_summarise", "--since", "2026-10", "--level", "community", stdout=StringIO())
    assert sorted(Figure.objects.values_list("level", "place_id", "period", "key", "value")) == first
    keys = [i.key for i in ind.INDICATORS if "community" in i.levels]
    assert len(first) == 2 * Community.objects.count() * len(keys)  # two months, every community
    assert {row[0] for row in first} == {"community"}
    text = out.getvalue()
    assert "2026-10:" in text and "2026-11:" in text and "periods summarised" in text


def test_daily_runs_once_a_day(data):
    call_command("results_summarise", "--daily", "--months", "1", stdout=StringIO())
    computed = set(Figure.objects.values_list("computed_at", flat=True))
    out = StringIO()
    call_command("results_summarise", "--daily", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert set(Figure.objects.values_list("computed_at", flat=True)) == computed


def test_the_nightly_task_summarises(data):
    from linli.results.tasks import summarise_task

    assert summarise_task() == Figure.objects.count() > 0


def test_the_pages_say_when_closed_months_were_summarised(client, data):
    w = data
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(w.erin)
    for url in ("/results/", "/results/dashboard/"):
        body = client.get(url, {"period": "2026-11"}).content.decode()
        assert "Closed months as summarised" not in body, url  # nothing summarised: all live
    call_command("results_summarise", "--months", "1", stdout=StringIO())
    run = Figure.objects.latest("computed_at").computed_at
    stamp = f"{timezone.localtime(run):%Y-%m-%d %H:%M}"
    for url in ("/results/", "/results/dashboard/"):
        body = client.get(url, {"period": "2026-11"}).content.decode()
        assert f"Closed months as summarised at {stamp}" in body, url
    public = client.get(f"/results/public/community/{w.daxin.pk}/", {"period": "2026-11"}).content.decode()
    assert "Closed months as summarised" not in public  # the public pages count live
