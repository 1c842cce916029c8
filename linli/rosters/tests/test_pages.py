"""The organisers' pages: posts, the bulk form, a post's week with assign/unassign and swaps to
decide, the QR sheet; and the swap request from /rosters/mine/."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.rosters import services
from linli.rosters.models import Duty, Post, Shift, SwapRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def make(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def _week(day):
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def test_organiser_creates_a_post_then_a_week_of_shifts_with_the_bulk_form(world, as_user):
    c = as_user(world.carol)
    assert "New post" in c.get("/rosters/").content.decode()
    r = c.post("/rosters/", {"post-compound": world.fufeng.pk, "post-name": "北门岗", "post-description": ""})
    post = Post.objects.get(name="北门岗", compound=world.fufeng)
    assert r.status_code == 302 and r["Location"] == f"/rosters/p/{post.pk}/bulk/"
    first = timezone.localdate() + dt.timedelta(days=7)
    r = c.post(
        f"/rosters/p/{post.pk}/bulk/",
        {
            "bulk-first": first.isoformat(),
            "bulk-last": (first + dt.timedelta(days=6)).isoformat(),
            "bulk-pattern": "07:00-12:00, 22:00-07:00",
            "bulk-needed": "2",
        },
        follow=True,
    )
    page = r.content.decode()
    assert "14 shifts made." in page
    assert Shift.objects.filter(post=post).count() == 14
    night = Shift.objects.filter(post=post).order_by("starts")[1]
    assert timezone.localtime(night.ends).date() == timezone.localtime(night.starts).date() + dt.timedelta(days=1)
    assert "short of people" in page  # two needed, nobody yet
    assert "北门岗" in c.get("/rosters/").content.decode()


def test_the_same_name_twice_is_refused_on_the_form(world, post, as_user):
    c = as_user(world.carol)
    r = c.post("/rosters/", {"post-compound": world.fufeng.pk, "post-name": "东门岗"})
    assert r.status_code == 422 and "This compound already has a post with this name." in r.content.decode()


@pytest.mark.parametrize(
    "pattern, last_days, message",
    [
        ("7am-noon", 1, "Write each shift as start-end in 24-hour time, e.g. 07:00-12:00: 7am-noon"),
        ("07:00-12:00", -1, "The last day must not be before the first."),
        ("07:00-12:00", 70, "Make shifts for at most 62 days at a time."),
    ],
)
def test_bulk_form_shows_the_error_and_makes_nothing(world, post, as_user, pattern, last_days, message):
    first = timezone.localdate()
    r = as_user(world.carol).post(
        f"/rosters/p/{post.pk}/bulk/",
        {
            "bulk-first": first.isoformat(),
            "bulk-last": (first + dt.timedelta(days=last_days)).isoformat(),
            "bulk-pattern": pattern,
            "bulk-needed": "1",
        },
    )
    assert r.status_code == 422 and message in r.content.decode()
    assert not Shift.objects.filter(post=post).exists()


def test_week_shows_gaps_assigns_refuses_overlap_and_unassigns(world, post, morning, late_morning, as_user):
    c = as_user(world.carol)
    week = _week(timezone.localdate(morning.starts))
    url = f"/rosters/p/{post.pk}/?week={week}"
    page = c.get(url).content.decode()
    assert 'class="roster-shift gap"' in page and "志愿者乙" in page  # grace offered in the choice
    r = c.post(f"/rosters/p/{post.pk}/assign/", {"shift": morning.pk, "person": world.p_grace.pk, "week": week})
    assert r.status_code == 302 and r["Location"] == url
    page = c.get(url).content.decode()
    assert "志愿者乙 is on duty" in page and 'class="roster-shift gap"' not in page
    west = late_morning.post
    r = c.post(
        f"/rosters/p/{west.pk}/assign/",
        {"shift": late_morning.pk, "person": world.p_grace.pk, "week": week},
        follow=True,
    )
    assert "志愿者乙 is already on duty then: 东门岗" in r.content.decode()
    assert not Duty.objects.filter(shift=late_morning).exists()
    duty = Duty.objects.get(shift=morning)
    r = c.post(f"/rosters/p/{post.pk}/unassign/", {"duty": duty.pk, "week": week}, follow=True)
    assert "志愿者乙 is off the shift." in r.content.decode()
    assert not Duty.objects.filter(shift=morning).exists()


def test_a_shift_of_another_post_cannot_be_assigned_through_this_one(world, post, late_morning, as_user):
    r = as_user(world.carol).post(
        f"/rosters/p/{post.pk}/assign/", {"shift": late_morning.pk, "person": world.p_grace.pk}
    )
    assert r.status_code == 404


def test_weeks_page_through_and_query_count_does_not_grow_with_shifts(world, post, as_user):
    c = as_user(world.carol)
    today = timezone.localdate()
    first = today + dt.timedelta(days=7 - today.weekday())  # next Monday
    pattern = [(dt.time(8), dt.time(12))]
    services.bulk_create_shifts(user=world.carol, post=post, first=first, last=first, pattern=pattern)
    week = _week(first)
    with CaptureQueriesContext(connection) as one:
        assert c.get(f"/rosters/p/{post.pk}/?week={week}").status_code == 200
    services.bulk_create_shifts(
        user=world.carol,
        post=post,
        first=first,
        last=first + dt.timedelta(days=6),
        pattern=pattern + [(dt.time(13), dt.time(18))],
    )
    for s in Shift.objects.filter(post=post, starts__hour=8):
        services.assign(user=world.carol, shift=s, person=world.p_grace)
    with CaptureQueriesContext(connection) as many:
        page = c.get(f"/rosters/p/{post.pk}/?week={week}").content.decode()
    assert page.count('id="shift-') == 14
    assert len(many) == len(one)
    prev_week = (dt.date.fromisoformat(week) - dt.timedelta(days=7)).isoformat()
    assert f"?week={prev_week}" in page
    assert c.get(f"/rosters/p/{post.pk}/?week={prev_week}").content.decode().count('id="shift-') == 0


def test_volunteer_asks_for_a_swap_and_the_organiser_approves(world, post, morning, kim, as_user, mailoutbox):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    g = as_user(world.grace)
    page = g.get("/rosters/mine/").content.decode()
    assert "Ask for a swap" in page and "志愿者丙" in page
    r = g.post("/rosters/mine/swap/", {"duty": duty.pk, "to_person": world.p_kim.pk, "reason": "出差"}, follow=True)
    page = r.content.decode()
    assert "Your swap request is sent to the organisers." in page
    assert "Your swap request awaits the organisers' approval." in page
    r = g.post("/rosters/mine/swap/", {"duty": duty.pk, "to_person": world.p_kim.pk}, follow=True)
    assert "A swap for this duty is already awaiting approval." in r.content.decode()

    c = as_user(world.carol)
    page = c.get(f"/rosters/p/{post.pk}/?week={_week(timezone.localdate(morning.starts))}").content.decode()
    assert "志愿者乙 asks 志愿者丙 to take the shift." in page
    swap = SwapRequest.objects.get()
    r = c.post(f"/rosters/p/{post.pk}/swaps/", {"swap": swap.pk, "decision": "approve"}, follow=True)
    assert "Swap approved." in r.content.decode()
    duty.refresh_from_db()
    assert duty.person == world.p_kim
    as_user(world.kim)
    assert "东门岗" in g.get("/rosters/mine/").content.decode()


def test_organiser_declines_a_swap(world, post, morning, kim, as_user):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    swap = services.request_swap(user=world.grace, duty=duty, to_person=world.p_kim)
    r = as_user(world.carol).post(f"/rosters/p/{post.pk}/swaps/", {"swap": swap.pk, "decision": "decline"}, follow=True)
    assert "Swap declined." in r.content.decode()
    duty.refresh_from_db()
    swap.refresh_from_db()
    assert duty.person == world.p_grace and swap.status == "declined"


def test_swap_only_for_ones_own_duty(world, morning, kim, as_user):
    duty = services.assign(user=world.carol, shift=morning, person=world.p_grace)
    r = as_user(world.kim).post("/rosters/mine/swap/", {"duty": duty.pk, "to_person": world.p_kim.pk})
    assert r.status_code == 404 and not SwapRequest.objects.exists()


def test_qr_sheet_is_an_a4_pdf_or_png_with_the_check_in_link(world, post, as_user):
    c = as_user(world.carol)
    r = c.get(f"/rosters/p/{post.pk}/qr/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    r = c.get(f"/rosters/p/{post.pk}/qr/?format=png")
    assert r["Content-Type"] == "image/png"
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(r.content)).size == (1240, 1754)  # A4 at 150 dpi
    page = c.get(f"/rosters/p/{post.pk}/").content.decode()
    assert f"/rosters/checkin/{post.token}/" in page and f"/rosters/p/{post.pk}/qr/" in page


@pytest.mark.parametrize("who", ["alice", "bob", "grace", "dave", "olga"])
def test_organiser_pages_are_404_outside_the_organisers(world, post, morning, as_user, who):
    c = as_user(getattr(world, who))
    assert c.get("/rosters/").status_code == 404
    for path in ("", "bulk/", "qr/"):
        assert c.get(f"/rosters/p/{post.pk}/{path}").status_code == 404
    r = c.post(f"/rosters/p/{post.pk}/assign/", {"shift": morning.pk, "person": world.p_grace.pk})
    assert r.status_code == 404 and not Duty.objects.exists()


def test_another_communitys_worker_gets_404(world, post, as_user):
    from linli.conftest import _person, _user
    from linli.people.models import Membership, Organisation

    committee = Organisation.objects.create(
        kind=Organisation.Kind.RESIDENTS_COMMITTEE,
        name="翠颐社区居委会",
        subdistrict=world.guicheng,
        community=world.cuiyi,
    )
    p = _person("社工癸", "13900000011")
    Membership.objects.create(organisation=committee, person=p, role=Membership.Role.WORKER)
    c = as_user(_user("wendy", p))
    assert c.get(f"/rosters/p/{post.pk}/").status_code == 404
    assert "东门岗" not in c.get("/rosters/").content.decode()


def test_organisers_find_the_rosters_in_the_menu_and_volunteers_their_duties_on_volunteering(world, as_user):
    page = as_user(world.carol).get("/").content.decode()
    assert 'href="/rosters/"' in page and "Duty rosters" in page
    volunteering = as_user(world.grace).get("/volunteers/").content.decode()
    assert 'href="/rosters/mine/"' in volunteering and "My duty shifts" in volunteering
    assert 'href="/rosters/"' not in as_user(world.alice).get("/").content.decode()
