"""The API's front door: tokens, sessions with CSRF, errors as JSON in the caller's language,
the OpenAPI schema and the docs page."""

import datetime
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from linli.accounts.api import LOGIN_RATE
from linli.accounts.models import ApiToken
from linli.conftest import PASSWORD
from linli.people.models import RevealLog

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The login throttle counts in the cache: each test starts with a clean count."""
    cache.clear()
    yield
    cache.clear()


def bearer(key):
    return {"authorization": f"Bearer {key}"}


def issue(client, username, password=PASSWORD, name="phone app", headers=None):
    return client.post(
        f"{API}/auth/token",
        {"username": username, "password": password, "name": name},
        content_type="application/json",
        headers=headers or {},
    )


# --- tokens -----------------------------------------------------------------------------


def test_token_issued_for_username_works_as_bearer(world, client):
    response = issue(client, "carol")
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("ll_")
    assert timezone.now() < datetime.datetime.fromisoformat(body["expires"])
    token = ApiToken.objects.get(user=world.carol)
    assert token.name == "phone app"
    assert token.digest != body["token"]  # only the digest is stored

    me = Client().get(f"{API}/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "carol"
    assert me.json()["person"] == {"id": world.p_carol.pk, "name": "社工己"}
    assert [role["code"] for role in me.json()["roles"]] == ["community_worker"]


def test_token_issued_for_mobile_number(world, client):
    response = issue(client, "138 0000 0001")
    assert response.status_code == 201
    me = Client().get(f"{API}/auth/me", headers=bearer(response.json()["token"]))
    assert me.json()["user"]["username"] == "alice"
    assert me.json()["roles"][0]["code"] == "resident"


def test_me_without_a_person(world, login):
    body = login(world.root).get(f"{API}/auth/me", headers={"accept-language": "en"}).json()
    assert body["person"] is None
    assert body["user"]["display_name"] == "root"
    assert body["roles"] == [{"code": "system_admin", "label": "system administrator"}]


def test_wrong_password_gets_no_token(world, client):
    response = issue(client, "carol", password="wrong-password", name="x")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_password_guessing_locks_the_account_for_that_address(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert issue(client, "carol", password="guess").status_code == 401
    assert issue(client, "carol", password="guess").status_code == 429  # the last wrong one
    response = issue(client, "carol", headers={"accept-language": "en"})  # even the right password now
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many wrong passwords for this account. Please wait 15 minutes.",
        "code": "locked_out",
    }
    assert int(response["retry-after"]) > 0
    assert not ApiToken.objects.exists()
    assert issue(client, "bob").status_code == 201  # another account is not locked out


def test_token_requests_are_throttled_per_address_and_username(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 100  # the request throttle, not the lock-out, is what this is about
    allowed = int(LOGIN_RATE.split("/")[0])
    for _ in range(allowed):
        assert issue(client, "carol", password="guess").status_code == 401
    response = issue(client, "carol", headers={"accept-language": "en"})
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many requests. Please wait a moment and try again.", "code": "throttled"}


def test_token_request_without_password_is_invalid(world, client):
    response = client.post(
        f"{API}/auth/token", {"username": "carol"}, content_type="application/json", headers={"accept-language": "en"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [{"field": "body.password", "message": "This field is required.", "type": "missing"}]


def test_revoked_token_is_refused(world, client):
    key = issue(client, "bob").json()["token"]
    app = Client()
    assert app.delete(f"{API}/auth/token", headers=bearer(key)).status_code == 204
    assert ApiToken.objects.get(user=world.bob).revoked
    response = app.get(f"{API}/auth/me", headers=bearer(key))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_revoking_one_token_keeps_the_others(world):
    _, first = ApiToken.issue(user=world.bob, name="phone")
    _, second = ApiToken.issue(user=world.bob, name="tablet")
    app = Client()
    assert app.delete(f"{API}/auth/token", headers=bearer(first)).status_code == 204
    assert app.get(f"{API}/auth/me", headers=bearer(first)).status_code == 401
    assert app.get(f"{API}/auth/me", headers=bearer(second)).status_code == 200


def test_expired_token_is_refused(world):
    _, key = ApiToken.issue(user=world.carol, name="old", expires=timezone.now() - datetime.timedelta(minutes=1))
    response = Client().get(f"{API}/homes", headers=bearer(key))
    assert response.status_code == 401


def test_token_of_deactivated_user_is_refused(world):
    _, key = ApiToken.issue(user=world.carol, name="phone")
    world.carol.is_active = False
    world.carol.save()
    assert Client().get(f"{API}/homes", headers=bearer(key)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer ll_not-a-real-token", "Bearer something", "Token abc", "Basic Ym9iOnBhc3M="]
)
def test_bad_authorization_header_is_401(world, header):
    response = Client().get(f"{API}/homes", headers={"authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_revoking_needs_a_token_not_a_session(world, login):
    response = login(world.carol).delete(f"{API}/auth/token")
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_token"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/auth/me"),
        ("get", "/places/communities"),
        ("get", "/places/buildings/1"),
        ("get", "/homes"),
        ("get", "/residents"),
        ("get", "/residents/1"),
        ("post", "/residents/1/reveal"),
        ("get", "/organisations"),
        ("get", "/assignments"),
        ("get", "/reveals"),
        ("delete", "/auth/token"),
    ],
)
def test_every_endpoint_needs_authentication(world, client, method, path):
    response = getattr(client, method)(f"{API}{path}", content_type="application/json")
    assert response.status_code == 401
    assert response["content-type"].startswith("application/json")
    assert response.json()["code"] == "not_authenticated"
    assert not RevealLog.objects.exists()


# --- session and CSRF -------------------------------------------------------------------


def test_session_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.carol)
    response = client.post(
        f"{API}/residents/{world.p_alice.pk}/reveal",
        {"field": "phone", "reason": "call about the leak"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not RevealLog.objects.exists()


def test_session_post_with_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.carol)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(
        f"{API}/residents/{world.p_alice.pk}/reveal",
        {"field": "phone", "reason": "call about the leak"},
        content_type="application/json",
        headers={"x-csrftoken": secret},
    )
    assert response.status_code == 200
    assert response.json()["value"] == "13800000001"


def test_session_get_needs_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.carol)
    assert client.get(f"{API}/homes").status_code == 200


def test_bearer_post_needs_no_csrf_token(world):
    _, key = ApiToken.issue(user=world.carol, name="app")
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/residents/{world.p_alice.pk}/reveal",
        {"field": "phone", "reason": "call about the leak"},
        content_type="application/json",
        headers=bearer(key),
    )
    assert response.status_code == 200


# --- errors in the caller's language ----------------------------------------------------


def test_error_shape_in_english(world, login):
    response = login(world.bob).get(f"{API}/homes/{world.h_yj.pk}", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found, or not within your area.", "code": "not_found"}


def test_errors_default_to_chinese(world, login):
    client = login(world.bob)
    response = client.get(f"{API}/homes/{world.h_yj.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"] == "未找到，或不在您的负责范围内。"
    unauthenticated = Client().get(f"{API}/homes")
    assert unauthenticated.json()["detail"] == "请登录或提供有效的 API 令牌。"


@pytest.mark.parametrize("path", ["/nowhere", "/homes/abc", "/places/", "/residents/1/unmask"])
def test_unknown_addresses_are_json_404(world, client, path):
    response = client.get(f"{API}{path}", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found, or not within your area.", "code": "not_found"}


def test_validation_errors_name_the_fields(world, login):
    response = login(world.carol).get(f"{API}/homes?floor=high&vacant=maybe", headers={"accept-language": "en"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "Some of the values sent are not valid."
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "query.floor": "Enter a whole number.",
        "query.vacant": "Enter true or false.",
    }


def test_field_errors_say_what_is_expected(world, login):
    client = login(world.carol)
    response = client.post(
        f"{API}/residents/{world.p_alice.pk}/reveal",
        {"field": "care_note", "reason": "x" * 201},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert {e["field"]: e["message"] for e in response.json()["errors"]} == {
        "body.field": "Choose one of: 'phone' or 'id_number'",
        "body.reason": "At most 200 characters.",
    }
    response = client.get(f"{API}/homes?limit=0", headers={"accept-language": "en"})
    assert response.json()["errors"] == [
        {"field": "query.limit", "message": "Must be at least 1.", "type": "greater_than_equal"}
    ]


def test_field_errors_in_chinese_by_default(world, client, login):
    missing = client.post(f"{API}/auth/token", {"username": "carol"}, content_type="application/json")
    assert missing.json()["errors"] == [{"field": "body.password", "message": "此字段为必填项。", "type": "missing"}]
    homes = login(world.carol).get(f"{API}/homes?floor=high&vacant=maybe").json()
    assert {e["field"]: e["message"] for e in homes["errors"]} == {
        "query.floor": "请填写整数。",
        "query.vacant": "请填写 true 或 false。",
    }


def test_unreadable_json_is_400(world, login):
    response = login(world.carol).post(
        f"{API}/residents/{world.p_alice.pk}/reveal",
        "{not json",
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request could not be read. Please send valid JSON.",
        "code": "bad_request",
    }


def test_permission_denied_message_is_translated(world, login):
    client = login(world.dave)
    url = f"{API}/residents/{world.p_alice.pk}/reveal"
    payload = {"field": "id_number", "reason": "checking the owner"}
    english = client.post(url, payload, content_type="application/json", headers={"accept-language": "en"})
    assert english.status_code == 403
    assert english.json() == {"detail": "Your role does not allow you to see this.", "code": "permission_denied"}
    chinese = client.post(url, payload, content_type="application/json")
    assert chinese.status_code == 403
    assert chinese.json() == {"detail": "您的角色无权查看此信息。", "code": "permission_denied"}


def test_validation_and_login_errors_in_chinese(world, client, login):
    wrong = issue(client, "carol", password="wrong-password")
    assert wrong.json() == {"detail": "用户名或密码错误。", "code": "invalid_credentials"}
    no_reason = login(world.carol).post(
        f"{API}/residents/{world.p_alice.pk}/reveal", {"field": "phone", "reason": " "}, content_type="application/json"
    )
    assert no_reason.json() == {
        "detail": "提交的部分数据无效。",
        "code": "invalid",
        "errors": [{"field": "body.reason", "message": "请说明查看原因。"}],
    }


# --- OpenAPI and docs -------------------------------------------------------------------

EXPECTED_PATHS = {
    "/api/v1/auth/token",
    "/api/v1/auth/me",
    "/api/v1/places/communities",
    "/api/v1/places/communities/{community_id}",
    "/api/v1/places/compounds",
    "/api/v1/places/compounds/{compound_id}",
    "/api/v1/places/buildings",
    "/api/v1/places/buildings/{building_id}",
    "/api/v1/places/stairwells",
    "/api/v1/places/stairwells/{stairwell_id}",
    "/api/v1/homes",
    "/api/v1/homes/{home_id}",
    "/api/v1/residents",
    "/api/v1/residents/search",
    "/api/v1/residents/{person_id}",
    "/api/v1/residents/{person_id}/reveal",
    "/api/v1/organisations",
    "/api/v1/organisations/{organisation_id}",
    "/api/v1/assignments",
    "/api/v1/reveals",
}


def test_openapi_schema_lists_every_path(db, client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    # Every foundation path; other apps' routers (cases…) are checked by their own tests.
    assert set(schema["paths"]) >= EXPECTED_PATHS
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    # Every list is paginated with a total count.
    for path in ("/api/v1/homes", "/api/v1/residents", "/api/v1/places/buildings"):
        params = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"limit", "offset"} <= params


def test_docs_page_loads_nothing_from_other_sites(db, client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    assert all(s.startswith("/static/") for s in sources), sources
    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1)
    assert json.loads(settings_json)["validatorUrl"] is None
