"""Two app servers on one PostgreSQL, as in production (docs/deploy.md): the same writes sent
through both at once stay consistent, because the rules live in the database (row locks and
constraints), not in one process's memory.

Two gunicorn processes serve the test database; 30 neighbours each support a topic through
both servers at the same moment, and 20 volunteers each sign up for an activity with 5 places
through both. Every support counts once and the topic turns ready exactly once; the activity
has 5 signed up and 15 waiting, one sign-up each. PostgreSQL only: SQLite's test database
lives in this process's memory."""

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from linli.accounts.models import ApiToken
from linli.conftest import _person, _user
from linli.people.models import Occupancy
from linli.places.models import Home
from linli.topics import services as topics
from linli.topics.models import Status, Support
from linli.volunteers import services as volunteers
from linli.volunteers.models import ActivityKind, SignUp

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two servers share a real database: PostgreSQL"),
]

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def servers():
    """Two gunicorn processes (two sync workers each) on the test database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="linli.settings", DEBUG="0", CONN_MAX_AGE="0")
    env["LINLI_VAR_DIR"] = str(settings.VAR_DIR)  # the same secret and field keys as this process
    gunicorn = Path(sys.executable).parent / "gunicorn"
    procs, bases = [], []
    try:
        for _ in range(2):
            port = _free_port()
            cmd = [str(gunicorn), "linli.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                   "--worker-class", "sync", "--log-level", "warning", "--timeout", "60"]  # fmt: skip
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            for _ in range(120):
                try:
                    if urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200:
                        break
                except OSError:
                    time.sleep(0.25)
            else:
                raise AssertionError(f"{base} did not become healthy")
        yield bases
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)


def _post(url: str, key: str) -> int:
    request = urllib.request.Request(
        url, data=b"{}", method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", "Accept-Language": "en"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read() or b"{}")
        assert exc.code in (403, 409), (exc.code, body)
        return exc.code


def _neighbours(world, n: int):
    """n residents of 富丰新城 1栋1单元, each with an API token."""
    keys = []
    for i in range(n):
        home = Home.objects.create(stairwell=world.s11, number=f"{5 + i // 2}0{i % 2 + 1}", floor=5 + i // 2,
                                   area=Decimal("80.00"))  # fmt: skip
        person = _person(f"邻居{i}", f"1370000{i:04d}")
        Occupancy.objects.create(person=person, home=home, relation=Occupancy.Relation.OWNER)
        user = _user(f"n{i}", person)
        keys.append((user, ApiToken.issue(user=user, name="test")[1]))
    return keys


def _at_once(calls):
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_writes_through_two_servers_at_once_stay_consistent(world, servers):
    a, b = servers
    people = _neighbours(world, 30)

    topic = topics.propose(user=world.alice, place=world.s11, title="楼道加装扶手", text="老人上楼不便")
    supports = [
        (lambda base=base, key=key: _post(f"{base}/api/v1/topics/{topic.code}/support", key))
        for _user_, key in people
        for base in (a, b)
    ]
    outcomes = _at_once(supports)
    assert outcomes.count(200) == 30 and outcomes.count(409) == 30  # each neighbour once, through either
    topic.refresh_from_db()
    assert Support.objects.filter(topic=topic).count() == 30
    assert topic.status == Status.READY and topic.version == 2  # turned ready once, not once per server

    start = timezone.now() + dt.timedelta(days=3)
    activity = volunteers.create_activity(
        user=world.carol, organisation=world.team, kind=ActivityKind.SERVICE_DAY, title="周日义剪",
        venue="小区广场", starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=5,
    )  # fmt: skip
    volunteers_ = people[:20]
    sign_ups = [
        (lambda base=base, key=key: _post(f"{base}/api/v1/volunteers/activities/{activity.code}/sign-up", key))
        for _user_, key in volunteers_
        for base in (a, b)
    ]
    outcomes = _at_once(sign_ups)
    assert outcomes.count(200) == 20 and outcomes.count(409) == 20
    rows = SignUp.objects.filter(activity=activity)
    assert rows.count() == 20  # one each
    assert rows.filter(state=SignUp.State.SIGNED_UP).count() == 5  # never over-filled
    assert rows.filter(state=SignUp.State.WAITING).count() == 15
