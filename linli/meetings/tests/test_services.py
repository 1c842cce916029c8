"""Calling, holding and recording a meeting, and every refusal on the way."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.meetings import access, services
from linli.meetings.models import Attendance, Booking, Invitation, Meeting, MinutesVersion, OpeningHours
from linli.meetings.services import MeetingError
from linli.people.models import Membership
from linli.places.models import Venue

# A Tuesday evening, Beijing time.
T = timezone.make_aware(dt.datetime(2026, 12, 1, 19, 0))


def hours(n):
    return dt.timedelta(hours=n)


@pytest.fixture
def venue(world):
    return Venue.objects.create(compound=world.fufeng, name="富丰议事厅")


@pytest.fixture
def meeting(world, venue):
    return services.plan(
        user=world.carol, kind=Meeting.Kind.TEA_PARTY, title="1栋楼道茶话会：电梯噪音", organiser=world.committee,
        building=world.b1, starts=T, ends=T + hours(2), venue=venue,
    )  # fmt: skip


def test_planning_books_the_venue(world, meeting, venue):
    assert meeting.compound == world.fufeng and meeting.community == world.daxin
    assert meeting.booking.venue == venue and (meeting.booking.starts, meeting.booking.ends) == (T, T + hours(2))


def test_a_double_booking_is_refused_with_what_holds_the_venue(world, meeting, venue):
    with pytest.raises(MeetingError, match="already booked from 2026-12-01 19:00 to 2026-12-01 21:00"):
        services.plan(
            user=world.carol, kind=Meeting.Kind.HALL, title="议事厅", organiser=world.committee,
            compound=world.fufeng, starts=T + hours(1), ends=T + hours(3), venue=venue,
        )  # fmt: skip
    assert Meeting.objects.count() == 1 and Booking.objects.count() == 1
    # Back to back is fine: one ends as the next begins.
    services.book(venue=venue, starts=T + hours(2), ends=T + hours(3), purpose="合唱排练", user=world.carol)


def test_opening_hours_limit_bookings(world, venue):
    OpeningHours.objects.create(venue=venue, weekday=1, opens=dt.time(9), closes=dt.time(21))  # Tuesday
    services.book(venue=venue, starts=T, ends=T + hours(2), purpose="茶话会", user=world.carol)
    with pytest.raises(MeetingError, match="not open"):
        services.book(venue=venue, starts=T + hours(2), ends=T + hours(3), purpose="晚了", user=world.carol)
    with pytest.raises(MeetingError, match="not open"):  # Wednesday has no hours
        services.book(venue=venue, starts=T + hours(24), ends=T + hours(25), purpose="周三", user=world.carol)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    requests=st.lists(
        st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=8)), max_size=12
    )
)
def test_bookings_never_overlap_and_a_request_is_refused_exactly_when_it_would(world, venue, requests):
    """Property: after any sequence of requests (start, length in half-hours), the confirmed
    bookings of a venue are pairwise disjoint, and each refusal was for a real overlap."""
    Booking.objects.filter(venue=venue).delete()
    held = []
    half = dt.timedelta(minutes=30)
    for start, length in requests:
        starts, ends = T + start * half, T + (start + length) * half
        clash = any(services.overlaps(starts, ends, a, b) for a, b in held)
        try:
            services.book(venue=venue, starts=starts, ends=ends, purpose="x", user=world.carol)
            assert not clash
            held.append((starts, ends))
        except MeetingError:
            assert clash
    rows = list(Booking.objects.filter(venue=venue, cancelled=False).values_list("starts", "ends"))
    assert sorted(rows) == sorted(held)
    for i, (a, b) in enumerate(rows):
        for c, d in rows[i + 1 :]:
            assert not services.overlaps(a, b, c, d)


def test_rescheduling_moves_the_booking_and_cancelling_frees_the_venue(world, meeting, venue):
    services.reschedule(meeting=meeting, user=world.carol, starts=T + hours(1), ends=T + hours(3))
    meeting.refresh_from_db()
    assert (meeting.booking.starts, meeting.booking.ends) == (T + hours(1), T + hours(3))
    assert Booking.objects.filter(venue=venue, cancelled=False).count() == 1
    with pytest.raises(MeetingError, match="reason"):
        services.cancel(meeting=meeting, user=world.carol, reason="")
    services.cancel(meeting=meeting, user=world.carol, reason="台风")
    services.book(venue=venue, starts=T + hours(1), ends=T + hours(3), purpose="改期后的会", user=world.carol)


def test_who_may_call_a_meeting_where(world, venue):
    def call(user, **place):
        return services.plan(
            user=user, kind=Meeting.Kind.STAIRWELL, title="楼道会议", organiser=world.committee, starts=T,
            ends=T + hours(1), location="1单元大堂", **place,
        )  # fmt: skip

    assert call(world.bob, stairwell=world.s11).stairwell == world.s11  # a leader, his building
    with pytest.raises(MeetingError, match="may not"):
        call(world.bob, stairwell=world.s21)  # not his building
    with pytest.raises(MeetingError, match="may not"):
        call(world.alice, stairwell=world.s11)  # a resident does not call meetings
    with pytest.raises(MeetingError, match="may not"):
        call(world.olga, stairwell=world.s11)
    assert call(world.ivy, compound=world.fufeng).compound == world.fufeng  # owners' committee
    assert call(world.carol, community=world.daxin).compound is None  # community-wide
    with pytest.raises(MeetingError, match="may not"):
        call(world.ivy, community=world.daxin)  # a compound's committee is not the community's


def test_bad_plans_are_refused(world, venue):
    base = dict(user=world.carol, kind=Meeting.Kind.HALL, organiser=world.committee, compound=world.fufeng)
    with pytest.raises(MeetingError, match="title"):
        services.plan(title=" ", starts=T, ends=T + hours(1), location="x", **base)
    with pytest.raises(MeetingError, match="end must come after"):
        services.plan(title="x", starts=T, ends=T, location="x", **base)
    with pytest.raises(MeetingError, match="link"):
        services.plan(title="x", starts=T, ends=T + hours(1), mode=Meeting.Mode.ONLINE, **base)
    with pytest.raises(MeetingError, match="where"):
        services.plan(title="x", starts=T, ends=T + hours(1), **base)
    other = Venue.objects.create(compound=world.yijing, name="同心阁")
    with pytest.raises(MeetingError, match="venue is not in this community"):
        services.plan(title="x", starts=T, ends=T + hours(1), venue=other, **base)
    assert not Meeting.objects.exists() and not Booking.objects.exists()


def test_invitations_by_role_and_place_reach_each_person_once(world, meeting, django_capture_on_commit_callbacks):
    from linli.notices.models import Notification

    Membership.objects.create(organisation=world.company, person=world.p_bob, role=Membership.Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        added = services.invite(meeting=meeting, roles=["leaders", "property", "association"])
    invited = set(Invitation.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    assert invited == {world.p_bob.pk, world.p_dave.pk, world.p_henry.pk} and added == 3  # bob once
    assert Notification.objects.filter(user=world.dave, kind="meeting.invited").count() == 1
    assert services.invite(meeting=meeting, roles=["leaders"]) == 0
    residents = services.invite(meeting=meeting, roles=["residents"])
    assert residents == 3  # alice, her neighbour, the owner in 1栋2单元 (bob is invited already)


def test_replies_come_only_from_the_invited(world, meeting):
    services.invite(meeting=meeting, people=[world.p_alice])
    assert services.reply(meeting=meeting, user=world.alice, answer="yes").reply == "yes"
    with pytest.raises(MeetingError, match="not invited"):
        services.reply(meeting=meeting, user=world.olga, answer="yes")
    with pytest.raises(MeetingError):
        services.reply(meeting=meeting, user=world.alice, answer="perhaps")


def test_check_in_by_qr_needs_this_meetings_code_and_its_time(world, meeting):
    other = services.plan(
        user=world.carol, kind=Meeting.Kind.HALL, title="另一个会", organiser=world.committee, compound=world.fufeng,
        starts=T, ends=T + hours(1), location="广场",
    )  # fmt: skip
    with pytest.raises(MeetingError, match="another meeting"):
        services.check_in(meeting=meeting, user=world.alice, token=other.checkin_token, now=T)
    with pytest.raises(MeetingError, match="Check-in is open from 2026-12-01 18:30 to 2026-12-01 21:30"):
        services.check_in(meeting=meeting, user=world.alice, token=meeting.checkin_token, now=T - hours(1))
    attendance, new = services.check_in(meeting=meeting, user=world.alice, token=meeting.checkin_token, now=T)
    assert new and attendance.how == Attendance.How.QR
    again, new = services.check_in(meeting=meeting, user=world.alice, token=meeting.checkin_token, now=T + hours(1))
    assert not new and again.pk == attendance.pk
    services.mark_attended(meeting=meeting, person=world.p_neighbour, user=world.carol)
    assert Attendance.objects.filter(meeting=meeting).count() == 2


def test_minutes_freeze_on_approval_and_later_changes_are_versioned_with_a_reason(world, meeting):
    item = services.add_agenda_item(meeting=meeting, title="电梯夜间噪音")
    with pytest.raises(MeetingError, match="Write the minutes"):
        services.approve_minutes(meeting=meeting, user=world.carol, now=T + hours(2))
    said = {"summary": "住户反映夜间噪音", "positions": "物业：更换曳引机减震垫", "decision": "两周内更换"}
    services.write_minutes(meeting=meeting, user=world.carol, summary="到会12人", items={item.pk: said})
    with pytest.raises(MeetingError, match="after the meeting"):
        services.approve_minutes(meeting=meeting, user=world.carol, now=T - hours(1))
    minutes = services.approve_minutes(meeting=meeting, user=world.carol, now=T + hours(2))
    meeting.refresh_from_db()
    assert minutes.frozen and meeting.status == Meeting.Status.HELD
    with pytest.raises(MeetingError, match="reason"):
        services.write_minutes(meeting=meeting, user=world.carol, summary="改过", items={})
    with pytest.raises(MeetingError, match="agenda can no longer change"):
        services.add_agenda_item(meeting=meeting, title="临时动议")
    minutes.refresh_from_db()
    assert minutes.summary == "到会12人" and minutes.version == 1
    services.write_minutes(meeting=meeting, user=world.carol, summary="到会13人", items={}, reason="漏记一位到会居民")
    minutes.refresh_from_db()
    assert minutes.summary == "到会13人" and minutes.version == 2
    old = MinutesVersion.objects.get(minutes=minutes)
    assert old.number == 1 and old.content["summary"] == "到会12人" and old.reason == "漏记一位到会居民"
    assert old.content["items"][str(item.pk)]["decision"] == "两周内更换"


def test_who_sees_a_meeting(world, meeting):
    services.invite(meeting=meeting, people=[world.p_dave])
    seen = {u: access.visible_meetings(getattr(world, u)).filter(pk=meeting.pk).exists() for u in
            ["alice", "bob", "carol", "jack", "erin", "dave", "ivy", "olga", "grace"]}  # fmt: skip
    # alice lives in 1栋; bob leads it; staff of 大新社区; dave is invited; ivy sits on the
    # owners' committee; olga lives elsewhere; grace (volunteer) lives nowhere here.
    assert seen == {
        "alice": True, "bob": True, "carol": True, "jack": True, "erin": True, "dave": True, "ivy": True,
        "olga": False, "grace": False,
    }  # fmt: skip
    assert access.can_organise(world.carol, meeting) and access.can_organise(world.bob, meeting)
    assert not access.can_organise(world.alice, meeting) and not access.can_organise(world.dave, meeting)


def test_the_meeting_in_a_calendar(world, meeting):
    from icalendar import Calendar

    event = Calendar.from_ical(services.ical(meeting, url="https://example.org/m/")).walk("VEVENT")[0]
    assert str(event["summary"]) == meeting.title
    assert event.decoded("dtstart") == T and str(event["location"]) == "富丰议事厅"


def test_a_topic_residents_raised_goes_on_the_agenda(world, meeting):
    from linli.topics import services as topics
    from linli.topics.models import Status

    topic = topics.propose(user=world.alice, place=world.s11, title="电梯夜间噪音", text="晚上十点后电梯很吵")
    item = services.add_agenda_item(meeting=meeting, topic=topic, user=world.carol)
    topic.refresh_from_db()
    assert item.title == "电梯夜间噪音" and item.topic == topic
    assert topic.status == Status.ON_AGENDA and topic.meeting_title == meeting.title
    with pytest.raises(MeetingError):  # a resident is no organiser: nothing is added
        services.add_agenda_item(meeting=meeting, topic=topic, user=world.alice)
    assert meeting.agenda.count() == 1
    elsewhere = topics.propose(user=world.olga, place=world.ys, title="颐景园的事", text="别处的议题")
    with pytest.raises(MeetingError, match="another community"):
        services.add_agenda_item(meeting=meeting, topic=elsewhere, user=world.carol)


def test_approving_the_minutes_settles_the_topics_dealt_with_and_tells_their_supporters(
    world, meeting, django_capture_on_commit_callbacks
):
    from linli.notices.models import Notification
    from linli.topics import services as topics
    from linli.topics.models import Status

    raised = topics.propose(user=world.alice, place=world.s11, title="电梯夜间噪音", text="晚上十点后电梯很吵")
    item = services.add_agenda_item(meeting=meeting, topic=raised, user=world.carol)
    untouched = topics.propose(user=world.alice, place=world.s11, title="楼道灯坏了", text="三楼的灯不亮")
    said = {"summary": "住户反映夜间噪音", "positions": "", "decision": "物业两周内更换曳引机减震垫"}
    services.write_minutes(meeting=meeting, user=world.carol, summary="到会12人", items={item.pk: said})
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_minutes(meeting=meeting, user=world.carol, now=T + hours(2))
    raised.refresh_from_db()
    untouched.refresh_from_db()
    assert raised.status == Status.SETTLED and raised.outcome == "物业两周内更换曳引机减震垫"
    assert raised.decided_by == world.carol
    assert untouched.status == Status.OPEN  # not on this meeting's agenda
    assert Notification.objects.filter(user=world.alice, kind="topic.settled").count() == 1
