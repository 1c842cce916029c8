"""The place browser: who sees which page, masked phones, counts, constant query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from linli.people.models import LeaderAssignment, Occupancy, Person
from linli.places.models import Building, Compound, Home, Stairwell


def url(name, obj):
    return reverse(f"places:{name}", args=[obj.pk])


# (actor, page, object attribute in the world, expected status)
CELLS = [
    ("bob", "stairwell", "s11", 200),
    ("bob", "stairwell", "s12", 200),
    ("bob", "stairwell", "s21", 404),
    ("bob", "stairwell", "ys", 404),
    ("bob", "building", "b1", 200),
    ("bob", "building", "b2", 404),
    ("bob", "compound", "yijing", 404),
    ("bob", "home", "h101", 200),
    ("bob", "home", "h_b2", 404),
    ("alice", "home", "h101", 200),
    ("alice", "home", "h102", 404),
    ("alice", "home", "h_yj", 404),
    ("alice", "building", "b2", 404),
    ("frank", "home", "h_s12", 200),
    ("frank", "home", "h101", 404),
    ("dave", "compound", "fufeng", 200),
    ("dave", "stairwell", "s21", 200),
    ("dave", "compound", "yijing", 404),
    ("dave", "home", "h_yj", 404),
    ("henry", "building", "b2", 200),
    ("henry", "home", "h101", 404),
    ("carol", "community", "daxin", 200),
    ("carol", "community", "cuiyi", 404),
    ("carol", "home", "h_b2", 200),
    ("carol", "home", "h_yj", 404),
    ("jack", "stairwell", "ys", 404),
    ("erin", "community", "cuiyi", 200),
    ("erin", "home", "h_yj", 200),
    ("root", "stairwell", "ys", 200),
    ("olga", "home", "h_yj", 200),
    ("olga", "stairwell", "s11", 404),
]


@pytest.mark.parametrize("actor, page, obj, status", CELLS)
def test_place_pages_follow_the_scope(world, login, actor, page, obj, status):
    client = login(getattr(world, actor))
    assert client.get(url(page, getattr(world, obj))).status_code == status


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(url("stairwell", world.s11))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_leader_sees_residents_with_masked_phones_by_floor(world, login):
    response = login(world.bob).get(url("stairwell", world.s11))
    html = response.content.decode()
    assert "李爱丽" in html and "王邻" in html
    assert "138****0001" in html
    assert "13800000001" not in html
    # One Show button per revealable phone, pointing at the reveal endpoint.
    assert reverse("people:reveal", args=[world.p_alice.pk, "phone"]) in html
    # Floors are listed from the top down, as one climbs down the stairwell.
    # (the home numbers as the cards show them: "101" may also stand in an id of an address)
    assert html.index(">201</a>") < html.index(">101</a>")


def test_stairwell_shows_vulnerable_flag(world, login):
    world.p_neighbour.lives_alone = True
    world.p_neighbour.birth_year = 1940
    world.p_neighbour.save()
    html = login(world.bob).get(url("stairwell", world.s11)).content.decode()
    assert "tag care" in html


def test_association_officer_sees_places_but_no_residents(world, login):
    response = login(world.henry).get(url("stairwell", world.s11))
    assert response.status_code == 200
    html = response.content.decode()
    assert "李爱丽" not in html
    assert "138****" not in html


def test_resident_sees_own_home_and_household_only(world, login):
    Occupancy.objects.create(person=Person.objects.create(name="李小爱"), home=world.h101, relation="family")
    html = login(world.alice).get(url("home", world.h101)).content.decode()
    assert "李爱丽" in html and "李小爱" in html
    assert "王邻" not in html


def test_compound_page_lists_buildings_with_counts_and_leaders(world, login):
    response = login(world.carol).get(url("compound", world.fufeng))
    html = response.content.decode()
    b1 = next(b for b in response.context["buildings"] if b.pk == world.b1.pk)
    assert (b1.stairwell_count, b1.home_count, b1.resident_count, b1.leader_count) == (2, 4, 4, 1)
    assert "沈霞" in html  # bob, the building leader
    assert "富丰新城街坊会" in html


def test_leader_sees_only_his_building_on_the_compound_page(world, login):
    response = login(world.bob).get(url("compound", world.fufeng))
    assert [b.pk for b in response.context["buildings"]] == [world.b1.pk]


def _grow(world, n):
    """Add n buildings with a stairwell, homes, residents and a leader to 富丰新城."""
    for i in range(n):
        building = Building.objects.create(compound=world.fufeng, name=f"{10 + i}栋")
        stairwell = Stairwell.objects.create(building=building, name="1单元")
        for floor in (1, 2):
            home = Home.objects.create(stairwell=stairwell, number=f"{floor}01", floor=floor, area=Decimal("80"))
            person = Person.objects.create(name=f"住户{i}{floor}", phone=f"1370000{i:02d}{floor:02d}")
            Occupancy.objects.create(person=person, home=home, relation="owner")
        LeaderAssignment.objects.create(person=person, kind="building", building=building)
    Compound.objects.create(community=world.daxin, name=f"新小区{n}")


@pytest.mark.parametrize(
    "actor, page, obj",
    [
        ("carol", "communities", None),
        ("carol", "community", "daxin"),
        ("carol", "compound", "fufeng"),
        ("erin", "compound", "fufeng"),
        ("carol", "building", "b1"),
        ("bob", "stairwell", "s11"),
        ("carol", "stairwell", "s11"),
    ],
)
def test_query_count_is_constant_in_rows(world, login, django_assert_max_num_queries, actor, page, obj):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(getattr(world, actor))
    target = reverse("places:communities") if obj is None else url(page, getattr(world, obj))
    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    _grow(world, 5)
    if page == "stairwell":  # more homes and residents in the same stairwell
        for floor in range(3, 9):
            home = Home.objects.create(stairwell=world.s11, number=f"{floor}01", floor=floor)
            Occupancy.objects.create(
                person=Person.objects.create(name=f"楼上{floor}", phone=f"135000000{floor:02d}"),
                home=home,
                relation="tenant",
            )
    with django_assert_max_num_queries(len(small)):
        assert client.get(target).status_code == 200


def test_leader_names_link_only_to_pages_the_user_may_open(world, login):
    bob_page = reverse("people:person", args=[world.p_bob.pk])
    assert bob_page in login(world.carol).get(url("compound", world.fufeng)).content.decode()
    html = login(world.henry).get(url("compound", world.fufeng)).content.decode()
    assert "沈霞" in html and bob_page not in html
