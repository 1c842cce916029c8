"""The whole loop of deliberation in a browser (issue 5): alice raises a topic for her stairwell
on her phone and supports it, her neighbour's support makes it ready; the community worker
plans a stairwell meeting, invites the residents and puts the topic on its agenda; alice checks
in with the link of the QR code at the door; the minutes are written and approved, which
settles the topic; a resolution is recorded for the property company, whose clerk reports it
done; anyone sees it done on the compound's public page."""

import datetime as dt
import re

import pytest
from auditlog.context import disable_auditlog
from django.utils import timezone

from linli.conftest import PASSWORD, _user
from linli.meetings.models import Attendance, Meeting
from linli.resolutions.models import Resolution
from linli.tests_browser.conftest import ARTIFACTS
from linli.topics.models import Status, Topic

pytestmark = pytest.mark.browser

TITLE = "楼道堆放杂物影响消防通道"
DECISION = "物业一周内清走杂物，居民不再堆放"


@pytest.fixture
def loop_world(world, settings):
    settings.TOPICS_THRESHOLDS = {"stairwell": 2, "building": 3, "compound": 5, "community": 8}
    settings.LANGUAGE_CODE = "en"
    settings.NOTICES_IN_THREAD = False
    settings.TASKS_EAGER = True
    with disable_auditlog():
        world.nina = _user("nina", world.p_neighbour)  # alice's neighbour in 1栋1单元
    return world


