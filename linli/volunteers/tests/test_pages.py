"""The pages: a volunteer signs up in one tap from the list and checks in from the QR code's
page; the organiser sees the roster and QR code, confirms hours, adjusts with a reason; teams,
join requests, my hours with the certificate, the leaderboard and the public check."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.volunteers import services
from linli.volunteers.models import Activity, Certificate, HoursEntry, JoinRequest, SignUp

from .conftest import cid_text


@pytest.fixture
def soon(vw):
    """An activity starting in 10 minutes (inside the check-in window), 2 places."""
    now = timezone.now()
    return services.create_activity(
        user=vw.leo,
        organisation=vw.team,
        kind="service_day",
        title="周日义剪",
        venue="中心花园",
        starts_at=now + dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(minutes=130),
        capacity=2,
    )


def test_sign_up_from_the_list_in_one_tap(vw, soon, login):
    c = login(vw.grace)
    page = c.get("/volunteers/")
    assert page.status_code == 200 and "周日义剪" in page.content.decode()
    r = c.post(f"/volunteers/a/{soon.code}/sign-up/", {"next": "index"}, follow=True)
    assert r.redirect_chain[-1][0] == "/volunteers/"
    assert "You are signed up. Thank you!" in r.content.decode()
    assert "You are signed up" in c.get("/volunteers/").content.decode()
    assert SignUp.objects.get().state == "signed_up"


def test_check_in_page_has_one_button_and_a_wrong_token_changes_nothing(vw, soon, login):
    services.sign_up(activity=soon, user=vw.grace)
    c = login(vw.grace)
    url = f"/volunteers/a/{soon.code}/check-in/{soon.checkin_token}/"
    assert "I am here: check in" in c.get(url).content.decode()
    bad = c.post(f"/volunteers/a/{soon.code}/check-in/forged/")
    assert bad.status_code == 400 and "This check-in code is not valid" in bad.content.decode()
    assert not soon.attendances.exists()
    ok = c.post(url)
    assert ok.status_code == 200 and "You are checked in" in ok.content.decode()
    again = c.post(url)
    assert again.status_code == 400 and "You have already checked in." in again.content.decode()


def test_outsiders_get_404(vw, soon, login):
    c = login(vw.olga)
    assert c.get(f"/volunteers/a/{soon.code}/").status_code == 404
    assert c.post(f"/volunteers/a/{soon.code}/sign-up/").status_code == 404
    assert c.get(f"/volunteers/teams/{vw.team.pk}/").status_code == 404
    assert not SignUp.objects.exists()


def test_the_organiser_sees_roster_and_qr_and_confirms(vw, soon, login):
    services.sign_up(activity=soon, user=vw.grace)
    services.sign_up(activity=soon, user=vw.alice)
    c = login(vw.leo)
    body = c.get(f"/volunteers/a/{soon.code}/").content.decode()
    assert "Roster" in body and "志愿者乙" in body and "李爱丽" in body
    qr = c.get(f"/volunteers/a/{soon.code}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert login(vw.grace).get(f"/volunteers/a/{soon.code}/qr.svg").status_code == 404
    c = login(vw.leo)
    r = c.post(f"/volunteers/a/{soon.code}/confirm/", {"person": vw.p_grace.pk, "minutes": "90"}, follow=True)
    assert "Hours can be confirmed once the activity has started." in r.content.decode()
    Activity.objects.filter(pk=soon.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    r = c.post(f"/volunteers/a/{soon.code}/confirm/", {"person": vw.p_grace.pk, "minutes": "90"}, follow=True)
    assert "Confirmed 90 minutes for 志愿者乙." in r.content.decode()
    assert HoursEntry.objects.get().minutes == 90


def test_adjust_page_needs_a_reason(vw, soon, login):
    c = login(vw.leo)
    url = f"/volunteers/hours/{vw.p_grace.pk}/"
    r = c.post(url, {"j-minutes": "30", "j-reason": ""})
    assert r.status_code == 422 and "Give the reason for the adjustment." in r.content.decode()
    assert not HoursEntry.objects.exists()
    r = c.post(url, {"j-minutes": "30", "j-reason": "补录上周服务"}, follow=True)
    assert "The adjustment is recorded." in r.content.decode() and "补录上周服务" in r.content.decode()
    assert login(vw.alice).get(url).status_code == 404


def test_my_hours_and_the_certificate_download_and_check(vw, soon, login, client):
    services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=150, reason="补录十月服务")
    c = login(vw.grace)
    body = c.get("/volunteers/hours/").content.decode()
    assert "Total: 2.5 hours · 2.50 time-bank points" in body
    today = timezone.localdate()
    r = c.post("/volunteers/hours/certificate/", {"p-start": f"{today.year}-01-01", "p-end": today.isoformat()})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert "2.5 小时" in cid_text(r.content)
    cert = Certificate.objects.get()
    client.logout()
    check = client.get(f"/volunteers/verify/{cert.code}/")
    assert check.status_code == 200 and "This certificate is genuine." in check.content.decode()
    assert "志**" in check.content.decode() and "志愿者乙" not in check.content.decode()
    assert client.get("/volunteers/verify/NOPE/").status_code == 404


def test_team_page_join_and_approve(vw, login):
    c = login(vw.alice)
    assert "Ask to join" in c.get(f"/volunteers/teams/{vw.team.pk}/").content.decode()
    r = c.post(f"/volunteers/teams/{vw.team.pk}/join/", {"j-message": "想参加周日服务"}, follow=True)
    assert "Your request is sent to the team&#x27;s leaders." in r.content.decode()
    req = JoinRequest.objects.get()
    assert login(vw.grace).post(f"/volunteers/join-requests/{req.pk}/approve/").status_code == 404
    c = login(vw.leo)
    assert "想参加周日服务" in c.get(f"/volunteers/teams/{vw.team.pk}/").content.decode()
    c.post(f"/volunteers/join-requests/{req.pk}/approve/")
    req.refresh_from_db()
    assert req.state == "approved"


def test_new_activity_form(vw, login):
    assert login(vw.grace).get("/volunteers/new/").status_code == 404
    c = login(vw.leo)
    start = timezone.localtime() + dt.timedelta(days=3)
    data = {
        "a-team": vw.team.pk,
        "a-kind": "ebike_patrol",
        "a-title": "电动车安全巡查",
        "a-venue": "北门",
        "a-capacity": "4",
        "a-starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "a-ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    r = c.post("/volunteers/new/", data)
    assert r.status_code == 422 and "The end must be after the start." in r.content.decode()
    assert not Activity.objects.exists()
    data["a-ends_at"] = (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = c.post("/volunteers/new/", data)
    a = Activity.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/volunteers/a/{a.code}/"


def test_new_series_form(vw, login):
    c = login(vw.leo)
    first = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=9, minute=0)
    r = c.post(
        "/volunteers/series/new/",
        {
            "a-team": vw.team.pk,
            "a-kind": "service_day",
            "a-title": "每周日服务",
            "a-venue": "广场",
            "a-rrule": "FREQ=WEEKLY;BYDAY=SU",
            "a-first_start": first.strftime("%Y-%m-%dT%H:%M"),
            "a-duration_minutes": "120",
            "a-skip_holidays": "on",
        },
    )
    assert r.status_code == 302
    assert 7 <= Activity.objects.count() <= 9


def test_leaderboard_page(vw, login):
    services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=30, reason="x")
    r = login(vw.alice).get(f"/volunteers/leaderboard/?team={vw.team.pk}")
    assert r.status_code == 200 and "Leaderboard: 大新之心" in r.content.decode()
    r = login(vw.alice).get("/volunteers/profile/")
    assert r.status_code == 405


def test_the_activity_list_costs_the_same_queries_for_one_or_many(vw, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(vw.grace)
    start = timezone.now() + dt.timedelta(days=2)

    def make(n):
        for i in range(n):
            services.create_activity(
                user=vw.leo,
                organisation=vw.team,
                kind="event",
                title=f"活动{i}",
                venue="广场",
                starts_at=start + dt.timedelta(hours=i),
                ends_at=start + dt.timedelta(hours=i + 1),
            )

    make(1)
    c.get("/volunteers/")  # warm the session and the scope
    with CaptureQueriesContext(connection) as one:
        c.get("/volunteers/")
    make(6)
    with CaptureQueriesContext(connection) as many:
        assert "活动5" in c.get("/volunteers/").content.decode()
    assert len(many) == len(one)


def test_the_hours_ledger_asks_the_same_queries_for_two_entries_or_twelve(vw, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(vw.leo)
    url = f"/volunteers/hours/{vw.p_grace.pk}/"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            body = c.get(url).content.decode()
        return len(ctx.captured_queries), body

    for n in range(2):
        services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=10, reason=f"补录 {n}")
    few, _body = queries()
    for n in range(10):
        services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=10, reason=f"再补录 {n}")
    many, body = queries()
    assert "再补录 9" in body and body.count(vw.leo.display_name()) >= 12  # who recorded each entry is shown
    assert many == few
