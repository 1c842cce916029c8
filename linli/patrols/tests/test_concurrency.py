"""Two taps on "turn into a case" at the same instant (two phones of one patrol) file one
case: the finding's row is locked. PostgreSQL only (SQLite runs one writer at a time)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import translation

from linli.cases import taxonomy
from linli.cases.models import Case
from linli.patrols import services
from linli.patrols.models import Finding

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
                with translation.override("en"):  # a pool thread starts with no active language
                    call()
                return "ok"
            except services.PatrolError as exc:
                return exc.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_taps_at_once_file_one_case(world):
    taxonomy.ensure()  # a transactional test may follow one that emptied the tables
    patrol = services.start_patrol(user=world.grace, compound=world.fufeng, kind="fire")
    finding = services.add_finding(user=world.grace, patrol=patrol, text="消防通道被电动车堵住")
    outcomes = race(
        lambda: services.finding_to_case(user=world.grace, finding=finding),
        lambda: services.finding_to_case(user=world.bob, finding=finding),
    )
    assert sorted(outcomes)[1] == "ok" and "already a case" in sorted(outcomes)[0]
    assert Case.objects.count() == 1
    assert Finding.objects.get(pk=finding.pk).case == Case.objects.get()
