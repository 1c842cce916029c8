"""The cases world: the shared test world plus a second property company serving 颐景园,
with its own clerk (paul), so that company isolation can be tested; and what the cases tests
share: cases made in the states they need, clients, requests."""

import datetime as dt
from io import BytesIO
from types import SimpleNamespace

import pytest
from auditlog.context import disable_auditlog
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from linli.cases import services, taxonomy
from linli.cases.lifecycle import perform
from linli.cases.models import Category, Revisit
from linli.conftest import _person, _user
from linli.people.models import Membership, Organisation, PropertyServicePeriod

API = "/api/v1"
EN = {"accept-language": "en"}  # API answers in English
HX = {"HTTP_HX_REQUEST": "true"}  # a page request made by htmx


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


# --- cases in the states a test needs ------------------------------------------------------------


@pytest.fixture
def now_case(new_case):
    """now_case(**overrides) -> as new_case, but submitted just now."""
    return lambda **kw: new_case(**{"now": timezone.now(), **kw})


@pytest.fixture
def case(now_case):
    """Alice's broken stairwell light (see new_case), submitted just now; it goes to 富丰物业 (dave)."""
    return now_case()


@pytest.fixture
def dispute(cw, now_case):
    """A neighbour dispute in 富丰新城 1栋1单元, submitted just now."""
    case = now_case(category=cw.cat.neighbour_dispute, title="楼上漏水到楼下", description="502漏水到402天花板")
    assert case.organisation == cw.association  # disputes of 富丰新城 go to the association
    return case


def resolve(case, user, *, reply: str = "", note: str = ""):
    """The case accepted, started and resolved by `user`: after a public `reply` if given, else
    with `note` (which, when there was no reply yet, the resolution sends as one)."""
    for action in ("accept", "start"):
        case = perform(case, action, user=user)
    if reply:
        services.reply(case=case, user=user, text=reply)
    return perform(case, "resolve", user=user, note=note)


def revisit_for(case, days=2) -> Revisit:
    """A revisit (回访) of the case for its community's staff, due in `days` days."""
    return Revisit.objects.create(
        case=case, community_id=case.community_id, due=timezone.now() + dt.timedelta(days=days)
    )


# --- clients and requests ------------------------------------------------------------------------


@pytest.fixture
def fresh_limits():
    """The rate limits count in the cache, which outlives a test: each test starts with clean counts."""
    cache.clear()
    yield
    cache.clear()


def case_page(case) -> str:
    return reverse("cases:case", args=[case.code])


def post_json(client, path, payload=None, headers=None):
    """POST to the API (`path` after /api/v1) with a JSON body."""
    return client.post(f"{API}{path}", payload or {}, content_type="application/json", headers=headers or {})


def image_upload(name="photo.jpg", size=(64, 48), colour=(90, 140, 60)) -> SimpleUploadedFile:
    """An uploaded photo: a PNG if the name ends in .png, else a JPEG."""
    png = name.endswith(".png")
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG" if png else "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png" if png else "image/jpeg")
