"""Every list export: opens in openpyxl with its header and an "About" sheet, is recorded in
the audit log, needs a login, and stops at the cap with a message. The row-by-row checks of
each list (its filters, scope and masking) sit beside its app (tests/test_export.py)."""

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.messages import get_messages
from django.utils import timezone
from openpyxl import load_workbook

from linli.campaigns import services as campaigns
from linli.lib import exports, xlsx
from linli.lib.tests.xlsx_support import about, workbook
from linli.meetings import services as meetings
from linli.meetings.models import Meeting
from linli.notices import announcements
from linli.rosters import services as rosters
from linli.votes import services as votes
from linli.votes.models import Item

# (path, log key): the list exports that need nothing but the shared world.
LISTS = [
    ("/cases/export.xlsx", "cases"),
    ("/places/compound/{w.fufeng.pk}/homes.xlsx", "compound_homes"),
    ("/places/building/{w.b1.pk}/homes.xlsx", "building_homes"),
    ("/places/stairwell/{w.s11.pk}/homes.xlsx", "stairwell_homes"),
    ("/people/organisations/export.xlsx", "organisations"),
    ("/people/organisations/{w.association.pk}/members.xlsx", "organisation_members"),
    ("/patrols/export.xlsx", "patrols"),
    ("/patrols/inspections/export.xlsx", "inspections"),
    ("/topics/export.xlsx", "topics"),
    ("/resolutions/export.xlsx", "resolutions"),
    ("/campaigns/export.xlsx", "campaigns"),
    ("/elevators/export.xlsx", "elevator_projects"),
    ("/notices/announcements/export.xlsx", "announcements"),
    ("/people/reveals/export.xlsx", "reveal_log"),
    ("/meetings/export.xlsx", "meetings"),
    ("/votes/export.xlsx", "votes"),
    ("/conventions/export.xlsx", "conventions"),
    ("/cases/revisits/export.xlsx", "revisits"),
    ("/volunteers/teams/export.xlsx", "volunteer_teams"),
    ("/volunteers/teams/{w.team.pk}/members.xlsx", "team_members"),
    ("/import/export.xlsx", "import_jobs"),
    ("/privacy/requests/export.xlsx", "privacy_requests"),
]

