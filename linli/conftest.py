"""The shared test world: a small grid and one named actor per role.

    桂城街道 ─ 大新社区 ─ 富丰新城 ─ 1栋 ─ 1单元 ─ 101, 102, 201
                                  │       └ 2单元 ─ 101
                                  └ 2栋 ─ 1单元 ─ 101
             └ 翠颐社区 ─ 颐景园 ─ 1座 ─ 1单元 ─ 101

Actors (all with password "pass-1234-linli"):
  alice   resident of 富丰新城 1栋1单元101 (owner)        bob    building leader of 富丰新城 1栋
  frank   party member, household contact of 1栋2单元101  grace  volunteer in 大新之心
  henry   association officer of 富丰新城 街坊会           ivy    owners' committee member
  dave    property clerk, company serves 富丰新城          carol  community worker of 大新社区
  jack    party secretary of 大新社区                      erin   subdistrict admin of 桂城街道
  root    system administrator                             olga   resident of 颐景园 (another community)
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from auditlog.context import disable_auditlog
from django.conf import settings as django_settings

from linli.accounts.models import User
from linli.people.models import (
    HouseholdContact,
    LeaderAssignment,
    Membership,
    Occupancy,
    Organisation,
    PartyMember,
    Person,
    PropertyServicePeriod,
)
from linli.places.models import Building, Community, Compound, Home, Stairwell, Subdistrict

PASSWORD = "pass-1234-linli"
K, R = Organisation.Kind, Membership.Role


def _person(name, phone, id_number="", **kw):
    return Person.objects.create(name=name, phone=phone, id_number=id_number, **kw)


def _user(username, person=None, **kw):
    user = User(username=username, person=person, **kw)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """Content types are cached per process, but a test with serialized_rollback (the backup
    tests) ends with a flush that leaves the table empty: the next live-server test would write
    audit entries pointing at content types that are gone. Read afresh, a missing one is made."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for attackers, not for the dozen users each test makes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    # The audit log of building the fixture is noise that would double its cost.
    with disable_auditlog():
        return _build_world()


