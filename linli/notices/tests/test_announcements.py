"""Announcements to a place: who may publish where, who reads them, and read receipts counted
per home so an organiser sees which homes have not been reached."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from linli.conftest import _person, _user
from linli.notices import announcements as ann
from linli.notices.models import Announcement, Channel, ChannelConfig, Delivery, Notification
from linli.people.models import Occupancy


@pytest.fixture
def posted(cw, committed):
    """carol (community worker) tells 富丰新城 1栋 about a water cut."""
    with committed():
        return ann.publish(
            user=cw.carol,
            level="building",
            place=cw.b1,
            title="明天上午停水",
            body="因管道维修，1栋明天8:00-12:00停水，请提前储水。",
        )


def test_everyone_living_in_the_building_with_an_account_is_told(cw, posted):
    told = set(Notification.objects.filter(kind="announcement").values_list("user__username", flat=True))
    assert told == {"alice", "bob"}  # the others in 1栋 have no account; olga lives elsewhere
    notice = Notification.objects.get(user=cw.alice)
    assert "明天上午停水" in notice.title and "富丰新城 1栋" in notice.title
    assert notice.link == f"/notices/announcements/{posted.pk}/"


def test_residents_see_announcements_for_their_home_only(cw, posted, login):
    assert "明天上午停水" in login(cw.alice).get("/notices/announcements/").content.decode()
    olga = login(cw.olga)
    assert "明天上午停水" not in olga.get("/notices/announcements/").content.decode()
    assert olga.get(f"/notices/announcements/{posted.pk}/").status_code == 404


def test_read_receipts_are_counted_per_home(cw, posted, login):
    reach = ann.reach(posted, cw.carol)
    assert (reach.total, reach.read, reach.without_account) == (4, 0, 2)

    login(cw.alice).get(f"/notices/announcements/{posted.pk}/")
    spouse = _person("李先生", "13800000011")
    Occupancy.objects.create(person=spouse, home=cw.h101, relation=Occupancy.Relation.FAMILY)
    login(_user("alices_husband", spouse)).get(f"/notices/announcements/{posted.pk}/")
    reach = ann.reach(posted, cw.carol)
    assert (reach.read, reach.readers) == (1, 2)  # two readers, one home

    login(cw.bob).get(f"/notices/announcements/{posted.pk}/")
    login(cw.bob).get(f"/notices/announcements/{posted.pk}/")  # reading again counts once
    reach = ann.reach(posted, cw.carol)
    assert (reach.total, reach.read, reach.readers, reach.percent) == (4, 2, 3, 50)
    unread = {str(row.stairwell): [h.number for h in row.unread_homes] for row in reach.stairwells}
    assert unread == {"富丰新城 1栋 1单元": ["102"], "富丰新城 1栋 2单元": ["101"]}


def test_who_may_publish_where(cw):
    def may(user, level, place):
        return ann.may_publish(user, level, place)

    assert may(cw.bob, "building", cw.b1) and may(cw.bob, "stairwell", cw.s12)
    assert not may(cw.bob, "building", cw.b2) and not may(cw.bob, "compound", cw.fufeng)
    assert may(cw.carol, "community", cw.daxin) and may(cw.carol, "compound", cw.fufeng)
    assert not may(cw.carol, "compound", cw.yijing)
    assert may(cw.dave, "compound", cw.fufeng) and not may(cw.dave, "compound", cw.yijing)
    assert may(cw.erin, "community", cw.cuiyi)
    assert not any(may(cw.alice, level, place) for level, place in [("stairwell", cw.s11), ("building", cw.b1)])
    with pytest.raises(PermissionDenied):
        ann.publish(user=cw.bob, level="building", place=cw.b2, title="t", body="b")
    assert not Announcement.objects.exists()


def test_the_composer_offers_only_the_places_one_may_publish_to(cw, login, committed):
    client = login(cw.bob)
    html = client.get("/notices/announcements/new/").content.decode()
    assert f'value="building:{cw.b1.pk}"' in html and f'value="stairwell:{cw.s12.pk}"' in html
    assert f'value="building:{cw.b2.pk}"' not in html and f'value="compound:{cw.fufeng.pk}"' not in html
    with committed():
        response = client.post(
            "/notices/announcements/new/",
            {
                "place": f"stairwell:{cw.s11.pk}",
                "title": "楼道杂物清理",
                "body": "周六上午清理楼道杂物。",
                "pinned": "on",
            },
        )
    announcement = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notices/announcements/{announcement.pk}/"
    assert announcement.stairwell == cw.s11 and announcement.building == cw.b1 and announcement.community == cw.daxin
    assert announcement.pinned and announcement.author_label == "沈霞"
    assert (
        client.post(
            "/notices/announcements/new/", {"place": f"building:{cw.b2.pk}", "title": "x", "body": "y"}
        ).status_code
        == 400
    )


def test_residents_cannot_open_the_composer(cw, login):
    assert login(cw.alice).get("/notices/announcements/new/").status_code == 403


def test_the_reach_report_is_for_those_who_may_publish_there(cw, posted, login):
    assert login(cw.alice).get(f"/notices/announcements/{posted.pk}/reach/").status_code == 404
    with translation.override("en"):
        html = (
            login(cw.bob).get(f"/notices/announcements/{posted.pk}/reach/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        )
    assert "富丰新城 1栋 2单元" in html and "0</strong> / 4" in html


def test_an_expired_announcement_is_no_longer_listed(cw, login, committed):
    now = timezone.now()
    with committed():
        old = ann.publish(
            user=cw.carol,
            level="compound",
            place=cw.fufeng,
            title="已过期的通知",
            body="b",
            expires=now + dt.timedelta(hours=1),
            now=now - dt.timedelta(days=1),
        )
    Announcement.objects.filter(pk=old.pk).update(expires=now - dt.timedelta(minutes=1))
    assert "已过期的通知" not in login(cw.alice).get("/notices/announcements/").content.decode()


def test_the_author_is_not_told_of_his_own_announcement(cw, committed):
    with committed():
        ann.publish(user=cw.bob, level="building", place=cw.b1, title="电梯检修", body="周三电梯检修。")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["alice"]


def test_the_stairwell_groups_inside_the_place_post_it(cw, committed):
    inside = ChannelConfig.objects.create(
        channel=Channel.WECOM, name="1单元群", stairwell=cw.s11, url="http://127.0.0.1:9/x"
    )
    outside = ChannelConfig.objects.create(
        channel=Channel.WECOM, name="2栋群", stairwell=cw.s21, url="http://127.0.0.1:9/x"
    )
    with committed():
        ann.publish(user=cw.bob, level="building", place=cw.b1, title="电梯检修", body="周三电梯检修。")
    assert set(Delivery.objects.values_list("config_id", flat=True)) == {inside.pk}
    assert outside.deliveries.count() == 0


def test_blank_title_is_refused(cw):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ann.publish(user=cw.carol, level="building", place=cw.b1, title="  ", body="b")
    assert not Announcement.objects.exists()


def test_the_list_and_the_reach_report_cost_the_same_for_many(cw, posted, login):
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.places.models import Home

    client = login(cw.carol)
    pages = ["/notices/announcements/", f"/notices/announcements/{posted.pk}/reach/"]
    for page in pages:
        client.get(page)
    with CaptureQueriesContext(connection) as few:
        for page in pages:
            client.get(page)
    for n in range(12):
        home = Home.objects.create(stairwell=cw.s12, number=f"{n + 2}01", floor=n + 2, area=Decimal("80"))
        Occupancy.objects.create(person=_person(f"住户{n}", f"1370000{n:04d}"), home=home, relation="owner")
        ann.publish(user=cw.carol, level="building", place=cw.b1, title=f"通知{n}", body="b")
    with CaptureQueriesContext(connection) as many:
        for page in pages:
            assert client.get(page).status_code == 200
    assert len(many) == len(few)
