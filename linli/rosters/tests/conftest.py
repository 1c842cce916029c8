"""The rosters world: the shared world (linli/conftest.py) with a post 东门岗 at 富丰新城 and two
overlapping shifts tomorrow, organised by carol (community worker of 大新社区)."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.rosters import services


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.NOTICES_IN_THREAD = False
    settings.TASKS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTICES_SMS_BACKEND = "linli.notices.channels.sms.MemorySmsBackend"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def post(world):
    return services.create_post(user=world.carol, compound=world.fufeng, name="东门岗")


@pytest.fixture
def soon():
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=24)


@pytest.fixture
def morning(world, post, soon):
    return services.create_shift(user=world.carol, post=post, starts=soon, ends=soon + dt.timedelta(hours=5))


@pytest.fixture
def late_morning(world, soon):
    west = services.create_post(user=world.carol, compound=world.fufeng, name="西门岗")
    return services.create_shift(
        user=world.carol, post=west, starts=soon + dt.timedelta(hours=2), ends=soon + dt.timedelta(hours=7)
    )


@pytest.fixture
def kim(world):
    """A second volunteer of 大新之心, to take a shift in a swap."""
    from linli.conftest import _person, _user
    from linli.people.models import Membership

    world.p_kim = _person("志愿者丙", "13900000031")
    Membership.objects.create(organisation=world.team, person=world.p_kim)
    world.kim = _user("kim", world.p_kim)
    return world.kim