# (path, log key): the exports of one object, made by the `made` fixture below.
OF_ONE = [
    ("/votes/{m.vote.code}/turnout.xlsx", "vote_turnout"),
    ("/notices/announcements/{m.announcement.pk}/reach.xlsx", "announcement_reach"),
    ("/meetings/{m.meeting.code}/people.xlsx", "meeting_invitations"),
    ("/rosters/p/{m.post.pk}/shifts.xlsx", "roster_shifts"),
    ("/campaigns/{m.campaign.pk}/not-reached.xlsx", "campaign_not_reached"),
]


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def made(world, settings):
    """One of each object whose list exports: a vote, an announcement, a meeting with an
    invitation, a roster post with a shift, a running campaign (all of 富丰新城, by carol)."""
    settings.NOTICES_IN_THREAD = False
    settings.TASKS_EAGER = True
    now = timezone.now()
    m = SimpleNamespace()
    vote = votes.create_vote(
        user=world.carol, compound=world.fufeng, title="续聘物业", opens_at=now + dt.timedelta(days=20),
        closes_at=now + dt.timedelta(days=27),
    )  # fmt: skip
    votes.add_matter(vote=vote, title="续聘富丰物业三年", item=Item.PROPERTY)
    m.vote = votes.announce(vote=vote, user=world.carol, now=now)
    m.announcement = announcements.publish(
        user=world.carol, level="compound", place=world.fufeng, title="停水通知", body="周三停水"
    )
    m.meeting = meetings.plan(
        user=world.carol, kind=Meeting.Kind.HALL, title="居民议事会", organiser=world.committee,
        compound=world.fufeng, location="广场", starts=now + dt.timedelta(days=3),
        ends=now + dt.timedelta(days=3, hours=2),
    )  # fmt: skip
    meetings.invite(meeting=m.meeting, people=[world.p_alice])
    m.post = rosters.create_post(user=world.carol, compound=world.fufeng, name="东门岗")
    starts = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(8)))  # this week's
    rosters.create_shift(user=world.carol, post=m.post, starts=starts, ends=starts + dt.timedelta(hours=4))
    today = timezone.localdate()
    m.campaign = campaigns.create_campaign(
        user=world.carol, place=world.fufeng, title="入户走访", form=[{"label": "家中有独居老人吗", "kind": "yesno"}],
        starts_on=today, ends_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    campaigns.start(user=world.carol, campaign=m.campaign)
    return m


@pytest.mark.parametrize("path, key", LISTS)
def test_every_list_export_opens_and_is_logged(world, en, path, key):
    _opens_and_is_logged(world, en, path.format(w=world), key)


@pytest.mark.parametrize("path, key", OF_ONE)
def test_every_export_of_one_objects_list_opens_and_is_logged(world, made, en, path, key):
    _opens_and_is_logged(world, en, path.format(m=made), key)
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk").additional_data["rows"] > 0


def _opens_and_is_logged(world, en, url, key):
    assert en.get(url).status_code == 302  # anonymous: to the login page, no file
    en.force_login(world.carol)
    book = workbook(en.get(url))
    sheet = book.worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header and all(isinstance(h, str) and h for h in header)
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    facts = about(book)
    assert facts["Exported by"] == "社工己" and isinstance(facts["Exported at"], dt.datetime)
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.actor == world.carol and entry.additional_data["export"] == key
    assert entry.additional_data["rows"] == sheet.max_row - 1


def test_a_list_over_the_cap_gives_a_message_and_no_file(world, en, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 3)
    en.force_login(world.carol)
    response = en.get(f"/places/compound/{world.fufeng.pk}/homes.xlsx", {"x": "1"})
    assert response.status_code == 302 and response["Location"] == f"/places/compound/{world.fufeng.pk}/?x=1"
    [message] = list(get_messages(response.wsgi_request))
    assert "This list has 5 rows; an export holds at most 3." in str(message)
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


# --- the helper ------------------------------------------------------------------------------


def test_cells_keep_their_kinds_and_dates_are_local(settings):
    moment = timezone.make_aware(dt.datetime(2026, 12, 1, 1, 30), dt.UTC)  # 09:30 in Beijing
    sheet = xlsx.Sheet("表 1: 测试/检查", ["日期", "时间", "数", "码", "文"], [])
    sheet.rows = [[dt.date(2026, 12, 1), moment, Decimal("1.50"), "0755", None]]
    book = load_workbook(io.BytesIO(xlsx.as_bytes([sheet])))
    ws = book.worksheets[0]
    assert ws.title == "表 1  测试 检查"
    assert [c.value for c in ws[2]] == [dt.datetime(2026, 12, 1), dt.datetime(2026, 12, 1, 9, 30), 1.5, "0755", None]
    assert ws["A2"].number_format == "yyyy-mm-dd" and ws["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["A1"].font.b and ws.freeze_panes == "A2" and ws.column_dimensions["A"].width >= 10


def test_many_rows_stream_through_a_file():
    lines = ([n, f"第{n}行"] for n in range(20_000))
    response = xlsx.response(xlsx.as_file([xlsx.Sheet("大表", ["n", "text"], lines)]), "导出 名单.xlsx")
    assert response.streaming
    assert "filename*=utf-8''%E5%AF%BC%E5%87%BA%20%E5%90%8D%E5%8D%95.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert sum(1 for _row in book.worksheets[0].iter_rows(values_only=True)) == 20_001


def test_the_results_exports_are_logged_too(world, en):
    en.force_login(world.carol)
    params = {"place": f"community:{world.daxin.pk}", "period": "2026-11"}
    assert en.get("/results/export.xlsx", params).status_code == 200
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.actor == world.carol and entry.additional_data["export"] == "results"
    assert entry.additional_data["filters"] == {"place": f"community:{world.daxin.pk}", "period": "2026-11"}
    assert en.get("/results/cases_received/export.xlsx", params).status_code == 200
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.additional_data["export"] == "results_rows" and entry.additional_data["rows"] == 0
