"""The volunteers world: the shared world (linli/conftest.py) plus
  leo    leader of the volunteer team 大新之心 (grace is a member)
and a Sunday service day of the team at 富丰新城 with 2 places, on 2026-12-06 09:00–11:00.
Notices are recorded inline; pages and the API answer in English."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from auditlog.context import disable_auditlog
from django.utils import translation

from linli.accounts.models import ApiToken
from linli.conftest import _person, _user
from linli.people.models import Membership
from linli.volunteers import services
from linli.volunteers.models import ActivityKind

TZ = ZoneInfo("Asia/Shanghai")
API = "/api/v1/volunteers"
BEFORE = dt.datetime(2026, 11, 20, 10, 0, tzinfo=TZ)  # "now" when the activity is made and signed up for
START = dt.datetime(2026, 12, 6, 9, 0, tzinfo=TZ)  # a Sunday
END = dt.datetime(2026, 12, 6, 11, 0, tzinfo=TZ)


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _volunteers_settings(settings):
    settings.NOTICES_IN_THREAD = False
    settings.TASKS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTICES_SMS_BACKEND = "linli.notices.channels.sms.MemorySmsBackend"
    settings.LANGUAGE_CODE = "en"
    settings.VOLUNTEERS_HORIZON_WEEKS = 8
    settings.VOLUNTEERS_POINTS_PER_HOUR = "1"


@pytest.fixture
def vw(world):
    with disable_auditlog():
        world.p_leo = _person("梁队长", "13900000021")
        Membership.objects.create(organisation=world.team, person=world.p_leo, role=Membership.Role.LEADER)
        world.leo = _user("leo", world.p_leo)
    return world


@pytest.fixture
def activity(vw):
    return services.create_activity(
        user=vw.leo,
        organisation=vw.team,
        kind=ActivityKind.SERVICE_DAY,
        title="周日志愿服务日",
        venue="富丰新城 中心花园",
        starts_at=START,
        ends_at=END,
        capacity=2,
        now=BEFORE,
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def as_user(client):
    def make(user):
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        if user is not None:
            _, key = ApiToken.issue(user=user, name="phone")
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


def told(user, kind=None):
    from linli.notices.models import Notification

    qs = Notification.objects.filter(user=user).order_by("pk")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.values_list("kind", "title"))


def cid_text(pdf: bytes) -> str:
    """All text drawn in a reportlab PDF, whatever its fonts (the embedded TrueType subsets of
    linli/lib/pdf_fonts.py, or the CID font STSong-Light when no such font is installed)."""
    from linli.lib.tests import pdfdoc

    return pdfdoc.text(pdf)
