"""Cases over the API: who sees which case (lists, details, figures, search), what a detail
shows to whom, filing a case for oneself or on someone's behalf, and lists whose query count
does not grow with their length."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.accounts.models import ApiToken
from linli.cases import services
from linli.cases.lifecycle import perform
from linli.cases.models import Case, Channel
from linli.people.models import Person

from .conftest import API, post_json


def codes(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])  # the world is smaller than one page
    return {item["code"] for item in body["items"]}


def post(client, path, payload=None, **headers):
    return post_json(client, path, payload, headers)


@pytest.fixture
def cases(cw, new_case):
    """One case per handler and place:富丰新城 1栋 (the company's and the committee's), 2栋, and
    颐景园 (the other company's)."""
    now = timezone.now() - dt.timedelta(hours=1)
    c = type("Cases", (), {})()
    c.lamp = new_case(now=now)  # alice, 1栋1单元, maintenance → 富丰物业
    c.order = new_case(category=cw.cat.public_order, title="夜间有人聚集喧哗", now=now)  # → 居委会
    c.b2 = new_case(stairwell=cw.s21, reporter=cw.p_b2, title="2栋门禁坏了", now=now)  # → 富丰物业
    c.yijing = new_case(
        compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga, title="电梯困人", category=cw.cat.elevator, now=now
    )  # → 颐景物业
    return c


SEES = {
    "alice": {"lamp", "order"},
    "bob": {"lamp", "order"},
    "dave": {"lamp", "b2"},
    "paul": {"yijing"},
    "olga": {"yijing"},
    "carol": {"lamp", "order", "b2"},
    "jack": {"lamp", "order", "b2"},
    "erin": {"lamp", "order", "b2", "yijing"},
    "root": {"lamp", "order", "b2", "yijing"},
    "grace": set(),
    "henry": set(),
}


@pytest.mark.parametrize("actor, expected", SEES.items())
def test_each_role_lists_and_opens_only_the_cases_of_its_area(cw, cases, login, actor, expected):
    client = login(getattr(cw, actor))
    assert codes(client.get(f"{API}/cases")) == {getattr(cases, name).code for name in expected}
    for name in ("lamp", "order", "b2", "yijing"):
        response = client.get(f"{API}/cases/{getattr(cases, name).code}")
        assert response.status_code == (200 if name in expected else 404), (actor, name)
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("actor, other", [("dave", "yijing"), ("paul", "lamp")])
def test_a_clerk_never_finds_the_other_companys_case(cw, cases, login, actor, other):
    client = login(getattr(cw, actor))
    case = getattr(cases, other)
    assert codes(client.get(f"{API}/cases", {"q": case.code})) == set()
    assert codes(client.get(f"{API}/cases", {"q": case.title})) == set()
    assert codes(client.get(f"{API}/cases", {"compound": case.compound_id})) == set()
    assert client.get(f"{API}/cases/{case.code}").status_code == 404
    assert client.get(f"{API}/cases/{case.pk}").status_code == 404  # nor by its row id
    own = 2 if actor == "dave" else 1
    assert client.get(f"{API}/cases/figures").json()["received"] == own
    assert client.get(f"{API}/cases/figures", {"compound": case.compound_id}).json()["received"] == 0
    for path in ("actions/accept", "replies", "notes", "reveal-contact"):
        response = post(client, f"/cases/{case.code}/{path}", {"text": "x", "reason": "x"})
        assert response.status_code == 404, path


def test_list_filters(cw, cases, login):
    perform(cases.lamp, "accept", user=cw.dave)
    old = services.submit(
        compound=cw.fufeng,
        building=cw.b1,
        category=cw.cat.hygiene,
        title="垃圾桶满了",
        description="三天没有清运",
        reporter=cw.p_neighbour,
        now=timezone.now() - dt.timedelta(days=60),
    )[0]
    client = login(cw.carol)
    everything = {cases.lamp.code, cases.order.code, cases.b2.code, old.code}
    assert codes(client.get(f"{API}/cases")) == everything
    assert codes(client.get(f"{API}/cases", {"status": "accepted"})) == {cases.lamp.code}
    assert codes(client.get(f"{API}/cases?status=accepted,submitted")) == everything
    assert codes(client.get(f"{API}/cases", {"category": "public-order"})) == {cases.order.code}
    assert codes(client.get(f"{API}/cases", {"building": cw.b2.pk})) == {cases.b2.code}
    assert codes(client.get(f"{API}/cases", {"organisation": cw.committee.pk})) == {cases.order.code}
    assert codes(client.get(f"{API}/cases", {"overdue": "true"})) == {old.code}
    assert old.code not in codes(client.get(f"{API}/cases", {"overdue": "false"}))
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert codes(client.get(f"{API}/cases", {"submitted_before": week_ago})) == {old.code}
    assert old.code not in codes(client.get(f"{API}/cases", {"submitted_after": week_ago}))
    assert codes(client.get(f"{API}/cases", {"q": "门禁"})) == {cases.b2.code}
    assert codes(client.get(f"{API}/cases", {"q": cases.b2.code.lower()})) == {cases.b2.code}
    perform(cases.order, "reject", user=cw.carol, note="不属于受理范围")
    assert codes(client.get(f"{API}/cases", {"open": "false"})) == {cases.order.code}
    assert cases.order.code not in codes(client.get(f"{API}/cases", {"open": "true"}))
    items = client.get(f"{API}/cases", {"order": "due"}).json()["items"]
    assert items[0]["code"] == old.code and items[0]["overdue"] is True


def test_list_items_map_onto_open311_and_carry_their_dues(cw, cases, login):
    case = perform(cases.lamp, "accept", user=cw.dave)
    services.reply(case=case, user=cw.dave, text="明天上午更换")
    perform(case, "start", user=cw.dave)
    perform(case, "resolve", user=cw.dave)
    item = next(
        i
        for i in login(cw.dave).get(f"{API}/cases", headers={"accept-language": "en"}).json()["items"]
        if i["code"] == case.code
    )
    assert item["status"] == "resolved" and item["status_label"] == "resolved"
    assert item["open311_status"] == "closed"
    assert item["category"] == {"code": "maintenance", "name": "Facility maintenance"}
    assert item["organisation"] == {"id": cw.company.pk, "name": "富丰物业"}
    assert item["assignee"] == {"id": cw.dave.pk, "name": "物业戊"}
    assert item["compound"]["name"] == "富丰新城" and item["stairwell"]["name"] == "1单元"
    assert item["reply_due"] and item["resolve_due"] and item["first_reply_at"]
    assert (item["overdue"], item["reply_overdue"]) == (False, False)
    open_item = login(cw.dave).get(f"{API}/cases", {"q": cases.b2.code}).json()["items"][0]
    assert open_item["open311_status"] == "open"


def test_filters_are_checked(cw, cases, login):
    response = login(cw.carol).get(f"{API}/cases?status=done&overdue=maybe", headers={"accept-language": "en"})
    assert response.status_code == 422
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == {"query.overdue": "Enter true or false."}
    response = login(cw.carol).get(f"{API}/cases?status=submitted,done", headers={"accept-language": "en"})
    assert response.json()["errors"] == [{"field": "query.status", "message": "Unknown status: done"}]


def _more_cases(cw, n):
    for i in range(n):
        services.submit(
            compound=cw.fufeng,
            stairwell=cw.s11 if i % 2 else cw.s21,
            category=cw.cat.maintenance,
            title=f"第{i}件",
            description="…",
            reporter=cw.p_alice,
        )


@pytest.mark.parametrize("actor", ["carol", "dave", "alice"])
def test_the_list_costs_the_same_queries_for_few_or_many_cases(cw, login, actor):
    client = login(getattr(cw, actor))
    _more_cases(cw, 2)
    # Buildings, stairwells and assignees are looked up once per page (when a row has one).
    Case.objects.filter(pk=Case.objects.first().pk).update(assignee=cw.dave)
    client.get(f"{API}/cases")  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/cases").status_code == 200
    _more_cases(cw, 12)
    for case in Case.objects.all()[:5]:
        case.assignee = cw.dave
        case.save()
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{API}/cases").json()
    assert body["count"] >= 14
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_a_long_list_counts_up_to_the_cap_and_says_so(cw, login, monkeypatch):
    from linli.cases import api

    _more_cases(cw, 5)
    client = login(cw.carol)
    body = client.get(f"{API}/cases?limit=2").json()
    assert (body["count"], body["count_exact"], len(body["items"])) == (5, True, 2)
    monkeypatch.setattr(api, "COUNT_CAP", 4)
    body = client.get(f"{API}/cases?limit=2&offset=4").json()
    assert (body["count"], body["count_exact"], len(body["items"])) == (4, False, 1)  # the pages go on
    monkeypatch.setattr(api, "COUNT_CAP", 5)
    assert client.get(f"{API}/cases").json()["count_exact"] is True


def test_figures_answer_the_same_filters(cw, cases, login):
    case = perform(cases.lamp, "accept", user=cw.dave)
    services.reply(case=case, user=cw.dave, text="已处理")
    perform(case, "start", user=cw.dave)
    perform(case, "resolve", user=cw.dave)
    services.rate(case=case, user=cw.alice, stars=4)
    client = login(cw.carol)
    body = client.get(f"{API}/cases/figures").json()
    assert body["received"] == 3 and body["resolved"] == 1 and body["rating"] == 4.0
    assert body["resolution_rate"] == pytest.approx(33.3)
    assert client.get(f"{API}/cases/figures", {"category": "public-order"}).json()["received"] == 1
    assert login(cw.erin).get(f"{API}/cases/figures").json()["received"] == 4


def test_categories_are_public_in_the_callers_language(db, client):
    english = client.get(f"{API}/cases/categories", headers={"accept-language": "en"})
    assert english.status_code == 200
    first = english.json()[0]
    assert first == {
        "code": "neighbour-dispute",
        "name": "Neighbour dispute",
        "default_kind": "dispute",
        "default_kind_label": "neighbour dispute",
        "is_dispute": True,
    }
    assert client.get(f"{API}/cases/categories").json()[0]["name"] == "邻里纠纷"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/cases"),
        ("get", "/cases/figures"),
        ("get", "/cases/similar?compound=1&category=hygiene"),
        ("get", "/cases/CODE"),
        ("post", "/cases"),
        ("post", "/cases/CODE/actions/accept"),
        ("post", "/cases/CODE/replies"),
        ("post", "/cases/CODE/reveal-contact"),
        ("post", "/cases/CODE/photos"),
    ],
)
def test_every_case_endpoint_but_the_categories_needs_a_login(cases, client, method, path):
    response = getattr(client, method)(f"{API}{path.replace('CODE', cases.lamp.code)}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bearer_token_sees_the_same_cases(cw, cases, client):
    _, key = ApiToken.issue(user=cw.dave, name="phone")
    response = client.get(f"{API}/cases", headers={"authorization": f"Bearer {key}"})
    assert codes(response) == {cases.lamp.code, cases.b2.code}


# --- the detail ------------------------------------------------------------------------


def test_detail_masks_the_reporter_and_lists_what_the_caller_may_do(cw, cases, login):
    body = login(cw.dave).get(f"{API}/cases/{cases.lamp.code}").json()
    assert body["reporter"] == {"name": "李**", "phone": "138****0001", "is_you": False}
    assert body["available_actions"] == ["accept", "return", "merge"]
    assert body["can"] == {
        "reply": True,
        "note": True,
        "rate": False,
        "support": True,
        "reassign": False,
        "reveal_contact": True,
        "add_photos": True,
        "mediate": True,
    }
    assert body["version"] == 1 and body["workdays_left"] >= 0
    assert body["timeline"][0]["action"] == "submit"
    own = login(cw.alice).get(f"{API}/cases/{cases.lamp.code}").json()
    assert own["reporter"] == {"name": "李爱丽", "phone": "138****0001", "is_you": True}
    assert own["available_actions"] == []
    assert own["can"]["add_photos"] and own["can"]["reply"] is False


def test_internal_notes_only_for_those_who_work_on_the_case(cw, cases, login):
    services.add_note(case=cases.lamp, user=cw.dave, text="住户白天不在家，下午再联系")
    services.reply(case=cases.lamp, user=cw.dave, text="已安排电工")
    for actor, sees_note in (("dave", True), ("carol", True), ("bob", True), ("alice", False)):
        timeline = login(getattr(cw, actor)).get(f"{API}/cases/{cases.lamp.code}").json()["timeline"]
        notes = [e["note"] for e in timeline]
        assert ("住户白天不在家，下午再联系" in notes) is sees_note, actor
        assert "已安排电工" in notes
        assert all(e["public"] for e in timeline) is not sees_note


# --- filing a case ---------------------------------------------------------------------


def test_a_resident_files_a_case_for_himself(cw, login):
    response = post(
        login(cw.alice),
        "/cases",
        {
            "category": "elevator",
            "title": "电梯按钮失灵",
            "description": "1栋电梯5楼按钮按了没反应",
            "compound_id": cw.fufeng.pk,
            "stairwell_id": cw.s11.pk,
            "home_id": cw.h101.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(code=body["code"])
    assert (case.reporter, case.channel, case.recorded_by) == (cw.p_alice, Channel.API, None)
    assert (case.building, case.home, case.organisation) == (cw.b1, cw.h101, cw.company)
    assert case.secret_matches(body["secret"])
    assert body["status"] == "submitted" and body["reporter"]["is_you"]
    assert login(cw.dave).get(f"{API}/cases/{case.code}").status_code == 200


def test_a_leader_records_a_case_on_behalf_of_a_neighbour(cw, login):
    response = post(
        login(cw.bob),
        "/cases",
        {
            "category": "noise",
            "title": "楼上深夜装修",
            "description": "晚上十一点还在钻墙",
            "compound_id": cw.fufeng.pk,
            "building_id": cw.b1.pk,
            "on_behalf": True,
            "reporter_name": "王邻",
            "reporter_phone": "138 0000 0002",
            "channel": "meeting",
        },
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(code=response.json()["code"])
    assert (case.reporter, case.recorded_by, case.channel) == (cw.p_neighbour, cw.bob, Channel.MEETING)
    assert case.phone_last4 == "0002"
    assert response.json()["reporter"] == {"name": "王*", "phone": "138****0002", "is_you": False}


def test_only_those_of_the_compound_record_for_others(cw, login):
    payload = {
        "category": "noise",
        "title": "噪音",
        "description": "x",
        "compound_id": cw.yijing.pk,
        "on_behalf": True,
        "reporter_phone": "13800000009",
    }
    for actor in ("bob", "alice", "dave"):
        response = post(login(getattr(cw, actor)), "/cases", payload)
        assert response.status_code == 403, actor
    assert post(login(cw.erin), "/cases", payload).status_code == 201
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"category": "nothing"}, "body.category", "Choose one of the categories."),
        ({"compound_id": 999999}, "body.compound_id", "There is no such compound."),
        ({"home_id": "h_yj"}, "body.home_id", "That home is not within your area."),
        ({"stairwell_id": "ys"}, "body.compound_id", "That building is not in that compound."),
        ({"title": "   "}, "body", "Title is required."),
        ({"reporter_phone": "13800000002"}, "body.on_behalf", "To record a case for someone else, set on_behalf."),
        ({"channel": "patrol"}, "body.channel", "This channel is only for cases recorded on someone's behalf."),
        ({"title": "长" * 81}, "body.title", "At most 80 characters."),
    ],
)
def test_bad_input_is_named_and_nothing_is_filed(cw, login, change, field, message):
    payload = {"category": "hygiene", "title": "垃圾", "description": "没人清运", "compound_id": cw.fufeng.pk}
    payload.update({k: getattr(cw, v).pk if isinstance(v, str) and hasattr(cw, v) else v for k, v in change.items()})
    response = post(login(cw.alice), "/cases", payload, **{"accept-language": "en"})
    assert response.status_code == 422, response.content
    assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [(field, message)]
    assert not Case.objects.exists()


