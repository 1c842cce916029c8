"""Several workers press "adopt" (or edit the plan) at the same moment, on PostgreSQL: the plan is
adopted exactly once, its shares are written once and add up to the total.

(SQLite runs one writer at a time, so there is no race to test there: the test runs on the
PostgreSQL pass of `make test`.)"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from linli.elevators import services
from linli.elevators.models import CostShare, ElevatorProject
from linli.elevators.services import ElevatorError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a race needs concurrent writers: PostgreSQL only"),
]

WORKERS = 8


def test_adopting_at_once_adopts_once(ew, project):
    start = threading.Barrier(WORKERS)

    def press(i):
        start.wait()
        try:
            if i % 2:
                services.set_plan(project=project, total_fen=99_999, coefficients={"1": "0", "2": "1", "3": "2"})
                return "edited"
            services.adopt(project=project, user=ew.carol)
            return "adopted"
        except ElevatorError as exc:
            return exc.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(press, range(WORKERS)))
    assert outcomes.count("adopted") == 1
    assert set(outcomes) <= {"adopted", "edited", 409}
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.ADOPTED
    shares = CostShare.objects.filter(project=project)
    assert shares.count() == 4
    # The shares are those of the plan as it stood when adoption took the lock, edits before it included.
    assert sum(shares.values_list("amount_fen", flat=True)) == project.total_fen
