"""People over the API as a matrix of role × resource × list/detail/reveal: what each role
may see, what it may reveal (and that each reveal is logged), what stays masked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.people.models import (
    LeaderAssignment,
    Membership,
    Occupancy,
    Organisation,
    PartyMember,
    Person,
    RevealLog,
)
from linli.places.models import Building, Home, Stairwell

API = "/api/v1"


def ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def reveal(client, person, field, reason="follow up the repair request", **headers):
    return client.post(
        f"{API}/residents/{person.pk}/reveal",
        {"field": field, "reason": reason},
        content_type="application/json",
        headers=headers,
    )


# --- residents: list and detail ---------------------------------------------------------

RESIDENTS = ["p_alice", "p_neighbour", "p_s12", "p_b2", "p_olga"]
SEES = {
    "alice": {"p_alice"},
    "bob": {"p_alice", "p_neighbour", "p_s12", "p_bob"},
    "frank": {"p_s12", "p_frank"},
    "grace": {"p_grace"},
    "henry": {"p_henry"},
    "ivy": {"p_ivy"},
    "dave": {"p_alice", "p_neighbour", "p_s12", "p_b2", "p_bob", "p_dave"},
    "olga": {"p_olga"},
}


@pytest.mark.parametrize("actor, expected", SEES.items())
def test_resident_list_and_detail_follow_the_scope(world, login, actor, expected):
    client = login(getattr(world, actor))
    assert ids(client.get(f"{API}/residents")) == {getattr(world, n).pk for n in expected}
    for name in RESIDENTS:
        response = client.get(f"{API}/residents/{getattr(world, name).pk}")
        assert response.status_code == (200 if name in expected else 404), (actor, name)


@pytest.mark.parametrize("actor", ["carol", "jack"])
def test_community_staff_see_their_community_not_the_other(world, login, actor):
    w = world
    seen = ids(login(getattr(w, actor)).get(f"{API}/residents"))
    assert {w.p_alice.pk, w.p_neighbour.pk, w.p_s12.pk, w.p_b2.pk, w.p_bob.pk} <= seen
    assert w.p_olga.pk not in seen


def test_resident_filters(world, login):
    w = world
    w.p_neighbour.lives_alone, w.p_neighbour.birth_year = True, 1940
    w.p_neighbour.save()
    w.p_b2.care_note = "行动不便"
    w.p_b2.save()
    client = login(w.carol)
    assert ids(client.get(f"{API}/residents?building={w.b1.pk}")) == {
        w.p_alice.pk,
        w.p_neighbour.pk,
        w.p_s12.pk,
        w.p_bob.pk,
    }
    assert ids(client.get(f"{API}/residents?stairwell={w.s12.pk}")) == {w.p_s12.pk}
    assert ids(client.get(f"{API}/residents?home={w.h101.pk}")) == {w.p_alice.pk}
    assert ids(client.get(f"{API}/residents?compound={w.fufeng.pk}&q=二")) == {w.p_b2.pk, w.p_s12.pk}
    assert ids(client.get(f"{API}/residents?vulnerable=true")) == {w.p_neighbour.pk, w.p_b2.pk}
    assert w.p_neighbour.pk not in ids(client.get(f"{API}/residents?vulnerable=false"))


# --- residents: search by phone (a POST: the number stays out of URLs and access logs) ----


def search(client, phone, **headers):
    return client.post(f"{API}/residents/search", {"phone": phone}, content_type="application/json", headers=headers)


def test_phone_search_finds_the_resident_masked(world, login):
    response = search(login(world.carol), "+86 138-0000-0002")
    assert ids(response) == {world.p_neighbour.pk}
    item = response.json()["items"][0]
    assert item["phone"] == "138****0002" and "13800000002" not in response.content.decode()
    assert item["homes"] == [{"id": world.h102.pk, "label": "富丰新城 1栋 1单元 102", "relation": "owner"}]
    assert ids(search(login(world.carol), "13900000000")) == set()


def test_phone_search_only_within_scope(world, login):
    w = world
    assert ids(search(login(w.bob), "13800000005")) == set()  # olga, another community
    assert ids(search(login(w.alice), "13800000002")) == set()  # a neighbour, not her own home
    assert ids(search(login(w.erin), "13800000005")) == {w.p_olga.pk}


def test_phone_search_with_a_bearer_token_and_without_credentials(world, client):
    from linli.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=world.bob, name="app")
    assert ids(search(client, "13800000001", authorization=f"Bearer {key}")) == {world.p_alice.pk}
    assert search(client, "13800000001").status_code == 401


def test_phone_is_no_longer_a_query_parameter(world, login):
    client = login(world.carol)
    schema = client.get(f"{API}/openapi.json").json()
    parameters = {p["name"] for p in schema["paths"][f"{API}/residents"]["get"]["parameters"]}
    assert "phone" not in parameters and "q" in parameters
    assert "post" in schema["paths"][f"{API}/residents/search"]
    # A stray ?phone= filters nothing: the list is the caller's whole area, as without it.
    assert ids(client.get(f"{API}/residents?phone=13800000002")) == ids(client.get(f"{API}/residents"))


def test_place_filter_does_not_reveal_homes_outside_the_area(world, login):
    w = world
    # Alice also owns a flat in 颐景园, outside bob's building.
    Occupancy.objects.create(person=w.p_alice, home=w.h_yj, relation=Occupancy.Relation.OWNER)
    client = login(w.bob)
    assert ids(client.get(f"{API}/residents?home={w.h_yj.pk}")) == set()
    detail = client.get(f"{API}/residents/{w.p_alice.pk}").json()
    assert [h["id"] for h in detail["homes"]] == [w.h101.pk]
    assert [h["id"] for h in login(w.erin).get(f"{API}/residents/{w.p_alice.pk}").json()["homes"]] == sorted(
        [w.h101.pk, w.h_yj.pk]
    )


def test_invalid_phone_search_is_422(world, login):
    client = login(world.carol)
    response = search(client, "12345", accept_language="en")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.phone", "message": "Phone number must be 11 digits starting with 1: 12345"}
    ]
    assert search(client, "").status_code == 422
    missing = client.post(f"{API}/residents/search", {}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "body.phone"


def test_resident_detail_is_masked(world, login):
    body = login(world.carol).get(f"{API}/residents/{world.p_alice.pk}").json()
    assert body["phone"] == "138****0001"
    assert body["id_number"] == "4406**********1236"
    assert body["homes"] == [{"id": world.h101.pk, "label": "富丰新城 1栋 1单元 101", "relation": "owner"}]


# --- party membership -------------------------------------------------------------------


@pytest.fixture
def neighbour_in_party(world):
    return PartyMember.objects.create(person=world.p_neighbour, kind=PartyMember.Kind.FLOATING)


@pytest.mark.parametrize(
    "actor, visible", [("carol", True), ("jack", True), ("erin", True), ("bob", False), ("dave", False)]
)
def test_party_membership_only_for_those_who_may_see_it(world, login, neighbour_in_party, actor, visible):
    body = login(getattr(world, actor)).get(f"{API}/residents/{world.p_neighbour.pk}").json()
    assert body["party_hidden"] is not visible
    assert body["party"] == ({"kind": "floating", "organisation": None} if visible else None)


def test_own_party_membership_is_visible(world, login):
    body = login(world.frank).get(f"{API}/residents/{world.p_frank.pk}").json()
    assert body["party_hidden"] is False
    assert body["party"] == {"kind": "reported", "organisation": {"id": world.branch.pk, "name": "富丰新城党支部"}}


def test_party_membership_not_in_lists(world, login, neighbour_in_party):
    for item in login(world.carol).get(f"{API}/residents").json()["items"]:
        assert "party" not in item


# --- reveal -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor, person, field, status",
    [
        ("carol", "p_alice", "id_number", 200),
        ("carol", "p_alice", "phone", 200),
        ("jack", "p_b2", "id_number", 200),
        ("erin", "p_olga", "phone", 200),
        ("root", "p_olga", "id_number", 200),
        ("bob", "p_alice", "phone", 200),
        ("bob", "p_alice", "id_number", 403),
        ("dave", "p_alice", "phone", 200),
        ("dave", "p_alice", "id_number", 403),
        ("frank", "p_s12", "phone", 200),
        ("frank", "p_s12", "id_number", 403),
        ("alice", "p_alice", "id_number", 200),
        ("alice", "p_neighbour", "phone", 404),
        ("bob", "p_olga", "phone", 404),
        ("henry", "p_alice", "phone", 404),
        ("carol", "p_olga", "id_number", 404),
    ],
)
def test_reveal_matrix(world, login, actor, person, field, status):
    user, person = getattr(world, actor), getattr(world, person)
    response = reveal(login(user), person, field)
    assert response.status_code == status, response.content
    logs = RevealLog.objects.filter(user=user, person=person, field=field)
    if status == 200:
        assert response.json() == {"field": field, "value": getattr(person, field)}
        assert response["cache-control"] == "no-store"
        log = logs.get()
        assert log.reason == "follow up the repair request"
        assert log.ip == "127.0.0.1"
    else:
        assert response.json()["code"] == {403: "permission_denied", 404: "not_found"}[status]
        assert not logs.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_reveal_needs_a_reason(world, login, reason):
    response = reveal(login(world.carol), world.p_alice, "phone", reason=reason, **{"accept-language": "en"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body.reason", "message": "Please say why you need to see this."}]
    assert not RevealLog.objects.exists()


def test_reveal_of_an_unknown_field_is_422(world, login):
    response = reveal(login(world.root), world.p_alice, "care_note")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.field"
    assert not RevealLog.objects.exists()


# --- reveal log -------------------------------------------------------------------------


def test_reveal_log_own_for_leaders_all_in_area_for_staff(world, login):
    w = world
    assert reveal(login(w.bob), w.p_alice, "phone").status_code == 200
    assert reveal(login(w.carol), w.p_neighbour, "id_number").status_code == 200
    assert reveal(login(w.erin), w.p_olga, "phone").status_code == 200
    by_bob, by_carol, by_erin = (RevealLog.objects.get(user=u).pk for u in (w.bob, w.carol, w.erin))

    assert ids(login(w.bob).get(f"{API}/reveals")) == {by_bob}
    assert ids(login(w.dave).get(f"{API}/reveals")) == set()
    assert ids(login(w.carol).get(f"{API}/reveals")) == {by_bob, by_carol}  # not olga's: another community
    assert ids(login(w.carol).get(f"{API}/reveals?mine=true")) == {by_carol}
    assert ids(login(w.erin).get(f"{API}/reveals")) == {by_bob, by_carol, by_erin}
    assert ids(login(w.erin).get(f"{API}/reveals?field=id_number")) == {by_carol}
    entry = login(w.bob).get(f"{API}/reveals").json()["items"][0]
    assert entry["user"]["display_name"] == "沈霞"
    assert entry["person"] == {"id": w.p_alice.pk, "name": "李爱丽"}
    assert entry["field"] == "phone"


# --- organisations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor, visible, hidden",
    [
        ("bob", {"branch", "team", "association", "owners", "committee", "party_committee"}, {"office"}),
        ("olga", set(), {"branch", "team", "committee", "office"}),
        ("carol", {"branch", "team", "association", "owners", "committee", "party_committee", "company"}, {"office"}),
        ("erin", {"branch", "team", "committee", "office", "company"}, set()),
        ("grace", {"team"}, {"branch", "office"}),
    ],
)
def test_organisation_list_and_detail_follow_the_scope(world, login, actor, visible, hidden):
    client = login(getattr(world, actor))
    listed = ids(client.get(f"{API}/organisations"))
    for name in visible:
        org = getattr(world, name)
        assert org.pk in listed, name
        assert client.get(f"{API}/organisations/{org.pk}").status_code == 200
    for name in hidden:
        org = getattr(world, name)
        assert org.pk not in listed, name
        assert client.get(f"{API}/organisations/{org.pk}").status_code == 404


@pytest.mark.parametrize(
    "actor, shown", [("carol", True), ("jack", True), ("frank", True), ("bob", False), ("henry", False)]
)
def test_party_organisation_members_only_for_those_who_may_see_them(world, login, actor, shown):
    body = login(getattr(world, actor)).get(f"{API}/organisations/{world.branch.pk}").json()
    assert body["members_hidden"] is not shown
    if shown:
        (member,) = body["members"]
        assert member.pop("role_label")
        assert member == {
            "person": {"id": world.p_frank.pk, "name": "党员甲"},
            "role": "member",
            "start": None,
            "end": None,
            "phone": "139****0002",
        }
    else:
        assert "members" not in body


def test_other_organisations_show_members(world, login):
    body = login(world.bob).get(f"{API}/organisations/{world.association.pk}").json()
    assert body["members_hidden"] is False
    assert [(m["person"]["name"], m["role"], m["phone"]) for m in body["members"]] == [
        ("会长丙", "chair", "139****0004")
    ]
    assert body["place"] == {"level": "compound", "id": world.fufeng.pk, "name": "富丰新城"}


def test_organisation_filters(world, login):
    w = world
    client = login(w.erin)
    assert ids(client.get(f"{API}/organisations?kind=volunteer_team")) == {w.team.pk}
    assert ids(client.get(f"{API}/organisations?compound={w.fufeng.pk}")) == {
        w.branch.pk,
        w.team.pk,
        w.association.pk,
        w.owners.pk,
    }
    assert ids(client.get(f"{API}/organisations?community={w.cuiyi.pk}")) == set()
    assert client.get(f"{API}/organisations?kind=nonsense").status_code == 422


# --- leader assignments -----------------------------------------------------------------


def test_assignments_follow_the_scope(world, login):
    w = world
    olga_leader = LeaderAssignment.objects.create(person=w.p_olga, kind=LeaderAssignment.Kind.BUILDING, building=w.y1)
    bob_assignment = LeaderAssignment.objects.get(person=w.p_bob)
    assert ids(login(w.bob).get(f"{API}/assignments")) == {bob_assignment.pk}
    assert ids(login(w.carol).get(f"{API}/assignments")) == {bob_assignment.pk}
    assert ids(login(w.olga).get(f"{API}/assignments")) == {olga_leader.pk}
    assert ids(login(w.erin).get(f"{API}/assignments")) == {bob_assignment.pk, olga_leader.pk}
    assert ids(login(w.erin).get(f"{API}/assignments?building={w.y1.pk}")) == {olga_leader.pk}
    assert ids(login(w.erin).get(f"{API}/assignments?kind=grid")) == set()
    assert ids(login(w.grace).get(f"{API}/assignments")) == set()
    item = login(w.carol).get(f"{API}/assignments").json()["items"][0]
    assert item["person"] == {"id": w.p_bob.pk, "name": "沈霞"}
    assert item["building"] == {"id": w.b1.pk, "name": "富丰新城 1栋"}
    assert item["stairwells"] == []


# --- nothing private leaks --------------------------------------------------------------


def test_no_response_holds_a_plaintext_phone_or_id_number(world, login, neighbour_in_party):
    w = world
    secrets = {p.phone for p in Person.objects.all() if p.phone} | {
        p.id_number for p in Person.objects.all() if p.id_number
    }
    assert len(secrets) > 10
    urls = [
        "/auth/me",
        "/homes",
        *(f"/homes/{h.pk}" for h in Home.objects.all()),
        "/residents",
        *(f"/residents/{p.pk}" for p in Person.objects.all()),
        "/organisations",
        *(f"/organisations/{o.pk}" for o in Organisation.objects.all()),
        "/assignments",
        "/reveals",
    ]
    for actor in ("root", "carol", "bob", "alice"):
        client = login(getattr(w, actor))
        for url in urls:
            text = client.get(API + url).content.decode()
            for secret in secrets:
                assert secret not in text, (actor, url)


# --- query counts -----------------------------------------------------------------------


def grow(world, n=4):
    """More people, homes, organisations, assignments and reveals in 富丰新城."""
    w = world
    for i in range(n):
        building = Building.objects.create(compound=w.fufeng, name=f"{i + 10}栋")
        stairwells = [Stairwell.objects.create(building=building, name=f"{s + 1}单元") for s in range(2)]
        for s, stairwell in enumerate(stairwells):
            home = Home.objects.create(stairwell=stairwell, number="101", floor=1)
            person = Person.objects.create(name=f"新居民{i}{s}", phone=f"1370000{i}{s}00", lives_alone=True)
            Occupancy.objects.create(person=person, home=home, relation=Occupancy.Relation.TENANT)
            PartyMember.objects.create(person=person, kind=PartyMember.Kind.LOCAL, organisation=w.branch)
            Membership.objects.create(organisation=w.team, person=person)
            RevealLog.objects.create(user=w.carol, person=person, field="phone", reason="call")
        leader = LeaderAssignment.objects.create(person=w.p_bob, kind=LeaderAssignment.Kind.BUILDING, building=building)
        leader.stairwells.set(stairwells)
        Organisation.objects.create(
            kind=Organisation.Kind.CLUB, name=f"社团{i}", subdistrict=w.guicheng, community=w.daxin, compound=w.fufeng
        )


@pytest.mark.parametrize(
    "url",
    [
        "/residents",
        "/residents?vulnerable=false",
        "/residents?compound={fufeng}",
        "/residents/{alice}",
        "/organisations",
        "/organisations/{team}",
        "/assignments",
        "/reveals",
    ],
)
def test_query_count_is_constant_in_rows(world, login, django_assert_num_queries, url):
    w = world
    url = API + url.format(fufeng=w.fufeng.pk, alice=w.p_alice.pk, team=w.team.pk)
    client = login(w.carol)
    RevealLog.objects.create(user=w.carol, person=w.p_alice, field="phone", reason="call")
    with CaptureQueriesContext(connection) as before:
        small = client.get(url).json()
    grow(w)
    Occupancy.objects.create(person=w.p_alice, home=w.h_b2, relation=Occupancy.Relation.FAMILY)
    with django_assert_num_queries(len(before.captured_queries)):
        large = client.get(url).json()
    assert size(large) > size(small)


def size(body):
    if "count" in body:
        return body["count"]
    return len(body.get("homes", [])) + len(body.get("members", []))


def test_phone_search_query_count_is_constant_in_rows(world, login, django_assert_num_queries):
    w = world
    client = login(w.carol)
    with CaptureQueriesContext(connection) as before:
        assert ids(search(client, "13800000001")) == {w.p_alice.pk}
    for i in range(4):  # a family sharing one phone, in several homes
        home = Home.objects.create(stairwell=w.s21, number=f"30{i}", floor=3)
        person = Person.objects.create(name=f"同号{i}", phone="13800000001")
        Occupancy.objects.create(person=person, home=home, relation=Occupancy.Relation.FAMILY)
        Occupancy.objects.create(person=person, home=w.h201, relation=Occupancy.Relation.FAMILY)
    with django_assert_num_queries(len(before.captured_queries)):
        assert len(ids(search(client, "13800000001"))) == 5
