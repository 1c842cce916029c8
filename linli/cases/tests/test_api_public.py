"""What anyone may see without an account: a compound's public board (no names, homes or
phones unless the resident agreed, never a phone), following a case with its code (limited
per address and per code), and the Open311 GeoReport v2 view with its open/closed mapping."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.cases import public_api as cases_api
from linli.cases import services
from linli.cases.lifecycle import perform
from linli.cases.models import Status

from .conftest import API, EN, post_json

pytestmark = pytest.mark.usefixtures("fresh_limits")


@pytest.fixture
def board(cw, new_case):
    now = timezone.now() - dt.timedelta(hours=2)
    b = type("Board", (), {})()
    b.lamp = new_case(now=now)  # alice, no details on the board
    perform(b.lamp, "accept", user=cw.dave)
    services.reply(case=b.lamp, user=cw.dave, text="已安排电工明天上午更换")
    b.noise = new_case(
        category=cw.cat.noise,
        title="楼上深夜装修",
        reporter=cw.p_neighbour,
        home=cw.h102,
        public_details=True,
        now=now,
    )
    b.private = new_case(title="不想公开的事", on_public_board=False, now=now)
    b.old = new_case(title="早就办结了", now=now - dt.timedelta(days=90))
    perform(b.old, "reject", user=cw.carol, note="重复", now=now - dt.timedelta(days=80))
    b.rejected = new_case(title="最近驳回的", now=now)
    perform(b.rejected, "reject", user=cw.carol, note="私人纠纷，请协商解决", now=now)
    b.yijing = new_case(compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga, title="电梯困人", now=now)
    return b


def get_board(cw, client=None, **headers):
    response = (client or Client()).get(f"{API}/public/compounds/{cw.fufeng.pk}/board", headers=headers)
    assert response.status_code == 200, response.content
    return response


# --- the public board -------------------------------------------------------------------


def test_the_board_shows_open_and_recent_cases_of_the_compound(cw, board):
    body = get_board(cw).json()
    assert body["compound"] == {"id": cw.fufeng.pk, "name": "富丰新城"}
    assert [c["code"] for c in body["items"]] == [board.rejected.code, board.noise.code, board.lamp.code]
    assert body["count"] == 3 and body["open_count"] == 2
    lamp = body["items"][2]
    assert lamp["status"] == "accepted" and lamp["open311_status"] == "open"
    assert lamp["organisation"] == "富丰物业"
    assert [(r["text"], r["by"]) for r in lamp["replies"]] == [("已安排电工明天上午更换", "富丰物业")]


def test_the_board_hides_names_homes_and_phones_unless_agreed(cw, board):
    response = get_board(cw)
    text = response.content.decode()
    for private in ("李爱丽", "李*", "13800000001", "138****", "物业戊", "不想公开的事"):
        assert private not in text, private
    items = {c["code"]: c for c in response.json()["items"]}
    assert items[board.lamp.code]["reporter_name"] is None
    assert items[board.lamp.code]["place"] == "富丰新城 1栋"
    # The neighbour agreed to show his name and home; his phone stays off the board.
    assert items[board.noise.code]["reporter_name"] == "王邻"
    assert items[board.noise.code]["place"] == "富丰新城 1栋 1单元 102"
    assert "13800000002" not in text


def test_the_board_needs_no_login_and_costs_the_same_for_more_cases(cw, board, now_case):
    client = Client()
    get_board(cw, client)
    with CaptureQueriesContext(connection) as few:
        get_board(cw, client)
    for i in range(6):
        case = now_case(title=f"第{i}件")
        services.reply(case=case, user=cw.dave, text=f"答复{i}")
    with CaptureQueriesContext(connection) as many:
        assert get_board(cw, client).json()["count"] == 9
    assert len(many) == len(few)


def test_the_board_of_an_unknown_compound_is_404(db, client):
    assert client.get(f"{API}/public/compounds/999999/board").status_code == 404


# --- following a case with its code -----------------------------------------------------


def track(payload, client=None, **headers):
    return post_json(client or Client(), "/public/track", payload, headers)


def test_the_code_and_the_last_four_digits_show_the_case(cw, board):
    response = track({"code": board.lamp.code.lower(), "last4": "0001"})
    assert response.status_code == 200, response.content
    assert response["cache-control"] == "no-store"
    body = response.json()
    assert body["code"] == board.lamp.code and body["description"] == "1单元3楼楼道灯不亮一周了"
    assert [e["action"] for e in body["timeline"] if e["type"] == "transition"] == ["submit"]
    assert body["timeline"][-1]["note"] == "已安排电工明天上午更换" and body["timeline"][-1]["by"] == "富丰物业"
    assert "李爱丽" not in response.content.decode() and "13800000001" not in response.content.decode()


def test_the_follow_links_secret_also_works(cw, new_case):
    case, secret = services.submit(
        compound=cw.fufeng, category=cw.cat.hygiene, title="垃圾", description="没有清运", reporter=cw.p_alice
    )
    assert track({"code": case.code, "secret": secret}).status_code == 200
    assert track({"code": case.code, "secret": secret[:-1] + ("y" if secret.endswith("x") else "x")}).status_code == 404


def test_a_case_recorded_by_a_leader_does_not_name_him(cw):
    case, _secret = services.submit(
        compound=cw.fufeng,
        category=cw.cat.noise,
        title="噪音",
        description="深夜",
        reporter_phone="13800000002",
        recorded_by=cw.bob,
        channel="meeting",
    )
    body = track({"code": case.code, "last4": "0002"}).json()
    assert body["timeline"][0]["note"] == "" and body["timeline"][0]["by"] == ""
    assert "沈霞" not in str(body)


def test_wrong_digits_and_wrong_codes_get_the_same_answer(cw, board):
    wrong_digits = track({"code": board.lamp.code, "last4": "9999"}, **EN)
    wrong_code = track({"code": "2611-ZZZZZZ", "last4": "0001"}, **EN)
    assert wrong_digits.status_code == wrong_code.status_code == 404
    assert (
        wrong_digits.json()
        == wrong_code.json()
        == {
            "detail": "No case matches this code and these digits.",
            "code": "not_found",
        }
    )


def test_a_case_without_a_phone_cannot_be_followed_by_digits(cw):
    case, _secret = services.submit(compound=cw.fufeng, category=cw.cat.other, title="匿名", description="x")
    assert track({"code": case.code, "last4": "0000"}).status_code == 404


@pytest.mark.parametrize("last4", ["", "12", "abcd", None])
def test_the_digits_are_checked(cw, board, last4):
    response = track({"code": board.lamp.code, "last4": last4}, **EN)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.last4"


def test_a_code_is_locked_after_a_few_wrong_digits(cw, board):
    for digits in range(cases_api.TRACK_CODE_LIMIT):
        assert track({"code": board.lamp.code, "last4": f"{9000 + digits}"}).status_code == 404
    locked = track({"code": board.lamp.code, "last4": "0001"}, **EN)  # even the right digits now
    assert locked.status_code == 429
    assert locked.json() == {"detail": "Too many attempts. Please try again in 60 minutes.", "code": "throttled"}
    assert int(locked["retry-after"]) == cases_api.TRACK_CODE_WINDOW
    assert track({"code": board.noise.code, "last4": "0002"}).status_code == 200  # other codes are not locked


def test_one_address_may_only_try_so_often(cw, board, monkeypatch):
    monkeypatch.setattr(cases_api, "TRACK_IP_LIMIT", 3)
    for _ in range(3):
        assert track({"code": board.lamp.code, "last4": "0001"}).status_code == 200
    assert track({"code": board.noise.code, "last4": "0002"}).status_code == 429
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert track({"code": board.noise.code, "last4": "0002"}, other).status_code == 200


# --- Open311 GeoReport v2 ---------------------------------------------------------------

REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def test_open311_services_are_the_categories(db, client):
    services_ = client.get(f"{API}/open311/services.json", headers=EN).json()
    assert len(services_) == 14
    elevator = next(s for s in services_ if s["service_code"] == "elevator")
    assert elevator == {
        "service_code": "elevator",
        "service_name": "Elevator",
        "description": "request",
        "metadata": False,
        "type": "realtime",
        "keywords": "elevator,电梯,Elevator",
        "group": "requests",
    }
    assert client.get(f"{API}/open311/services.json").json()[0]["service_name"] == "邻里纠纷"


# How each of our eleven states reaches Open311: (the steps, by whom).
STATES = {
    Status.SUBMITTED: [],
    Status.ACCEPTED: [("accept", "dave", {})],
    Status.DISPATCHED: [("accept", "dave", {}), ("dispatch", "dave", {})],
    Status.IN_PROGRESS: [("accept", "dave", {}), ("start", "dave", {})],
    Status.ON_HOLD: [("accept", "dave", {}), ("hold", "dave", {"note": "等材料"})],
    Status.RETURNED: [("accept", "dave", {}), ("return", "dave", {"note": "不归物业"})],
    Status.RESOLVED: [("accept", "dave", {}), ("start", "dave", {}), ("resolve", "dave", {"note": "已修好"})],
    Status.CLOSED: [("accept", "dave", {}), ("start", "dave", {}), ("resolve", "dave", {"note": "已修好"})]
    + [("close", "carol", {})],
    Status.REJECTED: [("reject", "carol", {"note": "私人纠纷"})],
    Status.MERGED: [("merge", "dave", {"target": "first"})],
    Status.REOPENED: [("accept", "dave", {}), ("start", "dave", {}), ("resolve", "dave", {"note": "已修好"})]
    + [("reopen", "carol", {"note": "没修好"})],
}
CLOSED = {Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.MERGED}


@pytest.fixture
def every_state(cw, new_case):
    now = timezone.now() - dt.timedelta(hours=3)
    made = {}
    for status, steps in STATES.items():
        case = new_case(title=f"状态 {status}", now=now)
        for action, actor, kw in steps:
            if kw.get("target") == "first":
                kw = {"target": made[Status.SUBMITTED]}
            case = perform(case, action, user=getattr(cw, actor), **kw)
        assert case.status == status
        made[status] = case
    return made


def test_open311_maps_our_eleven_states_onto_open_and_closed(cw, every_state):
    response = Client().get(f"{API}/open311/requests.json", {"jurisdiction_id": cw.fufeng.pk})
    assert response.status_code == 200
    requests = {r["service_request_id"]: r for r in response.json()}
    assert len(Status) == len(every_state) == len(requests) == 11
    for status, case in every_state.items():
        assert requests[case.code]["status"] == ("closed" if status in CLOSED else "open"), status
    opened = Client().get(f"{API}/open311/requests.json", {"jurisdiction_id": cw.fufeng.pk, "status": "open"})
    assert {r["service_request_id"] for r in opened.json()} == {
        c.code for s, c in every_state.items() if s not in CLOSED
    }
    closed = Client().get(f"{API}/open311/requests.json", {"jurisdiction_id": cw.fufeng.pk, "status": "closed"})
    assert {r["service_request_id"] for r in closed.json()} == {c.code for s, c in every_state.items() if s in CLOSED}


def test_open311_requests_use_georeport_field_names_and_no_personal_data(cw, board):
    response = Client().get(f"{API}/open311/requests.json", {"jurisdiction_id": cw.fufeng.pk}, headers=EN)
    requests = response.json()
    assert {r["service_request_id"] for r in requests} == {board.lamp.code, board.noise.code, board.rejected.code}
    assert all(set(r) == REQUEST_FIELDS for r in requests)
    lamp = next(r for r in requests if r["service_request_id"] == board.lamp.code)
    assert lamp["status"] == "open"
    assert lamp["status_notes"] == "已安排电工明天上午更换"
    assert (lamp["service_code"], lamp["service_name"]) == ("maintenance", "Facility maintenance")
    assert lamp["description"] == "楼道灯坏了"
    assert lamp["agency_responsible"] == "富丰物业"
    assert lamp["address"] == "富丰新城 1栋"
    assert lamp["requested_datetime"] and lamp["updated_datetime"] and lamp["expected_datetime"]
    assert (lamp["lat"], lamp["long"], lamp["media_url"], lamp["zipcode"]) == (None, None, None, None)
    text = response.content.decode()
    for private in ("李爱丽", "王邻", "13800000001", "102", "不想公开的事", "物业戊"):
        assert private not in text, private


def test_open311_one_request_and_the_filters(cw, board, new_case):
    old = new_case(title="半年前的", now=timezone.now() - dt.timedelta(days=120))
    client = Client()
    one = client.get(f"{API}/open311/requests/{board.lamp.code}.json")
    assert one.status_code == 200 and [r["service_request_id"] for r in one.json()] == [board.lamp.code]
    for hidden in (board.private.code, "2611-ZZZZZZ"):
        assert client.get(f"{API}/open311/requests/{hidden}.json").status_code == 404
    base = {"jurisdiction_id": cw.fufeng.pk}
    assert old.code not in {r["service_request_id"] for r in client.get(f"{API}/open311/requests.json", base).json()}
    since = (timezone.now() - dt.timedelta(days=200)).isoformat()
    found = client.get(f"{API}/open311/requests.json", {**base, "start_date": since}).json()
    assert old.code in {r["service_request_id"] for r in found}
    by_code = client.get(f"{API}/open311/requests.json", {**base, "service_code": "noise"}).json()
    assert [r["service_request_id"] for r in by_code] == [board.noise.code]
    by_id = client.get(f"{API}/open311/requests.json", {**base, "service_request_id": f"{old.code},{board.lamp.code}"})
    assert {r["service_request_id"] for r in by_id.json()} == {old.code, board.lamp.code}
    other = client.get(f"{API}/open311/requests.json", {"jurisdiction_id": cw.yijing.pk}).json()
    assert [r["service_request_id"] for r in other] == [board.yijing.code]
    assert client.get(f"{API}/open311/requests.json").status_code == 422
    assert client.get(f"{API}/open311/requests.json", {**base, "status": "pending"}).status_code == 422


def test_open311_requests_cost_the_same_for_more_cases(cw, board, now_case):
    client = Client()
    params = {"jurisdiction_id": cw.fufeng.pk}
    client.get(f"{API}/open311/requests.json", params)
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/open311/requests.json", params)
    for i in range(5):
        services.reply(case=now_case(title=f"第{i}件"), user=cw.dave, text="好")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{API}/open311/requests.json", params).json()) == 8
    assert len(many) == len(few)


# --- the OpenAPI description ------------------------------------------------------------


def test_every_case_operation_is_described(db, client):
    schema = client.get(f"{API}/openapi.json").json()
    ours = {path: ops for path, ops in schema["paths"].items() if path.split("/")[3] in ("cases", "public", "open311")}
    assert len(ours) == 26
    for path, ops in ours.items():
        for method, op in ops.items():
            assert op["summary"], (path, method)
            assert op["tags"] and set(op["tags"]) <= {"cases", "public", "open311"}, (path, method)
            success = op["responses"].get("200") or op["responses"]["201"]
            assert success["content"]["application/json"]["schema"], (path, method)
    assert "security" not in ours["/api/v1/public/track"]["post"]
    assert "security" not in ours["/api/v1/public/track/actions"]["post"]
    assert "security" not in ours["/api/v1/cases/categories"]["get"]
    assert ours["/api/v1/cases"]["get"]["security"]
    assert (
        "| resolved, closed, rejected, merged | closed |" in ours["/api/v1/open311/requests.json"]["get"]["description"]
    )
