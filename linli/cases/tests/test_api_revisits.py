"""Revisits (回访) over the API: the open tasks within the caller's staff area, and recording
what the resident said (and his rating) through services.record_revisit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.cases.models import Event, Status

from .conftest import API, EN, post_json, resolve, revisit_for


def resolved(new_case, cw, **kw):
    """Submitted six days ago; resolved by the subdistrict's admin, who acts everywhere."""
    return resolve(new_case(now=timezone.now() - dt.timedelta(days=6), **kw), cw.erin, reply="已处理")


def record(client, task, payload, headers=None):
    return post_json(client, f"/cases/revisits/{task.pk}", payload, headers)


@pytest.fixture
def tasks(cw, new_case):
    t = type("Tasks", (), {})()
    t.lamp = revisit_for(resolved(new_case, cw), days=2)
    t.late = revisit_for(resolved(new_case, cw, title="门禁坏了", stairwell=cw.s21), days=-1)
    t.yijing = revisit_for(
        resolved(new_case, cw, compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga, title="电梯困人")
    )
    return t


@pytest.mark.parametrize(
    "actor, expected",
    [("carol", {"late", "lamp"}), ("jack", {"late", "lamp"}), ("erin", {"late", "lamp", "yijing"})],
)
def test_staff_list_the_open_revisits_of_their_area_most_urgent_first(cw, tasks, login, actor, expected):
    body = login(getattr(cw, actor)).get(f"{API}/cases/revisits").json()
    assert [item["id"] for item in body["items"]] == [
        getattr(tasks, n).pk for n in ("late", "lamp", "yijing") if n in expected
    ]
    first = body["items"][0]
    assert first["overdue"] is True and first["case"]["status"] == "resolved"
    assert first["reporter"] == {"name": "李**", "phone": "138****0001", "is_you": False}


@pytest.mark.parametrize("actor", ["alice", "bob", "dave", "henry"])
def test_revisits_are_for_community_staff_only(cw, tasks, login, actor):
    client = login(getattr(cw, actor))
    assert client.get(f"{API}/cases/revisits").status_code == 403
    assert record(client, tasks.lamp, {"outcome": "满意"}).status_code == 403
    tasks.lamp.refresh_from_db()
    assert tasks.lamp.done_at is None


def test_carol_records_what_the_resident_said_and_his_rating(cw, tasks, login):
    client = login(cw.carol)
    response = record(client, tasks.lamp, {"outcome": "已修好，满意", "stars": 4})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done_at"] and body["done_by"] == {"id": cw.carol.pk, "name": "社工己"}
    assert body["outcome"] == "已修好，满意" and body["case"]["status"] == "closed"
    case = tasks.lamp.case
    case.refresh_from_db()
    assert (case.rating, case.status) == (4, Status.CLOSED)
    assert case.events.filter(type=Event.Type.REVISIT).count() == 1
    assert [i["id"] for i in client.get(f"{API}/cases/revisits").json()["items"]] == [tasks.late.pk]
    again = record(client, tasks.lamp, {"outcome": "再打一次"}, headers=EN)
    assert (again.status_code, again.json()["detail"]) == (409, "This revisit is already done.")


def test_a_revisit_without_stars_leaves_the_case_unrated(cw, tasks, login):
    assert record(login(cw.carol), tasks.late, {"outcome": "电话未接通"}).status_code == 200
    tasks.late.case.refresh_from_db()
    assert tasks.late.case.rating is None and tasks.late.case.status == Status.RESOLVED


def test_bad_input_and_tasks_elsewhere(cw, tasks, login):
    client = login(cw.carol)
    blank = record(client, tasks.lamp, {"outcome": "  "}, headers=EN)
    assert blank.status_code == 422
    assert blank.json()["errors"] == [
        {"field": "body.outcome", "message": "What the resident said is required.", "type": "required"}
    ]
    assert record(client, tasks.lamp, {"outcome": "好", "stars": 6}).status_code == 422
    assert record(client, tasks.yijing, {"outcome": "好"}).status_code == 404  # another community's
    tasks.lamp.refresh_from_db()
    assert tasks.lamp.done_at is None and not Event.objects.filter(type=Event.Type.REVISIT).exists()


def test_the_list_costs_the_same_queries_for_few_or_many(cw, tasks, new_case, login):
    client = login(cw.carol)
    client.get(f"{API}/cases/revisits")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/cases/revisits")
    for i in range(4):
        revisit_for(resolved(new_case, cw, title=f"第{i}件", reporter=cw.p_neighbour))
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{API}/cases/revisits").json()["count"] == 6
    assert len(many) == len(few)
