"""Supports racing on PostgreSQL: one person's double tap from two phones counts once, and two
neighbours whose supports reach the threshold together make the topic ready exactly once.

(SQLite runs one writer at a time, so there is no race to test there: these run on the
PostgreSQL pass, as linli/votes/tests/test_concurrency.py does.)"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import translation

from linli.topics import services
from linli.topics.models import Status, Support, Topic

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a race needs concurrent writers: PostgreSQL only"),
]


def race(*calls):
    """Run the calls at the same instant, each in its own thread and connection; their outcomes."""
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            try:
                with translation.override("en"):  # a pool thread starts with no active language
                    call()
                return "ok"
            except services.TopicError as exc:
                return exc.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_supports_by_one_person_at_once_count_once(tw, topic):
    for _ in range(5):  # a race may go either way: run it a few times
        Support.objects.all().delete()
        outcomes = race(
            lambda: services.support(topic=Topic(pk=topic.pk), user=tw.alice),
            lambda: services.support(topic=Topic(pk=topic.pk), user=tw.alice),
        )
        assert sorted(outcomes) == ["You already support this topic.", "ok"]
        assert Support.objects.filter(topic=topic, person=tw.p_alice).count() == 1


def test_two_neighbours_reaching_the_threshold_together_make_it_ready_once(tw, topic):
    outcomes = race(
        lambda: services.support(topic=Topic(pk=topic.pk), user=tw.alice),
        lambda: services.support(topic=Topic(pk=topic.pk), user=tw.nina),
    )
    assert outcomes == ["ok", "ok"]
    topic.refresh_from_db()
    assert topic.status == Status.READY and topic.version == 2  # one transition, not two
    assert Support.objects.filter(topic=topic).count() == 2
