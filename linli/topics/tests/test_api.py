"""/api/v1/topics: the same rules as the pages, as JSON."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.topics import services
from linli.topics.models import Comment, Status, Support, Topic

from .conftest import API, told
from .test_pages import MODERATE, NOT_SEE, ORGANISE, SEE, SUPPORT


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.mark.parametrize("who", SEE + NOT_SEE)
def test_reading_and_supporting_by_role(tw, topic, as_user, who):
    client = as_user(getattr(tw, who))
    detail = client.get(f"{API}/{topic.code}")
    listed = [t["code"] for t in client.get(API).json()["items"]]
    supported = post(client, f"{API}/{topic.code}/support")
    if who not in SEE:
        assert detail.status_code == 404 and detail.json()["code"] == "not_found"
        assert listed == [] and supported.status_code == 404 and not Support.objects.exists()
        return
    body = detail.json()
    assert detail.status_code == 200 and listed == [topic.code]
    assert body["place"] == "富丰新城 1栋 1单元" and body["level"] == "stairwell" and body["threshold"] == 2
    assert body["may_support"] is (who in SUPPORT)
    assert body["organiser"] is (who in ORGANISE) and body["moderator"] is (who in MODERATE)
    if who in SUPPORT:
        assert supported.status_code == 200 and supported.json()["support_count"] == 1
        assert supported.json()["supported"] is True
    else:
        assert supported.status_code == 403 and supported.json()["code"] == "permission_denied"
        assert supported.json()["detail"] == "Only residents of 富丰新城 1栋 1单元 can support this topic."
        assert not Support.objects.exists()


def test_anonymous_gets_401(tw, topic, as_user):
    client = as_user(None)
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/{topic.code}").status_code == 401
    assert post(client, f"{API}/{topic.code}/support").status_code == 401


def test_a_second_support_is_a_409_and_the_threshold_makes_it_ready(tw, topic, as_user, committed):
    client = as_user(tw.alice)
    assert post(client, f"{API}/{topic.code}/support").status_code == 200
    again = post(client, f"{API}/{topic.code}/support")
    assert again.status_code == 409 and again.json() == {
        "detail": "You already support this topic.",
        "code": "conflict",
    }
    with committed():
        ready = post(as_user(tw.nina), f"{API}/{topic.code}/support").json()
    assert ready["status"] == "ready" and ready["support_count"] == 2 and ready["version"] == 2
    assert told(tw.carol, "topic.ready")
    assert [t["code"] for t in as_user(tw.carol).get(f"{API}?show=ready").json()["items"]] == [topic.code]


def test_proposing_through_the_api(tw, as_user):
    client = as_user(tw.bob)
    answer = post(
        client, API, {"level": "stairwell", "place_id": tw.s12.pk, "title": "2单元门禁坏了", "text": "刷卡没反应"}
    )
    assert answer.status_code == 201
    assert answer.json()["place"] == "富丰新城 1栋 2单元" and answer.json()["proposer"] == "沈霞"
    refused = post(client, API, {"level": "building", "place_id": tw.b2.pk, "title": "x", "text": "y"})
    assert refused.status_code == 403 and "only for the places" in refused.json()["detail"]
    missing = post(client, API, {"level": "building", "place_id": 999999, "title": "x", "text": "y"})
    assert missing.status_code == 422
    empty = post(client, API, {"level": "building", "place_id": tw.b1.pk, "title": " ", "text": "y"})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "title"
    assert Topic.objects.count() == 1


@pytest.mark.parametrize("who", SEE)
def test_closing_by_role(tw, topic, as_user, who):
    answer = post(as_user(getattr(tw, who)), f"{API}/{topic.code}/close", {"reason": "重复议题", "version": 1})
    topic.refresh_from_db()
    if who in ORGANISE:
        assert answer.status_code == 200 and answer.json()["status"] == "closed"
        assert answer.json()["closed_reason"] == "重复议题"
    else:
        assert answer.status_code == 403 and topic.status == Status.OPEN


def test_a_stale_version_is_a_409(tw, topic, as_user):
    services.mark_on_agenda(topic, "楼道会议", tw.carol)
    answer = post(as_user(tw.carol), f"{API}/{topic.code}/close", {"reason": "x", "version": 1})
    assert answer.status_code == 409 and answer.json()["code"] == "conflict"
    topic.refresh_from_db()
    assert topic.status == Status.ON_AGENDA


def test_agenda_settle_and_withdraw(tw, topic, as_user):
    assert post(as_user(tw.alice), f"{API}/{topic.code}/agenda", {"meeting_title": "x"}).status_code == 403
    on = post(as_user(tw.bob), f"{API}/{topic.code}/agenda", {"meeting_title": "1栋楼道会议"})
    assert on.status_code == 200 and on.json()["status"] == "on_agenda" and on.json()["meeting_title"] == "1栋楼道会议"
    assert post(as_user(tw.alice), f"{API}/{topic.code}/withdraw").status_code == 409
    done = post(as_user(tw.carol), f"{API}/{topic.code}/settle", {"outcome": "物业清理"})
    assert done.status_code == 200 and done.json()["status"] == "settled"
    other = services.propose(user=tw.alice, place=tw.b1, title="y", text="z")
    assert post(as_user(tw.alice), f"{API}/{other.code}/withdraw").json()["status"] == "withdrawn"


@pytest.mark.parametrize("who", SEE)
def test_hiding_by_role(tw, topic, as_user, who, committed):
    c = services.comment(topic=topic, user=tw.nina, text="楼上那家真缺德")
    services.report(comment=c, user=tw.alice, reason="人身攻击")
    with committed():
        answer = post(as_user(getattr(tw, who)), f"{API}/comments/{c.pk}/hide", {"reason": "请文明发言"})
    c.refresh_from_db()
    if who in MODERATE:
        assert answer.status_code == 200 and c.hidden and told(tw.nina, "topic.comment_hidden")
        seen = as_user(tw.alice).get(f"{API}/{topic.code}").json()["comments"][0]
        assert seen["hidden"] is True and seen["text"] == "" and seen["hidden_reason"] == "请文明发言"
    else:
        assert answer.status_code == 403 and not c.hidden and not told(tw.nina)


def test_comments_reports_and_the_queue(tw, topic, as_user):
    answer = post(as_user(tw.nina), f"{API}/{topic.code}/comments", {"text": "我家门口也堆了"})
    assert answer.status_code == 201 and answer.json()["mine"] is True
    cid = answer.json()["id"]
    assert post(as_user(tw.sam), f"{API}/comments/{cid}/report", {"reason": "x"}).status_code == 404
    assert post(as_user(tw.alice), f"{API}/comments/{cid}/report", {"reason": "广告"}).status_code == 201
    assert post(as_user(tw.alice), f"{API}/comments/{cid}/report", {"reason": "广告"}).status_code == 409
    assert post(as_user(tw.bob), f"{API}/comments/{cid}/report", {"reason": ""}).status_code == 422
    seen = as_user(tw.alice).get(f"{API}/{topic.code}").json()["comments"][0]
    assert seen["author"] == "王*" and seen["reports"] is None  # masked; report counts are for moderators
    queue = as_user(tw.carol).get(f"{API}/moderation").json()["items"]
    assert [(q["id"], q["reports"]) for q in queue] == [(cid, ["广告"])]
    assert as_user(tw.wendy).get(f"{API}/moderation").json()["items"] == []
    assert as_user(tw.alice).get(f"{API}/moderation").status_code == 404
    assert post(as_user(tw.carol), f"{API}/comments/{cid}/unhide").status_code == 409
    assert Comment.objects.count() == 1


def test_the_list_queries_do_not_grow_with_the_topics(tw, as_user):
    client = as_user(tw.alice)

    def make(n):
        for i in range(n):
            t = services.propose(user=tw.alice, place=[tw.s11, tw.b1, tw.fufeng][i % 3], title=f"议题{i}", text="x")
            services.support(topic=t, user=tw.nina if i % 2 else tw.alice)

    make(2)
    client.get(API)
    with CaptureQueriesContext(connection) as few:
        client.get(API)
    make(10)
    with CaptureQueriesContext(connection) as many:
        items = client.get(API).json()["items"]
    assert len(items) == 12 and len(many) == len(few)
