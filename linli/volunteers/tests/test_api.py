"""The API under /api/v1/volunteers: teams and join requests, activities, sign-up and cancel,
check-in, hours, ledger and adjustments, leaderboard; refusals as {"detail": ...}."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.volunteers import services
from linli.volunteers.models import Activity, HoursEntry, SignUp

from .conftest import API


@pytest.fixture
def soon(vw):
    now = timezone.now()
    return services.create_activity(
        user=vw.leo,
        organisation=vw.team,
        kind="class",
        title="手机课堂",
        venue="活动室",
        starts_at=now + dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(minutes=70),
        capacity=1,
    )


def test_teams_and_join(vw, as_user):
    c = as_user(vw.alice)
    teams = c.get(f"{API}/teams").json()
    assert [t["name"] for t in teams] == ["大新之心", "富丰新城街坊会"]
    r = c.post(f"{API}/teams/{vw.team.pk}/join", {"message": "hi"}, content_type="application/json")
    assert r.status_code == 201
    again = c.post(f"{API}/teams/{vw.team.pk}/join", {}, content_type="application/json")
    assert again.status_code == 409 and "already waiting" in again.json()["detail"]
    assert (
        as_user(vw.olga).post(f"{API}/teams/{vw.team.pk}/join", {}, content_type="application/json").status_code == 404
    )
    pending = as_user(vw.leo).get(f"{API}/teams/{vw.team.pk}/join-requests").json()
    assert [p["person"] for p in pending] == ["李爱丽"]
    assert as_user(vw.grace).get(f"{API}/teams/{vw.team.pk}/join-requests").status_code == 403
    r = as_user(vw.leo).post(
        f"{API}/join-requests/{pending[0]['id']}/decide", {"approve": True}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    assert "李爱丽" in as_user(vw.alice).get(f"{API}/teams/{vw.team.pk}").json()["members"]


def test_sign_up_waiting_and_cancel(vw, soon, as_user):
    assert as_user(vw.grace).post(f"{API}/activities/{soon.code}/sign-up").json() == {
        "state": "signed_up",
        "waiting_position": None,
    }
    assert as_user(vw.alice).post(f"{API}/activities/{soon.code}/sign-up").json() == {
        "state": "waiting",
        "waiting_position": 1,
    }
    listed = as_user(vw.alice).get(f"{API}/activities").json()
    assert [(a["code"], a["taken"], a["my_state"]) for a in listed] == [(soon.code, 1, "waiting")]
    assert as_user(vw.grace).post(f"{API}/activities/{soon.code}/cancel-sign-up").status_code == 200
    assert SignUp.objects.get(person=vw.p_alice).state == "signed_up"
    assert as_user(vw.olga).get(f"{API}/activities/{soon.code}").status_code == 404


def test_check_in_hours_ledger_adjust_and_leaderboard(vw, soon, as_user):
    as_user(vw.grace).post(f"{API}/activities/{soon.code}/sign-up")
    bad = as_user(vw.grace).post(
        f"{API}/activities/{soon.code}/check-in", {"token": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["detail"].startswith("This check-in code is not valid")
    ok = as_user(vw.grace).post(
        f"{API}/activities/{soon.code}/check-in", {"token": soon.checkin_token}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["checked_in_at"]
    again = as_user(vw.grace).post(
        f"{API}/activities/{soon.code}/check-in", {"token": soon.checkin_token}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["detail"] == "You have already checked in."
    Activity.objects.filter(pk=soon.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    r = as_user(vw.leo).post(
        f"{API}/activities/{soon.code}/hours",
        {"person_id": vw.p_grace.pk, "minutes": 60},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["minutes"] == 60
    refused = as_user(vw.leo).post(
        f"{API}/ledger/{vw.p_grace.pk}/adjust", {"minutes": 15, "reason": " "}, content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["detail"] == "Give the reason for the adjustment."
    r = as_user(vw.leo).post(
        f"{API}/ledger/{vw.p_grace.pk}/adjust", {"minutes": 30, "reason": "布置场地"}, content_type="application/json"
    )
    assert r.status_code == 201
    mine = as_user(vw.grace).get(f"{API}/hours").json()
    assert mine["total_minutes"] == 90 and mine["points"] == "1.50" and len(mine["entries"]) == 2
    assert as_user(vw.alice).get(f"{API}/ledger/{vw.p_grace.pk}").status_code == 404
    assert HoursEntry.objects.count() == 2
    today = timezone.localdate()
    rows = (
        as_user(vw.alice)
        .get(
            f"{API}/leaderboard",
            {"start": today - dt.timedelta(days=1), "end": today + dt.timedelta(days=1), "team_id": vw.team.pk},
        )
        .json()
    )
    assert rows == [{"rank": 1, "name": "Volunteer 志***", "minutes": 60, "hours": 1.0}]


def test_create_activity_and_series(vw, as_user):
    start = timezone.now() + dt.timedelta(days=2)
    body = {
        "team_id": vw.team.pk,
        "kind": "event",
        "title": "百家宴",
        "venue": "广场",
        "starts_at": start.isoformat(),
        "ends_at": start.isoformat(),
    }
    r = as_user(vw.leo).post(f"{API}/activities", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"] == "The end must be after the start."
    body["ends_at"] = (start + dt.timedelta(hours=3)).isoformat()
    assert as_user(vw.grace).post(f"{API}/activities", body, content_type="application/json").status_code == 403
    assert as_user(vw.leo).post(f"{API}/activities", body, content_type="application/json").status_code == 201
    series = {
        "team_id": vw.team.pk,
        "kind": "stairwell_patrol",
        "title": "楼道巡查",
        "venue": "1栋",
        "rrule": "FREQ=WEEKLY;BYDAY=SA",
        "first_start": start.isoformat(),
        "duration_minutes": 60,
    }
    r = as_user(vw.leo).post(f"{API}/series", series, content_type="application/json")
    assert r.status_code == 201 and 7 <= len(r.json()["activities"]) <= 9
