"""The cases world: the shared test world plus a second property company serving 颐景园,
with its own clerk (paul), so that company isolation can be tested."""

import datetime as dt
from types import SimpleNamespace

import pytest
from auditlog.context import disable_auditlog
from django.utils import timezone

from linli.cases import services, taxonomy
from linli.cases.models import Category
from linli.conftest import _person, _user
from linli.people.models import Membership, Organisation, PropertyServicePeriod


@pytest.fixture
def cw(world):
    taxonomy.ensure()  # a live-server test before this one may have emptied the tables
    with disable_auditlog():
        world.company2 = Organisation.objects.create(
            kind=Organisation.Kind.PROPERTY_COMPANY, name="颐景物业", subdistrict=world.guicheng
        )
        PropertyServicePeriod.objects.create(company=world.company2, compound=world.yijing, start=dt.date(2016, 1, 1))
        world.p_paul = _person("物业壬", "13900000010")
        Membership.objects.create(organisation=world.company2, person=world.p_paul, role=Membership.Role.CLERK)
        world.paul = _user("paul", world.p_paul)
    world.cat = SimpleNamespace(**{c.code.replace("-", "_"): c for c in Category.objects.all()})
    return world


# A Monday in an ordinary week (no holidays near): 2026-11-16 10:00 Beijing time.
MONDAY = timezone.make_aware(dt.datetime(2026, 11, 16, 10, 0))


@pytest.fixture
def new_case(cw):
    """new_case(**overrides) -> a case submitted by alice in 富丰新城 1栋1单元 (maintenance)."""

    def make(**kw):
        args = dict(
            compound=cw.fufeng,
            stairwell=cw.s11,
            category=cw.cat.maintenance,
            title="楼道灯坏了",
            description="1单元3楼楼道灯不亮一周了",
            reporter=cw.p_alice,
            now=MONDAY,
        )
        args.update(kw)
        case, _secret = services.submit(**args)
        return case

    return make
