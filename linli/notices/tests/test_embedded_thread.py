"""The embedded mode: deliveries go out in a background thread after the commit, so a slow
channel never delays the page that caused them."""

import time

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from linli.notices import services
from linli.notices.models import Channel, ChannelConfig, Delivery

from .fakes import FakeServer


@pytest.mark.skipif(
    "sqlite" in django_settings.DATABASES["default"]["ENGINE"],
    reason="SQLite's in-memory test database locks a table against a second thread's write "
    "(flaky 'database table is locked'); the PostgreSQL run of the suite covers this test.",
)
@pytest.mark.django_db(transaction=True)
def test_a_slow_channel_never_delays_the_request(world, settings):
    settings.NOTICES_IN_THREAD = True
    server = FakeServer()
    server.robot.script, server.robot.slow_seconds = ["slow"], 1.5  # answers, but only after 1.5 s
    try:
        config = ChannelConfig.objects.create(
            channel=Channel.WEBHOOK,
            name="慢的接收端",
            stairwell=world.s11,
            url=server.hook_url(),
            secret=server.robot.webhook_secret,
        )
        started = time.monotonic()
        with transaction.atomic():
            services.notify(users=[world.dave], kind="case.submitted", title="新诉求", groups=[config])
        assert time.monotonic() - started < 1.0  # the feed item is written; the sending is elsewhere
        deadline = time.monotonic() + 10
        delivery = Delivery.objects.get(config=config)
        while delivery.status != Delivery.Status.SENT and time.monotonic() < deadline:
            time.sleep(0.1)
            delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.SENT
        assert world.dave.notifications.count() == 1
    finally:
        server.stop()
