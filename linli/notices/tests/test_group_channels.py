"""Case events reach the group robots of the case's stairwell and organisation; addresses and
secrets of those robots are never shown."""

import pytest

from linli.cases.lifecycle import perform
from linli.notices.models import Channel, ChannelConfig, Delivery

from .conftest import MONDAY
from .fakes import FakeServer

SECRET_KEY_IN_URL = "c0ffee-robot-key"


@pytest.fixture
def server():
    fake = FakeServer()
    fake.robot.wecom_key = SECRET_KEY_IN_URL
    yield fake
    fake.stop()


@pytest.fixture
def robots(cw, server):
    stairwell = ChannelConfig.objects.create(
        channel=Channel.WECOM, name="1栋1单元楼道群", stairwell=cw.s11, url=server.wecom_url()
    )
    company = ChannelConfig.objects.create(
        channel=Channel.DINGTALK,
        name="富丰物业客服群",
        organisation=cw.company,
        url=server.dingtalk_url(),
        secret=server.robot.dingtalk_secret,
        mentions="13900000006",
    )
    other = ChannelConfig.objects.create(
        channel=Channel.WECOM, name="颐景物业群", organisation=cw.company2, url=server.wecom_url()
    )
    return stairwell, company, other


def test_a_new_case_reaches_the_stairwell_group_and_the_company_group(cw, new_case, robots, server, committed):
    stairwell, company, other = robots
    with committed():
        case = new_case()
    sent = {d.config_id: d for d in Delivery.objects.all()}
    assert set(sent) == {stairwell.pk, company.pk}  # not the other company's group
    assert all(d.status == Delivery.Status.SENT for d in sent.values())
    by_path = {s.path: s.json for s in server.robot.seen}
    residents = by_path["/cgi-bin/webhook/send"]["text"]["content"]
    staff = by_path["/robot/send"]["text"]["content"]
    assert "楼道灯坏了" in residents and "富丰新城 1栋1单元" in residents
    assert "1单元3楼楼道灯不亮一周了" not in residents  # the residents' group gets no description
    assert f"/r/board/{cw.fufeng.pk}/{case.code}/" in residents  # and the public board's link
    assert "1单元3楼楼道灯不亮一周了" in staff and f"/cases/{case.code}/" in staff
    assert by_path["/robot/send"]["at"]["atMobiles"] == ["13900000006"]


def test_the_stairwell_group_hears_of_the_resolution_but_not_the_steps_between(cw, new_case, robots, server, committed):
    stairwell, company, _other = robots
    case = new_case()
    with committed():
        case = perform(case, "accept", user=cw.dave, now=MONDAY)
        case = perform(case, "start", user=cw.dave, now=MONDAY)
        case = perform(case, "resolve", user=cw.dave, note="灯已更换", now=MONDAY)
    kinds = sorted(Delivery.objects.values_list("kind", "config_id"))
    assert kinds == [("case.resolved", stairwell.pk)]


def test_a_dispute_or_a_case_kept_off_the_board_never_reaches_the_residents_group(cw, new_case, robots, committed):
    stairwell, company, _other = robots
    assert cw.cat.noise.is_dispute
    with committed():
        new_case(category=cw.cat.noise, title="楼上深夜噪音")
        new_case(on_public_board=False, title="家门口有异味")
    assert Delivery.objects.filter(config=company).exists()  # the company's own group heard of the second
    assert not Delivery.objects.filter(config=stairwell).exists()


def test_a_group_that_chose_its_events_gets_only_those(cw, new_case, robots, committed):
    stairwell, company, _other = robots
    company.kinds = "overdue,escalated"
    company.save()
    with committed():
        new_case()
    assert not Delivery.objects.filter(config=company).exists()


def test_the_back_office_never_shows_a_robots_address_secret_or_mentions(cw, robots, login):
    stairwell, company, _other = robots
    client = login(cw.root)
    for url in (
        "/admin/notices/channelconfig/",
        f"/admin/notices/channelconfig/{company.pk}/change/",
        f"/admin/notices/channelconfig/{stairwell.pk}/change/",
    ):
        html = client.get(url).content.decode()
        for secret in (SECRET_KEY_IN_URL, "ding-token-456", "SECding-secret-789", "13900000006"):
            assert secret not in html, (url, secret)
    assert "127.0.0.1/…" in client.get("/admin/notices/channelconfig/").content.decode()  # the host only


def test_a_change_in_the_back_office_keeps_the_stored_secret_when_left_empty(cw, robots, login):
    _stairwell, company, _other = robots
    client = login(cw.root)
    response = client.post(
        f"/admin/notices/channelconfig/{company.pk}/change/",
        {
            "channel": "dingtalk",
            "name": "富丰物业客服群（新）",
            "organisation": cw.company.pk,
            "url": "",
            "secret": "",
            "mentions": "",
            "kinds": "",
            "quiet_from": "",
            "quiet_until": "",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    company.refresh_from_db()
    assert company.name == "富丰物业客服群（新）"
    assert company.secret == "SECding-secret-789" and "ding-token-456" in company.url
    assert company.mentions == "13900000006"
