"""Meetings over the API: who sees and runs what (organiser, invited participant, resident of
the place, resident elsewhere, anonymous), planning with a double booking, replies, check-in
with the wrong code or out of its window, attendance, agenda, minutes frozen and versioned,
venues, and lists whose queries do not grow."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.meetings import services
from linli.meetings.models import AgendaItem, Attendance, Booking, Invitation, Meeting, Minutes
from linli.places.models import Venue

API = "/api/v1/meetings"
EN = {"accept-language": "en"}
JSON = "application/json"


def hours(n):
    return dt.timedelta(hours=n)


@pytest.fixture
def venue(world):
    return Venue.objects.create(compound=world.fufeng, name="富丰议事厅")


@pytest.fixture
def meeting(world, venue):
    """A tea party of 富丰新城 1栋 that began ten minutes ago; dave (the property clerk) invited."""
    now = timezone.now()
    m = services.plan(
        user=world.carol, kind=Meeting.Kind.TEA_PARTY, title="1栋楼道茶话会", organiser=world.committee,
        building=world.b1, starts=now - dt.timedelta(minutes=10), ends=now + hours(2), venue=venue,
    )  # fmt: skip
    services.invite(meeting=m, roles=["property"])
    return m


@pytest.fixture
def as_(client):
    def _as(user=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _as


@pytest.mark.parametrize(
    "who, sees, organises",
    [("carol", True, True), ("bob", True, True), ("dave", True, False), ("alice", True, False), ("olga", False, False)],
)
def test_permission_matrix_of_the_api(world, meeting, as_, who, sees, organises):
    client = as_(getattr(world, who))
    listed = client.get(API).json()
    assert ([m["code"] for m in listed["items"]] == [meeting.code]) == sees
    detail = client.get(f"{API}/{meeting.code}")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert detail.json()["may_organise"] == organises
        assert (detail.json()["checkin_url"] is not None) == organises  # the token only for organisers
    for path in ["invitations", "attendance"]:
        assert client.get(f"{API}/{meeting.code}/{path}").status_code == (200 if organises else 404), path
    moved = client.post(
        f"{API}/{meeting.code}/cancel", {"reason": ""}, content_type=JSON
    )  # an organiser is told the reason is missing; anyone else does not learn of the meeting
    assert moved.status_code == (422 if organises else 404)
    assert client.get(f"{API}/venues").json()["count"] == (1 if organises else 0)
    assert client.get(f"{API}/venues/{meeting.venue_id}/bookings").status_code == (200 if organises else 404)


def test_anonymous_gets_401(world, meeting, as_):
    client = as_()
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/{meeting.code}").status_code == 401
    assert client.post(f"{API}/{meeting.code}/reply", {"answer": "yes"}, content_type=JSON).status_code == 401


def test_plan_over_the_api_and_a_double_booking_is_refused(world, meeting, venue, as_):
    client = as_(world.carol)
    start = meeting.starts + hours(1)
    body = {
        "kind": "hall", "title": "议事厅：停车", "compound": world.fufeng.pk, "organiser": world.committee.pk,
        "venue": venue.pk, "starts": start.isoformat(), "ends": (start + hours(1)).isoformat(),
    }  # fmt: skip
    refused = client.post(API, body, content_type=JSON, headers=EN)
    assert refused.status_code == 422 and "富丰议事厅 is already booked from" in refused.json()["detail"]
    assert Meeting.objects.count() == 1 and Booking.objects.count() == 1
    body.update(starts=(start + hours(5)).isoformat(), ends=(start + hours(6)).isoformat())
    made = client.post(API, body, content_type=JSON)
    assert made.status_code == 201 and made.json()["venue_name"] == "富丰议事厅" and made.json()["may_organise"]
    assert made.json()["place"] == "富丰新城" and made.json()["where"] == "富丰议事厅"
    # Not in the name of an organisation of another community, nor for a place beyond reach.
    other = as_(world.bob).post(API, {**body, "building": world.y1.pk, "compound": None}, content_type=JSON, headers=EN)
    assert other.status_code == 422 and "may not call a meeting" in other.json()["detail"]
    olga = as_(world.olga).post(API, body, content_type=JSON, headers=EN)
    assert olga.status_code == 422 and Meeting.objects.count() == 2


def test_reply_check_in_and_attendance(world, meeting, as_):
    dave = as_(world.dave)
    assert dave.post(f"{API}/{meeting.code}/reply", {"answer": "yes"}, content_type=JSON).json()["reply"] == "yes"
    bad = dave.post(f"{API}/{meeting.code}/reply", {"answer": "perhaps"}, content_type=JSON)
    assert bad.status_code == 422
    assert dave.get(f"{API}/{meeting.code}").json()["my_reply"] == "yes"
    alice = as_(world.alice)
    refused = alice.post(f"{API}/{meeting.code}/reply", {"answer": "yes"}, content_type=JSON, headers=EN)
    assert refused.status_code == 422 and refused.json()["detail"] == "You are not invited to this meeting."
    later = services.plan(
        user=world.carol, kind=Meeting.Kind.HALL, title="明天的会", organiser=world.committee, compound=world.fufeng,
        starts=timezone.now() + hours(24), ends=timezone.now() + hours(25), location="广场",
    )  # fmt: skip
    wrong = alice.post(f"{API}/{meeting.code}/check-in", {"token": later.checkin_token}, content_type=JSON, headers=EN)
    assert wrong.status_code == 422 and wrong.json()["detail"] == "This code is for another meeting."
    early = alice.post(f"{API}/{later.code}/check-in", {"token": later.checkin_token}, content_type=JSON, headers=EN)
    assert early.status_code == 422 and early.json()["detail"].startswith("Check-in is open from")
    assert not Attendance.objects.exists()
    done = alice.post(f"{API}/{meeting.code}/check-in", {"token": meeting.checkin_token}, content_type=JSON)
    assert done.status_code == 200 and done.json()["new"] and done.json()["how"] == "qr"
    again = alice.post(f"{API}/{meeting.code}/check-in", {"token": meeting.checkin_token}, content_type=JSON)
    assert not again.json()["new"] and Attendance.objects.count() == 1
    olga = as_(world.olga).post(f"{API}/{meeting.code}/check-in", {"token": meeting.checkin_token}, content_type=JSON)
    assert olga.status_code == 404
    carol = as_(world.carol)
    assert (
        carol.post(f"{API}/{meeting.code}/attendance", {"person": world.p_dave.pk}, content_type=JSON).status_code
        == 201
    )
    assert (
        carol.post(f"{API}/{meeting.code}/attendance", {"person": world.p_olga.pk}, content_type=JSON).status_code
        == 404
    )
    assert {a["person"] for a in carol.get(f"{API}/{meeting.code}/attendance").json()["items"]} == {
        world.p_alice.pk,
        world.p_dave.pk,
    }


def test_invite_by_role_and_name(world, meeting, as_):
    client = as_(world.bob)
    added = client.post(
        f"{API}/{meeting.code}/invitations", {"roles": ["leaders"], "people": [world.p_alice.pk]}, content_type=JSON
    )
    assert added.status_code == 201 and added.json() == {"added": 2}
    beyond = client.post(f"{API}/{meeting.code}/invitations", {"people": [world.p_olga.pk]}, content_type=JSON)
    assert beyond.status_code == 422
    unknown = client.post(f"{API}/{meeting.code}/invitations", {"roles": ["martians"]}, content_type=JSON)
    assert unknown.status_code == 422
    assert Invitation.objects.filter(meeting=meeting).count() == 3
    rows = {r["person"]: r for r in client.get(f"{API}/{meeting.code}/invitations").json()["items"]}
    assert rows[world.p_alice.pk]["name"] == "李爱丽" and rows[world.p_dave.pk]["name"] == "物**"


def test_agenda_and_minutes_freeze_and_version(world, meeting, as_):
    carol = as_(world.carol)
    item = carol.post(f"{API}/{meeting.code}/agenda", {"title": "电梯夜间噪音"}, content_type=JSON)
    assert item.status_code == 201
    pk = item.json()["id"]
    said = {"summary": "到会12人", "items": {str(pk): {"summary": "住户反映", "decision": "两周内更换"}}}
    assert carol.put(f"{API}/{meeting.code}/minutes", said, content_type=JSON).json()["version"] == 1
    assert as_(world.alice).get(f"{API}/{meeting.code}/minutes").status_code == 404  # a draft
    carol = as_(world.carol)
    approved = carol.post(f"{API}/{meeting.code}/minutes/approve")
    assert approved.status_code == 200 and approved.json()["approved"] and approved.json()["approved_by"] == "社工己"
    frozen = carol.put(f"{API}/{meeting.code}/minutes", {**said, "summary": "改"}, content_type=JSON, headers=EN)
    assert frozen.status_code == 422 and "give the reason" in frozen.json()["detail"]
    assert Minutes.objects.get(meeting=meeting).summary == "到会12人"
    late = carol.post(f"{API}/{meeting.code}/agenda", {"title": "临时动议"}, content_type=JSON)
    assert late.status_code == 422 and AgendaItem.objects.count() == 1
    changed = carol.put(
        f"{API}/{meeting.code}/minutes", {**said, "summary": "到会13人", "reason": "漏记"}, content_type=JSON
    )
    assert changed.json()["version"] == 2
    alice = as_(world.alice)
    assert alice.get(f"{API}/{meeting.code}/minutes").json()["summary"] == "到会13人"
    versions = alice.get(f"{API}/{meeting.code}/minutes/versions").json()
    assert [(v["number"], v["reason"], v["content"]["summary"]) for v in versions] == [(1, "漏记", "到会12人")]
    assert alice.put(f"{API}/{meeting.code}/minutes", said, content_type=JSON).status_code == 404


def test_a_topic_goes_on_the_agenda_over_the_api(world, meeting, as_):
    from linli.topics import services as topics

    topic = topics.propose(user=world.alice, place=world.s11, title="电梯夜间噪音", text="晚上十点后电梯很吵")
    alice = as_(world.alice)
    assert alice.post(f"{API}/{meeting.code}/agenda", {"topic": topic.code}, content_type=JSON).status_code == 404
    bob = as_(world.bob)
    made = bob.post(f"{API}/{meeting.code}/agenda", {"topic": topic.code}, content_type=JSON)
    assert made.status_code == 201 and made.json()["topic"] == topic.code and made.json()["title"] == "电梯夜间噪音"
    unknown = bob.post(f"{API}/{meeting.code}/agenda", {"topic": "NOSUCH"}, content_type=JSON)
    assert unknown.status_code == 422 and AgendaItem.objects.count() == 1


def test_venue_bookings_over_the_api(world, meeting, venue, as_):
    client = as_(world.carol)
    listed = client.get(f"{API}/venues/{venue.pk}/bookings", {"start": timezone.localdate(meeting.starts).isoformat()})
    assert [b["meeting"] for b in listed.json()] == [meeting.code]
    clash = client.post(
        f"{API}/venues/{venue.pk}/bookings",
        {"purpose": "合唱", "starts": meeting.starts.isoformat(), "ends": meeting.ends.isoformat()},
        content_type=JSON,
    )
    assert clash.status_code == 422 and Booking.objects.count() == 1
    ok = client.post(
        f"{API}/venues/{venue.pk}/bookings",
        {
            "purpose": "合唱",
            "starts": (meeting.ends + hours(1)).isoformat(),
            "ends": (meeting.ends + hours(2)).isoformat(),
        },
        content_type=JSON,
    )
    assert ok.status_code == 201 and Booking.objects.count() == 2


def test_the_lists_take_as_many_queries_for_many_meetings(world, as_):
    def make(n, start):
        for i in range(n):
            m = services.plan(
                user=world.carol, kind=Meeting.Kind.HALL, title=f"会{start + i}", organiser=world.committee,
                compound=world.fufeng, location="广场", starts=timezone.now() + hours(24 * (start + i)),
                ends=timezone.now() + hours(24 * (start + i) + 1),
            )  # fmt: skip
            services.invite(meeting=m, people=[world.p_alice], roles=["leaders"])

    make(1, 1)
    alice = as_(world.alice)
    alice.get(API)
    with CaptureQueriesContext(connection) as few:
        alice.get(API)
    carol = as_(world.carol)
    code = Meeting.objects.get().code
    with CaptureQueriesContext(connection) as few_invited:
        carol.get(f"{API}/{code}/invitations")
    make(8, 2)
    services.invite(meeting=Meeting.objects.get(code=code), roles=["residents"])
    with CaptureQueriesContext(connection) as many_invited:
        rows = carol.get(f"{API}/{code}/invitations").json()
    assert rows["count"] > 2 and len(many_invited) == len(few_invited)
    alice = as_(world.alice)
    alice.get(API)
    with CaptureQueriesContext(connection) as many:
        listed = alice.get(API).json()
    assert listed["count"] == 9 and all(m["my_reply"] == "pending" for m in listed["items"])
    assert len(many) == len(few)
