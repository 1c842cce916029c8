"""The campaigns world: the shared world (linli/conftest.py) and a running campaign over
富丰新城 organised by carol (community worker of 大新社区). By the assignment rule its homes go:
1栋1单元 101, 102, 201 to bob (building leader of 1栋), 1栋2单元101 to frank (household
contact), 2栋1单元101 to no one (2栋 has no leader)."""

import datetime

import pytest

from linli.accounts.models import ApiToken
from linli.campaigns import services

API = "/api/v1/campaigns"

FORM = [
    {"key": "people", "label": "How many people live here?", "kind": "number"},
    {"key": "ebike", "label": "Is there an e-bike?", "kind": "yesno"},
    {"key": "charge", "label": "Where is it charged?", "kind": "choice", "choices": ["garage", "home", "corridor"]},
    {"key": "needs", "label": "Anything you need?", "kind": "text"},
]
ANSWERS = {"people": 3, "ebike": True, "charge": "garage", "needs": ""}


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
def draft(world):
    return services.create_campaign(
        user=world.carol,
        place=world.fufeng,
        title="E-bike safety 2026",
        form=FORM,
        starts_on=datetime.date(2026, 11, 1),
        ends_on=datetime.date(2026, 12, 31),
    )


@pytest.fixture
def campaign(world, draft):
    services.start(user=world.carol, campaign=draft)
    return draft


def home_of(campaign, home):
    return campaign.assignments.get(home=home)


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client sending that user's API token."""

    def make(user):
        client.defaults.pop("HTTP_AUTHORIZATION", None)
        if user is not None:
            _, key = ApiToken.issue(user=user, name="phone")
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make
