"""Changes made through the API are audited in the caller's name, whether the caller sent a
bearer token (authenticated inside ninja, after auditlog's middleware) or the pages' session.

No endpoint of the real API writes an audited model yet, so this mounts a one-endpoint API
of its own, with the real authentication, behind the real middleware stack."""

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from linli.accounts.models import ApiToken
from linli.accounts.scope import access_home
from linli.lib.api_support import AUTH, install_error_handlers

api = NinjaAPI(urls_namespace="audit_test_api", auth=AUTH, docs_url=None)
install_error_handlers(api)


@api.post("/homes/{int:home_id}/vacant")
def mark_vacant(request, home_id: int):
    home = access_home(request.auth, home_id)
    home.is_vacant = not home.is_vacant
    home.save(update_fields=["is_vacant"])
    return {"vacant": home.is_vacant}


urlpatterns = [path("test-api/", api.urls)]
pytestmark = pytest.mark.urls(__name__)


def bearer(user):
    _token, key = ApiToken.issue(user=user, name="test")
    return {"authorization": f"Bearer {key}"}


def last_entry(home):
    return LogEntry.objects.get_for_object(home).latest("pk")


def test_a_change_with_a_bearer_token_is_audited_as_the_tokens_user(world):
    response = Client().post(f"/test-api/homes/{world.h101.pk}/vacant", headers=bearer(world.carol))
    assert response.status_code == 200, response.content
    entry = last_entry(world.h101)
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes == {"is_vacant": ["False", "True"]}
    assert entry.actor == world.carol
    assert entry.remote_addr == "127.0.0.1"  # the middleware's context, kept


def test_a_change_with_the_session_is_audited_as_the_logged_in_user(world, login):
    response = login(world.bob).post(f"/test-api/homes/{world.h101.pk}/vacant")
    assert response.status_code == 200, response.content
    assert last_entry(world.h101).actor == world.bob


def test_the_actor_does_not_outlive_the_request(world, login):
    client = Client()
    client.post(f"/test-api/homes/{world.h101.pk}/vacant", headers=bearer(world.carol))
    # The next request in the same thread, by someone else, and a change outside any request.
    login(world.bob).post(f"/test-api/homes/{world.h101.pk}/vacant")
    assert last_entry(world.h101).actor == world.bob
    world.h101.refresh_from_db()
    world.h101.floor = 9
    world.h101.save()
    assert last_entry(world.h101).actor is None


def test_a_refused_token_changes_nothing(world):
    response = Client().post(f"/test-api/homes/{world.h101.pk}/vacant", headers={"authorization": "Bearer ll_nope"})
    assert response.status_code == 401
    assert not LogEntry.objects.get_for_object(world.h101).exists()


def test_client_ip_trusts_only_our_own_proxies(rf, settings):
    from linli.lib.api_support import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy configured: the header is the client's word
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.9"  # what our proxy saw, not what the client wrote
    settings.TRUSTED_PROXIES = 3
    assert client_ip(request) == "10.0.0.2"  # fewer hops than configured: fall back
