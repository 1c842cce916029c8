"""A real Celery worker on the Redis of this machine, against PostgreSQL: a delivery that fails
once is retried with back-off and arrives exactly once, even when its task comes around twice.

Skipped on SQLite (the worker is another process: it needs a database server) and when Redis
does not answer; under CI (the CI variable set) a Redis that does not answer fails the test."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from linli.notices import services
from linli.notices.models import Channel, ChannelConfig, Delivery

from .fakes import FakeServer

REDIS_URL = os.environ.get("LINLI_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")  # a db of its own


def redis_problem() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:
        return f"Redis at {REDIS_URL} does not answer ({type(exc).__name__})"
    return None


@pytest.fixture
def redis_or_skip():
    if connection.vendor != "postgresql":
        pytest.skip("a Celery worker is another process: it needs PostgreSQL (set DATABASE_URL)")
    problem = redis_problem()
    if problem and os.environ.get("CI"):
        pytest.fail(f"{problem}; under CI the Celery test must run")
    if problem:
        pytest.skip(problem)


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(redis_or_skip, tmp_path, settings, monkeypatch):
    """A worker on a queue of its own, using the test database; tasks are sent there too."""
    from linli.celery import app

    queue = f"linli-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CELERY_BROKER_URL", REDIS_URL)  # Celery reads the broker from here first
    saved_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    settings.TASKS_EAGER = False
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": REDIS_URL,
        "LINLI_VAR_DIR": str(settings.VAR_DIR),  # the same keys: the worker decrypts the channel's secret
        "LINLI_NOTICES_RETRY_DELAYS": "1,1,1,1",
    }
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "linli", "worker", "--pool=solo", "-Q", queue]
    command += ["--loglevel=info", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=Path(settings.BASE_DIR), stdout=out, stderr=subprocess.STDOUT)
    process.log = log
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    app.conf.task_default_queue = saved_queue
    app.pool.force_close_all()
    import redis

    redis.Redis.from_url(REDIS_URL).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def wait_for(predicate, timeout: float, process) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"gave up waiting; worker log:\n{process.log.read_text()[-4000:]}")


@pytest.mark.django_db(transaction=True)
def test_a_delivery_that_failed_once_arrives_exactly_once(world, worker):
    from linli.notices.tasks import deliver_task

    server = FakeServer()
    server.robot.script = [503]  # the first try fails
    try:
        config = ChannelConfig.objects.create(
            channel=Channel.WEBHOOK,
            name="测试接收端",
            stairwell=world.s11,
            url=server.hook_url(),
            secret=server.robot.webhook_secret,
        )
        with transaction.atomic():
            services.notify(users=[], kind="case.submitted", title="新诉求：楼道灯坏了", groups=[config])
        delivery = Delivery.objects.get(config=config)
        deliver_task.apply_async((delivery.pk,))  # the same delivery comes around a second time

        def sent():
            delivery.refresh_from_db()
            return delivery.status == Delivery.Status.SENT

        wait_for(sent, 60, worker)
        time.sleep(3)  # let any retry still queued run: it must find the delivery sent
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
        arrived = [s for s in server.robot.seen if s.status == 202]
        assert len(arrived) == 1
        assert [s.status for s in server.robot.seen] == [503, 202]
        assert {s.headers["x-linli-delivery"] for s in server.robot.seen} == {delivery.key}
    finally:
        server.stop()


def test_settings_point_celery_at_the_broker(settings):
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > max(settings.NOTICES_RETRY_DELAYS)
