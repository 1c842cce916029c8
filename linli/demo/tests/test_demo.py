"""The demo data set: loaded once at a small scale, then checked as a visitor would see it."""

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import override_settings

from linli.accounts.models import User
from linli.accounts.scope import scope_for, visible_homes, visible_places
from linli.demo.accounts import ACCOUNTS, PASSWORD
from linli.demo.activities import clear_activities
from linli.demo.cases import clear_cases
from linli.demo.deliberation import clear_deliberation
from linli.demo.generator import build
from linli.demo.reach import clear_reach
from linli.demo.votes import clear_votes
from linli.lib.normalize import normalize_id_number, normalize_phone
from linli.people.models import (
    HouseholdContact,
    LeaderAssignment,
    Membership,
    Occupancy,
    Organisation,
    PartyMember,
    Person,
    PropertyServicePeriod,
    Visit,
)
from linli.places.models import Building, Community, Compound, GridCell, Home, Stairwell, Subdistrict, Venue

SCALE = 0.02
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
K, R = Organisation.Kind, Membership.Role


def _clear():
    """Remove what load_demo wrote, children first. Raw deletes: the ORM's cascade would send
    a signal (and write an audit entry) per row, which takes far longer than the load."""
    clear_activities()  # patrol findings and campaign visits point to cases: these go first
    clear_reach()
    clear_deliberation()
    clear_cases()
    clear_votes()
    tables = (
        User.objects.filter(username__in=[a.username for a in ACCOUNTS]),
        LeaderAssignment.stairwells.through.objects.all(),
        GridCell.stairwells.through.objects.all(),
    )
    for model in (Visit, HouseholdContact, LeaderAssignment, PartyMember, PropertyServicePeriod, Membership):
        tables += (model.objects.all(),)
    for qs in tables:
        qs._raw_delete(qs.db)
    Organisation.objects.update(parent=None)
    for model in (Organisation, Occupancy, Person, Venue, GridCell, Home, Stairwell, Building, Compound, Community):
        model.objects.all()._raw_delete("default")
    Subdistrict.objects.all()._raw_delete("default")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # The same fast hasher as the tests (conftest): a module fixture runs before their settings.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        call_command("load_demo", scale=SCALE, seed=2021, stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        _clear()


@pytest.fixture
def users(demo, db):
    return {u.username: u for u in User.objects.select_related("person")}


def _members(org_name):
    return Membership.objects.filter(organisation__name=org_name)


def _is_party(person_ids):
    return PartyMember.objects.filter(person__in=person_ids).count()


def test_communities_and_compounds_are_the_real_ones(demo, db):
    assert Subdistrict.objects.get().name == "桂城街道"
    assert set(Community.objects.values_list("name", flat=True)) == {
        "大新社区",
        "翠颐社区",
        "灯湖社区",
        "同德社区",
        "桂花社区",
        "海逸社区",
        "文翰社区",
        "平南社区",
        "夏南二社区",
    }
    compounds = {c.name: c for c in Compound.objects.select_related("community")}
    assert {name: c.community.name for name, c in compounds.items()} == {
        "富丰新城": "大新社区",
        "颐景园": "翠颐社区",
        "滨江一号": "灯湖社区",
        "桂华丽景": "同德社区",
        "46号楼": "桂花社区",
        "平南村": "平南社区",
    }
    assert compounds["滨江一号"].alias == "南海水岸新都花园"
    assert compounds["颐景园"].built_year == 2006


