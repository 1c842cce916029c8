import datetime as dt

import pytest

from linli.accounts.models import ApiToken
from linli.rosters import services
from linli.rosters.models import Duty

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


def test_posts_list_is_the_organisers(world, post, as_user):
    assert [p["name"] for p in as_user(world.carol).get(f"{API}/posts").json()] == ["东门岗"]
    assert as_user(world.grace).get(f"{API}/posts").json() == []


def test_bulk_shifts_over_the_api(world, post, as_user):
    from linli.rosters.models import Shift

    c = as_user(world.carol)
    url = f"{API}/posts/{post.pk}/shifts/bulk"
    body = {"first": "2027-03-01", "last": "2027-03-03", "pattern": [{"starts": "07:00", "ends": "12:00"}], "needed": 2}
    r = c.post(url, body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert len(r.json()) == 3 and {s["needed"] for s in r.json()} == {2}
    assert c.post(url, body, content_type="application/json").json() == []  # kept, not made twice
    r = c.post(url, {**body, "last": "2027-02-01"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"] == "The last day must not be before the first."
    r = c.post(url, {**body, "pattern": []}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "pattern"
    assert Shift.objects.filter(post=post).count() == 3
    assert as_user(world.grace).post(url, body, content_type="application/json").status_code == 404


def test_unassign_swap_and_decision_over_the_api(world, post, morning, kim, as_user):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    g = as_user(world.grace)
    assert g.delete(f"{API}/duties/{duty.pk}").status_code == 404  # not an organiser
    r = g.post(f"{API}/duties/{duty.pk}/swaps", {"to_person_id": world.p_kim.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "pending"
    swap_id = r.json()["id"]
    r = g.post(f"{API}/duties/{duty.pk}/swaps", {"to_person_id": world.p_kim.pk}, content_type="application/json")
    assert r.status_code == 409 and r.json()["detail"] == "A swap for this duty is already awaiting approval."
    r = g.post(f"{API}/swaps/{swap_id}/decision", {"approve": True}, content_type="application/json")
    assert r.status_code == 404  # only organisers decide
    c = as_user(world.carol)
    r = c.post(f"{API}/swaps/{swap_id}/decision", {"approve": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["on_duty"] == "志愿者丙"
    r = c.post(f"{API}/swaps/{swap_id}/decision", {"approve": False}, content_type="application/json")
    assert r.status_code == 409 and r.json()["detail"] == "This swap has already been decided."
    assert c.delete(f"{API}/duties/{duty.pk}").status_code == 204
    assert not Duty.objects.filter(pk=duty.pk).exists()


def test_a_swap_to_oneself_is_refused(world, morning, as_user):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    r = as_user(world.grace).post(
        f"{API}/duties/{duty.pk}/swaps", {"to_person_id": world.p_grace.pk}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["detail"] == "Choose someone else to take the shift."


def test_yijing_resident_gets_404_for_the_organisers_routes(world, post, morning, as_user):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    c = as_user(world.olga)
    body = {"first": "2027-03-01", "last": "2027-03-03", "pattern": [{"starts": "07:00", "ends": "12:00"}]}
    assert c.post(f"{API}/posts/{post.pk}/shifts/bulk", body, content_type="application/json").status_code == 404
    assert c.delete(f"{API}/duties/{duty.pk}").status_code == 404
    r = c.post(f"{API}/duties/{duty.pk}/swaps", {"to_person_id": world.p_olga.pk}, content_type="application/json")
    assert r.status_code == 404
