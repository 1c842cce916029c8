"""Sign-up with places and a waiting list that moves up by itself, cancellation by the
volunteer until the start and of the whole activity by the organiser, reminders the day
before; who sees which activity."""

import datetime as dt

import pytest
from django.http import Http404

from linli.conftest import _person, _user
from linli.people.models import Membership, Occupancy
from linli.volunteers import access, services
from linli.volunteers.models import Activity, SignUp
from linli.volunteers.services import VolunteerError

from .conftest import BEFORE, END, START, told


@pytest.fixture
def crowd(vw):
    """Five more volunteers of the team, with accounts."""
    users = []
    for i in range(5):
        p = _person(f"队员{i}", f"1370000000{i}")
        Membership.objects.create(organisation=vw.team, person=p)
        users.append(_user(f"v{i}", p))
    return users


def state(activity, user):
    return SignUp.objects.get(activity=activity, person=user.person).state


def test_places_then_waiting_list_in_order(vw, activity, crowd):
    a, b, c, d = crowd[:4]
    for u in (a, b, c, d):
        services.sign_up(activity=activity, user=u, now=BEFORE)
    assert [state(activity, u) for u in (a, b, c, d)] == ["signed_up", "signed_up", "waiting", "waiting"]
    assert services.waiting_position(SignUp.objects.get(person=d.person)) == 2


def test_a_cancellation_moves_the_first_waiting_up_and_tells_him(vw, activity, crowd, committed):
    a, b, c, d = crowd[:4]
    for u in (a, b, c, d):
        services.sign_up(activity=activity, user=u, now=BEFORE)
    with committed():
        services.cancel_sign_up(activity=activity, user=a, now=BEFORE)
    assert [state(activity, u) for u in (a, b, c, d)] == ["cancelled", "signed_up", "signed_up", "waiting"]
    assert told(c, "volunteers.promoted") == [("volunteers.promoted", "A place is free for you: 周日志愿服务日")]
    assert told(d) == []
    # Cancelling a waiting place moves nobody.
    services.cancel_sign_up(activity=activity, user=d, now=BEFORE)
    assert SignUp.objects.filter(activity=activity, state="signed_up").count() == 2


def test_signing_up_again_after_cancelling_goes_to_the_end(vw, activity, crowd):
    a, b, c = crowd[:3]
    for u in (a, b, c):
        services.sign_up(activity=activity, user=u, now=BEFORE)
    services.cancel_sign_up(activity=activity, user=a, now=BEFORE)  # c moves up
    s = services.sign_up(activity=activity, user=a, now=BEFORE + dt.timedelta(minutes=1))
    assert s.state == "waiting" and services.waiting_position(s) == 1


def test_twice_is_refused(vw, activity):
    services.sign_up(activity=activity, user=vw.grace, now=BEFORE)
    with pytest.raises(VolunteerError, match="You are already signed up for this activity."):
        services.sign_up(activity=activity, user=vw.grace, now=BEFORE)
    assert SignUp.objects.count() == 1


def test_no_sign_up_or_cancelling_once_started(vw, activity, crowd):
    services.sign_up(activity=activity, user=vw.grace, now=BEFORE)
    with pytest.raises(VolunteerError, match="sign-up is closed"):
        services.sign_up(activity=activity, user=crowd[0], now=START)
    with pytest.raises(VolunteerError, match="only until the activity starts"):
        services.cancel_sign_up(activity=activity, user=vw.grace, now=START + dt.timedelta(minutes=1))
    assert state(activity, vw.grace) == "signed_up"


def test_unlimited_places(vw, activity, crowd):
    Activity.objects.filter(pk=activity.pk).update(capacity=None)
    for u in crowd:
        assert services.sign_up(activity=activity, user=u, now=BEFORE).state == "signed_up"


def test_the_organiser_cancels_and_everyone_signed_up_or_waiting_is_told(vw, activity, crowd, committed):
    for u in crowd[:3]:
        services.sign_up(activity=activity, user=u, now=BEFORE)
    with pytest.raises(VolunteerError, match="Give the reason"):
        services.cancel_activity(activity=activity, user=vw.leo, reason="  ", now=BEFORE)
    with pytest.raises(VolunteerError) as exc:
        services.cancel_activity(activity=activity, user=vw.grace, reason="下雨", now=BEFORE)
    assert exc.value.status_code == 403
    assert Activity.objects.get().state == "scheduled"
    with committed():
        services.cancel_activity(activity=activity, user=vw.leo, reason="台风预警", now=BEFORE)
    assert Activity.objects.get().state == "cancelled"
    for u in crowd[:3]:
        assert [k for k, _ in told(u)] == ["volunteers.cancelled"]
    with pytest.raises(VolunteerError, match="This activity was cancelled."):
        services.sign_up(activity=activity, user=crowd[4], now=BEFORE)


def test_reminders_go_the_day_before_once(vw, activity, crowd, committed):
    services.sign_up(activity=activity, user=crowd[0], now=BEFORE)
    with committed():
        assert services.send_reminders(now=START - dt.timedelta(days=2)) == 0
        assert services.send_reminders(now=START - dt.timedelta(hours=20)) == 1  # 12-05 13:00
        assert services.send_reminders(now=START - dt.timedelta(hours=19)) == 0
    assert told(crowd[0], "volunteers.reminder") == [("volunteers.reminder", "Tomorrow: 周日志愿服务日")]


def test_bad_activities_are_refused_with_nothing_made(vw):
    base = dict(user=vw.leo, organisation=vw.team, kind="service_day", title="清洁", venue="花园", now=BEFORE)
    cases = [
        (dict(starts_at=END, ends_at=START), "The end must be after the start."),
        (dict(starts_at=START, ends_at=START + dt.timedelta(hours=25)), "An activity can last at most 24 hours."),
        (dict(starts_at=BEFORE - dt.timedelta(days=1), ends_at=BEFORE), "The start is in the past."),
        (
            dict(starts_at=START, ends_at=END, capacity=0),
            "The number of places must be at least 1 (or empty for no limit).",
        ),
        (dict(starts_at=START, ends_at=END, title=""), "Give the activity a title."),
        (dict(starts_at=START, ends_at=END, kind="party"), "Choose the kind of activity."),
    ]
    for extra, message in cases:
        with pytest.raises(VolunteerError) as exc:
            services.create_activity(**{**base, **extra})
        assert exc.value.message == message
    assert not Activity.objects.exists()


def test_activities_are_seen_only_in_the_teams_area(vw, activity):
    assert access.visible_activities(vw.alice).filter(pk=activity.pk).exists()  # resident of 富丰新城
    assert access.visible_activities(vw.carol).filter(pk=activity.pk).exists()  # community worker
    with pytest.raises(Http404):
        access.access_activity(vw.olga, activity.code)  # another community
    with pytest.raises(VolunteerError) as exc:
        services.sign_up(activity=activity, user=vw.olga, now=BEFORE)
    assert exc.value.status_code == 404


def test_a_resident_of_the_compound_can_sign_up(vw, activity):
    assert Occupancy.objects.filter(person=vw.p_alice).exists()
    assert services.sign_up(activity=activity, user=vw.alice, now=BEFORE).state == "signed_up"