def _build_world():
    w = SimpleNamespace()
    w.guicheng = Subdistrict.objects.create(name="桂城街道")
    w.daxin = Community.objects.create(subdistrict=w.guicheng, name="大新社区")
    w.cuiyi = Community.objects.create(subdistrict=w.guicheng, name="翠颐社区")
    w.fufeng = Compound.objects.create(community=w.daxin, name="富丰新城")
    w.yijing = Compound.objects.create(community=w.cuiyi, name="颐景园")
    w.b1 = Building.objects.create(compound=w.fufeng, name="1栋")
    w.b2 = Building.objects.create(compound=w.fufeng, name="2栋")
    w.y1 = Building.objects.create(compound=w.yijing, name="1座")
    w.s11 = Stairwell.objects.create(building=w.b1, name="1单元")
    w.s12 = Stairwell.objects.create(building=w.b1, name="2单元")
    w.s21 = Stairwell.objects.create(building=w.b2, name="1单元")
    w.ys = Stairwell.objects.create(building=w.y1, name="1单元")

    def home(stairwell, number, floor):
        return Home.objects.create(stairwell=stairwell, number=number, floor=floor, area=Decimal("89.50"))

    w.h101 = home(w.s11, "101", 1)
    w.h102 = home(w.s11, "102", 1)
    w.h201 = home(w.s11, "201", 2)
    w.h_s12 = home(w.s12, "101", 1)
    w.h_b2 = home(w.s21, "101", 1)
    w.h_yj = home(w.ys, "101", 1)

    # People living in homes.
    w.p_alice = _person("李爱丽", "13800000001", "440605199001011236")
    w.p_neighbour = _person("王邻", "13800000002")
    w.p_b2 = _person("赵二栋", "13800000003")
    w.p_s12 = _person("钱二单元", "13800000004")
    w.p_olga = _person("欧阳颐", "13800000005")
    for person, h in [
        (w.p_alice, w.h101),
        (w.p_neighbour, w.h102),
        (w.p_b2, w.h_b2),
        (w.p_s12, w.h_s12),
        (w.p_olga, w.h_yj),
    ]:
        Occupancy.objects.create(person=person, home=h, relation=Occupancy.Relation.OWNER)

    # Leaders, members, staff.
    w.p_bob = _person("沈霞", "13900000001")
    Occupancy.objects.create(person=w.p_bob, home=w.h201, relation=Occupancy.Relation.OWNER)
    LeaderAssignment.objects.create(person=w.p_bob, kind=LeaderAssignment.Kind.BUILDING, building=w.b1)

    w.branch = Organisation.objects.create(
        kind=K.PARTY_BRANCH, name="富丰新城党支部", subdistrict=w.guicheng, community=w.daxin, compound=w.fufeng
    )
    w.p_frank = _person("党员甲", "13900000002")
    w.pm_frank = PartyMember.objects.create(person=w.p_frank, kind=PartyMember.Kind.REPORTED, organisation=w.branch)
    Membership.objects.create(organisation=w.branch, person=w.p_frank)
    HouseholdContact.objects.create(party_member=w.pm_frank, home=w.h_s12)

    w.team = Organisation.objects.create(
        kind=K.VOLUNTEER_TEAM, name="大新之心", subdistrict=w.guicheng, community=w.daxin, compound=w.fufeng
    )
    w.p_grace = _person("志愿者乙", "13900000003")
    Membership.objects.create(organisation=w.team, person=w.p_grace)

    w.association = Organisation.objects.create(
        kind=K.ASSOCIATION, name="富丰新城街坊会", subdistrict=w.guicheng, community=w.daxin, compound=w.fufeng
    )
    w.p_henry = _person("会长丙", "13900000004")
    Membership.objects.create(organisation=w.association, person=w.p_henry, role=R.CHAIR)

    w.owners = Organisation.objects.create(
        kind=K.OWNERS_COMMITTEE,
        name="富丰新城业主委员会",
        subdistrict=w.guicheng,
        community=w.daxin,
        compound=w.fufeng,
        registered=datetime.date(2021, 2, 1),
    )
    w.p_ivy = _person("委员丁", "13900000005")
    Membership.objects.create(organisation=w.owners, person=w.p_ivy, role=R.OFFICER)

    w.company = Organisation.objects.create(kind=K.PROPERTY_COMPANY, name="富丰物业", subdistrict=w.guicheng)
    PropertyServicePeriod.objects.create(company=w.company, compound=w.fufeng, start=datetime.date(2015, 1, 1))
    w.p_dave = _person("物业戊", "13900000006")
    Membership.objects.create(organisation=w.company, person=w.p_dave, role=R.CLERK)

    w.committee = Organisation.objects.create(
        kind=K.RESIDENTS_COMMITTEE, name="大新社区居委会", subdistrict=w.guicheng, community=w.daxin
    )
    w.p_carol = _person("社工己", "13900000007")
    Membership.objects.create(organisation=w.committee, person=w.p_carol, role=R.WORKER)

    w.party_committee = Organisation.objects.create(
        kind=K.PARTY_COMMITTEE, name="大新社区党委", subdistrict=w.guicheng, community=w.daxin
    )
    w.p_jack = _person("书记庚", "13900000008")
    Membership.objects.create(organisation=w.party_committee, person=w.p_jack, role=R.SECRETARY)

    w.office = Organisation.objects.create(kind=K.SUBDISTRICT_OFFICE, name="桂城街道办事处", subdistrict=w.guicheng)
    w.p_erin = _person("街道辛", "13900000009")
    Membership.objects.create(organisation=w.office, person=w.p_erin, role=R.ADMIN)

    w.alice = _user("alice", w.p_alice)
    w.bob = _user("bob", w.p_bob)
    w.frank = _user("frank", w.p_frank)
    w.grace = _user("grace", w.p_grace)
    w.henry = _user("henry", w.p_henry)
    w.ivy = _user("ivy", w.p_ivy)
    w.dave = _user("dave", w.p_dave)
    w.carol = _user("carol", w.p_carol)
    w.jack = _user("jack", w.p_jack)
    w.erin = _user("erin", w.p_erin)
    w.olga = _user("olga", w.p_olga)
    w.root = _user("root", None, is_superuser=True, is_staff=True)
    return w


@pytest.fixture
def login(client):
    """login(user) -> the test client, logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def en(login):
    """en(user) -> login(user), with the pages in English."""

    def _login(user):
        client = login(user)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login
