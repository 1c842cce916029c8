"""notify(): the feed item, and a message on each channel the person keeps on, respecting quiet
hours and the daily digest; after the commit, never failing the caller."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from linli.notices import dispatch, services
from linli.notices.channels.sms import MemorySmsBackend
from linli.notices.models import Delivery, Notification, Schedule, in_quiet_hours


def local(day, hour, minute=0):
    return timezone.make_aware(dt.datetime(2026, 11, day, hour, minute))


@pytest.fixture
def dave(cw):
    cw.dave.email = "dave@example.com"
    cw.dave.save()
    return cw.dave


def tell(user, title="新诉求：楼道灯坏了（富丰新城 1栋1单元）", kind="case.submitted", key=""):
    services.notify(users=[user], kind=kind, title=title, body="C2611-0001 · 公共设施维修", link="/cases/X/", key=key)


def test_a_notification_is_written_and_emailed(dave, committed):
    with committed():
        tell(dave)
    assert Notification.objects.get(user=dave).title == "新诉求：楼道灯坏了（富丰新城 1栋1单元）"
    [message] = mail.outbox
    assert message.to == ["dave@example.com"]
    assert message.subject == "新诉求：楼道灯坏了（富丰新城 1栋1单元）"
    assert "/cases/X/" in message.body
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    assert message.extra_headers["X-Linli-Delivery"] == delivery.key


def test_nothing_before_the_commit(dave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(dave)
    assert Notification.objects.count() == 0 and mail.outbox == []
    assert len(callbacks) == 1


def test_text_messages_only_for_those_who_turn_them_on(dave, cw, committed):
    with committed():
        tell(dave)
    assert MemorySmsBackend.outbox == []
    services.save_preferences(user=dave, choices={("case.submitted", "sms"): True})
    with committed():
        tell(dave, key="second")
    assert [phone for phone, _text in MemorySmsBackend.outbox] == ["13900000006"]


def test_email_turned_off_for_a_kind_sends_none_but_the_feed_still_has_it(dave, committed):
    services.save_preferences(user=dave, choices={("case.submitted", "email"): False})
    with committed():
        tell(dave)
    assert mail.outbox == [] and Notification.objects.filter(user=dave).count() == 1


def test_quiet_hours_hold_a_message_until_they_end(dave):
    Schedule.objects.create(user=dave, quiet_from=dt.time(22), quiet_until=dt.time(7))
    night, morning = local(16, 23, 30), local(17, 7, 0)
    [pk] = services.record(
        user_ids=[dave.pk], group_ids=[], kind="case.submitted", title="t", body="", link="", key="k", now=night
    )
    assert Delivery.objects.get(pk=pk).next_try == morning
    assert dispatch.deliver(pk, now=night) == int((morning - night).total_seconds())
    assert mail.outbox == []
    dispatch.deliver(pk, now=morning)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("start", "end", "at", "until"),
    [
        (dt.time(22), dt.time(7), local(16, 23), local(17, 7)),
        (dt.time(22), dt.time(7), local(17, 6, 59), local(17, 7)),
        (dt.time(22), dt.time(7), local(17, 7), None),
        (dt.time(12), dt.time(14), local(16, 13), local(16, 14)),
        (dt.time(12), dt.time(14), local(16, 11), None),
        (None, None, local(16, 3), None),
    ],
)
def test_quiet_hours_may_run_over_midnight(start, end, at, until):
    assert in_quiet_hours(start, end, at) == until


def test_the_digest_collects_the_days_messages_into_one(dave, committed):
    services.save_preferences(user=dave, choices={}, digest=True)
    with committed():
        tell(dave, title="第一件", key="a")
        tell(dave, title="第二件", key="b")
        tell(dave, title="第三件", key="c")
    assert mail.outbox == [] and Notification.objects.filter(user=dave).count() == 3
    call_command("notices_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [digest] = mail.outbox
    assert all(title in digest.body for title in ("第一件", "第二件", "第三件"))
    call_command("notices_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1  # nothing new since


def test_an_inactive_user_is_not_notified(dave, committed):
    dave.is_active = False
    dave.save()
    with committed():
        tell(dave)
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_a_failure_in_notices_never_reaches_the_caller(dave, committed, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database trouble")

    monkeypatch.setattr(services, "record", broken)
    with committed():
        tell(dave)  # no exception
    assert "not recorded" in caplog.text


def test_a_mail_server_down_fails_the_delivery_not_the_request(dave, committed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    with committed():
        tell(dave)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.error == Delivery.Error.UNREACHABLE
    assert delivery.next_try is not None  # to be retried
    assert Notification.objects.filter(user=dave).count() == 1


def test_preferences_refuse_half_quiet_hours(dave):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.save_preferences(user=dave, choices={}, quiet_from=dt.time(22))
    assert not Schedule.objects.filter(user=dave).exists()
