"""Revisits (回访) by community staff, and the figures over the cases a user can see."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.cases import services
from linli.cases.lifecycle import perform
from linli.cases.models import Case, Status
from linli.cases.views import grouped_figures
from linli.places.models import Building, Compound, Stairwell

from .conftest import resolve, revisit_for

REVISITS = reverse("cases:revisits")
FIGURES = reverse("cases:figures")


# --- revisits ------------------------------------------------------------------------------------


def test_carol_records_what_the_resident_said_and_his_rating(cw, en, now_case):
    case = resolve(now_case(), cw.dave, reply="已处理")
    task = revisit_for(case)
    client = en(cw.carol)
    html = client.get(REVISITS).content.decode()
    assert case.code in html and "138****0001" in html
    response = client.post(
        reverse("cases:revisit", args=[task.pk]), {f"r{task.pk}-outcome": "已修好，满意", f"r{task.pk}-stars": "4"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    case.refresh_from_db()
    assert task.done_at and task.done_by == cw.carol and task.outcome == "已修好，满意"
    assert case.rating == 4 and case.status == Status.CLOSED
    html = client.get(REVISITS).content.decode()
    assert "No revisit to do." in html and "已修好，满意" in html


def test_a_revisit_without_a_rating_leaves_the_case_unrated(cw, login, now_case):
    task = revisit_for(resolve(now_case(), cw.dave, reply="已处理"))
    login(cw.carol).post(reverse("cases:revisit", args=[task.pk]), {f"r{task.pk}-outcome": "电话未接通，改日再打"})
    task.refresh_from_db()
    assert task.done_at and task.case.rating is None


def test_a_revisit_needs_what_the_resident_said(cw, en, now_case):
    task = revisit_for(resolve(now_case(), cw.dave, reply="已处理"))
    response = en(cw.carol).post(reverse("cases:revisit", args=[task.pk]), {f"r{task.pk}-outcome": ""})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.done_at is None


def test_revisits_of_another_community_are_out_of_reach(cw, login, now_case):
    other = resolve(now_case(compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga), cw.paul, reply="已处理")
    task = revisit_for(other)
    client = login(cw.carol)
    assert other.code not in client.get(REVISITS).content.decode()
    response = client.post(reverse("cases:revisit", args=[task.pk]), {f"r{task.pk}-outcome": "x"})
    assert response.status_code == 404
    assert other.code in login(cw.erin).get(REVISITS).content.decode()


@pytest.mark.parametrize("actor", ["dave", "bob", "alice"])
def test_only_community_staff_have_revisits(cw, login, actor):
    assert login(getattr(cw, actor)).get(REVISITS).status_code == 403


# --- figures -------------------------------------------------------------------------------------


@pytest.fixture
def known(cw, now_case):
    """富丰新城: two maintenance cases (富丰物业), one resolved on time and rated 4, one
    overdue; one public-order case (the residents' committee), rejected. 颐景园: one case."""
    done = resolve(now_case(title="done"), cw.dave, reply="已处理")
    services.rate(case=done, user=cw.alice, stars=4)
    late = now_case(title="late")
    Case.objects.filter(pk=late.pk).update(resolve_due=timezone.now() - dt.timedelta(days=2))
    order = now_case(category=cw.cat.public_order, title="order")
    perform(order, "reject", user=cw.carol, note="不属实")
    now_case(compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga, title="yijing")
    return cw


def totals(client, **params):
    return client.get(FIGURES, params).context["totals"]


def test_figures_for_the_community(known, login):
    t = totals(login(known.carol))
    assert t["received"] == 3 and t["resolved"] == 1 and t["rejected"] == 1
    assert t["resolution_rate"] == 50.0 and t["overdue"] == 1 and t["rating"] == 4


def test_figures_for_each_company_only_count_its_cases(known, login):
    dave = totals(login(known.dave))
    assert dave["received"] == 2 and dave["resolved"] == 1 and dave["resolution_rate"] == 50.0
    assert totals(login(known.paul))["received"] == 1


def test_figures_filters(known, login):
    client = login(known.erin)
    assert totals(client)["received"] == 4
    assert totals(client, compound=known.yijing.pk)["received"] == 1
    assert totals(client, organisation=known.committee.pk)["received"] == 1
    assert totals(client, category=known.cat.maintenance.pk)["received"] == 3
    assert totals(client, month="2020-01")["received"] == 0
    assert totals(client, month="")["received"] == 4  # all time


def test_figures_breakdown_per_compound_and_category(known, en):
    response = en(known.erin).get(FIGURES)
    compounds = {row["name"]: row for row in response.context["by_compound"]}
    assert compounds["富丰新城"]["received"] == 3 and compounds["颐景园"]["received"] == 1
    categories = {row["name"]: row["received"] for row in response.context["by_category"]}
    assert categories == {"Facility maintenance": 3, "Public order": 1}
    html = response.content.decode()
    assert "富丰新城" in html and "Facility maintenance" in html and "50.0%" in html


def test_grouped_figures_add_up_to_the_totals(known):
    cases = Case.objects.all()
    total = services.figures(cases)
    rows = grouped_figures(cases, "compound")
    for key in ("received", "resolved", "resolved_on_time", "replied_on_time", "rejected", "overdue", "rated"):
        assert sum(row[key] for row in rows) == total[key]


def test_figures_breakdown_is_one_query_each(known, login, now_case):
    client = login(known.erin)
    client.get(FIGURES)
    with CaptureQueriesContext(connection) as few:
        client.get(FIGURES)
    third = Compound.objects.create(community=known.cuiyi, name="第三小区")
    stairwell = Stairwell.objects.create(building=Building.objects.create(compound=third, name="1栋"), name="1单元")
    for category in (known.cat.noise, known.cat.pets, known.cat.parking):
        now_case(compound=third, stairwell=stairwell, category=category, reporter=None)
    with CaptureQueriesContext(connection) as more:
        response = client.get(FIGURES)
    assert len(response.context["by_compound"]) == 3 and len(response.context["by_category"]) == 5
    assert len(more) == len(few)


def test_a_bad_month_is_a_message(known, en):
    html = en(known.erin).get(FIGURES, {"month": "soon"}).content.decode()
    assert "Enter a month as year-month" in html
