"""The access layer, as a matrix of role × resource: each allowed and each denied cell."""

import pytest

from linli.accounts.scope import (
    Role,
    can_reveal,
    can_see_members,
    can_see_party,
    scope_for,
    visible_homes,
    visible_organisations,
    visible_people,
    visible_places,
)


def homes(world, user):
    return set(visible_homes(user).values_list("pk", flat=True))


def people(world, user):
    return set(visible_people(user).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "actor, role",
    [
        ("alice", Role.RESIDENT),
        ("bob", Role.BUILDING_LEADER),
        ("frank", Role.HOUSEHOLD_CONTACT),
        ("grace", Role.VOLUNTEER),
        ("henry", Role.ASSOCIATION_OFFICER),
        ("ivy", Role.OWNERS_COMMITTEE),
        ("dave", Role.PROPERTY_CLERK),
        ("carol", Role.COMMUNITY_WORKER),
        ("jack", Role.PARTY_SECRETARY),
        ("erin", Role.SUBDISTRICT_ADMIN),
        ("root", Role.SYSTEM_ADMIN),
    ],
)
def test_roles_come_from_memberships_and_assignments(world, actor, role):
    assert role in scope_for(getattr(world, actor)).roles


def test_resident_sees_only_own_home(world):
    assert homes(world, world.alice) == {world.h101.pk}
    assert people(world, world.alice) == {world.p_alice.pk}


def test_leader_sees_only_own_building(world):
    w = world
    assert homes(w, w.bob) == {w.h101.pk, w.h102.pk, w.h201.pk, w.h_s12.pk}
    assert w.p_b2.pk not in people(w, w.bob)
    assert w.p_olga.pk not in people(w, w.bob)
    assert {w.p_alice.pk, w.p_neighbour.pk, w.p_s12.pk} <= people(w, w.bob)


def test_household_contact_sees_only_contact_homes(world):
    w = world
    assert homes(w, w.frank) == {w.h_s12.pk}
    assert people(w, w.frank) == {w.p_frank.pk, w.p_s12.pk}


@pytest.mark.parametrize("actor", ["grace", "henry", "ivy"])
def test_members_and_officers_see_no_residents(world, actor):
    w = world
    user = getattr(w, actor)
    assert homes(w, user) == set()
    assert people(w, user) == {user.person_id}


def test_committee_and_association_see_their_compound_places(world):
    w = world
    for user in (w.henry, w.ivy):
        assert set(visible_places(user, "building").values_list("pk", flat=True)) == {w.b1.pk, w.b2.pk}


def test_clerk_sees_served_compounds_only(world):
    w = world
    assert homes(w, w.dave) == {w.h101.pk, w.h102.pk, w.h201.pk, w.h_s12.pk, w.h_b2.pk}


def test_clerk_loses_scope_when_service_period_ends(world):
    import datetime

    w = world
    w.company.service_periods.update(end=datetime.date(2020, 1, 1))
    assert homes(w, w.dave) == set()


@pytest.mark.parametrize("actor", ["carol", "jack"])
def test_community_staff_see_their_community(world, actor):
    w = world
    user = getattr(w, actor)
    assert homes(w, user) == {w.h101.pk, w.h102.pk, w.h201.pk, w.h_s12.pk, w.h_b2.pk}
    assert w.p_olga.pk not in people(w, user)
    assert w.p_dave.pk not in people(w, user)  # a clerk of a company, not of the community
    assert w.p_bob.pk in people(w, user)


@pytest.mark.parametrize("actor", ["erin", "root"])
def test_subdistrict_and_system_admins_see_everything_below(world, actor):
    w = world
    assert homes(w, getattr(w, actor)) == {w.h101.pk, w.h102.pk, w.h201.pk, w.h_s12.pk, w.h_b2.pk, w.h_yj.pk}


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not visible_homes(anon).exists()
    assert not visible_people(anon).exists()
    assert not visible_places(anon, "community").exists()


# Reveal matrix: (actor, whose, field, allowed)
REVEALS = [
    ("alice", "p_alice", "phone", True),
    ("alice", "p_neighbour", "phone", False),
    ("bob", "p_alice", "phone", True),
    ("bob", "p_alice", "id_number", False),
    ("bob", "p_b2", "phone", False),
    ("frank", "p_s12", "phone", True),
    ("frank", "p_alice", "phone", False),
    ("grace", "p_alice", "phone", False),
    ("henry", "p_alice", "phone", False),
    ("ivy", "p_alice", "phone", False),
    ("dave", "p_alice", "phone", True),
    ("dave", "p_alice", "id_number", False),
    ("dave", "p_olga", "phone", False),
    ("carol", "p_alice", "id_number", True),
    ("carol", "p_olga", "phone", False),
    ("jack", "p_alice", "id_number", True),
    ("erin", "p_olga", "id_number", True),
    ("root", "p_olga", "id_number", True),
]


@pytest.mark.parametrize("actor, whose, field, allowed", REVEALS)
def test_reveal_matrix(world, actor, whose, field, allowed):
    assert can_reveal(getattr(world, actor), getattr(world, whose), field) is allowed


@pytest.mark.parametrize(
    "actor, allowed",
    [
        ("alice", False),
        ("bob", False),
        ("dave", False),
        ("carol", True),
        ("jack", True),
        ("erin", True),
        ("olga", False),
    ],
)
def test_party_membership_visible_only_to_staff(world, actor, allowed):
    assert can_see_party(getattr(world, actor), world.p_frank) is allowed


@pytest.mark.parametrize(
    "actor, allowed", [("frank", True), ("bob", False), ("alice", False), ("carol", True), ("erin", True)]
)
def test_party_branch_members_hidden_from_non_party_roles(world, actor, allowed):
    assert can_see_members(getattr(world, actor), world.branch) is allowed


def test_organisations_visible_by_place(world):
    w = world
    olga_orgs = set(visible_organisations(w.olga).values_list("pk", flat=True))
    assert w.team.pk not in olga_orgs
    bob_orgs = set(visible_organisations(w.bob).values_list("pk", flat=True))
    assert {w.team.pk, w.owners.pk, w.committee.pk, w.company.pk} <= bob_orgs
    assert w.office.pk not in bob_orgs
