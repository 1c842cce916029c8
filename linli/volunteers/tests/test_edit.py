"""Editing a published activity: organisers only, until it starts; more places move the
waiting list up, fewer than those signed up is refused; a new time or venue is told once to
everyone signed up or waiting; one date of a series changes alone; the change is audited."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from linli.conftest import _person, _user
from linli.people.models import Membership
from linli.volunteers import services
from linli.volunteers.models import Activity, SignUp
from linli.volunteers.services import VolunteerError

from .conftest import API, BEFORE, END, START, at, told


@pytest.fixture
def crowd(vw):
    users = []
    for i in range(4):
        p = _person(f"队员{i}", f"1370000000{i}")
        Membership.objects.create(organisation=vw.team, person=p)
        users.append(_user(f"v{i}", p))
    return users


def states(activity, users):
    return [SignUp.objects.get(activity=activity, person=u.person).state for u in users]


def test_organiser_changes_the_text_and_it_is_audited(vw, activity):
    services.edit_activity(activity, by=vw.leo, title="周日大扫除", description="带手套", now=BEFORE)
    activity.refresh_from_db()
    assert (activity.title, activity.description, activity.venue) == ("周日大扫除", "带手套", "富丰新城 中心花园")
    entry = LogEntry.objects.get_for_object(activity).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["title"] == ["周日志愿服务日", "周日大扫除"]


def test_only_organisers_may_edit(vw, activity):
    with pytest.raises(VolunteerError) as exc:
        services.edit_activity(activity, by=vw.grace, title="x", now=BEFORE)
    assert exc.value.status_code == 403
    activity.refresh_from_db()
    assert activity.title == "周日志愿服务日"
    services.edit_activity(activity, by=vw.carol, title="社区工作者改的", now=BEFORE)  # staff of its area
    activity.refresh_from_db()
    assert activity.title == "社区工作者改的"


def test_refused_once_started_or_cancelled(vw, activity):
    with pytest.raises(VolunteerError, match="has started") as exc:
        services.edit_activity(activity, by=vw.leo, title="x", now=START)
    assert exc.value.status_code == 409
    services.cancel_activity(activity=activity, user=vw.leo, reason="台风", now=BEFORE)
    with pytest.raises(VolunteerError, match="cancelled") as exc:
        services.edit_activity(activity, by=vw.leo, title="x", now=BEFORE)
    assert exc.value.status_code == 409


def test_bad_input_changes_nothing(vw, activity):
    for changes, field in [
        ({"title": "  "}, "title"),
        ({"venue": ""}, "venue"),
        ({"capacity": 0}, "capacity"),
        ({"ends_at": START}, "ends_at"),
        ({"starts_at": at(2026, 11, 1, 9, 0), "ends_at": at(2026, 11, 1, 10, 0)}, "starts_at"),
        ({"ends_at": START + dt.timedelta(hours=25)}, "ends_at"),
    ]:
        with pytest.raises(VolunteerError) as exc:
            services.edit_activity(activity, by=vw.leo, now=BEFORE, **changes)
        assert exc.value.field == field
    with pytest.raises(VolunteerError, match="cannot be changed: kind"):
        services.edit_activity(activity, by=vw.leo, kind="class", now=BEFORE)
    fresh = Activity.objects.get(pk=activity.pk)
    assert (fresh.title, fresh.capacity, fresh.starts_at, fresh.ends_at) == ("周日志愿服务日", 2, START, END)


def test_more_places_move_the_waiting_list_up(vw, activity, crowd, committed):
    for u in crowd:
        services.sign_up(activity=activity, user=u, now=BEFORE)
    assert states(activity, crowd) == ["signed_up", "signed_up", "waiting", "waiting"]
    with committed():
        services.edit_activity(activity, by=vw.leo, capacity=3, now=BEFORE)
    assert states(activity, crowd) == ["signed_up", "signed_up", "signed_up", "waiting"]
    assert told(crowd[2], "volunteers.promoted") == [("volunteers.promoted", "A place is free for you: 周日志愿服务日")]
    assert told(crowd[3]) == []
    services.edit_activity(activity, by=vw.leo, capacity=None, now=BEFORE)  # no limit: everyone
    assert states(activity, crowd) == ["signed_up"] * 4


def test_fewer_places_than_signed_up_is_refused(vw, activity, crowd):
    for u in crowd[:3]:
        services.sign_up(activity=activity, user=u, now=BEFORE)
    with pytest.raises(VolunteerError) as exc:
        services.edit_activity(activity, by=vw.leo, capacity=1, title="新标题", now=BEFORE)
    assert exc.value.message == "2 volunteers already have a place: the number of places cannot be fewer."
    assert exc.value.field == "capacity"
    activity.refresh_from_db()
    assert (activity.capacity, activity.title) == (2, "周日志愿服务日")
    services.edit_activity(activity, by=vw.leo, capacity=2, now=BEFORE)  # as many as signed up: fine


def test_new_time_or_venue_is_told_once_to_everyone_signed_up_or_waiting(vw, activity, crowd, committed):
    for u in crowd[:3]:
        services.sign_up(activity=activity, user=u, now=BEFORE)
    services.cancel_sign_up(activity=activity, user=crowd[0], now=BEFORE)  # no longer concerned
    activity.reminded_at = BEFORE
    activity.save(update_fields=["reminded_at"])
    with committed():
        services.edit_activity(activity, by=vw.leo, title="只改标题", now=BEFORE)
    assert all(told(u, "activity.changed") == [] for u in crowd)
    with committed():
        services.edit_activity(
            activity,
            by=vw.leo,
            starts_at=START + dt.timedelta(hours=1),
            ends_at=END + dt.timedelta(hours=1),
            venue="活动室",
            now=BEFORE,
        )
    for u in crowd[1:3]:
        assert told(u, "activity.changed") == [("activity.changed", "Changed: 只改标题")]
    assert told(crowd[0], "activity.changed") == [] and told(crowd[3]) == []
    activity.refresh_from_db()
    assert activity.reminded_at is None  # reminded again the day before the new date
    from linli.notices.models import Notification

    body = Notification.objects.filter(user=crowd[1], kind="activity.changed").get().body
    assert body == "Now 2026-12-06 10:00–12:00, 活动室."
    with committed():  # a second change is told again
        services.edit_activity(activity, by=vw.leo, venue="中心花园", now=BEFORE + dt.timedelta(minutes=1))
    assert len(told(crowd[1], "activity.changed")) == 2


def test_one_date_of_a_series_changes_alone_and_is_not_made_again(vw):
    series = services.create_series(
        user=vw.leo,
        organisation=vw.team,
        kind="service_day",
        title="每周日服务",
        venue="花园",
        rrule="FREQ=WEEKLY;BYDAY=SU",
        first_start=START,
        duration_minutes=120,
        capacity=5,
        now=BEFORE,
    )
    first, second = series.activities.order_by("starts_at")[:2]
    services.edit_activity(
        first, by=vw.leo, starts_at=START + dt.timedelta(hours=6), ends_at=END + dt.timedelta(hours=6), now=BEFORE
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.starts_at == START + dt.timedelta(hours=6) and first.moved_from == START
    assert second.starts_at == START + dt.timedelta(days=7)
    count = series.activities.count()
    assert services.materialise(series, now=BEFORE) == 0
    assert series.activities.count() == count
    assert not series.activities.filter(starts_at=START).exists()
    with pytest.raises(VolunteerError, match="Another date of this series"):
        services.edit_activity(first, by=vw.leo, starts_at=second.starts_at, ends_at=second.ends_at, now=BEFORE)


# --- the page and the API ----------------------------------------------------------------


@pytest.fixture
def upcoming(vw):
    now = timezone.now()
    return services.create_activity(
        user=vw.leo,
        organisation=vw.team,
        kind="class",
        title="手机课堂",
        venue="活动室",
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=1),
        capacity=2,
    )


def test_edit_page_prefilled_errors_on_the_form_and_saved(vw, upcoming, client, login):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    url = f"/volunteers/a/{upcoming.code}/edit/"
    login(vw.grace)
    assert "/edit/" not in client.get(f"/volunteers/a/{upcoming.code}/").content.decode()
    assert client.get(url).status_code == 404
    services.sign_up(activity=upcoming, user=vw.grace)
    services.sign_up(activity=upcoming, user=vw.alice)
    login(vw.leo)
    assert url in client.get(f"/volunteers/a/{upcoming.code}/").content.decode()
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'value="手机课堂"' in html and 'value="活动室"' in html
    starts = timezone.localtime(upcoming.starts_at)
    form = {
        "a-title": "手机课堂（二）",
        "a-venue": "活动室",
        "a-description": "",
        "a-capacity": "1",
        "a-starts_at": f"{starts:%Y-%m-%dT%H:%M}",
        "a-ends_at": f"{timezone.localtime(upcoming.ends_at):%Y-%m-%dT%H:%M}",
    }
    r = client.post(url, form)
    assert r.status_code == 422
    assert "2 volunteers already have a place: the number of places cannot be fewer." in r.content.decode()
    upcoming.refresh_from_db()
    assert (upcoming.title, upcoming.capacity) == ("手机课堂", 2)
    r = client.post(url, {**form, "a-capacity": "3"})
    assert r.status_code == 302 and r["Location"] == f"/volunteers/a/{upcoming.code}/"
    upcoming.refresh_from_db()
    assert (upcoming.title, upcoming.capacity) == ("手机课堂（二）", 3)


def test_edit_page_of_a_started_activity_says_so(vw, client, login):
    now = timezone.now()
    a = services.create_activity(
        user=vw.leo,
        organisation=vw.team,
        kind="class",
        title="进行中",
        venue="活动室",
        starts_at=now + dt.timedelta(seconds=1),
        ends_at=now + dt.timedelta(hours=1),
        now=now,
    )
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(vw.leo)
    Activity.objects.filter(pk=a.pk).update(starts_at=now - dt.timedelta(minutes=5))
    r = client.get(f"/volunteers/a/{a.code}/edit/")
    assert "This activity has started and can no longer be changed." in r.content.decode()
    assert client.post(f"/volunteers/a/{a.code}/edit/", {"a-title": "x"}).status_code == 422
    a.refresh_from_db()
    assert a.title == "进行中"


def test_api_patch(vw, upcoming, as_user):
    url = f"{API}/activities/{upcoming.code}"
    r = as_user(vw.grace).patch(url, {"title": "x"}, content_type="application/json")
    assert (
        r.status_code == 403 and r.json()["detail"] == "Only the team's leaders and the community's staff can do this."
    )
    assert as_user(vw.olga).patch(url, {"title": "x"}, content_type="application/json").status_code == 404
    c = as_user(vw.leo)
    r = c.patch(url, {"venue": "二楼会议室", "capacity": None}, content_type="application/json")
    assert r.status_code == 200
    assert (r.json()["venue"], r.json()["capacity"], r.json()["title"]) == ("二楼会议室", None, "手机课堂")
    services.sign_up(activity=upcoming, user=vw.grace)
    services.sign_up(activity=upcoming, user=vw.alice)
    r = c.patch(url, {"capacity": 1}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "capacity"
    r = c.patch(url, {"title": None}, content_type="application/json")
    assert r.status_code == 422
    upcoming.refresh_from_db()
    assert (upcoming.title, upcoming.capacity) == ("手机课堂", None)
