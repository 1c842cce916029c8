"""The seeds' table (DOMAIN.md §8) reproduced: a subdistrict built with Guicheng's published
numbers of organisations, leaders, members, cases and elevators, then counted by the
indicators. 47 model compounds (善治示范点) are not recorded anywhere, so not counted
(docs/results.md)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from linli.cases import taxonomy
from linli.cases.models import Case, Category, Mediation
from linli.elevators.models import ElevatorProject, Milestone
from linli.people.models import LeaderAssignment, Membership, Organisation, PartyMember, Person
from linli.places.models import Building, Community, Compound, Stairwell, Subdistrict
from linli.results import indicators as ind
from linli.results.period import parse

K = Organisation.Kind
SEEDS = {
    "communities": 23,
    "party_branches": 62,
    "associations": 36,
    "self_governance_groups": 72,
    "leader_teams": 64,
    "clubs": 245,
    "organisation_members": 7000,
    "building_leaders": 1502,
    "party_member_leaders": 384,
    "compounds_with_leaders": 149,
    "cases_disputes": 1250,
    "disputes_mediated": 1250,
    "cases_hygiene": 1027,
    "cases_public_order": 173,
    "cases_repairs": 1710,
    "cases_safety": 309,
    "cases_parking": 492,
    "elevators_added": 88,
}
BY_JUNE_2020 = parse(start="2016-01-01", end="2020-06-30")


@pytest.fixture
def guicheng(db):
    taxonomy.ensure()
    sub = Subdistrict.objects.create(name="桂城街道")
    communities = Community.objects.bulk_create(
        Community(subdistrict=sub, name=f"社区{i:02d}") for i in range(SEEDS["communities"])
    )
    compounds = Compound.objects.bulk_create(
        Compound(community=communities[i % len(communities)], name=f"小区{i:03d}")
        for i in range(SEEDS["compounds_with_leaders"])
    )
    cycle = itertools.cycle(compounds)
    orgs = []
    for key, kind in [
        ("party_branches", K.PARTY_BRANCH),
        ("associations", K.ASSOCIATION),
        ("self_governance_groups", K.SELF_GOVERNANCE),
        ("leader_teams", K.LEADER_TEAM),
        ("clubs", K.CLUB),
    ]:
        for i in range(SEEDS[key]):
            compound = next(cycle)
            orgs.append(
                Organisation(
                    kind=kind, name=f"{kind}{i}", subdistrict=sub, community=compound.community, compound=compound
                )  # fmt: skip
            )
    orgs = Organisation.objects.bulk_create(orgs)
    groups = [o for o in orgs if o.kind != K.PARTY_BRANCH]
    members = Person.objects.bulk_create(Person(name=f"成员{i}") for i in range(SEEDS["organisation_members"]))
    memberships = [Membership(organisation=groups[i % len(groups)], person=p) for i, p in enumerate(members)]
    # 500 of them also serve in a second group: still counted once.
    memberships += [Membership(organisation=groups[(i + 1) % len(groups)], person=members[i]) for i in range(500)]
    Membership.objects.bulk_create(memberships)
    # One building per leader, every compound with at least one.
    buildings = Building.objects.bulk_create(
        Building(compound=compounds[i % len(compounds)], name=f"{i}栋") for i in range(SEEDS["building_leaders"])
    )
    leaders = Person.objects.bulk_create(Person(name=f"楼长{i}") for i in range(SEEDS["building_leaders"]))
    LeaderAssignment.objects.bulk_create(
        LeaderAssignment(person=p, kind=LeaderAssignment.Kind.BUILDING, building=b)
        for p, b in zip(leaders, buildings, strict=True)
    )
    PartyMember.objects.bulk_create(
        PartyMember(person=p, kind=PartyMember.Kind.LOCAL) for p in leaders[: SEEDS["party_member_leaders"]]
    )
    # Cases from 2017 to June 2020, and the disputes mediated to an agreement.
    cases = []
    start = timezone.make_aware(dt.datetime(2017, 1, 1, 9))
    for key, code in [
        ("cases_disputes", "neighbour-dispute"),
        ("cases_hygiene", "hygiene"),
        ("cases_public_order", "public-order"),
        ("cases_repairs", "maintenance"),
        ("cases_safety", "safety"),
        ("cases_parking", "parking"),
    ]:
        category = Category.objects.get(code=code)
        for _i in range(SEEDS[key]):
            compound = next(cycle)
            submitted = start + dt.timedelta(hours=5 * len(cases))
            cases.append(
                Case(
                    code=f"SEED{len(cases):06d}",  # random codes could collide among 5,000
                    category=category,
                    title="t",
                    description="d",
                    compound=compound,
                    community_id=compound.community_id,
                    secret_hash="x",
                    submitted_at=submitted,
                    reply_due=submitted + dt.timedelta(days=1),
                    resolve_due=submitted + dt.timedelta(days=10),
                    status="closed",
                    first_reply_at=submitted + dt.timedelta(hours=2),
                    resolved_at=submitted + dt.timedelta(days=2),
                )  # fmt: skip
            )
    assert cases[-1].submitted_at < BY_JUNE_2020.end_before
    cases = Case.objects.bulk_create(cases)
    mediator = groups[0]
    Mediation.objects.bulk_create(
        Mediation(case=c, mediator=mediator, outcome="agreed", agreement="和解", concluded_at=c.resolved_at)
        for c in cases
        if c.category.code == "neighbour-dispute"
    )
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(building=b, name="1单元") for b in buildings[: SEEDS["elevators_added"]]
    )
    projects = ElevatorProject.objects.bulk_create(ElevatorProject(stairwell=s, title="加装电梯") for s in stairwells)
    Milestone.objects.bulk_create(
        Milestone(project=p, kind=Milestone.Kind.IN_SERVICE, actual=dt.date(2019, 5, 1)) for p in projects
    )
    return sub


def test_the_seeds_table_is_reproduced(guicheng):
    figures = ind.compute("subdistrict", [guicheng.pk], BY_JUNE_2020, keys=set(SEEDS))[guicheng.pk]
    assert figures == SEEDS


def test_the_communities_add_up_to_the_subdistrict(guicheng):
    communities = list(guicheng.communities.values_list("pk", flat=True))
    per_community = ind.compute("community", communities, BY_JUNE_2020, keys=set(SEEDS))
    for key in ("party_branches", "clubs", "cases_repairs", "elevators_added", "compounds_with_leaders"):
        assert sum(f[key] for f in per_community.values()) == SEEDS[key], key
