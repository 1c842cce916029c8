"""Sign-ups racing on PostgreSQL: thirty volunteers tapping at once for ten places give ten
signed up and twenty waiting, never more; cancellations then move the waiting list up in order.

(SQLite runs one writer at a time, so there is no race to test there.)"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import translation

from linli.conftest import _person, _user
from linli.people.models import Membership
from linli.volunteers import services
from linli.volunteers.models import Activity, SignUp

from .conftest import BEFORE, END, START

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a race needs concurrent writers: PostgreSQL only"),
]


def race(calls):
    start = threading.Barrier(len(calls))

    def run(call):
        try:
            start.wait()
            with translation.override("en"):  # a pool thread starts with no active language
                return call()
        except services.VolunteerError as exc:
            return exc.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_thirty_sign_ups_for_ten_places_never_overfill(world):
    leader = _person("梁队长", "13900000021")
    Membership.objects.create(organisation=world.team, person=leader, role=Membership.Role.LEADER)
    users = []
    for i in range(30):
        p = _person(f"队员{i:02d}", f"137000000{i:02d}")
        Membership.objects.create(organisation=world.team, person=p)
        users.append(_user(f"v{i:02d}", p))
    activity = services.create_activity(
        user=_user("leo", leader),
        organisation=world.team,
        kind="service_day",
        title="周日服务",
        venue="花园",
        starts_at=START,
        ends_at=END,
        capacity=10,
        now=BEFORE,
    )

    outcomes = race(
        [lambda u=u: services.sign_up(activity=Activity(pk=activity.pk), user=u, now=BEFORE).state for u in users]
    )
    assert sorted(outcomes).count("signed_up") == 10 and outcomes.count("waiting") == 20
    assert SignUp.objects.filter(activity=activity, state="signed_up").count() == 10

    waiting = list(
        SignUp.objects.filter(activity=activity, state="waiting")
        .order_by("created", "pk")
        .values_list("person_id", flat=True)
    )
    signed = list(SignUp.objects.filter(activity=activity, state="signed_up").select_related("person"))
    by_person = {u.person_id: u for u in users}
    # Three cancel at once: the first three of the waiting list move up, no more.
    race(
        [
            lambda s=s: (
                services.cancel_sign_up(
                    activity=Activity(pk=activity.pk), user=by_person[s.person_id], now=BEFORE
                ).state
            )
            for s in signed[:3]
        ]
    )
    now_signed = set(SignUp.objects.filter(activity=activity, state="signed_up").values_list("person_id", flat=True))
    assert len(now_signed) == 10
    assert set(waiting[:3]) <= now_signed and not set(waiting[3:]) & now_signed
    assert (
        list(
            SignUp.objects.filter(activity=activity, state="waiting")
            .order_by("created", "pk")
            .values_list("person_id", flat=True)
        )
        == waiting[3:]
    )


def test_a_double_tap_signs_up_once_and_checks_in_once(world):
    leader = _person("梁队长", "13900000021")
    Membership.objects.create(organisation=world.team, person=leader, role=Membership.Role.LEADER)
    activity = services.create_activity(
        user=_user("leo", leader),
        organisation=world.team,
        kind="service_day",
        title="周日服务",
        venue="花园",
        starts_at=START,
        ends_at=END,
        capacity=5,
        now=BEFORE,
    )
    for _ in range(3):  # a race may go either way: run it a few times
        SignUp.objects.all().delete()
        outcomes = race(
            [lambda: services.sign_up(activity=Activity(pk=activity.pk), user=world.grace, now=BEFORE).state] * 2
        )
        assert sorted(outcomes) == ["You are already signed up for this activity.", "signed_up"]
    checkins = race(
        [
            lambda: (
                services.check_in(
                    activity=Activity(pk=activity.pk), user=world.grace, token=activity.checkin_token, now=START
                )
                and "ok"
            )
        ]
        * 2
    )
    assert sorted(checkins) == ["You have already checked in.", "ok"]


def test_lowering_the_places_while_volunteers_sign_up_never_overfills(world):
    """The edit and the sign-ups lock the same row: whichever order they run in, the places
    taken never exceed the capacity the activity ends with."""
    leader = _person("梁队长", "13900000021")
    Membership.objects.create(organisation=world.team, person=leader, role=Membership.Role.LEADER)
    leo = _user("leo", leader)
    users = []
    for i in range(12):
        p = _person(f"队员{i:02d}", f"137000000{i:02d}")
        Membership.objects.create(organisation=world.team, person=p)
        users.append(_user(f"v{i:02d}", p))
    for round_ in range(3):  # a race may go either way: run it a few times
        activity = services.create_activity(
            user=leo,
            organisation=world.team,
            kind="service_day",
            title=f"周日服务{round_}",
            venue="花园",
            starts_at=START,
            ends_at=END,
            capacity=10,
            now=BEFORE,
        )
        for u in users[:4]:
            services.sign_up(activity=activity, user=u, now=BEFORE)
        calls = [
            lambda u=u, pk=activity.pk: services.sign_up(activity=Activity(pk=pk), user=u, now=BEFORE).state
            for u in users[4:]
        ]
        calls.insert(
            3,
            lambda pk=activity.pk: (
                services.edit_activity(Activity.objects.get(pk=pk), by=leo, capacity=6, now=BEFORE) and "edited"
            ),
        )
        outcomes = race(calls)
        activity.refresh_from_db()
        signed = SignUp.objects.filter(activity=activity, state="signed_up").count()
        assert signed <= activity.capacity
        if "edited" in outcomes:
            assert activity.capacity == 6 and signed == 6
        else:
            assert activity.capacity == 10 and signed == 10
            # Refused: more than six had a place by the time the edit held the lock.
            assert any(str(o).endswith("the number of places cannot be fewer.") for o in outcomes)
        assert SignUp.objects.filter(activity=activity, state="waiting").count() == 12 - signed
