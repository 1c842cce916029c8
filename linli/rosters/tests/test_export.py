"""A post's week of shifts as Excel: the organiser's week table (the week asked for), a line per
shift with the people on duty, nothing for those who do not organise the post."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.utils import timezone

from linli.lib.tests.xlsx_support import last_export, rows
from linli.rosters import services
from linli.rosters.models import Duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    def make(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def monday():
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=14)


def at(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def shift(world, post, day, hour, needed=1):
    return services.create_shift(
        user=world.carol, post=post, starts=at(day, hour), ends=at(day, hour + 5), needed=needed
    )


def test_the_shifts_export_holds_the_week_the_page_shows(world, post, kim, en, monday):
    first = shift(world, post, monday, 7, needed=2)
    services.assign(user=world.carol, shift=first, person=world.p_grace)
    duty = services.assign(user=world.carol, shift=first, person=world.p_kim)
    Duty.objects.filter(pk=duty.pk).update(checked_in_at=at(monday, 7))
    services.assign(user=world.carol, shift=shift(world, post, monday + dt.timedelta(days=2), 12), person=world.p_grace)
    shift(world, post, monday + dt.timedelta(days=7), 7)  # the week after: not in this week's file
    client = en(world.carol)
    week = {"week": monday.isoformat()}
    page = client.get(f"/rosters/p/{post.pk}/", week).content.decode()
    assert f'href="/rosters/p/{post.pk}/shifts.xlsx?week={monday.isoformat()}"' in page
    lines = rows(client.get(f"/rosters/p/{post.pk}/shifts.xlsx", week))
    assert lines[0] == (
        "Day",
        "Shift starts",
        "Shift ends",
        "People needed",
        "On duty",
        "Short of people",
        "People on duty",
        "Checked in",
    )
    wednesday = monday + dt.timedelta(days=2)
    assert [line[:2] for line in lines[1:]] == [
        (dt.datetime.combine(monday, dt.time()), dt.datetime.combine(monday, dt.time(7))),
        (dt.datetime.combine(wednesday, dt.time()), dt.datetime.combine(wednesday, dt.time(12))),
    ]
    assert lines[1][3:] == (2, 2, None, "志愿者乙、志愿者丙", "志愿者丙")
    assert lines[2][3:] == (1, 1, None, "志愿者乙", None)
    entry = last_export("roster_shifts")
    assert entry.additional_data["filters"] == {"post": str(post.pk), "week": monday.isoformat()}
    assert entry.additional_data["rows"] == 2


def test_a_short_shift_is_flagged_and_others_get_no_file(world, post, en, monday):
    shift(world, post, monday, 7, needed=2)
    lines = rows(en(world.carol).get(f"/rosters/p/{post.pk}/shifts.xlsx", {"week": monday.isoformat()}))
    assert lines[1][3:] == (2, 0, "yes", None, None)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    for user in (world.grace, world.bob, world.dave, world.olga):
        assert en(user).get(f"/rosters/p/{post.pk}/shifts.xlsx").status_code == 404
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before


def test_the_shifts_export_costs_the_same_queries_for_more_shifts(
    world, post, kim, en, monday, django_assert_max_num_queries
):
    client = en(world.carol)
    url, week = f"/rosters/p/{post.pk}/shifts.xlsx", {"week": monday.isoformat()}
    services.assign(user=world.carol, shift=shift(world, post, monday, 7), person=world.p_grace)
    with django_assert_max_num_queries(40) as few:
        client.get(url, week)
    for n in range(1, 6):
        s = shift(world, post, monday + dt.timedelta(days=n), 7, needed=2)
        services.assign(user=world.carol, shift=s, person=world.p_grace)
        services.assign(user=world.carol, shift=s, person=world.p_kim)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(url, week))) == 7
