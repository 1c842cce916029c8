"""compute asks the database once per family of indicators, whatever the number of places."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.places.models import Compound
from linli.results import indicators as ind
from linli.results.period import parse
from linli.results.tables import table


def _queries(level, ids):
    with CaptureQueriesContext(connection) as ctx:
        ind.compute(level, ids, parse("2026-11"))
    return len(ctx.captured_queries)


def test_compute_costs_the_same_for_2_and_6_compounds(data):
    w = data
    two = _queries("compound", [w.fufeng.pk, w.yijing.pk])
    more = [Compound.objects.create(community=w.daxin, name=f"新小区{i}").pk for i in range(4)]
    six = _queries("compound", [w.fufeng.pk, w.yijing.pk, *more])
    assert two == six
    families = {i.family.key for i in ind.INDICATORS if "compound" in i.levels}
    assert six == len(families)


def test_the_community_table_costs_the_same_for_2_and_6_compounds(data):
    w = data
    nov = parse("2026-11")
    with CaptureQueriesContext(connection) as two:
        table("community", w.daxin, nov)
    for i in range(4):
        Compound.objects.create(community=w.daxin, name=f"新小区{i}")
    with CaptureQueriesContext(connection) as six:
        rendered = table("community", w.daxin, nov)
    assert len(rendered["columns"]) == 1 + 5
    assert len(two.captured_queries) == len(six.captured_queries)
