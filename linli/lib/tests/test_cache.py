"""While Redis restarts, the pages and API calls that count a limit in the cache answer as
usual instead of failing with a 500 (linli/lib/cache.py; found by `make soak`)."""

import socket

import pytest

DOWN = "redis://127.0.0.1:9/0"  # a port where nothing listens


def _tolerant(settings, url):
    settings.REDIS_URL = url
    settings.CACHES = {"default": {"BACKEND": "linli.lib.cache.TolerantRedisCache", "LOCATION": url}}


@pytest.mark.django_db
def test_following_a_case_works_while_redis_is_down(client, settings):
    _tolerant(settings, DOWN)
    response = client.post(
        "/api/v1/public/track",
        {"code": "ABCD2345", "last4": "1234"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "No case matches this code and these digits."


@pytest.mark.django_db
def test_the_tracking_page_works_while_redis_is_down(client, settings):
    _tolerant(settings, DOWN)
    response = client.post("/r/track/", {"code": "ABCD2345", "last4": "1234"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "No case matches this code and these digits." in response.content.decode()


@pytest.mark.django_db
def test_health_still_reports_redis_down(client, settings):
    _tolerant(settings, DOWN)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("error: ")


def test_a_reachable_redis_keeps_values_and_counts(settings):
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379")
    _tolerant(settings, "redis://127.0.0.1:6379/15")
    from django.core.cache import cache

    from linli.cases import limits

    key = f"test:soak:{id(settings)}"
    assert limits.hit(key, 60) == 1
    assert limits.hit(key, 60) == 2
    assert limits.tries(key) == 2
    cache.delete(key)
