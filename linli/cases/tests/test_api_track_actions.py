"""The resident's own steps without an account (POST /public/track/actions): with his case's
code and the phone's last four digits (or his follow link's secret) he confirms, reopens or
rates a resolved case; the same limits as following it."""

import pytest
from django.test import Client

from linli.cases import public_api, services
from linli.cases.models import Event, Status

from .conftest import EN, post_json, resolve

pytestmark = pytest.mark.usefixtures("fresh_limits")


@pytest.fixture
def case(cw, case):
    """The case, resolved by dave."""
    return resolve(case, cw.dave, note="灯已更换")


def act(payload, client=None, **headers):
    return post_json(client or Client(), "/public/track/actions", payload, headers)


def test_the_resident_confirms_his_resolved_case(cw, case):
    response = act({"code": case.code, "last4": "0001", "action": "close"}, **EN)
    assert response.status_code == 200, response.content
    assert response["cache-control"] == "no-store"
    body = response.json()
    assert body["status"] == "closed"
    assert (body["timeline"][-1]["action"], body["timeline"][-1]["by"]) == ("close", "the resident")
    event = case.events.get(action="close")
    assert event.actor is None and event.from_status == Status.RESOLVED and event.note  # "confirmed by the resident"


def test_the_resident_reopens_with_a_reason(cw, case):
    blank = act({"code": case.code, "last4": "0001", "action": "reopen"}, **EN)
    assert blank.status_code == 422
    assert blank.json()["errors"] == [
        {"field": "body.note", "message": "Please give a reason.", "type": "note_required"}
    ]
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    body = act({"code": case.code, "last4": "0001", "action": "reopen", "note": "灯还是不亮"}).json()
    assert body["status"] == "reopened" and body["timeline"][-1]["note"] == "灯还是不亮"


def test_the_resident_rates_through_his_follow_link(cw, new_case):
    made, secret = services.submit(
        compound=cw.fufeng, category=cw.cat.hygiene, title="垃圾", description="没有清运", reporter=cw.p_alice
    )
    made = resolve(made, cw.dave, note="灯已更换")
    response = act({"code": made.code, "secret": secret, "action": "rate", "stars": 4, "note": "很快"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rating"], body["status"]) == (4, "closed")
    made.refresh_from_db()
    assert (made.rating, made.rating_comment) == (4, "很快")
    again = act({"code": made.code, "secret": secret, "action": "rate", "stars": 5}, **EN)
    assert (again.status_code, again.json()["detail"]) == (409, "This case has already been rated.")


def test_what_the_case_does_not_allow_is_a_409_and_bad_input_a_422(cw, now_case):
    open_case = now_case()
    early = act({"code": open_case.code, "last4": "0001", "action": "close"}, **EN)
    assert (early.status_code, early.json()["code"]) == (409, "invalid_state")
    rating = act({"code": open_case.code, "last4": "0001", "action": "rate", "stars": 5}, **EN)
    assert (rating.status_code, rating.json()["detail"]) == (409, "A case can be rated once it is resolved.")
    no_stars = act({"code": resolve(open_case, cw.dave, note="灯已更换").code, "last4": "0001", "action": "rate"}, **EN)
    assert no_stars.json()["errors"][0]["field"] == "body.stars"
    assert act({"code": open_case.code, "last4": "0001", "action": "accept"}).status_code == 422
    open_case.refresh_from_db()
    assert open_case.status == Status.RESOLVED and open_case.rating is None


def test_wrong_digits_change_nothing_and_lock_the_code_like_following_it(cw, case):
    for digits in range(public_api.TRACK_CODE_LIMIT):
        wrong = act({"code": case.code, "last4": f"{9000 + digits}", "action": "close"})
        assert wrong.status_code == 404
    locked = act({"code": case.code, "last4": "0001", "action": "close"})
    assert locked.status_code == 429 and int(locked["retry-after"]) == public_api.TRACK_CODE_WINDOW
    following = post_json(Client(), "/public/track", {"code": case.code, "last4": "0001"})
    assert following.status_code == 429  # the same lock for following and for acting
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and not case.events.filter(action="close").exists()


def test_one_address_may_only_try_so_often(cw, case, monkeypatch):
    monkeypatch.setattr(public_api, "TRACK_IP_LIMIT", 2)
    client = Client()
    post_json(client, "/public/track", {"code": case.code, "last4": "0001"})
    assert act({"code": case.code, "last4": "0001", "action": "reopen", "note": "x"}, client).status_code == 200
    assert act({"code": case.code, "last4": "0001", "action": "close"}, client).status_code == 429
    assert not Event.objects.filter(case=case, action="close").exists()
