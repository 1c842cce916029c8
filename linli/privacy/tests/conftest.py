"""The privacy world: the shared world (linli/conftest.py) with a second resident in alice's
home (her husband 李家明) and a community worker of the other community (wendy, 翠颐社区)."""

import pytest
from django.utils import translation

from linli.conftest import _person, _user
from linli.people.models import Membership, Occupancy, Organisation


@pytest.fixture(autouse=True)
def _english(settings):
    settings.NOTICES_IN_THREAD = False
    settings.TASKS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTICES_SMS_BACKEND = "linli.notices.channels.sms.MemorySmsBackend"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def w(world):
    world.p_husband = _person("李家明", "13800000021", "44060519880101123X")
    Occupancy.objects.create(person=world.p_husband, home=world.h101, relation=Occupancy.Relation.FAMILY)
    world.husband = _user("husband", world.p_husband)
    cuiyi_committee = Organisation.objects.create(
        kind=Organisation.Kind.RESIDENTS_COMMITTEE, name="翠颐社区居委会", subdistrict=world.guicheng,
        community=world.cuiyi,
    )  # fmt: skip
    world.p_wendy = _person("社工癸", "13900000011")
    Membership.objects.create(organisation=cuiyi_committee, person=world.p_wendy, role=Membership.Role.WORKER)
    world.wendy = _user("wendy", world.p_wendy)
    world.neighbour = _user("neighbour", world.p_neighbour)
    return world