def test_buildings_and_stairwells_keep_their_real_counts_at_a_small_scale(demo, db):
    def buildings(name):
        return Building.objects.filter(compound__name=name)

    assert buildings("富丰新城").count() == 20
    assert buildings("颐景园").count() == 42
    assert buildings("滨江一号").count() == 23
    assert Stairwell.objects.filter(building__compound__name="桂华丽景").count() == 36
    assert list(buildings("46号楼").values_list("name", flat=True)) == ["46号楼"]
    assert Home.objects.filter(stairwell__building__compound__name="46号楼").count() == 14
    # Homes are scaled: 2,800 real homes at 2%.
    assert Home.objects.filter(stairwell__building__compound__name="富丰新城").count() == round(2800 * SCALE)
    village = Compound.objects.get(name="平南村")
    assert village.kind == Compound.Kind.VILLAGE
    assert set(buildings("平南村").values_list("kind", flat=True)) == {Building.Kind.LANE, Building.Kind.STREET}
    # Every building holds homes, sorted naturally (2栋 before 10栋).
    assert not Building.objects.filter(stairwells__homes__isnull=True).exists()
    names = list(buildings("富丰新城").values_list("name", flat=True))
    assert names[:3] == ["1栋", "2栋", "3栋"] and names[-1] == "20栋"


def test_venues_of_the_seeds(demo, db):
    assert set(Venue.objects.values_list("compound__name", "name")) == {
        ("颐景园", "同心阁"),
        ("滨江一号", "滨江1号睦邻中心"),
    }


def test_owners_committee_of_seven_with_four_party_members(demo, db):
    committee = Organisation.objects.get(kind=K.OWNERS_COMMITTEE, compound__name="富丰新城")
    assert committee.registered == datetime.date(2021, 2, 1)
    people = committee.memberships.active().values("person")
    assert people.count() == 7
    assert _is_party(people) == 4


def test_party_base_of_67_reported_and_floating_members(demo, db):
    base = Organisation.objects.get(kind=K.PARTY_BASE)
    assert base.compound.name == "富丰新城"
    people = base.memberships.values("person")
    assert people.count() == 67
    kinds = set(PartyMember.objects.filter(person__in=people).values_list("kind", flat=True))
    assert kinds == {PartyMember.Kind.REPORTED, PartyMember.Kind.FLOATING}
    assert _is_party(people) == 67


def test_people_the_seeds_name(demo, db):
    shen = Person.objects.get(name="沈霞")
    assert LeaderAssignment.objects.filter(person=shen, building__compound__name="富丰新城").exists()
    assert hasattr(shen, "party_member")
    assert _members("富丰新城街坊志愿互助会").filter(person=shen, role=R.VICE_CHAIR).exists()
    assert _members("大新翰林文学社").filter(person=shen, role=R.CHAIR).exists()
    assert _members("滨江一号街坊志愿互助会").filter(person__name="朱业根", role=R.VICE_CHAIR).exists()
    lun = LeaderAssignment.objects.get(person__name="伦祖铠")
    assert (lun.building.compound.name, lun.building.name) == ("46号楼", "46号楼")


def test_leaders_groups_and_clubs_of_the_seeds(demo, db):
    def leaders(compound):
        return LeaderAssignment.objects.filter(building__compound__name=compound).exclude(kind="grid")

    assert leaders("滨江一号").count() == 45
    assert leaders("桂华丽景").count() == 45
    assert Organisation.objects.filter(kind=K.CLUB, compound__name="滨江一号").count() == 11
    group = Organisation.objects.get(kind=K.SELF_GOVERNANCE, compound__name="桂华丽景")
    assert group.founded.year == 2014
    assert group.memberships.count() == 5 and _is_party(group.memberships.values("person")) == 2
    assert set(leaders("平南村").values_list("kind", flat=True)) == {"lane", "street"}
    assert Organisation.objects.filter(kind=K.VOLUNTEER_TEAM, name__contains="摩电安全巡查队").exists()
    assert Organisation.objects.filter(kind=K.VOLUNTEER_TEAM, name__contains="卫生监督小分队").exists()
    association = Organisation.objects.get(kind=K.ASSOCIATION, compound__name="富丰新城")
    assert association.founded == datetime.date(2019, 6, 1)
    # Every community has its party committee with one secretary, and its residents' committee.
    secretaries = Membership.objects.filter(organisation__kind=K.PARTY_COMMITTEE, role=R.SECRETARY)
    assert secretaries.count() == Community.objects.count()
    for community in Community.objects.all():
        assert Membership.objects.filter(
            organisation__kind=K.PARTY_COMMITTEE, organisation__community=community, role=R.SECRETARY
        ).exists()
        assert Organisation.objects.filter(kind=K.RESIDENTS_COMMITTEE, community=community).exists()
    # Grid cells cover every stairwell of the compounds, each with its grid person.
    assert not Stairwell.objects.filter(grid_cells__isnull=True).exists()
    assert not GridCell.objects.filter(leader_assignments__isnull=True).exists()


