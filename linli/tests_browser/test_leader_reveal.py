"""A building leader on a phone: log in by mobile number, walk to a stairwell, reveal a phone."""

import re

import pytest

from linli.conftest import PASSWORD
from linli.people.models import RevealLog

pytestmark = pytest.mark.browser


def test_leader_reveals_a_phone_and_finds_it_in_the_log(world, phone, artifacts):
    page = phone
    page.goto("/")
    assert "/login/" in page.url
    page.get_by_label("用户名或手机号").fill("13900000001")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_role("heading", name="我负责的楼栋").wait_for()

    page.get_by_role("link", name="富丰新城 1栋", exact=True).click()
    page.wait_for_url(re.compile(r"/places/building/\d+/$"))
    page.get_by_role("link", name="1单元", exact=True).click()
    page.wait_for_url(re.compile(r"/places/stairwell/\d+/$"))
    body = page.locator("main").inner_text()
    assert "138****0001" in body and "13800000001" not in body
    page.screenshot(path=str(artifacts / "stairwell-phone.png"), full_page=True)

    alice = page.locator("li.resident", has_text="李爱丽")
    alice.get_by_role("link", name="查看李爱丽的完整号码").click()  # HTMX: the form appears in place
    form = alice.locator("form.reveal-form")
    form.wait_for()
    assert "/reveal/" not in page.url  # still on the stairwell page
    form.get_by_role("button", name="查看").click()  # no reason yet: asked again
    form = alice.locator("form.reveal-form")
    form.get_by_text("请说明查看原因").wait_for()
    page.screenshot(path=str(artifacts / "reveal-form.png"), full_page=True)
    assert not RevealLog.objects.exists()
    form.get_by_label("入户走访").check()
    form.get_by_role("button", name="查看").click()
    alice.get_by_role("link", name="13800000001").wait_for()
    page.screenshot(path=str(artifacts / "leader-reveal.png"), full_page=True)

    entry = RevealLog.objects.get()
    assert (entry.user, entry.person, entry.field, entry.reason) == (world.bob, world.p_alice, "phone", "入户走访")

    page.get_by_role("link", name="查看记录").click()
    page.wait_for_url(re.compile(r"/people/reveals/$"))
    row = page.locator("tr.reveal-entry").first
    assert "李爱丽" in row.inner_text() and "入户走访" in row.inner_text() and "沈霞" in row.inner_text()
    page.screenshot(path=str(artifacts / "reveal-log.png"), full_page=True)


def test_pages_in_elderly_mode_and_english(world, phone, artifacts, live_server):
    page = phone
    page.goto("/login/")
    page.get_by_label("用户名或手机号").fill("carol")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="负责的社区").wait_for()
    page.screenshot(path=str(artifacts / "home-community-worker.png"), full_page=True)

    page.get_by_role("button", name="大字模式").click()
    page.wait_for_selector("body.elderly")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20
    page.goto(f"/places/stairwell/{world.s11.pk}/")
    page.screenshot(path=str(artifacts / "stairwell-elderly.png"), full_page=True)
    # Touch targets stay at least 44 px high.
    heights = page.eval_on_selector_all(
        "main a.btn, main button", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name=re.compile("Floor 2")).wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"/people/{world.p_alice.pk}/")
    page.screenshot(path=str(artifacts / "person-english-elderly.png"), full_page=True)
