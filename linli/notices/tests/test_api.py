"""/api/v1/notices: the caller's feed, marking read, preferences."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.accounts.models import ApiToken
from linli.notices.models import Notification, Schedule

API = "/api/v1/notices"


@pytest.fixture
def as_user(client):
    def make(user):
        _, key = ApiToken.issue(user=user, name="phone")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        return client

    return make


def note(user, title="新诉求：楼道灯坏了（富丰新城 1栋1单元）"):
    return Notification.objects.create(user=user, kind="case.submitted", title=title, link="/cases/X/")


def test_the_feed_is_mine_only_newest_first(cw, as_user):
    older, newer = note(cw.dave, "较早"), note(cw.dave, "较新")
    note(cw.paul, "别人的")
    answer = as_user(cw.dave).get(API).json()
    assert answer["count"] == 2
    assert [i["id"] for i in answer["items"]] == [newer.pk, older.pk]
    assert answer["items"][0]["kind"] == "case.submitted" and answer["items"][0]["read_at"] is None


def test_unread_count_and_marking_read(cw, as_user):
    first, second, _third = note(cw.dave), note(cw.dave), note(cw.dave)
    client = as_user(cw.dave)
    assert client.get(f"{API}/unread").json() == {"unread": 3}
    answer = client.post(f"{API}/{first.pk}/read").json()
    assert answer["id"] == first.pk and answer["read_at"] is not None
    assert client.get(f"{API}?unread=true").json()["count"] == 2
    theirs = note(cw.paul)
    answer = client.post(f"{API}/read", {"ids": [second.pk, theirs.pk]}, content_type="application/json").json()
    assert answer == {"marked": 1, "unread": 1}
    assert client.post(f"{API}/read", {}, content_type="application/json").json() == {"marked": 1, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_another_persons_notification_is_not_found(cw, as_user):
    theirs = note(cw.paul)
    response = as_user(cw.dave).post(f"{API}/{theirs.pk}/read")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_preferences_read_and_change(cw, as_user):
    client = as_user(cw.alice)
    prefs = client.get(f"{API}/preferences").json()
    reply = next(e for e in prefs["events"] if e["kind"] == "case.reply")
    assert (reply["email"], reply["sms"]) == (True, False)
    assert prefs["digest"] is False and prefs["quiet_from"] is None
    body = {"events": [{"kind": "case.reply", "sms": True}], "quiet_from": "22:00", "quiet_until": "07:00"}
    answer = client.put(f"{API}/preferences", body, content_type="application/json").json()
    reply = next(e for e in answer["events"] if e["kind"] == "case.reply")
    assert (reply["email"], reply["sms"]) == (True, True)  # email untouched
    assert answer["quiet_from"] == "22:00:00" and answer["quiet_until"] == "07:00:00"
    assert Schedule.objects.get(user=cw.alice).quiet_from.hour == 22


def test_bad_preferences_are_refused_with_the_field(cw, as_user):
    client = as_user(cw.alice)
    response = client.put(
        f"{API}/preferences", {"events": [{"kind": "case.nope", "email": False}]}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "events.0.kind"
    response = client.put(f"{API}/preferences", {"quiet_from": "22:00"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "quiet_from"
    assert not Schedule.objects.filter(user=cw.alice).exists()


def test_the_api_needs_a_token_or_session(client):
    assert client.get(API).status_code == 401


def test_the_feed_costs_the_same_for_many(cw, as_user):
    client = as_user(cw.dave)
    note(cw.dave)
    with CaptureQueriesContext(connection) as few:
        client.get(API)
    for _ in range(30):
        note(cw.dave)
    with CaptureQueriesContext(connection) as many:
        assert client.get(API).json()["count"] == 31
    assert len(many) == len(few)


def test_announcements_publish_read_and_reach(cw, as_user, committed):
    bob = as_user(cw.bob)
    with committed():
        response = bob.post(
            f"{API}/announcements",
            {"level": "building", "place": cw.b1.pk, "title": "明天上午停水", "body": "请提前储水。"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["place"] == "大新社区 富丰新城 1栋" and created["author"] == "沈霞"
    alice = as_user(cw.alice)
    assert [a["title"] for a in alice.get(f"{API}/announcements").json()["items"]] == ["明天上午停水"]
    assert alice.get(f"{API}/announcements/{created['id']}").status_code == 200  # leaves her receipt
    assert alice.get(f"{API}/announcements/{created['id']}/reach").status_code == 404
    reach = as_user(cw.bob).get(f"{API}/announcements/{created['id']}/reach").json()
    assert (reach["homes"], reach["read"], reach["readers"]) == (4, 1, 1)
    assert {row["stairwell"]: row["unread_homes"] for row in reach["stairwells"]} == {
        "富丰新城 1栋 1单元": ["102", "201"],
        "富丰新城 1栋 2单元": ["101"],
    }


def test_publishing_outside_ones_area_is_refused(cw, as_user):
    response = as_user(cw.bob).post(
        f"{API}/announcements",
        {"level": "building", "place": cw.b2.pk, "title": "t", "body": "b"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = as_user(cw.alice).post(
        f"{API}/announcements",
        {"level": "stairwell", "place": 999999, "title": "t", "body": "b"},
        content_type="application/json",
    )
    assert response.status_code == 404
