"""In a browser, on a phone: grace signs up for the team's Sunday service day in one tap from
the list; on the day she opens the check-in address behind the QR code and taps the one
button; the leader confirms her hours from the roster; she downloads her certificate, whose
text carries the hours."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from linli.conftest import PASSWORD
from linli.tests_browser.conftest import ARGS, ARTIFACTS, CHROMIUM
from linli.volunteers import services
from linli.volunteers.models import Activity, HoursEntry, SignUp

from .conftest import TZ, cid_text

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def log_in(browser, live_server, username):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def next_sunday_nine():
    today = timezone.localdate()
    day = today + dt.timedelta(days=(6 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ)


def test_sign_up_check_in_confirm_and_certificate_on_a_phone(vw, browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    start = next_sunday_nine()
    activity = services.create_activity(
        user=vw.leo,
        organisation=vw.team,
        kind="service_day",
        title="周日志愿服务日",
        venue="富丰新城 中心花园",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=10,
    )

    grace = log_in(browser, live_server, "grace")
    grace.goto("/volunteers/")
    grace.get_by_role("button", name="Sign up for 周日志愿服务日").click()
    grace.get_by_text("You are signed up. Thank you!").wait_for()
    assert SignUp.objects.get(activity=activity).state == "signed_up"
    grace.screenshot(path=str(ARTIFACTS / "volunteers-list-phone.png"), full_page=True)

    # Sunday comes: the service day is now starting (its times moved, its QR token unchanged).
    now = timezone.now()
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(minutes=115)
    )

    leo = log_in(browser, live_server, "leo")
    leo.goto(f"/volunteers/a/{activity.code}/")
    checkin_url = leo.locator(f"a[href*='/check-in/{activity.checkin_token}/']").get_attribute("href")
    assert leo.locator("img[alt='QR code to check in']").is_visible()

    grace.goto(checkin_url)  # what scanning the QR code opens
    grace.get_by_role("button", name="I am here: check in").click()
    grace.get_by_text("You are checked in").wait_for()
    grace.screenshot(path=str(ARTIFACTS / "volunteers-checkin-phone.png"), full_page=True)

    leo.reload()
    leo.get_by_role("button", name="Confirm hours of 志愿者乙").click()
    leo.get_by_text("Confirmed 120 minutes for 志愿者乙.").wait_for()
    assert HoursEntry.objects.get().minutes == 120

    grace.goto("/volunteers/hours/")
    grace.get_by_text("Total: 2.0 hours").wait_for()
    with grace.expect_download() as info:
        grace.get_by_role("button", name="Download the certificate (PDF)").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = cid_text(data)
    assert "志愿服务时长证明" in text and "2.0 小时" in text and "周日志愿服务日" in text
