"""The meeting pages: who sees which (organiser, invited participant, resident of the place,
resident elsewhere, anonymous), replying, checking in by the QR code, planning with a double
booking, minutes frozen on approval and versioned through the page, the calendar file, the
PDF, and lists whose queries do not grow with the number of meetings."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.lib.tests import pdfdoc
from linli.meetings import services
from linli.meetings.models import AgendaItem, Attendance, Booking, Invitation, Meeting, Minutes, MinutesVersion
from linli.meetings.views_pdf import lines
from linli.places.models import Venue

HX = {"HTTP_HX_REQUEST": "true"}


def hours(n):
    return dt.timedelta(hours=n)


@pytest.fixture
def en(client):
    """en(user) -> the test client logged in as `user` (or anonymous), pages in English."""

    def _client(user=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _client


@pytest.fixture
def venue(world):
    return Venue.objects.create(compound=world.fufeng, name="富丰议事厅")


@pytest.fixture
def meeting(world, venue):
    """A tea party of 富丰新城 1栋 that began ten minutes ago, in the venue; dave (the property
    clerk, living elsewhere) is invited by role."""
    now = timezone.now()
    m = services.plan(
        user=world.carol, kind=Meeting.Kind.TEA_PARTY, title="1栋楼道茶话会", organiser=world.committee,
        building=world.b1, starts=now - dt.timedelta(minutes=10), ends=now + hours(2), venue=venue,
    )  # fmt: skip
    services.invite(meeting=m, roles=["property"])
    return m


def url(m, rest=""):
    return f"/meetings/{m.code}/{rest}"


# --- who sees what ----------------------------------------------------------------------------

PAGES = ["", "calendar.ics"]
ORGANISER_PAGES = ["organise/", "people/", "qr/", "qr.png", "minutes/"]


@pytest.mark.parametrize(
    "who, sees, organises",
    [
        ("carol", True, True),  # community worker of 大新社区
        ("bob", True, True),  # leader of 1栋: the building's meetings are his to call
        ("dave", True, False),  # invited (the property company)
        ("alice", True, False),  # lives in 1栋
        ("olga", False, False),  # lives in another community
    ],
)
def test_permission_matrix_of_the_pages(world, meeting, en, who, sees, organises):
    client = en(getattr(world, who))
    for page in PAGES:
        assert client.get(url(meeting, page)).status_code == (200 if sees else 404), page
    for page in ORGANISER_PAGES:
        assert client.get(url(meeting, page)).status_code == (200 if organises else 404), page
    listed = client.get("/meetings/")
    assert listed.status_code == 200 and (meeting.title in listed.content.decode()) == sees
    assert client.get("/meetings/new/").status_code == (200 if organises else 404)
    assert client.get(f"/meetings/venues/{meeting.venue_id}/").status_code == (200 if organises else 404)


def test_anonymous_is_sent_to_log_in_and_back(world, meeting, en):
    client = en()
    for page in ["", "organise/", f"check-in/{meeting.checkin_token}/", "minutes.pdf"]:
        response = client.get(url(meeting, page))
        assert response.status_code == 302 and "next=" in response["Location"], page
    assert client.get("/meetings/").status_code == 302


def test_the_meeting_page_tells_when_where_who_and_offers_the_calendar(world, meeting, en):
    page = en(world.alice).get(url(meeting)).content.decode()
    assert "富丰议事厅" in page and "大新社区居委会" in page and "stairwell tea party" in page
    assert "富丰新城 1栋" in page
    assert url(meeting, "calendar.ics") in page
    assert "For the organisers" not in page
    assert len(page.encode()) < 100_000
    assert "<script>" not in page and "style=" not in page  # CSP: no inline scripts or styles
    organiser = en(world.carol).get(url(meeting)).content.decode()
    assert "For the organisers" in organiser and url(meeting, "qr/") in organiser


# --- replying ---------------------------------------------------------------------------------


def test_an_invited_person_replies_and_a_resident_not_invited_is_told(world, meeting, en):
    client = en(world.dave)
    response = client.post(url(meeting, "reply/"), {"answer": "yes"})
    assert response.status_code == 302
    assert Invitation.objects.get(meeting=meeting, person=world.p_dave).reply == "yes"
    partial = client.post(url(meeting, "reply/"), {"answer": "maybe"}, **HX)
    assert partial.status_code == 200 and "may come" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    bad = client.post(url(meeting, "reply/"), {"answer": "perhaps"}, **HX)
    assert bad.status_code == 422 and "Answer yes, no or maybe" in bad.content.decode()
    assert Invitation.objects.get(meeting=meeting, person=world.p_dave).reply == "maybe"
    alice = en(world.alice).post(url(meeting, "reply/"), {"answer": "yes"})
    assert alice.status_code == 400 and "You are not invited to this meeting." in alice.content.decode()
    assert not Invitation.objects.filter(meeting=meeting, person=world.p_alice).exists()
    assert en(world.olga).post(url(meeting, "reply/"), {"answer": "yes"}).status_code == 404


# --- check-in -----------------------------------------------------------------------------------


def test_check_in_by_the_qr_code(world, meeting, en):
    client = en(world.alice)
    target = url(meeting, f"check-in/{meeting.checkin_token}/")
    page = client.get(target)
    assert page.status_code == 200 and "I am here" in page.content.decode()
    done = client.post(target)
    assert done.status_code == 200 and "you are checked in" in done.content.decode()
    assert Attendance.objects.get(meeting=meeting, person=world.p_alice).how == Attendance.How.QR
    again = client.post(target)
    assert "checked in already" in again.content.decode()
    assert Attendance.objects.filter(meeting=meeting).count() == 1


def test_check_in_with_another_meetings_code_or_outside_the_window_is_refused(world, meeting, en):
    later = services.plan(
        user=world.carol, kind=Meeting.Kind.HALL, title="议事厅", organiser=world.committee, compound=world.fufeng,
        starts=timezone.now() + hours(24), ends=timezone.now() + hours(26), location="广场",
    )  # fmt: skip
    client = en(world.alice)
    wrong = client.post(url(meeting, f"check-in/{later.checkin_token}/"))
    assert wrong.status_code == 400 and "This code is for another meeting." in wrong.content.decode()
    early = client.post(url(later, f"check-in/{later.checkin_token}/"))
    assert early.status_code == 400 and "Check-in is open from" in early.content.decode()
    assert not Attendance.objects.exists()
    # Someone the meeting is not for does not learn it exists.
    assert en(world.olga).post(url(meeting, f"check-in/{meeting.checkin_token}/")).status_code == 404


def test_the_qr_code_leads_to_the_check_in_page(world, meeting, en):
    client = en(world.carol)
    page = client.get(url(meeting, "qr/")).content.decode()
    assert f"/meetings/{meeting.code}/check-in/{meeting.checkin_token}/" in page
    image = client.get(url(meeting, "qr.png"))
    assert image["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")


def test_organisers_mark_attendance_and_see_replies(world, meeting, en):
    services.invite(meeting=meeting, people=[world.p_alice])
    client = en(world.carol)
    page = client.get(url(meeting, "people/")).content.decode()
    assert "李爱丽" in page  # a resident within carol's reach: the full name
    assert "物**" in page and "物业戊" not in page  # the clerk, invited by role, lives outside it: masked
    assert client.post(url(meeting, "people/mark/"), {"person": world.p_dave.pk}).status_code == 302
    assert Attendance.objects.get(meeting=meeting, person=world.p_dave).how == Attendance.How.ORGANISER
    # Someone outside the organiser's reach and not invited cannot be marked.
    assert client.post(url(meeting, "people/mark/"), {"person": world.p_olga.pk}).status_code == 404
    assert en(world.alice).post(url(meeting, "people/mark/"), {"person": world.p_alice.pk}).status_code == 404


def test_invite_by_role_and_by_name(world, meeting, en):
    client = en(world.bob)
    found = client.get(url(meeting, "organise/"), {"q": "李爱"}).content.decode()
    assert "李爱丽" in found
    response = client.post(url(meeting, "organise/invite/"), {"roles": ["leaders"], "people": [world.p_alice.pk]})
    assert response.status_code == 302
    invited = set(Invitation.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    assert invited == {world.p_dave.pk, world.p_bob.pk, world.p_alice.pk}
    # Olga is beyond bob's reach: her id is ignored, nothing else is done.
    nobody = client.post(url(meeting, "organise/invite/"), {"people": [world.p_olga.pk]})
    assert nobody.status_code == 400 and "Tick a role or a person" in nobody.content.decode()
    assert not Invitation.objects.filter(meeting=meeting, person=world.p_olga).exists()


def test_move_and_cancel_through_the_page(world, meeting, en, venue):
    client = en(world.carol)
    other = services.book(
        venue=venue, starts=meeting.ends + hours(1), ends=meeting.ends + hours(2), purpose="合唱排练", user=world.carol
    )
    fmt = "%Y-%m-%dT%H:%M"
    clash = client.post(
        url(meeting, "organise/reschedule/"),
        {
            "starts": timezone.localtime(other.starts).strftime(fmt),
            "ends": timezone.localtime(other.ends).strftime(fmt),
        },
    )
    assert clash.status_code == 400 and "is already booked from" in clash.content.decode()
    assert "合唱排练" in clash.content.decode()
    meeting.refresh_from_db()
    assert meeting.ends < other.starts
    empty = client.post(url(meeting, "organise/cancel/"), {"reason": ""})
    assert empty.status_code == 400
    assert client.post(url(meeting, "organise/cancel/"), {"reason": "台风"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert Booking.objects.get(pk=meeting.booking_id).cancelled  # the venue is free again


# --- planning -----------------------------------------------------------------------------------


def test_plan_a_meeting_and_a_double_booking_shows_what_holds_the_venue(world, meeting, en, venue):
    client = en(world.carol)
    page = client.get("/meetings/new/", {"area": f"compound:{world.fufeng.pk}"}).content.decode()
    assert "富丰议事厅" in page and "大新社区居委会" in page
    bookings = client.get("/meetings/new/bookings/", {"venue": venue.pk}, **HX).content.decode()
    assert "1栋楼道茶话会" in bookings
    fmt = "%Y-%m-%dT%H:%M"
    start = timezone.localtime(meeting.starts + hours(1))
    data = {
        "kind": "hall", "title": "议事厅：停车", "area": f"compound:{world.fufeng.pk}", "organiser": world.committee.pk,
        "mode": "offline", "venue": venue.pk, "starts": start.strftime(fmt), "ends": (start + hours(1)).strftime(fmt),
    }  # fmt: skip
    refused = client.post("/meetings/new/", data)
    assert refused.status_code == 400
    assert (
        "富丰议事厅 is already booked from" in refused.content.decode() and "1栋楼道茶话会" in refused.content.decode()
    )
    assert Meeting.objects.count() == 1
    data.update(starts=(start + hours(5)).strftime(fmt), ends=(start + hours(6)).strftime(fmt))
    made = client.post("/meetings/new/", data)
    assert made.status_code == 302
    planned = Meeting.objects.get(title="议事厅：停车")
    assert planned.compound == world.fufeng and planned.booking.venue == venue


def test_a_leader_plans_for_his_building_only(world, en):
    client = en(world.bob)
    page = client.get("/meetings/new/").content.decode()
    assert "富丰新城" in page and "颐景园" not in page
    # He calls it in the name of the community's residents' committee (he belongs to no organisation);
    # an owners' committee member also in the name of his own committee.
    assert "大新社区居委会" in page and "富丰新城业主委员会" not in page
    ivy = en(world.ivy).get("/meetings/new/").content.decode()
    assert "富丰新城业主委员会" in ivy and "大新社区居委会" in ivy and "大新社区党委" not in ivy
    client = en(world.bob)
    fmt = "%Y-%m-%dT%H:%M"
    start = timezone.localtime(timezone.now() + hours(48))
    data = {
        "kind": "stairwell", "title": "楼道会议", "area": f"compound:{world.fufeng.pk}", "building": world.b2.pk,
        "organiser": world.committee.pk, "mode": "offline", "location": "2栋大堂",
        "starts": start.strftime(fmt), "ends": (start + hours(1)).strftime(fmt),
    }  # fmt: skip
    refused = client.post("/meetings/new/", data)
    assert refused.status_code == 400 and "You may not call a meeting for this place." in refused.content.decode()
    data["building"] = world.b1.pk
    assert client.post("/meetings/new/", data).status_code == 302
    assert Meeting.objects.get().building == world.b1


# --- agenda and minutes ---------------------------------------------------------------------------


def test_minutes_freeze_on_approval_and_changes_are_versioned_through_the_page(world, meeting, en):
    client = en(world.carol)
    assert client.post(url(meeting, "agenda/"), {"title": "电梯夜间噪音"}).status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    said = {
        "summary": "到会12人",
        f"i{item.pk}_summary": "住户反映夜间噪音",
        f"i{item.pk}_positions": "物业：更换减震垫",
        f"i{item.pk}_decision": "两周内更换",
    }
    assert client.post(url(meeting, "minutes/"), said).status_code == 302
    # A resident does not read a draft.
    assert "两周内更换" not in en(world.alice).get(url(meeting)).content.decode()
    assert en(world.alice).get(url(meeting, "minutes.pdf")).status_code == 404
    client = en(world.carol)
    assert client.post(url(meeting, "minutes/approve/")).status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.frozen
    refused = client.post(url(meeting, "minutes/"), {**said, "summary": "到会13人"})
    assert refused.status_code == 400 and "give the reason" in refused.content.decode()
    minutes.refresh_from_db()
    assert minutes.summary == "到会12人" and minutes.version == 1
    late = client.post(url(meeting, "agenda/"), {"title": "临时动议"})
    assert late.status_code == 400 and AgendaItem.objects.filter(meeting=meeting).count() == 1
    changed = client.post(url(meeting, "minutes/"), {**said, "summary": "到会13人", "reason": "漏记一位居民"})
    assert changed.status_code == 302
    minutes.refresh_from_db()
    assert minutes.summary == "到会13人" and minutes.version == 2
    # The resident reads the approved minutes, the versions and the old text.
    page = en(world.alice).get(url(meeting)).content.decode()
    assert "到会13人" in page and "两周内更换" in page and "漏记一位居民" in page
    old = en(world.alice).get(url(meeting, "minutes/v1/"))
    assert old.status_code == 200 and "到会12人" in old.content.decode()
    assert MinutesVersion.objects.get().number == 1


def test_an_agenda_item_from_a_case_needs_the_case_within_reach(world, meeting, en):
    from linli.cases import services as cases_services
    from linli.cases import taxonomy
    from linli.cases.models import Category

    taxonomy.ensure()
    case, _secret = cases_services.submit(
        compound=world.fufeng, stairwell=world.s11, category=Category.objects.filter(active=True).first(),
        title="电梯异响", description="夜里电梯响", reporter=world.p_alice,
    )  # fmt: skip
    other, _secret = cases_services.submit(
        compound=world.yijing, category=Category.objects.filter(active=True).first(), title="别处的事",
        description="颐景园的事", reporter=world.p_olga,
    )  # fmt: skip
    client = en(world.carol)
    assert client.post(url(meeting, "agenda/"), {"case": case.code}).status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.case == case and item.title == "电梯异响"
    refused = client.post(url(meeting, "agenda/"), {"case": other.code})
    assert refused.status_code == 400 and "No case with this code within your reach." in refused.content.decode()
    assert AgendaItem.objects.filter(meeting=meeting).count() == 1


def test_a_topic_residents_raised_goes_on_the_agenda_from_the_page(world, meeting, en):
    from linli.topics import services as topics
    from linli.topics.models import Status

    topic = topics.propose(user=world.alice, place=world.s11, title="电梯夜间噪音", text="晚上十点后电梯很吵")
    elsewhere = topics.propose(user=world.olga, place=world.ys, title="颐景园的事", text="别处的议题")
    client = en(world.carol)
    page = client.get(url(meeting, "minutes/")).content.decode()
    assert "电梯夜间噪音" in page and "颐景园的事" not in page
    refused = client.post(url(meeting, "agenda/"), {"topic": elsewhere.pk})
    assert refused.status_code == 400 and not AgendaItem.objects.exists()
    assert client.post(url(meeting, "agenda/"), {"topic": topic.pk}).status_code == 302
    item = AgendaItem.objects.get(meeting=meeting)
    topic.refresh_from_db()
    assert item.topic == topic and item.title == "电梯夜间噪音" and topic.status == Status.ON_AGENDA
    assert "topic raised by residents" in en(world.alice).get(url(meeting)).content.decode()


def test_the_minutes_pdf(world, meeting, en):
    item = services.add_agenda_item(meeting=meeting, title="电梯夜间噪音")
    services.write_minutes(
        meeting=meeting, user=world.carol, summary="气氛良好",
        items={item.pk: {"summary": "住户反映噪音", "positions": "物业：愿意更换", "decision": "两周内更换减震垫"}},
    )  # fmt: skip
    services.mark_attended(meeting=meeting, person=world.p_dave, user=world.carol)
    services.mark_attended(meeting=meeting, person=world.p_alice, user=world.carol)
    services.approve_minutes(meeting=meeting, user=world.carol)
    response = en(world.alice).get(url(meeting, "minutes.pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    minutes = Minutes.objects.get(meeting=meeting)
    text = "\n".join(row for _head, rows in lines(meeting, minutes) for row in rows)
    heads = [head for head, _rows in lines(meeting, minutes)]
    assert "到会人数：2 人" in text and "富丰物业" in text  # the organisation present, not the residents' names
    assert "李爱丽" not in text
    assert "决定：两周内更换减震垫" in text and "各方意见：物业：愿意更换" in text
    assert "议程1：电梯夜间噪音" in heads
    assert "审定人：社工己" in text and "第 1 版" in text and "富丰议事厅" in text and "楼道茶话会" in text
    pdfdoc.require_cjk_font()
    drawn = pdfdoc.embedded_chinese(response.content)  # the font travels with the file, every glyph in it
    assert "决定：两周内更换减震垫" in drawn and "楼道茶话会" in drawn


def test_the_calendar_file(world, meeting, en):
    from icalendar import Calendar

    response = en(world.alice).get(url(meeting, "calendar.ics"))
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["summary"]) == "1栋楼道茶话会" and event.decoded("dtstart") == meeting.starts.replace(
        microsecond=0
    )
    assert str(event["url"]).endswith(f"/meetings/{meeting.code}/")


# --- venues ---------------------------------------------------------------------------------------


def test_a_venues_week_and_booking_it(world, meeting, en, venue):
    client = en(world.carol)
    week = timezone.localdate(meeting.starts).isoformat()
    page = client.get(f"/meetings/venues/{venue.pk}/", {"week": week}).content.decode()
    assert "1栋楼道茶话会" in page
    fmt = "%Y-%m-%dT%H:%M"
    start = timezone.localtime(meeting.starts)
    clash = client.post(
        f"/meetings/venues/{venue.pk}/book/",
        {"purpose": "合唱", "starts": start.strftime(fmt), "ends": (start + hours(1)).strftime(fmt)},
    )
    assert clash.status_code == 400 and "is already booked from" in clash.content.decode()
    assert Booking.objects.filter(venue=venue).count() == 1
    ok = client.post(
        f"/meetings/venues/{venue.pk}/book/",
        {"purpose": "合唱", "starts": (start + hours(3)).strftime(fmt), "ends": (start + hours(4)).strftime(fmt)},
    )
    assert ok.status_code == 302 and Booking.objects.filter(venue=venue).count() == 2


# --- queries ----------------------------------------------------------------------------------------


def test_the_list_takes_as_many_queries_for_many_meetings(world, en, venue):
    def make(n, start):
        for i in range(n):
            m = services.plan(
                user=world.carol, kind=Meeting.Kind.HALL, title=f"会{start + i}", organiser=world.committee,
                compound=world.fufeng, location="广场",
                starts=timezone.now() + hours(24 * (start + i) - 100),
                ends=timezone.now() + hours(24 * (start + i) - 99),
            )  # fmt: skip
            services.invite(meeting=m, people=[world.p_alice])

    client = en(world.alice)
    make(1, 0)
    client.get("/meetings/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/meetings/").status_code == 200
    make(8, 1)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/meetings/")
    assert page.content.decode().count("will come") == 0 and page.content.decode().count("no reply yet") == 9
    assert len(many) == len(few)
    assert len(page.content) < 100_000


def test_the_replies_page_takes_as_many_queries_for_many_invited(world, meeting, en):
    client = en(world.carol)
    client.get(url(meeting, "people/"))
    with CaptureQueriesContext(connection) as few:
        client.get(url(meeting, "people/"))
    services.invite(meeting=meeting, roles=["residents", "leaders", "association"])
    services.mark_attended(meeting=meeting, person=world.p_alice, user=world.carol)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url(meeting, "people/"))
    assert page.content.decode().count("Mark present") == 5  # six invited, alice marked already
    assert len(many) == len(few)


def test_without_javascript_show_redraws_the_plan_with_the_venues_bookings(world, meeting, en, venue):
    client = en(world.carol)
    area = f"compound:{world.fufeng.pk}"
    shown = client.post("/meetings/new/", {"show": "1", "area": area, "venue": venue.pk, "title": "草稿标题"})
    text = shown.content.decode()
    assert shown.status_code == 200 and "1栋楼道茶话会" in text and "草稿标题" in text and "1栋" in text
    assert Meeting.objects.count() == 1
    partial = client.get("/meetings/new/places/", {"area": area}, **HX).content.decode()
    assert "<html" not in partial and "2栋" in partial and "富丰议事厅" in partial
    assert client.get("/meetings/new/places/", {"area": f"compound:{world.yijing.pk}"}, **HX).status_code == 404
