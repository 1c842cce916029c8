"""Visits racing on PostgreSQL: the same queued visit sent three times at once is one visit;
two visitors recording the same home at once are both kept and the home's state is that of
the later visit, counted twice, never a mix.

(SQLite runs one writer at a time, so there is no race to test there.)"""

import datetime
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from linli.campaigns import services
from linli.campaigns.models import Campaign, CampaignVisit

from .conftest import ANSWERS, home_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a race needs concurrent writers: PostgreSQL only"),
]


def race(*calls):
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            with translation.override("en"):  # a pool thread starts with no active language
                visit, created = call()
            return created
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_the_same_visit_sent_three_times_at_once_is_one_visit(world, campaign):
    for _ in range(3):
        client_id = uuid.uuid4()

        def send(client_id=client_id):
            return services.record_visit(
                user=world.bob,
                campaign=Campaign(pk=campaign.pk, form=campaign.form),
                home_id=world.h101.pk,
                client_id=client_id,
                outcome="reached",
                answers=ANSWERS,
            )

        assert sorted(race(send, send, send)) == [False, False, True]
        assert CampaignVisit.objects.filter(client_id=client_id).count() == 1


def test_two_visitors_at_the_same_door_at_once(world, campaign):
    now = timezone.now()

    def by(user, outcome, minutes):
        return lambda: services.record_visit(
            user=user,
            campaign=Campaign(pk=campaign.pk, form=campaign.form),
            home_id=world.h101.pk,
            client_id=uuid.uuid4(),
            outcome=outcome,
            answers=ANSWERS if outcome == "reached" else {},
            visited_at=now - datetime.timedelta(minutes=minutes),
        )

    assert race(by(world.bob, "not_home", 5), by(world.carol, "reached", 1)) == [True, True]
    a = home_of(campaign, world.h101)
    assert (a.visits, a.state, a.revisit_on) == (2, "reached", None)
    assert CampaignVisit.objects.filter(home=world.h101).count() == 2