def test_door_to_door_visits_at_fufeng_start_in_february_2017(demo, db):
    first = Visit.objects.filter(home__stairwell__building__compound__name="富丰新城").order_by("visited_at").first()
    assert first.visited_at.date() >= datetime.date(2017, 2, 20)
    assert first.visited_at.year == 2017


def test_phones_and_id_numbers_are_valid_and_unique(demo, db):
    people = list(Person.objects.all())
    phones = [p.phone for p in people if p.phone]
    ids = [p.id_number for p in people if p.id_number]
    assert len(set(phones)) == len(phones) and len(set(ids)) == len(ids)
    assert all(normalize_phone(p) == p for p in phones)
    assert all(normalize_id_number(i) == i for i in ids)
    for person in people:
        if person.id_number:
            assert person.id_number.startswith("440605") == person.hukou_registered
            assert int(person.id_number[16]) % 2 == (1 if person.gender == "M" else 0)


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda a: a.username)
def test_each_demo_account_gets_exactly_its_roles(users, account):
    assert scope_for(users[account.username]).roles == set(account.roles)


def test_demo_password_works_with_username_and_phone(users, rf):
    leader = users["leader"]
    request = rf.post("/login/")  # the lock-out backend counts tries per request's address
    assert authenticate(request, username="leader", password=PASSWORD) == leader
    assert authenticate(request, username=leader.person.phone, password=PASSWORD) == leader
    assert users["admin"].is_superuser and users["admin"].is_staff


def test_leader_sees_only_his_building(users):
    leader = users["leader"]
    building = Building.objects.get(compound__name="富丰新城", name="1栋")
    assert LeaderAssignment.objects.get(person=leader.person).building == building
    expected = set(Home.objects.filter(stairwell__building=building).values_list("pk", flat=True))
    assert set(visible_homes(leader).values_list("pk", flat=True)) == expected
    # The resident demo account lives in that building: the leader can find him.
    resident_home = Occupancy.objects.get(person=users["resident"].person).home_id
    assert resident_home in expected


def test_household_contact_sees_own_home_and_five_contacts(users):
    user = users["partymember"]
    contacts = set(HouseholdContact.objects.filter(party_member__person=user.person).values_list("home_id", flat=True))
    own = set(Occupancy.objects.filter(person=user.person).values_list("home_id", flat=True))
    assert len(contacts) == 5
    assert set(visible_homes(user).values_list("pk", flat=True)) == contacts | own


def test_staff_see_their_community_and_the_clerk_the_served_compound(users):
    fufeng = Compound.objects.get(name="富丰新城")
    assert set(visible_places(users["worker"], "community").values_list("name", flat=True)) == {"大新社区"}
    assert set(visible_places(users["property"], "compound")) == {fufeng}
    assert visible_homes(users["subdistrict"]).count() == Home.objects.count()


