"""The demo volunteering, patrols, campaign and roster: loaded with the demo data set at a small
scale, then checked as the volunteers and workers who use them would see them."""

import datetime as dt
import io
from collections import Counter
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from linli.accounts.models import User
from linli.campaigns.models import Assignment, Campaign, CampaignVisit, ChangeStatus, ProposedChange
from linli.campaigns.services import target_homes
from linli.patrols.models import Finding, Inspection
from linli.patrols.services import score_history
from linli.places.models import Compound
from linli.rosters import services as rosters
from linli.rosters.models import SwapRequest, SwapStatus
from linli.volunteers import services as volunteers
from linli.volunteers.models import Activity, ActivitySeries, Certificate, HoursEntry, SignUp

from .test_demo import FAST_HASHERS, SCALE, _clear

TZ = volunteers.TZ


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The moment the demo loaded (held still during the load, so its dates are known)."""
    now = timezone.now()
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        mock.patch.object(timezone, "now", return_value=now),
    ):
        call_command("load_demo", scale=SCALE, seed=2021, stdout=io.StringIO())
    yield now
    with django_db_blocker.unblock():
        _clear()


@pytest.fixture
def users(demo, db):
    return {u.username: u for u in User.objects.select_related("person")}


def test_sunday_service_day_is_a_series_of_eight_past_weeks_and_coming_ones(demo, db):
    series = ActivitySeries.objects.get(title="“大新之心”周日志愿服务")
    activities = list(series.activities.order_by("starts_at"))
    starts = [timezone.localtime(a.starts_at, TZ) for a in activities]
    assert {(s.weekday(), s.hour, s.minute) for s in starts} == {(6, 9, 0)}
    assert all(a.duration_minutes == 120 for a in activities)
    past = [a for a in activities if a.ends_at <= demo]
    coming = [a for a in activities if a.starts_at > demo]
    assert len(past) == 8 and len(coming) >= 4
    weeks = {(b.starts_at - a.starts_at).days for a, b in zip(activities, activities[1:], strict=False)}
    assert weeks == {7}  # none missing between the past and the coming weeks
    assert all(a.hours.exists() for a in past)
    assert not HoursEntry.objects.filter(activity__in=coming).exists()
    assert ActivitySeries.objects.filter(title="摩电安全夜间巡查", organisation__name="翠颐社区摩电安全巡查队").exists()


def test_every_ledger_equals_the_sum_of_its_entries_and_the_certificate_its_period(users):
    totals = dict(HoursEntry.objects.values("person_id").annotate(s=Sum("minutes")).values_list("person_id", "s"))
    assert len(totals) >= 10
    for person_id, minutes in totals.items():
        assert volunteers.total_minutes(person_id) == minutes > 0
    assert HoursEntry.objects.filter(kind=HoursEntry.Kind.ADJUSTMENT).exclude(reason="").count() == 1
    volunteer = users["volunteer"].person
    certificate = Certificate.objects.get(person=volunteer)
    in_period = volunteers.total_minutes(volunteer, start=certificate.period_start, end=certificate.period_end)
    assert certificate.total_minutes == in_period >= 8 * 60  # he came every Sunday
    assert volunteers.points(in_period) > 0
    board = volunteers.leaderboard(start=certificate.period_start, end=certificate.period_end)
    assert len(board) >= 10 and [r["minutes"] for r in board] == sorted((r["minutes"] for r in board), reverse=True)


def test_potluck_and_club_class_are_coming_the_class_with_a_waiting_list(demo, db):
    feast = Activity.objects.get(title="冬日百家宴：邻里一家亲")
    lesson = Activity.objects.get(title="书法入门课（第3期）", organisation__name="滨江一号书画社")
    assert feast.starts_at > demo and lesson.starts_at > demo
    states = Counter(lesson.signups.values_list("state", flat=True))
    assert states[SignUp.State.SIGNED_UP] == lesson.capacity and states[SignUp.State.WAITING] >= 1


def test_patrol_findings_one_filed_as_a_case_and_hygiene_scores_rising(demo, db):
    assert Finding.objects.filter(patrol__compound__name="颐景园").count() >= 4
    filed = Finding.objects.filter(case__isnull=False).select_related("case", "patrol")
    assert len(filed) == 1 and filed[0].case.compound_id == filed[0].patrol.compound_id
    assert filed[0].patrol.started_at < filed[0].case.submitted_at
    fufeng = Compound.objects.get(name="富丰新城")
    inspections = Inspection.objects.filter(compound=fufeng, submitted_at__isnull=False)
    assert inspections.count() == 12 and {i.company.name for i in inspections} == {"富丰新城物业服务中心"}
    today = timezone.localdate(demo)
    history = score_history(compounds=[fufeng.pk], start=today - dt.timedelta(days=200), end=today)
    months = sorted(history.by_company, key=lambda m: m.month)
    assert len(months) == 6
    assert months[-1].average_percent > months[0].average_percent + 8


def test_campaign_assigns_every_home_once_and_about_forty_percent_are_visited(users):
    campaign = Campaign.objects.get(title="2026冬季入户走访")
    homes = list(Assignment.objects.filter(campaign=campaign).values_list("home_id", flat=True))
    assert len(homes) == len(set(homes))
    assert set(homes) == set(target_homes(campaign).values_list("pk", flat=True))
    visited = Assignment.objects.filter(campaign=campaign, visits__gt=0).count()
    assert 0.3 <= visited / len(homes) <= 0.5
    assert Assignment.objects.filter(campaign=campaign, visits__gte=2).exists()  # revisits
    for assignment in Assignment.objects.filter(campaign=campaign, visits__gt=0):
        latest = CampaignVisit.objects.filter(assignment=assignment).order_by("-visited_at").first()
        assert assignment.state == latest.outcome
        assert assignment.visits == assignment.visit_records.count()
    pending = ProposedChange.objects.filter(campaign=campaign, status=ChangeStatus.PENDING)
    assert pending.count() == 1


def test_gate_roster_has_one_gap_in_the_next_48_hours_and_a_pending_swap(users):
    fufeng = Compound.objects.get(name="富丰新城")
    gaps = list(rosters.gaps(fufeng))
    assert len(gaps) == 1 and gaps[0].staffed == 1 and gaps[0].needed == 2
    swap = SwapRequest.objects.get(status=SwapStatus.PENDING)
    assert swap.duty.person_id == users["volunteer"].person_id
    assert swap.duty.shift.starts > timezone.now()


def test_volunteer_sees_that_he_is_signed_up_for_next_sunday(users, client, demo):
    client.force_login(users["volunteer"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/volunteers/")
    assert page.status_code == 200
    sundays = [a for a in page.context["activities"] if a.title == "“大新之心”周日志愿服务" and a.starts_at > demo]
    assert sundays[0].my_state == SignUp.State.SIGNED_UP
    assert {a.my_state for a in sundays[1:]} == {None}
    assert timezone.localtime(sundays[0].starts_at, TZ).weekday() == 6
    assert sundays[0].starts_at - demo <= dt.timedelta(days=7)
    assert "You are signed up" in page.content.decode()


def test_same_seed_and_moment_give_the_same_activities_campaign_and_roster(demo, db):
    """Loaded again from the same seed at the same moment: the same people on the same days."""
    import random

    from linli.demo.activities import clear_activities, load_activities
    from linli.demo.reach import clear_reach, load_reach
    from linli.rosters.models import Duty

    def snapshot():
        return (
            sorted(SignUp.objects.values_list("activity__title", "activity__starts_at", "person_id", "state")),
            sorted(HoursEntry.objects.values_list("person_id", "on", "minutes", "kind")),
            sorted(CampaignVisit.objects.values_list("home_id", "outcome", "visited_at", "visitor_id")),
            sorted(Duty.objects.values_list("shift__starts", "person_id")),
        )

    first = snapshot()
    clear_activities()
    clear_reach()
    with mock.patch.object(timezone, "now", return_value=demo):
        load_activities(rng=random.Random(2021), now=demo)
        load_reach(rng=random.Random(2021), now=demo)
    assert snapshot() == first
