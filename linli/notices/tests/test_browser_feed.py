"""The bell and the feed in a phone's browser: a reply to alice's case lights the bell; she
reads it in the feed and marks it read in place (htmx), and the bell goes quiet."""

import re

import pytest

from linli.cases import services as case_services
from linli.cases import taxonomy
from linli.cases.models import Category
from linli.conftest import PASSWORD
from linli.tests_browser.conftest import ARGS, ARTIFACTS, CHROMIUM  # the project's headless Chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def test_a_reply_lights_the_bell_and_reading_it_puts_it_out(world, phone):
    taxonomy.ensure()  # an earlier live-server test may have emptied the seeded tables
    case, _secret = case_services.submit(
        compound=world.fufeng,
        stairwell=world.s11,
        category=Category.objects.get(code="maintenance"),
        title="楼道灯坏了",
        description="1单元3楼楼道灯不亮一周了",
        reporter=world.p_alice,
    )
    case_services.reply(case=case, user=world.dave, text="已安排电工明天上午更换。")

    phone.goto("/login/")
    phone.fill("[name=username]", "alice")
    phone.fill("[name=password]", PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(re.compile(r"/$"))
    bell = phone.locator("#bell")
    assert bell.locator(".tag").inner_text().startswith("1")

    bell.click()
    phone.wait_for_url(re.compile(r"/notices/$"))
    item = phone.locator(".notice.unread")
    assert "楼道灯坏了" in item.inner_text() and "已安排电工明天上午更换。" in item.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "notices-feed-phone.png"), full_page=True)

    item.get_by_role("button", name="Mark read").click()
    phone.locator(".notice.unread").wait_for(state="detached")
    assert phone.locator("#bell .tag").count() == 0
    assert phone.locator(".notice").count() == 1  # still in the feed, read

    phone.get_by_role("link", name="Preferences").click()
    phone.wait_for_url(re.compile(r"/notices/preferences/$"))
    phone.get_by_label("A reply to my case · text message").check()
    phone.fill("[name=quiet_from]", "22:00")
    phone.fill("[name=quiet_until]", "07:00")
    phone.screenshot(path=str(ARTIFACTS / "notices-preferences-phone.png"), full_page=True)
    phone.get_by_role("button", name="Save").click()
    phone.get_by_text("Your notification preferences are saved.").wait_for()
    assert phone.get_by_label("A reply to my case · text message").is_checked()


def test_a_leader_publishes_to_his_building_and_sees_who_has_read_it(world, phone):
    phone.goto("/login/")
    phone.fill("[name=username]", "bob")
    phone.fill("[name=password]", PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(re.compile(r"/$"))
    phone.goto("/notices/announcements/new/")
    phone.select_option("[name=place]", f"building:{world.b1.pk}")
    phone.fill("[name=title]", "明天上午停水")
    phone.fill("[name=body]", "因管道维修，1栋明天8:00-12:00停水，请提前储水。")
    phone.screenshot(path=str(ARTIFACTS / "notices-announce-phone.png"), full_page=True)
    phone.get_by_role("button", name="Publish").click()
    phone.wait_for_url(re.compile(r"/notices/announcements/\d+/$"))
    phone.get_by_role("link", name="Who has read it").click()
    main = phone.locator("main").inner_text()
    assert "富丰新城 1栋 2单元" in main and "1 / 4" in main  # bob lives there and has read it
    phone.screenshot(path=str(ARTIFACTS / "notices-reach-phone.png"), full_page=True)
