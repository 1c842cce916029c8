"""/healthz answers the load balancer: 200 when the database (and Redis, when configured) can be
reached, 503 naming what failed otherwise; without a login, never cached."""

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper


@pytest.mark.django_db
def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-store" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_a_database_that_cannot_be_reached_makes_it_unready(client, monkeypatch):
    def broken(self, sql, params=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error: OperationalError"}}


@pytest.mark.django_db
def test_redis_is_checked_when_configured(client, settings):
    # A Redis on a port where nothing listens.
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok" and body["checks"]["redis"].startswith("error: ")


@pytest.mark.django_db
def test_only_get(client):
    assert client.post("/healthz").status_code == 405
