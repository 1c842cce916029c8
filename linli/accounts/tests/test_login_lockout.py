"""Login throttling: five wrong passwords for one account from one address pause that pair."""

from django.urls import reverse

from linli.conftest import PASSWORD


def _try(client, username, password, ip="198.51.100.7", lang="zh-hans"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def test_five_wrong_passwords_lock_the_account_from_that_address(world, client):
    for _ in range(4):
        assert _try(client, "alice", "wrong-password").status_code == 200  # the form again, with its error
    assert _try(client, "alice", "wrong-password").status_code == 429  # the fifth: paused
    locked = _try(client, "alice", PASSWORD, lang="en")  # even the right password is refused now
    assert locked.status_code == 429
    assert "paused for 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_stranger_cannot_lock_a_resident_out_from_elsewhere(world, client):
    for _ in range(6):
        _try(client, "alice", "wrong-password", ip="203.0.113.66")
    response = _try(client, "alice", PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world.alice.pk)


def test_a_good_password_resets_the_count(world, client):
    for _ in range(4):
        _try(client, "bob", "wrong-password")
    assert _try(client, "bob", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _try(client, "bob", "wrong-password")
    assert _try(client, "bob", PASSWORD).status_code == 302


def test_login_by_phone_number_counts_too(world, client):
    for _ in range(5):
        _try(client, "13900000001", "wrong-password")
    assert _try(client, "13900000001", PASSWORD).status_code == 429
