"""A campaign's homes not yet reached as Excel: every one of them (the page shows the first 500),
in the page's order, for the campaign's organisers only."""

import datetime as dt
import uuid

import pytest
from auditlog.models import LogEntry
from django.conf import settings

from linli.campaigns import services
from linli.campaigns.models import HomeState
from linli.lib.tests.xlsx_support import last_export, rows

from .conftest import ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    def make(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def visit(campaign, user, home, outcome="reached"):
    return services.record_visit(
        user=user, campaign=campaign, home_id=home.pk, client_id=uuid.uuid4(), outcome=outcome,
        answers=ANSWERS if outcome == "reached" else None,
    )  # fmt: skip


def test_the_not_reached_export_holds_the_homes_the_page_lists(world, campaign, en):
    visit(campaign, world.bob, world.h101)
    visit(campaign, world.bob, world.h102, outcome="not_home")
    visit(campaign, world.frank, world.h_s12)
    client = en(world.carol)
    page = client.get(f"/campaigns/{campaign.pk}/not-reached/").text
    assert f'href="/campaigns/{campaign.pk}/not-reached.xlsx"' in page and "3 homes still to visit." in page
    lines = rows(client.get(f"/campaigns/{campaign.pk}/not-reached.xlsx"))
    assert lines[0] == (
        "compound",
        "building",
        "stairwell",
        "home",
        "home state",
        "visitor",
        "revisit on",
        "last visited at",
        "number of visits",
    )
    assert [line[:6] for line in lines[1:]] == [
        ("富丰新城", "1栋", "1单元", "102", "not at home", "沈霞"),
        ("富丰新城", "1栋", "1单元", "201", "not visited yet", "沈霞"),
        ("富丰新城", "2栋", "1单元", "101", "not visited yet", "unassigned"),
    ]
    assert isinstance(lines[1][7], dt.datetime) and lines[1][8] == 1 and lines[2][7:] == (None, 0)
    entry = last_export("campaign_not_reached")
    assert entry.additional_data["rows"] == 3 and entry.additional_data["filters"] == {"campaign": str(campaign.pk)}


def test_no_not_reached_file_for_visitors_or_another_community(world, campaign, en):
    for user in (world.bob, world.frank, world.alice, world.olga):
        assert en(user).get(f"/campaigns/{campaign.pk}/not-reached.xlsx").status_code in (403, 404)
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_not_reached_export_costs_the_same_queries_for_more_homes(
    world, campaign, en, django_assert_max_num_queries
):
    for home in (world.h101, world.h102, world.h201):
        visit(campaign, world.bob, home)
    visit(campaign, world.frank, world.h_s12)
    client = en(world.carol)
    url = f"/campaigns/{campaign.pk}/not-reached.xlsx"
    with django_assert_max_num_queries(40) as few:
        assert len(rows(client.get(url))) == 2  # 2栋's 101 alone
    campaign.assignments.update(state=HomeState.PENDING)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(url))) == 6
