"""The grid over the API: each role sees the places and homes of its area, nothing else, and
every list costs the same number of queries however many rows it has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.people.models import Occupancy, Person
from linli.places.models import Building, Compound, Home, Stairwell

API = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])  # the world is smaller than one page
    return {item["id"] for item in body["items"]}


# --- homes: the access matrix -----------------------------------------------------------

HOMES = {
    "alice": {"h101"},
    "bob": {"h101", "h102", "h201", "h_s12"},
    "frank": {"h_s12"},
    "grace": set(),
    "henry": set(),
    "ivy": set(),
    "dave": {"h101", "h102", "h201", "h_s12", "h_b2"},
    "carol": {"h101", "h102", "h201", "h_s12", "h_b2"},
    "jack": {"h101", "h102", "h201", "h_s12", "h_b2"},
    "erin": {"h101", "h102", "h201", "h_s12", "h_b2", "h_yj"},
    "root": {"h101", "h102", "h201", "h_s12", "h_b2", "h_yj"},
    "olga": {"h_yj"},
}


@pytest.mark.parametrize("actor, expected", HOMES.items())
def test_home_list_holds_only_the_actors_area(world, login, actor, expected):
    response = login(getattr(world, actor)).get(f"{API}/homes")
    assert ids(response) == {getattr(world, name).pk for name in expected}


@pytest.mark.parametrize("actor, expected", HOMES.items())
def test_home_detail_outside_the_area_is_404(world, login, actor, expected):
    client = login(getattr(world, actor))
    for name in ("h101", "h_s12", "h_b2", "h_yj"):
        response = client.get(f"{API}/homes/{getattr(world, name).pk}")
        assert response.status_code == (200 if name in expected else 404), (actor, name)
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"


def test_leader_lists_only_homes_of_his_building(world, login):
    client = login(world.bob)
    assert ids(client.get(f"{API}/homes?building={world.b1.pk}")) == {
        world.h101.pk,
        world.h102.pk,
        world.h201.pk,
        world.h_s12.pk,
    }
    assert ids(client.get(f"{API}/homes?building={world.b2.pk}")) == set()
    assert client.get(f"{API}/homes/{world.h_yj.pk}").status_code == 404


def test_home_filters(world, login):
    w = world
    Home.objects.filter(pk=w.h102.pk).update(is_vacant=True)
    client = login(w.carol)
    assert ids(client.get(f"{API}/homes?stairwell={w.s11.pk}")) == {w.h101.pk, w.h102.pk, w.h201.pk}
    assert ids(client.get(f"{API}/homes?compound={w.fufeng.pk}&floor=2")) == {w.h201.pk}
    assert ids(client.get(f"{API}/homes?vacant=true")) == {w.h102.pk}
    assert w.h102.pk not in ids(client.get(f"{API}/homes?vacant=false"))
    # A filter on a place outside the area finds nothing rather than leaking.
    assert ids(client.get(f"{API}/homes?compound={w.yijing.pk}")) == set()


def test_home_detail_lists_residents_with_masked_phones(world, login):
    response = login(world.bob).get(f"{API}/homes/{world.h101.pk}")
    assert response.status_code == 200
    home = response.json()
    assert home["number"] == "101"
    assert home["compound"] == {"id": world.fufeng.pk, "name": "富丰新城"}
    assert home["area"] == "89.50"
    assert home["resident_count"] == 1
    assert home["residents"] == [
        {"id": world.p_alice.pk, "name": "李爱丽", "relation": "owner", "phone": "138****0001", "is_vulnerable": False}
    ]


def test_home_list_is_paginated(world, login):
    client = login(world.root)
    first = client.get(f"{API}/homes?limit=2&offset=0").json()
    second = client.get(f"{API}/homes?limit=2&offset=2").json()
    assert first["count"] == second["count"] == 6
    assert len(first["items"]) == len(second["items"]) == 2
    assert not {h["id"] for h in first["items"]} & {h["id"] for h in second["items"]}


@pytest.mark.parametrize("path", ["/places/compounds", "/places/buildings", "/places/stairwells", "/homes"])
def test_walking_pages_one_by_one_sees_every_row_once(world, login, path):
    client = login(world.erin)
    everything = client.get(f"{API}{path}").json()
    walked = [
        item["id"]
        for offset in range(everything["count"])
        for item in client.get(f"{API}{path}?limit=1&offset={offset}").json()["items"]
    ]
    assert walked == [item["id"] for item in everything["items"]]
    assert len(set(walked)) == everything["count"] > 1


def test_page_size_is_capped(world, login, settings):
    cap = settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE
    Home.objects.bulk_create(Home(stairwell=world.s21, number=f"x{i}", floor=i % 30) for i in range(cap + 10))
    client = login(world.root)
    body = client.get(f"{API}/homes?limit={cap * 10}").json()
    assert (len(body["items"]), body["count"]) == (cap, cap + 16)
    assert client.get(f"{API}/homes?limit=0").status_code == 422
    assert client.get(f"{API}/homes?offset=-1").status_code == 422


# --- places -----------------------------------------------------------------------------

BUILDINGS = {
    "alice": {"b1"},
    "bob": {"b1"},
    "frank": {"b1"},
    "grace": set(),
    "henry": {"b1", "b2"},
    "ivy": {"b1", "b2"},
    "dave": {"b1", "b2"},
    "carol": {"b1", "b2"},
    "erin": {"b1", "b2", "y1"},
    "olga": {"y1"},
}


@pytest.mark.parametrize("actor, expected", BUILDINGS.items())
def test_building_list_and_detail_follow_the_scope(world, login, actor, expected):
    client = login(getattr(world, actor))
    assert ids(client.get(f"{API}/places/buildings")) == {getattr(world, name).pk for name in expected}
    for name in ("b1", "b2", "y1"):
        response = client.get(f"{API}/places/buildings/{getattr(world, name).pk}")
        assert response.status_code == (200 if name in expected else 404), (actor, name)


@pytest.mark.parametrize(
    "actor, communities, compounds",
    [
        ("bob", {"daxin"}, {"fufeng"}),
        ("dave", {"daxin"}, {"fufeng"}),
        ("carol", {"daxin"}, {"fufeng"}),
        ("olga", {"cuiyi"}, {"yijing"}),
        ("erin", {"daxin", "cuiyi"}, {"fufeng", "yijing"}),
        ("grace", set(), set()),
    ],
)
def test_community_and_compound_lists_follow_the_scope(world, login, actor, communities, compounds):
    client = login(getattr(world, actor))
    assert ids(client.get(f"{API}/places/communities")) == {getattr(world, n).pk for n in communities}
    assert ids(client.get(f"{API}/places/compounds")) == {getattr(world, n).pk for n in compounds}
    for name in ("fufeng", "yijing"):
        response = client.get(f"{API}/places/compounds/{getattr(world, name).pk}")
        assert response.status_code == (200 if name in compounds else 404)
    for name in ("daxin", "cuiyi"):
        response = client.get(f"{API}/places/communities/{getattr(world, name).pk}")
        assert response.status_code == (200 if name in communities else 404)


def test_place_counts(world, login):
    w = world
    client = login(w.erin)
    daxin = client.get(f"{API}/places/communities/{w.daxin.pk}").json()
    counts = ("compound_count", "building_count", "stairwell_count", "home_count", "resident_count", "leader_count")
    assert [daxin[c] for c in counts] == [1, 2, 3, 5, 5, 1]
    b1 = client.get(f"{API}/places/buildings/{w.b1.pk}").json()
    assert [b1[c] for c in counts[2:]] == [2, 4, 4, 1]
    stairwells = {s["id"]: s for s in client.get(f"{API}/places/stairwells?building={w.b1.pk}").json()["items"]}
    assert set(stairwells) == {w.s11.pk, w.s12.pk}
    assert stairwells[w.s11.pk]["home_count"] == 3
    assert stairwells[w.s11.pk]["compound"] == {"id": w.fufeng.pk, "name": "富丰新城"}
    # A person living in two homes of a building counts once there.
    Occupancy.objects.create(person=w.p_alice, home=w.h102, relation=Occupancy.Relation.FAMILY)
    assert client.get(f"{API}/places/buildings/{w.b1.pk}").json()["resident_count"] == 4


def test_place_filters(world, login):
    w = world
    client = login(w.erin)
    assert ids(client.get(f"{API}/places/compounds?community={w.cuiyi.pk}")) == {w.yijing.pk}
    assert ids(client.get(f"{API}/places/buildings?compound={w.fufeng.pk}")) == {w.b1.pk, w.b2.pk}
    assert ids(client.get(f"{API}/places/stairwells?building={w.b2.pk}")) == {w.s21.pk}
    assert ids(client.get(f"{API}/places/stairwells?compound={w.yijing.pk}")) == {w.ys.pk}
    assert ids(client.get(f"{API}/places/compounds?q=颐景")) == {w.yijing.pk}


def test_household_contact_sees_the_stairwell_of_the_contact_home(world, login):
    w = world
    client = login(w.frank)  # household contact of one home in 1栋2单元
    assert ids(client.get(f"{API}/places/stairwells")) == {w.s12.pk}
    assert client.get(f"{API}/places/stairwells/{w.s11.pk}").status_code == 404


# --- query counts -----------------------------------------------------------------------


def grow(world, n=3):
    """More of everything in 大新社区 (carol's community)."""
    for i in range(n):
        compound = Compound.objects.create(community=world.daxin, name=f"新小区{i}")
        for b in range(2):
            building = Building.objects.create(compound=compound, name=f"{b + 1}栋")
            for s in range(2):
                stairwell = Stairwell.objects.create(building=building, name=f"{s + 1}单元")
                for h in range(2):
                    home = Home.objects.create(stairwell=stairwell, number=f"{h + 1}01", floor=h + 1)
                    person = Person.objects.create(name=f"居民{i}{b}{s}{h}", phone=f"137{i}{b}{s}{h}0000000"[:11])
                    Occupancy.objects.create(person=person, home=home, relation=Occupancy.Relation.OWNER)


@pytest.mark.parametrize(
    "url",
    [
        "/places/communities",
        "/places/compounds",
        "/places/buildings",
        "/places/stairwells",
        "/homes",
        "/places/buildings/{b1}",
        "/homes/{h101}",
    ],
)
def test_query_count_is_constant_in_rows(world, login, django_assert_num_queries, url):
    client = login(world.carol)
    url = API + url.format(b1=world.b1.pk, h101=world.h101.pk)
    with CaptureQueriesContext(connection) as before:
        small = client.get(url).json()
    grow(world)
    newcomer = Person.objects.create(name="新家人")
    Occupancy.objects.create(person=newcomer, home=world.h101, relation=Occupancy.Relation.FAMILY)
    with django_assert_num_queries(len(before.captured_queries)):
        large = client.get(url).json()
    assert size(large) > size(small)


def size(body):
    """What grows when rows are added: the total, then the counts inside the rows."""
    rows = body.get("items", [body])
    return body.get("count", 1), sum(row.get("home_count", 0) + row["resident_count"] for row in rows)
