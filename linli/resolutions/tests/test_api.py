"""Resolutions over the API."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.meetings import services as meetings
from linli.meetings.models import Meeting
from linli.resolutions.models import Resolution

API = "/api/v1/resolutions"


@pytest.fixture
def meeting(world):
    start = timezone.now() - dt.timedelta(days=1)
    return meetings.plan(
        user=world.carol, kind=Meeting.Kind.JOINT, title="三方联席会议", organiser=world.committee,
        compound=world.fufeng, starts=start, ends=start + dt.timedelta(hours=2), location="居委会",
    )  # fmt: skip


def test_made_reported_and_seen_in_public(world, meeting, client):
    body = {"meeting": meeting.code, "title": "更换减震垫", "owner": world.company.pk,
            "due": (timezone.localdate() + dt.timedelta(days=7)).isoformat()}  # fmt: skip
    client.force_login(world.alice)
    assert client.post(API, body, content_type="application/json").status_code == 404
    client.force_login(world.carol)
    created = client.post(API, body, content_type="application/json")
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    client.force_login(world.alice)
    assert client.post(f"{API}/{code}/progress", {"percent": 50, "text": "x"}).status_code == 422
    client.force_login(world.dave)
    done = client.post(f"{API}/{code}/progress", {"percent": 100, "text": "已更换"})
    assert done.status_code == 201 and done.json()["status"] == "done"
    assert [p["percent"] for p in done.json()["progress"]] == [100]
    client.logout()
    public = client.get(f"{API}/public/{world.fufeng.pk}").json()
    assert [r["code"] for r in public] == [code] and public[0]["percent"] == 100
    client.force_login(world.olga)
    assert client.get(f"{API}/{code}").status_code == 404
    assert Resolution.objects.count() == 1


def test_a_past_due_date_is_refused(world, meeting, client):
    client.force_login(world.carol)
    response = client.post(
        API,
        {"meeting": meeting.code, "title": "x", "owner": world.company.pk, "due": "2020-01-01"},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422 and "passed" in response.json()["detail"]
    assert not Resolution.objects.exists()
