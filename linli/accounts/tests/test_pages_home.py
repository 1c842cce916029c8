"""Login by username or phone, the home page per role, language and elderly-mode switches."""

import pytest
from django.urls import reverse

from linli.accounts.models import User
from linli.conftest import PASSWORD


def test_anonymous_home_redirects_to_login(world, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("username", ["bob", "13900000001", "139 0000 0001"])
def test_login_with_username_or_phone(world, client, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    assert client.get("/").context["user"] == world.bob


def test_wrong_password_is_explained_in_chinese(world, client):
    response = client.post(reverse("accounts:login"), {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "用户名（或手机号）与密码不匹配" in html
    assert "_auth_user_id" not in client.session


def test_wrong_password_in_english_when_asked(world, client):
    response = client.post(
        reverse("accounts:login"), {"username": "bob", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "do not match" in response.content.decode()


def test_logout_is_a_post(world, login):
    client = login(world.bob)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_login_page_labels_every_input(world, client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<label for="id_username">用户名或手机号</label>' in html
    assert '<label for="id_password">' in html


def test_resident_home_shows_home_and_household(world, login):
    html = login(world.alice).get("/").content.decode()
    assert "我的家" in html and "富丰新城 1栋 1单元 101" in html
    assert "李爱丽" in html
    assert "我负责的楼栋" not in html
    assert "负责的社区" not in html


def test_leader_home_shows_his_building_with_counts(world, login):
    response = login(world.bob).get("/")
    html = response.content.decode()
    assert "我负责的楼栋" in html and "我的家" in html  # bob also lives in 201
    [building] = response.context["led_buildings"]
    assert building.pk == world.b1.pk and building.home_count == 4
    assert reverse("places:building", args=[world.b1.pk]) in html


def test_household_contact_home_lists_contact_homes(world, login):
    response = login(world.frank).get("/")
    assert [h.pk for h in response.context["contact_homes"]] == [world.h_s12.pk]
    assert "钱二单元" in response.content.decode()
    assert "138****0004" in response.content.decode()


@pytest.mark.parametrize(
    "actor, org", [("grace", "大新之心"), ("henry", "富丰新城街坊会"), ("ivy", "富丰新城业主委员会")]
)
def test_members_see_their_organisations(world, login, actor, org):
    html = login(getattr(world, actor)).get("/").content.decode()
    assert "我参加的组织" in html and org in html


def test_clerk_sees_the_compounds_served(world, login):
    response = login(world.dave).get("/")
    assert [c.name for c in response.context["served_compounds"]] == ["富丰新城"]


@pytest.mark.parametrize(
    "actor, communities",
    [
        ("carol", ["大新社区"]),
        ("jack", ["大新社区"]),
        ("erin", ["大新社区", "翠颐社区"]),
        ("root", ["大新社区", "翠颐社区"]),
    ],
)
def test_staff_see_communities_with_counts(world, login, actor, communities):
    response = login(getattr(world, actor)).get("/")
    rows = response.context["staff_communities"]
    assert sorted(c.name for c in rows) == sorted(communities)
    daxin = next(c for c in rows if c.name == "大新社区")
    assert (daxin.home_count, daxin.resident_count, daxin.building_count, daxin.leader_count) == (5, 5, 2, 1)


def test_top_bar_shows_name_and_roles(world, login):
    html = login(world.bob).get("/").content.decode()
    assert "沈霞" in html and "楼长" in html and "居民" in html
    nav = f'href="{reverse("places:communities")}"'
    assert nav in html  # a leader browses places
    html = login(world.alice).get("/").content.decode()
    assert nav not in html  # a resident only has his home


def test_user_without_person_gets_a_clear_message(db, client):
    user = User.objects.create_user("nobody", password=PASSWORD)
    client.force_login(user)
    assert "尚未关联住户或角色" in client.get("/").content.decode()


def test_chinese_by_default_english_by_header_and_by_switch(world, login):
    client = login(world.bob)
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in english and "The buildings I look after" in english
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "The buildings I look after" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "我负责的楼栋" in client.get("/").content.decode()


def test_elderly_mode_sets_cookie_and_account(world, login):
    client = login(world.bob)
    assert 'class="elderly"' not in client.get("/").content.decode()
    response = client.post(reverse("accounts:elderly"), {"on": "1", "next": "/places/"})
    assert response.status_code == 302 and response["Location"] == "/places/"
    assert response.cookies["elderly"].value == "1"
    world.bob.refresh_from_db()
    assert world.bob.elderly_mode
    assert 'class="elderly"' in client.get("/").content.decode()
    client.post(reverse("accounts:elderly"), {"on": "0"})
    world.bob.refresh_from_db()
    assert not world.bob.elderly_mode
    assert 'class="elderly"' not in client.get("/").content.decode()


def test_elderly_mode_for_anonymous_and_no_open_redirect(db, client):
    response = client.post(reverse("accounts:elderly"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:home")
    assert 'class="elderly"' in client.get(reverse("accounts:login")).content.decode()


def test_home_query_count_is_constant(world, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.places.models import Community

    client = login(world.erin)
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    for i in range(5):
        Community.objects.create(subdistrict=world.guicheng, name=f"新社区{i}")
    with django_assert_max_num_queries(len(small)):
        client.get("/")


def test_leader_of_some_stairwells_sees_those_stairwells(world, login):
    from linli.people.models import LeaderAssignment, Person

    person = Person.objects.create(name="单元长", phone="13700000009")
    assignment = LeaderAssignment.objects.create(person=person, kind="building", building=world.b1)
    assignment.stairwells.set([world.s12])
    user = User.objects.create_user("stairs", password=PASSWORD, person=person)
    response = login(user).get("/")
    assert response.context["led_buildings"] == []
    assert [s.pk for s in response.context["led_stairwells"]] == [world.s12.pk]
    assert login(user).get(reverse("places:stairwell", args=[world.s11.pk])).status_code == 404


def test_pages_are_light_and_accessible(world, login):
    import gzip
    import re
    from pathlib import Path

    from django.contrib.staticfiles import finders

    html = login(world.bob).get(reverse("places:stairwell", args=[world.s11.pk])).content
    assets = [finders.find("css/linli.css"), finders.find("vendor/htmx.min.js")]
    total = len(gzip.compress(html)) + sum(len(gzip.compress(Path(a).read_bytes())) for a in assets)
    assert total < 100 * 1024
    text = html.decode()
    assert 'class="skip" href="#main"' in text and '<main id="main"' in text
    assert "<script>" not in text  # no inline scripts: a strict CSP can forbid them
    # nothing from another host (a CDN): no absolute or protocol-relative address anywhere
    # (not a search for "cdn": a random CSRF token may hold those letters)
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', text)
    assert "http://" not in text and "https://" not in text
