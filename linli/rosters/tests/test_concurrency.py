"""Two organisers assigning one person to two overlapping shifts at the same instant: the
person row is locked, so exactly one succeeds (PostgreSQL only: SQLite has one writer)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import translation

from linli.rosters import services
from linli.rosters.models import Duty

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a race needs concurrent writers: PostgreSQL only"),
]


def race(*calls):
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            try:
                with translation.override("en"):
                    call()
                return "ok"
            except services.RosterError as exc:
                return exc.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_organisers_assign_one_person_to_overlapping_shifts(world, morning, late_morning):
    for _ in range(3):
        Duty.objects.all().delete()
        outcomes = race(
            lambda: services.assign(user=world.carol, shift=morning, person=world.p_grace),
            lambda: services.assign(user=world.erin, shift=late_morning, person=world.p_grace),
        )
        assert outcomes.count("ok") == 1, outcomes
        assert Duty.objects.filter(person=world.p_grace).count() == 1