def test_a_bad_phone_on_behalf_is_named(cw, login):
    payload = {
        "category": "hygiene",
        "title": "垃圾",
        "description": "没人清运",
        "compound_id": cw.fufeng.pk,
        "on_behalf": True,
        "reporter_phone": "12345",
    }
    response = post(login(cw.carol), "/cases", payload, **{"accept-language": "en"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.reporter_phone"
    assert not Case.objects.exists() and not Person.objects.filter(phone="12345").exists()


def test_an_account_without_a_resident_files_only_on_behalf(cw, login):
    payload = {"category": "hygiene", "title": "垃圾", "description": "没人清运", "compound_id": cw.fufeng.pk}
    response = post(login(cw.root), "/cases", payload)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.on_behalf"


def test_similar_open_cases_on_the_board_are_offered(cw, cases, login):
    hidden = services.submit(
        compound=cw.fufeng,
        stairwell=cw.s11,
        category=cw.cat.maintenance,
        title="不公开的",
        description="x",
        reporter=cw.p_neighbour,
        on_public_board=False,
    )[0]
    params = {"compound": cw.fufeng.pk, "category": "maintenance", "stairwell": cw.s11.pk}
    found = login(cw.bob).get(f"{API}/cases/similar", params).json()
    assert [c["code"] for c in found] == [cases.lamp.code]
    assert hidden.code not in {c["code"] for c in found}
    assert found[0]["reporter_name"] is None and "description" not in found[0]
