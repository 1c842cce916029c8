"""The topics world: the shared world (linli/conftest.py) plus
  nina   resident of 富丰新城 1栋1单元102 (王邻, alice's neighbour, given an account here)
  sam    resident of 富丰新城 1栋2单元101 (same building, another stairwell)
  wendy  community worker of 翠颐社区 (another community)
Small thresholds (a stairwell topic is ready at 2 supports), notices sent inline, and a topic
alice proposed for her stairwell, 1栋1单元 (residents: alice, nina, bob)."""

import pytest
from auditlog.context import disable_auditlog

from linli.accounts.models import ApiToken
from linli.conftest import _person, _user
from linli.people.models import Membership, Organisation
from linli.topics import services

API = "/api/v1/topics"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _topics_settings(settings):
    settings.TOPICS_THRESHOLDS = {"stairwell": 2, "building": 3, "compound": 5, "community": 8}
    settings.NOTICES_IN_THREAD = False
    settings.TASKS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTICES_SMS_BACKEND = "linli.notices.channels.sms.MemorySmsBackend"
    settings.LANGUAGE_CODE = "en"  # pages answer in English: the tests read the messages


@pytest.fixture
def tw(world):
    with disable_auditlog():
        world.nina = _user("nina", world.p_neighbour)
        world.sam = _user("sam", world.p_s12)
        world.cuiyi_committee = Organisation.objects.create(
            kind=Organisation.Kind.RESIDENTS_COMMITTEE,
            name="翠颐社区居委会",
            subdistrict=world.guicheng,
            community=world.cuiyi,
        )
        world.p_wendy = _person("社工癸", "13900000011")
        Membership.objects.create(organisation=world.cuiyi_committee, person=world.p_wendy, role=Membership.Role.WORKER)
        world.wendy = _user("wendy", world.p_wendy)
    return world


@pytest.fixture
def topic(tw):
    return services.propose(user=tw.alice, place=tw.s11, title="楼道堆放杂物", text="1单元楼道堆满纸箱，消防通道被堵。")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what waits for the commit (the notices), as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client sending that user's API token (None: no token)."""

    def make(user):
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        if user is not None:
            _, key = ApiToken.issue(user=user, name="phone")
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def told(user, kind=None):
    """The notifications this user received, as (kind, title, body)."""
    from linli.notices.models import Notification

    qs = Notification.objects.filter(user=user).order_by("pk")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.values_list("kind", "title", "body"))
