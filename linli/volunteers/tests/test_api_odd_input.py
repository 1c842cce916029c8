"""Odd input on the check-in (found by test_api_fuzz): a clear refusal, never a 500."""

from .conftest import API
from .test_api import soon  # noqa: F401


def test_a_check_in_token_with_chinese_characters_is_just_not_valid(vw, soon, as_user):  # noqa: F811
    response = as_user(vw.grace).post(
        f"{API}/activities/{soon.code}/check-in", {"token": "签到码"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("This check-in code is not valid")
