"""Group robots and the signed webhook, against a real local HTTP server standing in for WeCom,
DingTalk and a receiver: the body and signature as their documentation says, and every way a
channel can fail recorded on the delivery, never raised into the caller."""

import datetime as dt
import hashlib
import hmac
import logging

import pytest
from django.utils import timezone

from linli.notices import dispatch, services
from linli.notices.channels import base
from linli.notices.models import Channel, ChannelConfig, Delivery

from .fakes import FakeServer, closed_port_url

TITLE = "新诉求：楼道灯坏了（富丰新城 1栋1单元）"


@pytest.fixture
def server():
    fake = FakeServer()
    yield fake
    fake.stop()


@pytest.fixture
def group(cw):
    def make(channel, url, **kw):
        return ChannelConfig.objects.create(channel=channel, name="1栋1单元楼道群", stairwell=cw.s11, url=url, **kw)

    return make


def send(config, *, now=None, key="case:1:submitted:1"):
    """Queue one message for the group and try it once; the delivery afterwards."""
    [pk] = services.record(
        user_ids=[],
        group_ids=[config.pk],
        kind="case.submitted",
        title=TITLE,
        body="C2611-0001 · 公共设施维修",
        link="/r/board/1/C2611-0001/",
        key=key,
        now=now,
    )
    dispatch.deliver(pk, now=now)
    return Delivery.objects.get(pk=pk)


def test_wecom_text_with_mentions(server, group, settings):
    settings.NOTICES_BASE_URL = "https://linli.example.cn"
    config = group(Channel.WECOM, server.wecom_url(), mentions="13900000006, 13800000001")
    delivery = send(config)
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    [seen] = server.robot.seen
    assert seen.query == {"key": "wecom-key-123"}
    assert seen.headers["content-type"].startswith("application/json")
    assert seen.json == {
        "msgtype": "text",
        "text": {
            "content": f"{TITLE}\nC2611-0001 · 公共设施维修\nhttps://linli.example.cn/r/board/1/C2611-0001/",
            "mentioned_mobile_list": ["13900000006", "13800000001"],
        },
    }


def test_wecom_markdown(server, group):
    config = group(Channel.WECOM, server.wecom_url(), markdown=True)
    assert send(config).status == Delivery.Status.SENT
    body = server.robot.seen[0].json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["content"].startswith(f"**{TITLE}**\n> C2611-0001")


def test_wecom_text_is_cut_to_2048_bytes(server, group):
    config = group(Channel.WECOM, server.wecom_url())
    [pk] = services.record(
        user_ids=[], group_ids=[config.pk], kind="k", title="长" * 1000, body="", link="", key="long"
    )
    dispatch.deliver(pk)
    assert len(server.robot.seen[0].json["text"]["content"].encode()) <= 2048


def test_wecom_wrong_key_fails_for_good_and_the_key_is_not_recorded(server, group, caplog):
    config = group(Channel.WECOM, server.wecom_url(key="deleted-robot-key"))
    with caplog.at_level(logging.WARNING, logger="linli.notices"):
        delivery = send(config)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.error == Delivery.Error.GONE and "errcode 93000" in delivery.last_error
    assert delivery.next_try is None  # retrying cannot fix a deleted robot
    assert "deleted-robot-key" not in delivery.last_error + caplog.text


def test_dingtalk_signed_text_with_mentions(server, group):
    config = group(Channel.DINGTALK, server.dingtalk_url(), secret=server.robot.dingtalk_secret, mentions="13900000006")
    delivery = send(config)
    assert delivery.status == Delivery.Status.SENT, delivery.last_error
    [seen] = server.robot.seen
    assert set(seen.query) == {"access_token", "timestamp", "sign"}
    assert seen.json == {
        "msgtype": "text",
        "text": {"content": f"{TITLE}\nC2611-0001 · 公共设施维修\n/r/board/1/C2611-0001/\n@13900000006"},
        "at": {"atMobiles": ["13900000006"], "isAtAll": False},
    }


def test_dingtalk_signature_follows_the_documented_example():
    from linli.notices.channels.dingtalk import sign, signed_url

    # HMAC-SHA256 keyed with the secret over "timestamp\nsecret", base64, then URL-encoded; the value
    # computed independently: printf '1577836800000\nthis is secret' | openssl dgst -sha256 -hmac
    # "this is secret" -binary | base64  →  fFV9t5lBS7KH4+5B0JjR99ab+AJkXFauQXycgTkS/tc=
    expected = "fFV9t5lBS7KH4%2B5B0JjR99ab%2BAJkXFauQXycgTkS%2Ftc%3D"
    assert sign("this is secret", 1577836800000) == expected
    assert signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", "this is secret", 1577836800000) == (
        f"https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1577836800000&sign={expected}"
    )


def test_dingtalk_markdown(server, group):
    config = group(Channel.DINGTALK, server.dingtalk_url(), secret=server.robot.dingtalk_secret, markdown=True)
    assert send(config).status == Delivery.Status.SENT
    body = server.robot.seen[0].json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == TITLE and body["markdown"]["text"].startswith(f"#### {TITLE}")


