"""The failed-deliveries page: for system administrators, with addresses masked and a retry."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.notices import services
from linli.notices.models import Channel, ChannelConfig, Delivery

from .fakes import closed_port_url


@pytest.fixture
def failures(cw, committed, settings):
    """An email that met a dead mail server and a webhook nobody answers."""
    cw.dave.email = "dave@example.com"
    cw.dave.save()
    hook = ChannelConfig.objects.create(
        channel=Channel.WEBHOOK, name="物业工单系统", organisation=cw.company, url=closed_port_url(), secret="s3cr3t"
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    with committed():
        services.notify(users=[cw.dave], kind="case.submitted", title="新诉求：楼道灯坏了", groups=[hook])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert Delivery.objects.filter(status=Delivery.Status.FAILED).count() == 2
    return hook


def test_a_system_administrator_sees_what_failed_with_addresses_masked(cw, failures, login):
    html = login(cw.root).get("/notices/failed/").content.decode()
    assert "新诉求：楼道灯坏了" in html
    assert "da***@example.com" in html and "dave@example.com" not in html
    assert "物业工单系统" in html
    assert failures.url not in html and "s3cr3t" not in html
    assert "Connection refused" in html or "refused" in html.lower()


def test_no_one_else_sees_it(cw, failures, login):
    for user in (cw.dave, cw.carol, cw.erin):
        assert login(user).get("/notices/failed/").status_code == 404
    assert login(cw.dave).post(f"/notices/failed/{Delivery.objects.first().pk}/retry/").status_code == 404


def test_retry_sends_it_again_now(cw, failures, login, committed):
    email = Delivery.objects.get(channel=Channel.EMAIL)
    client = login(cw.root)
    with committed():
        response = client.post(f"/notices/failed/{email.pk}/retry/")
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == Delivery.Status.SENT and email.attempts == 2
    assert [m.to for m in mail.outbox] == [["dave@example.com"]]


def test_the_list_costs_the_same_for_many(cw, failures, login):
    client = login(cw.root)
    client.get("/notices/failed/")  # warm up the session and the user's scope
    with CaptureQueriesContext(connection) as few:
        client.get("/notices/failed/")
    for n in range(20):
        Delivery.objects.create(
            channel=Channel.WEBHOOK, kind="k", config=failures, key=f"x{n}", status=Delivery.Status.FAILED
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get("/notices/failed/").status_code == 200
    assert len(many) == len(few)


def test_the_feed_links_to_it_for_system_administrators_only(cw, login):
    assert "/notices/failed/" in login(cw.root).get("/notices/").content.decode()
    assert "/notices/failed/" not in login(cw.dave).get("/notices/").content.decode()