def test_if_empty_does_nothing_the_second_time(demo, db):
    before = (Person.objects.count(), Home.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("load_demo", "--if-empty", scale=SCALE, stdout=out)
    assert (Person.objects.count(), Home.objects.count(), User.objects.count()) == before
    assert "桂城街道" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("load_demo", scale=SCALE, stdout=io.StringIO())


def test_bad_scale_is_refused(demo, db):
    with pytest.raises(CommandError):
        call_command("load_demo", "--if-empty", scale=0, stdout=io.StringIO())


def test_demo_accounts_prints_roles_in_both_languages(users):
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert "楼长 building leader" in text
    assert users["leader"].person.phone in text
    assert PASSWORD in text
    assert len([line for line in text.splitlines() if PASSWORD in line]) == len(ACCOUNTS) + 1


def test_same_seed_gives_the_same_people():
    def names(seed):
        return [(p.name, p.phone, p.id_number) for p in build(seed=seed, scale=0.01).people()]

    first = names(2021)
    assert first == names(2021)
    assert first != names(2022)


def test_real_scale_has_the_published_sizes():
    """Built in memory only (no database): the homes and residents of the seeds at scale 1."""
    plan = build(seed=2021, scale=1.0)
    homes = Counter(h.stairwell.building.compound.name for h in plan.rows[Home])
    assert homes["富丰新城"] == 2800 and homes["颐景园"] == 3218 and homes["滨江一号"] == 2687
    assert 10_000 <= sum(homes.values()) <= 11_000
    # Residents: people living in an occupied home (owners of rented or vacant homes live elsewhere).
    living = [o for o in plan.rows[Occupancy] if not o.home.is_vacant]
    landlords = {id(o.home) for o in living if o.relation == Occupancy.Relation.TENANT}
    living = [o for o in living if not (o.relation == Occupancy.Relation.OWNER and id(o.home) in landlords)]
    fufeng = [o.person for o in living if o.home.stairwell.building.compound.name == "富丰新城"]
    assert 8_500 <= len(fufeng) <= 9_500
    assert 0.72 <= sum(not p.hukou_registered for p in fufeng) / len(fufeng) <= 0.80
    yijing = [o for o in living if o.home.stairwell.building.compound.name == "颐景园"]
    assert 9_500 <= len(yijing) <= 10_500
    assert 30_000 <= len(plan.people()) <= 37_000
    vacant = sum(h.is_vacant for h in plan.rows[Home]) / len(plan.rows[Home])
    assert 0.03 <= vacant <= 0.07


def test_demo_votes_of_the_seeds(users):
    from linli.votes import services
    from linli.votes.models import Vote

    votes = {v.title: v for v in Vote.objects.all()}
    elevator = votes["46号楼加装电梯业主意见征询"]
    assert elevator.status == Vote.Status.PUBLISHED and elevator.electorate.count() == 14
    assert elevator.result["matters"][0]["passed"]
    pingnan = votes["平南村巷道改造提升业主表决"]
    assert pingnan.result["matters"][0]["passed"]
    assembly = votes["富丰新城2026年第二次业主大会（书面表决）"]
    assert assembly.status == Vote.Status.OPEN
    mine = list(services.electors_for(users["resident"], assembly))
    assert len(mine) == 1 and not hasattr(mine[0], "ballot")  # the demo resident has yet to vote
    assert votes["颐景园第二届业主委员会选举"].status == Vote.Status.ANNOUNCED


def test_demo_meetings_resolutions_and_conventions(users):
    from linli.conventions.models import Convention
    from linli.meetings.access import visible_meetings
    from linli.resolutions.models import Resolution
    from linli.resolutions.services import public_resolutions

    titles = set(visible_meetings(users["worker"]).values_list("title", flat=True))
    assert "三方联席会议：电动车集中充电区" in titles
    assert any(t.endswith("楼道茶话会：电梯夜间噪音") for t in titles)
    fufeng = Compound.objects.get(name="富丰新城")
    assert sorted(r.status for r in public_resolutions(fufeng)) == ["done", "in_progress"]
    assert Resolution.objects.get(status="done").percent == 100
    assert set(Convention.objects.values_list("title", flat=True)) == {"富丰新城居民公约", "颐景园文明养宠公约"}
