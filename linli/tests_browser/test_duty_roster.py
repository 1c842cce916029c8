"""Duty rosters in a browser (issue 7, part 6): the community worker makes a week of shifts at a
new post with the bulk form and puts two volunteers on duty; one asks for a swap on her phone,
the worker approves it, and the volunteer who took the shift checks in by the post's link."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from linli.conftest import PASSWORD, _person, _user
from linli.people.models import Membership
from linli.rosters.models import Duty, Post, Shift

pytestmark = pytest.mark.browser


def _log_in(page, username):
    page.goto("/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def _context(browser, live_server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def test_a_week_of_shifts_a_swap_and_check_in_by_the_posts_link(world, browser, live_server, artifacts):
    p_kim = _person("志愿者丙", "13900000031")
    Membership.objects.create(organisation=world.team, person=p_kim)
    _user("kim", p_kim)
    now = timezone.localtime()
    today, hour = now.date(), now.hour  # today's shift covers now, so it can be checked in at once

    # 1. The worker creates a post and a week of shifts with the bulk form.
    worker = _context(browser, live_server, 1280, 900)
    _log_in(worker, "carol")
    worker.goto("/rosters/")
    worker.get_by_label("Compound").select_option(label="富丰新城")
    worker.get_by_label("Name of the post").fill("南门岗")
    worker.get_by_role("button", name="Create the post").click()
    worker.wait_for_url(re.compile(r"/rosters/p/\d+/bulk/$"))
    worker.get_by_label("First day").fill(today.isoformat())
    worker.get_by_label("Last day").fill((today + dt.timedelta(days=6)).isoformat())
    worker.get_by_label("Shifts of each day").fill(f"{hour:02d}:00-{(hour + 2) % 24:02d}:00")
    worker.get_by_role("button", name="Make the shifts").click()
    worker.wait_for_url(re.compile(r"/rosters/p/\d+/\?week="))
    assert "7 shifts made." in worker.locator("main").inner_text()
    post = Post.objects.get(name="南门岗")
    shifts = list(Shift.objects.filter(post=post).order_by("starts"))
    assert len(shifts) == 7
    first, second = shifts[0], shifts[1]
    assert timezone.localtime(first.starts).date() == today
    assert worker.locator(f"#shift-{first.pk}.gap").count() == 1  # nobody yet: flagged

    # 2. Two volunteers on duty: 志愿者乙 today, 志愿者丙 tomorrow.
    worker.locator(f"#shift-{first.pk} select").select_option(label="志愿者乙")
    worker.locator(f"#shift-{first.pk}").get_by_role("button", name="Assign").click()
    worker.wait_for_load_state()
    assert "志愿者乙 is on duty" in worker.locator("main").inner_text()
    worker.goto(f"/rosters/p/{post.pk}/?week={timezone.localtime(second.starts).date().isoformat()}")
    worker.locator(f"#shift-{second.pk} select").select_option(label="志愿者丙")
    worker.locator(f"#shift-{second.pk}").get_by_role("button", name="Assign").click()
    worker.wait_for_load_state()
    assert "志愿者丙 is on duty" in worker.locator("main").inner_text()
    assert worker.locator(f"#shift-{second.pk}.gap").count() == 0
    worker.screenshot(path=str(artifacts / "roster-week-desktop.png"), full_page=True)

    # 3. 志愿者乙 cannot come: she asks 志愿者丙 to take today's shift, from her phone.
    grace = _context(browser, live_server, 390, 844)
    _log_in(grace, "grace")
    grace.goto("/rosters/mine/")
    duty = Duty.objects.get(shift=first)
    item = grace.locator(f"#duty-{duty.pk}")
    item.get_by_text("Ask for a swap").click()
    item.get_by_label("Who takes the shift").select_option(label="志愿者丙")
    item.get_by_label("Reason (optional)").fill("临时出差")
    item.get_by_role("button", name="Send the swap request").click()
    grace.wait_for_url(re.compile(r"/rosters/mine/$"))
    assert "Your swap request awaits the organisers' approval." in grace.locator("main").inner_text()

    # 4. The worker approves it.
    worker.goto(f"/rosters/p/{post.pk}/?week={today.isoformat()}")
    assert "志愿者乙 asks 志愿者丙 to take the shift." in worker.locator("main").inner_text()
    worker.get_by_role("button", name="Approve").click()
    worker.wait_for_load_state()
    assert "Swap approved." in worker.locator("main").inner_text()
    assert "志愿者丙" in worker.locator(f"#shift-{first.pk}").inner_text()
    checkin_url = worker.locator(f'a[href$="/rosters/checkin/{post.token}/"]').first.get_attribute("href")
    days = worker.locator(".roster-day")
    assert days.nth(0).bounding_box()["y"] == days.nth(1).bounding_box()["y"]  # side by side on a desk
    worker.set_viewport_size({"width": 390, "height": 844})
    first_day, second_day = days.nth(0).bounding_box(), days.nth(1).bounding_box()
    assert second_day["y"] >= first_day["y"] + first_day["height"]  # one day per block on a phone
    assert first_day["x"] + first_day["width"] <= 390
    assert worker.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    worker.screenshot(path=str(artifacts / "roster-week-phone.png"), full_page=True)

    # 5. 志愿者丙 arrives at the post and checks in by its link (the QR code's address).
    kim = _context(browser, live_server, 390, 844)
    _log_in(kim, "kim")
    kim.goto(checkin_url)
    kim.get_by_role("button", name="Check in at the post").click()
    kim.wait_for_url(re.compile(r"/rosters/mine/$"))
    assert "Checked in at your post." in kim.locator("main").inner_text()
    kim.screenshot(path=str(artifacts / "roster-checked-in-phone.png"), full_page=True)
    duty.refresh_from_db()
    assert duty.person == p_kim and duty.checked_in_at is not None
