"""Announcements to the members of an organisation or to a role within a place: who may
publish them, who reads them, and read receipts counted per person."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from linli.conftest import _person, _user
from linli.notices import announcements as ann
from linli.notices.models import Announcement, AudienceRole, Channel, ChannelConfig, Delivery, Notification
from linli.people.models import Membership, Occupancy

API = "/api/v1/notices"


def told(kind="announcement"):
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def titles(client):
    return client.get("/notices/announcements/").content.decode()


def test_an_announcement_to_an_organisation_reaches_its_members_only(cw, committed, login):
    robot = ChannelConfig.objects.create(
        channel=Channel.WECOM, name="队群", organisation=cw.team, url="http://127.0.0.1:9/x"
    )
    ChannelConfig.objects.create(channel=Channel.WECOM, name="1单元群", stairwell=cw.s11, url="http://127.0.0.1:9/x")
    with committed():
        a = ann.publish(user=cw.carol, organisation=cw.team, title="周六巡逻集合", body="8点小区门口集合。")
    assert told() == {"grace"}
    assert set(Delivery.objects.values_list("config_id", flat=True)) == {robot.pk}  # not the stairwells' groups
    assert (a.community, a.compound, a.building) == (cw.daxin, cw.fufeng, None)
    assert "周六巡逻集合" in titles(login(cw.grace))
    assert "周六巡逻集合" not in titles(login(cw.alice))  # lives in 富丰新城, not a member
    assert login(cw.alice).get(f"/notices/announcements/{a.pk}/").status_code == 404
    assert "周六巡逻集合" in titles(login(cw.carol))  # the publisher's area


def test_who_may_publish_to_an_organisation(cw):
    def may(user, org):
        return ann.may_publish_to_organisation(user, org)

    assert may(cw.henry, cw.association) and not may(cw.henry, cw.team)  # its chair, not another's
    assert may(cw.ivy, cw.owners)
    assert may(cw.carol, cw.team) and may(cw.erin, cw.owners)  # staff of its place
    assert not may(cw.grace, cw.team)  # a plain member
    assert not may(cw.alice, cw.team) and not may(cw.paul, cw.team)
    assert not may(cw.carol, cw.office)  # above the communities
    with pytest.raises(PermissionDenied):
        ann.publish(user=cw.grace, organisation=cw.team, title="t", body="b")
    assert not Announcement.objects.exists()


def test_an_officer_who_publishes_nowhere_else_gets_the_composer(cw, login, committed):
    client = login(cw.henry)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/notices/announcements/new/").content.decode()
    assert f'value="organisation:{cw.association.pk}"' in html and f'value="organisation:{cw.team.pk}"' not in html
    with committed():
        response = client.post(
            "/notices/announcements/new/",
            {"place": f"organisation:{cw.association.pk}", "title": "会员大会", "body": "周日下午开会。"},
        )
    a = Announcement.objects.get()
    assert response.status_code == 302 and a.organisation == cw.association
    response = client.post(
        "/notices/announcements/new/",
        {"place": f"organisation:{cw.association.pk}", "role": "building_leader", "title": "t", "body": "b"},
    )
    assert response.status_code == 400 and "leave this empty" in response.content.decode()


def test_an_announcement_to_the_building_leaders_of_a_compound(cw, committed, login):
    with committed():
        a = ann.publish(
            user=cw.carol,
            level="compound",
            place=cw.fufeng,
            role=AudienceRole.BUILDING_LEADER,
            title="楼长例会",
            body="b",
        )
    assert told() == {"bob"}
    assert "楼长例会" in titles(login(cw.bob)) and "楼长例会" not in titles(login(cw.alice))
    with translation.override("en"):
        assert a.audience_label == "大新社区 富丰新城 · the building leaders"
    with committed():
        ann.publish(
            user=cw.carol, level="building", place=cw.b2, role=AudienceRole.BUILDING_LEADER, title="t", body="b"
        )
    assert not Notification.objects.filter(title__contains="(大新社区 富丰新城 2栋").exists()  # 2栋 has none


def test_party_members_are_addressed_only_by_those_who_may_see_party_membership(cw, committed, login):
    with committed():
        a = ann.publish(
            user=cw.jack, level="compound", place=cw.fufeng, role=AudienceRole.PARTY_MEMBER, title="主题党日", body="b"
        )
    assert told() == {"frank"}  # a member of the compound's branch
    assert ann.may_publish_role(cw.carol, "compound", cw.fufeng, AudienceRole.PARTY_MEMBER)
    assert ann.may_publish(cw.dave, "compound", cw.fufeng)
    assert not ann.may_publish_role(cw.dave, "compound", cw.fufeng, AudienceRole.PARTY_MEMBER)
    with pytest.raises(PermissionDenied):
        ann.publish(
            user=cw.dave, level="compound", place=cw.fufeng, role=AudienceRole.PARTY_MEMBER, title="t", body="b"
        )
    # Nor does the clerk, who sees the compound's other announcements, see this one or who it was for.
    assert "主题党日" not in titles(login(cw.dave))
    assert login(cw.dave).get(f"/notices/announcements/{a.pk}/reach/").status_code == 404
    assert "主题党日" in titles(login(cw.frank))


def test_read_receipts_of_an_announcement_to_people_count_per_person(cw, committed, login):
    husband = _person("李先生", "13800000011")
    Occupancy.objects.create(person=husband, home=cw.h101, relation=Occupancy.Relation.FAMILY)
    husband_user = _user("alices_husband", husband)
    for person in (cw.p_alice, husband):
        Membership.objects.create(organisation=cw.team, person=person)
    with committed():
        a = ann.publish(user=cw.carol, organisation=cw.team, title="志愿服务排班", body="b")
    reach = ann.reach(a, cw.carol)
    assert (reach.total, reach.read) == (3, 0)

    login(cw.alice).get(f"/notices/announcements/{a.pk}/")
    reach = ann.reach(a, cw.carol)
    assert (reach.total, reach.read, reach.percent) == (3, 1, 33)  # the same home, counted per person
    assert [p.name for p in reach.unread] == sorted(["李先生", "志愿者乙"])

    login(husband_user).get(f"/notices/announcements/{a.pk}/")
    client = login(cw.carol)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(f"/notices/announcements/{a.pk}/reach/").content.decode()
    assert "2</strong> / 3" in html and "志愿者乙" in html and "李先生" not in html


def test_a_member_who_joins_later_is_not_added(cw, committed, login):
    with committed():
        a = ann.publish(user=cw.carol, organisation=cw.team, title="排班", body="b")
    Membership.objects.create(organisation=cw.team, person=cw.p_olga)
    assert login(cw.olga).get(f"/notices/announcements/{a.pk}/").status_code == 404
    assert ann.reach(a, cw.carol).total == 1


def test_audiences_over_the_api(cw, client, committed):
    from linli.accounts.models import ApiToken

    def as_user(user):
        _, key = ApiToken.issue(user=user, name="phone")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    with committed():
        response = as_user(cw.henry).post(
            f"{API}/announcements",
            {"organisation": cw.association.pk, "title": "会员大会", "body": "b"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["organisation"], body["role"], body["audience"]) == ("富丰新城街坊会", "", "富丰新城街坊会")
    reach = as_user(cw.henry).get(f"{API}/announcements/{body['id']}/reach").json()
    assert reach["people"] == {"total": 1, "read": 0, "not_read": ["会长丙"]}
    response = as_user(cw.henry).post(
        f"{API}/announcements", {"organisation": cw.team.pk, "title": "t", "body": "b"}, content_type="application/json"
    )
    assert response.status_code == 404
    with committed():
        response = as_user(cw.carol).post(
            f"{API}/announcements",
            {"level": "compound", "place": cw.fufeng.pk, "role": "building_leader", "title": "楼长例会", "body": "b"},
            content_type="application/json",
        )
    assert response.status_code == 201 and response.json()["role"] == "building_leader"
    response = as_user(cw.carol).post(
        f"{API}/announcements", {"title": "t", "body": "b"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_an_organisation_and_a_role_together_are_refused(cw):
    with pytest.raises(ValidationError):
        ann.publish(user=cw.carol, organisation=cw.team, role=AudienceRole.BUILDING_LEADER, title="t", body="b")
    assert not Announcement.objects.exists()
