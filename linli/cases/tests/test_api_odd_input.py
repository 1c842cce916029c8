"""Odd input on following a case (found by test_api_fuzz): the same answer as wrong digits."""

from .test_public_pages import _fresh_limits, submit  # noqa: F401


def _track(client, code, last4):
    return client.post(
        "/api/v1/public/track", {"code": code, "last4": last4}, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.0.0.9",
    )  # fmt: skip


def test_full_width_digits_are_wrong_digits_not_a_500(cw, client):
    case, _ = submit(cw)
    wrong = _track(client, case.code, "5679")
    odd = _track(client, case.code, "５６７８")
    assert odd.status_code == wrong.status_code != 500
    assert odd.json() == wrong.json()
