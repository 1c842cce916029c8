"""An elevator for 富丰新城 1栋1单元: the shared world's homes 101, 102 (ground floor), 201, and a
home 301 added here (102.30 m², owned by tom), so three floors share the cost."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.context import disable_auditlog
from django.utils import timezone, translation

from linli.accounts.models import ApiToken
from linli.conftest import _person, _user
from linli.elevators import services
from linli.people.models import Occupancy
from linli.places.models import Home
from linli.votes import services as votes
from linli.votes.models import Elector, Item, RuleSet

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
OPENS = T0 + dt.timedelta(days=16)
CLOSES = OPENS + dt.timedelta(days=7)
DURING = OPENS + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English, the source language: services' and pages' alike
    (the agreement PDF is Chinese whatever the language)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def ew(world):
    # Like the shared world, built without audit entries: they are noise here.
    with disable_auditlog():
        world.h301 = Home.objects.create(stairwell=world.s11, number="301", floor=3, area=Decimal("102.30"))
        world.p_tom = _person("唐三楼", "13800000009")
        Occupancy.objects.create(person=world.p_tom, home=world.h301, relation=Occupancy.Relation.OWNER)
        world.tom = _user("tom", world.p_tom)
    return world


@pytest.fixture
def project(ew):
    """Planning: 300,000.00 yuan, the example coefficients (1: 0, 2: 1.00, 3: 1.20)."""
    return services.create_project(user=ew.carol, stairwell=ew.s11, title="1栋1单元加装电梯", total_fen=30_000_000)


@pytest.fixture
def adopted(project, ew):
    return services.adopt(project=project, user=ew.carol)


@pytest.fixture
def consent_vote(ew):
    """1栋1单元's published elevator consent: alice, bob and tom approve (3 of 4 homes), 102 on the
    ground floor has a compensation agreement, and 201's area was corrected to 91.20 m²."""
    v = votes.create_vote(
        user=ew.carol, compound=ew.fufeng, building=ew.b1, stairwell=ew.s11, title="1栋1单元加装电梯表决",
        opens_at=OPENS, closes_at=CLOSES, kind=RuleSet.Kind.ELEVATOR,
    )  # fmt: skip
    votes.add_matter(vote=v, title="同意加装电梯及资金分摊方案", item=Item.REBUILD)
    v = votes.announce(vote=v, user=ew.carol, now=T0)
    e = {el.home_id: el for el in Elector.objects.filter(vote=v)}
    votes.correct(elector=e[ew.h102.pk], user=ew.carol, field="compensation_agreed", value=True, reason="已签补偿协议")
    votes.correct(elector=e[ew.h201.pk], user=ew.carol, field="area", value="91.20", reason="不动产登记簿")
    v = votes.open_vote(vote=v, now=OPENS)
    m = str(v.matters.get().pk)
    for user, home in [(ew.alice, ew.h101), (ew.bob, ew.h201), (ew.tom, ew.h301)]:
        votes.cast_online(
            vote=v, user=user, elector=Elector.objects.get(vote=v, home=home), choices={m: "yes"}, now=DURING
        )
    v = votes.close(vote=v, now=CLOSES)
    return votes.publish(vote=v, now=CLOSES + dt.timedelta(hours=1))


@pytest.fixture
def as_user(client):
    def make(user):
        _, key = ApiToken.issue(user=user, name="phone")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        return client

    return make
