import datetime as dt

import pytest

from linli.accounts.models import ApiToken
from linli.rosters import services

pytestmark = pytest.mark.django_db
API = "/api/v1/rosters"


@pytest.fixture
def as_user(client):
    def make(user):
        _, key = ApiToken.issue(user=user, name="phone")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def test_assign_mine_and_check_in_over_the_api(world, post, morning, late_morning, as_user):
    c = as_user(world.carol)
    r = c.post(f"{API}/shifts/{morning.pk}/duties", {"person_id": world.p_grace.pk}, content_type="application/json")
    assert r.status_code == 201, r.content
    r = c.post(
        f"{API}/shifts/{late_morning.pk}/duties", {"person_id": world.p_grace.pk}, content_type="application/json"
    )
    assert r.status_code == 409 and "already on duty then" in r.json()["detail"]
    r = c.get(f"{API}/compounds/{world.fufeng.pk}/gaps")
    assert [s["id"] for s in r.json()] == [late_morning.pk]
    g = as_user(world.grace)
    assert [d["shift"]["id"] for d in g.get(f"{API}/mine").json()] == [morning.pk]
    r = g.post(f"{API}/checkin", {"token": post.token}, content_type="application/json")
    assert r.status_code == 409 and "Check-in opens 15 minutes before" in r.json()["detail"]


def test_yijing_resident_gets_404_for_fufeng(world, morning, as_user):
    c = as_user(world.olga)
    assert c.get(f"{API}/compounds/{world.fufeng.pk}/gaps").status_code == 404
    r = c.post(f"{API}/shifts/{morning.pk}/duties", {"person_id": world.p_olga.pk}, content_type="application/json")
    assert r.status_code == 404


def test_my_duties_page_and_check_in_by_qr_link(world, post, soon, client):
    from django.utils import timezone

    now_shift = services.create_shift(
        user=world.carol,
        post=post,
        starts=timezone.now() + dt.timedelta(minutes=10),
        ends=soon - dt.timedelta(hours=20),
    )
    services.assign(user=world.carol, shift=now_shift, person=world.p_grace)
    client.force_login(world.grace)
    page = client.get("/rosters/mine/").content.decode()
    assert "东门岗" in page and "Check in at the post" in page
    r = client.post(f"/rosters/checkin/{post.token}/", follow=True)
    assert "Checked in at your post." in r.content.decode()
    r = client.post(f"/rosters/checkin/{post.token}/", follow=True)
    assert "You have already checked in for this shift." in r.content.decode()
