"""In a browser, on a phone: alice proposes a topic for her stairwell and supports it (the
block updates in place), her neighbour's support makes it ready, and the community worker puts
it on a meeting's agenda; a comment is reported and hidden with its reason."""

import re

import pytest

from linli.conftest import PASSWORD
from linli.tests_browser.conftest import ARGS, ARTIFACTS, CHROMIUM
from linli.topics.models import Comment, Status, Topic

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def log_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_a_topic_from_proposal_to_the_agenda_on_a_phone(tw, browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    alice = log_in(browser, live_server, "alice")
    alice.goto("/topics/new/")
    alice.select_option("[name=t-place]", f"stairwell:{tw.s11.pk}")
    alice.fill("[name=t-title]", "楼道堆放杂物")
    alice.fill("[name=t-text]", "1单元楼道堆满纸箱，消防通道被堵。")
    alice.get_by_role("button", name="Publish the topic").click()
    topic = Topic.objects.get()
    alice.wait_for_url(re.compile(rf"/topics/{topic.code}/$"))
    alice.get_by_role("button", name="I support this topic").click()
    alice.get_by_text("You support this topic.").wait_for()  # swapped in place by htmx
    assert alice.get_by_text("1 of 2 supports needed").is_visible()
    alice.fill("[name=c-text]", "大家周末一起清理吧")
    alice.get_by_role("button", name="Post the comment").click()
    alice.screenshot(path=str(ARTIFACTS / "topic-phone.png"), full_page=True)

    nina = log_in(browser, live_server, "nina")
    nina.goto("/topics/")
    nina.get_by_role("link", name="楼道堆放杂物").click()
    nina.get_by_role("button", name="I support this topic").click()
    nina.get_by_text("2 of 2 supports needed").wait_for()
    topic.refresh_from_db()
    assert topic.status == Status.READY
    c = Comment.objects.get()
    nina.locator(f"#comment-{c.pk} summary", has_text="Report").click()
    nina.fill(f"#report-{c.pk}", "与议题无关")
    nina.get_by_role("button", name="Report to the moderators").click()
    nina.get_by_text("You reported this comment.").wait_for()

    carol = log_in(browser, live_server, "carol")
    carol.goto("/topics/moderation/")
    carol.fill(f"#hide-{c.pk}", "请围绕议题发言")
    carol.get_by_role("button", name="Hide, showing this reason").click()
    carol.get_by_text("No reported comment waits for you.").wait_for()
    carol.goto(f"/topics/{topic.code}/")
    carol.locator("summary", has_text="For the organisers").click()
    carol.fill("[name=a-meeting_title]", "1栋楼道会议 12月5日")
    carol.get_by_role("button", name="Put on the agenda").click()
    carol.get_by_text("On the agenda of: 1栋楼道会议 12月5日").wait_for()
    topic.refresh_from_db()
    assert topic.status == Status.ON_AGENDA and not topic.picked

    alice.goto(f"/topics/{topic.code}/")
    assert alice.get_by_text("Hidden by the moderators. Reason: 请围绕议题发言").is_visible()
    assert not alice.get_by_text("大家周末一起清理吧").is_visible()
    alice.goto("/topics/")
    alice.screenshot(path=str(ARTIFACTS / "topics-list-phone.png"), full_page=True)