def test_dingtalk_wrong_secret_fails_with_the_reason_and_is_not_retried(server, group, caplog):
    config = group(Channel.DINGTALK, server.dingtalk_url(), secret="SECwrong-secret")
    with caplog.at_level(logging.WARNING, logger="linli.notices"):
        delivery = send(config)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.error == Delivery.Error.BAD_SECRET
    assert "310000" in delivery.last_error and "sign not match" in delivery.last_error
    assert delivery.next_try is None
    for secret in ("SECwrong-secret", "ding-token-456"):
        assert secret not in delivery.last_error and secret not in caplog.text


def test_signed_webhook_body_and_headers(server, group, settings):
    settings.NOTICES_BASE_URL = "https://linli.example.cn/"
    config = group(Channel.WEBHOOK, server.hook_url(), secret=server.robot.webhook_secret)
    delivery = send(config)
    assert delivery.status == Delivery.Status.SENT, delivery.last_error
    [seen] = server.robot.seen
    expected = hmac.new(b"hook-secret-abc", seen.raw, hashlib.sha256).hexdigest()
    assert seen.headers["x-linli-signature"] == f"sha256={expected}"
    assert seen.headers["x-linli-delivery"] == delivery.key == f"case:1:submitted:1:webhook:c{config.pk}"
    assert seen.headers["x-linli-event"] == "case.submitted"
    document = seen.json
    assert document["id"] == delivery.key and document["kind"] == "case.submitted"
    assert document["title"] == TITLE
    assert document["link"] == "https://linli.example.cn/r/board/1/C2611-0001/"


def test_webhook_wrong_secret_fails_for_good(server, group):
    config = group(Channel.WEBHOOK, server.hook_url(), secret="not-the-receivers-secret")
    delivery = send(config)
    assert delivery.status == Delivery.Status.FAILED and delivery.error == Delivery.Error.BAD_SECRET
    assert delivery.last_error == "HTTP 401" and delivery.next_try is None


def test_a_5xx_is_retried_later_and_then_arrives_once(server, group):
    server.robot.script = [503]
    config = group(Channel.WEBHOOK, server.hook_url(), secret=server.robot.webhook_secret)
    now = timezone.now()
    delivery = send(config, now=now)
    assert delivery.status == Delivery.Status.FAILED and delivery.error == Delivery.Error.HTTP
    assert delivery.last_error == "HTTP 503"
    assert delivery.next_try == now + dt.timedelta(seconds=60)  # the first back-off
    assert dispatch.deliver(delivery.pk, now=now + dt.timedelta(seconds=10)) == 50  # not due yet: nothing sent
    assert len(server.robot.seen) == 1
    dispatch.deliver(delivery.pk, now=now + dt.timedelta(seconds=61))
    dispatch.deliver(delivery.pk, now=now + dt.timedelta(seconds=62))  # a duplicate retry: already sent
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert [s.status for s in server.robot.seen] == [503, 202]
    assert {s.headers["x-linli-delivery"] for s in server.robot.seen} == {delivery.key}


def test_a_slow_channel_times_out(server, group, monkeypatch):
    monkeypatch.setattr(base, "TIMEOUT", 0.3)
    server.robot.script, server.robot.slow_seconds = ["slow"], 1.0
    config = group(Channel.WEBHOOK, server.hook_url(), secret=server.robot.webhook_secret)
    delivery = send(config)
    assert delivery.status == Delivery.Status.FAILED and delivery.error == Delivery.Error.TIMEOUT
    assert delivery.last_error == "no answer within 0.3 s" and delivery.next_try is not None


def test_an_unreachable_channel(group):
    config = group(Channel.WEBHOOK, closed_port_url(), secret="s")
    delivery = send(config)
    assert delivery.status == Delivery.Status.FAILED and delivery.error == Delivery.Error.UNREACHABLE
    assert "refused" in delivery.last_error.lower() and delivery.next_try is not None


def test_a_malformed_address_fails_for_good(group):
    config = group(Channel.WECOM, "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    delivery = send(config)
    assert delivery.error == Delivery.Error.BAD_ADDRESS and delivery.next_try is None
    assert "abc" not in delivery.last_error


def test_retries_stop_after_five_attempts(group):
    config = group(Channel.WEBHOOK, closed_port_url(), secret="s")
    now = timezone.now()
    delivery = send(config, now=now)
    for delay in (60, 300, 1800, 7200):
        assert delivery.next_try == now + dt.timedelta(seconds=delay)
        now = delivery.next_try
        dispatch.deliver(delivery.pk, now=now)
        delivery.refresh_from_db()
    assert delivery.attempts == 5 and delivery.status == Delivery.Status.FAILED and delivery.next_try is None
    assert delivery.gave_up
    assert dispatch.deliver(delivery.pk, now=now + dt.timedelta(days=1)) is None
    delivery.refresh_from_db()
    assert delivery.attempts == 5


def test_a_failing_channel_never_reaches_the_request_that_caused_it(server, group, cw, committed):
    server.robot.script = [500]
    config = group(Channel.WECOM, server.wecom_url())
    with committed():
        services.notify(users=[cw.dave], kind="case.submitted", title=TITLE, groups=[config])  # no exception
    assert Delivery.objects.get(config=config).status == Delivery.Status.FAILED


def test_the_sweep_sends_what_is_due(server, group):
    config = group(Channel.WEBHOOK, server.hook_url(), secret=server.robot.webhook_secret)
    past = timezone.now() - dt.timedelta(minutes=5)
    services.record(user_ids=[], group_ids=[config.pk], kind="k", title="t", body="", link="", key="x", now=past)
    assert dispatch.send_due() == 1
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert dispatch.send_due() == 0