def log_in(browser, live_server, username, *, phone=True):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, locale="en-US", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def local(moment: dt.datetime) -> str:
    """A datetime-local input's value, in the time zone of the pages."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_from_a_topic_to_a_resolution_done_in_public(loop_world, browser, live_server):
    w = loop_world
    ARTIFACTS.mkdir(exist_ok=True)

    # A topic, raised and supported on phones.
    alice = log_in(browser, live_server, "alice")
    alice.goto("/topics/new/")
    alice.select_option("[name=t-place]", f"stairwell:{w.s11.pk}")
    alice.fill("[name=t-title]", TITLE)
    alice.fill("[name=t-text]", "1单元楼道堆满纸箱和旧家具，消防通道被堵。")
    alice.get_by_role("button", name="Publish the topic").click()
    alice.wait_for_url(re.compile(r"/topics/[\w-]+/$"))
    topic = Topic.objects.get(title=TITLE)
    alice.get_by_role("button", name="I support this topic").click()
    alice.get_by_text("You support this topic.").wait_for()
    nina = log_in(browser, live_server, "nina")
    nina.goto(f"/topics/{topic.code}/")
    nina.get_by_role("button", name="I support this topic").click()
    nina.get_by_text("2 of 2 supports needed").wait_for()
    topic.refresh_from_db()
    assert topic.status == Status.READY

    # The community worker plans a stairwell meeting that began ten minutes ago.
    carol = log_in(browser, live_server, "carol", phone=False)
    carol.goto("/meetings/new/")
    carol.select_option("[name=kind]", Meeting.Kind.STAIRWELL)
    carol.fill("[name=title]", "1栋1单元楼道会议")
    carol.select_option("[name=area]", f"compound:{w.fufeng.pk}")
    carol.locator("[name=building]").wait_for()  # htmx brings the compound's buildings
    carol.select_option("[name=building]", str(w.b1.pk))
    carol.select_option("[name=stairwell]", str(w.s11.pk))
    carol.select_option("[name=organiser]", str(w.committee.pk))
    carol.fill("[name=location]", "1单元大堂")
    now = timezone.now()
    carol.fill("[name=starts]", local(now - dt.timedelta(minutes=10)))
    carol.fill("[name=ends]", local(now + dt.timedelta(hours=2)))
    carol.get_by_role("button", name="Plan the meeting").click()
    carol.wait_for_url(re.compile(r"/meetings/[\w-]+/organise/$"))  # next: invite people
    meeting = Meeting.objects.get(title="1栋1单元楼道会议")
    assert (meeting.stairwell, meeting.organiser) == (w.s11, w.committee)
    carol.get_by_label("every resident").check()
    carol.get_by_label("the property company").check()
    carol.get_by_role("button", name="Send the invitations").click()
    carol.wait_for_load_state()
    assert set(meeting.invitations.values_list("person__name", flat=True)) >= {"李爱丽", "王邻", "物业戊"}

    # The topic goes on the agenda: the residents who raised it see where.
    carol.goto(f"/meetings/{meeting.code}/minutes/")
    carol.select_option("[name=topic]", str(topic.pk))
    carol.get_by_role("button", name="Add the item").click()
    carol.wait_for_load_state()
    item = meeting.agenda.get()
    assert item.topic == topic
    alice.goto(f"/topics/{topic.code}/")
    alice.get_by_text("On the agenda of: 1栋1单元楼道会议").wait_for()

    # At the door: the QR code leads to a page with one button.
    carol.goto(f"/meetings/{meeting.code}/qr/")
    url = carol.locator(".qr-url").inner_text().strip()
    assert url.startswith("http") and f"/meetings/{meeting.code}/check-in/" in url
    alice.goto(url)
    alice.get_by_role("button", name="I am here").click()
    alice.get_by_text("Thank you: you are checked in.").wait_for()
    alice.screenshot(path=str(ARTIFACTS / "closed-loop-check-in-phone.png"), full_page=True)
    assert Attendance.objects.filter(meeting=meeting, person=w.p_alice).count() == 1

    # The minutes, written and approved: the topic is settled with the decision.
    carol.goto(f"/meetings/{meeting.code}/minutes/")
    carol.fill("[name=summary]", "到会居民8人，物业经理列席。")
    carol.fill(f"[name=i{item.pk}_decision]", DECISION)
    carol.get_by_role("button", name="Save the minutes").click()
    carol.get_by_role("button", name="Approve the minutes").click()
    carol.wait_for_load_state()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    topic.refresh_from_db()
    assert topic.status == Status.SETTLED and topic.outcome == DECISION
    alice.goto(f"/topics/{topic.code}/")
    alice.get_by_text(DECISION).first.wait_for()

    # A resolution for the property company, from the meeting's page.
    carol.goto(f"/meetings/{meeting.code}/")
    carol.get_by_role("link", name="Record a resolution").click()
    carol.fill("[name=title]", "清理1单元楼道杂物")
    carol.select_option("[name=owner]", str(w.company.pk))
    carol.fill("[name=due]", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    carol.get_by_role("button", name="Save").click()
    carol.wait_for_url(re.compile(r"/resolutions/[\w-]+/$"))
    resolution = Resolution.objects.get()
    assert (resolution.meeting, resolution.owner, resolution.public) == (meeting, w.company, True)

    # The property company's clerk reports the work done.
    dave = log_in(browser, live_server, "dave")
    dave.goto(f"/resolutions/{resolution.code}/")
    dave.fill("[name=percent]", "100")
    dave.fill("[name=text]", "杂物已全部清走，楼道畅通。")
    dave.get_by_role("button", name="Save the update").click()
    dave.get_by_text("杂物已全部清走，楼道畅通。").wait_for()
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.DONE and resolution.percent == 100

    # Anyone, without logging in, sees it done on the compound's public page.
    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url)
    page = public.new_page()
    page.set_default_timeout(15000)
    page.goto(f"/r/board/{w.fufeng.pk}/")
    page.get_by_role("link", name=re.compile("What the compound's meetings resolved")).click()
    page.wait_for_url(re.compile(rf"/resolutions/public/{w.fufeng.pk}/$"))
    page.get_by_text("清理1单元楼道杂物").wait_for()
    assert page.get_by_text("1 done, 0 in progress, 0 not started.").is_visible()
    page.screenshot(path=str(ARTIFACTS / "closed-loop-public-resolutions.png"), full_page=True)
