"""In a browser on a phone, with the network cut: bob records two visits in a stairwell without
signal; they wait on the phone; when the network returns both arrive once and the organiser's
progress counts them."""

import re

import pytest

from linli.campaigns.models import CampaignVisit
from linli.conftest import PASSWORD
from linli.tests_browser.conftest import ARGS, ARTIFACTS, CHROMIUM

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
    return context, page


def test_two_visits_recorded_offline_arrive_once_when_the_network_returns(world, campaign, browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = log_in(browser, live_server, "bob")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/campaigns/mine/")
    status = page.locator("#sync-status")
    assert status.inner_text() == "All visits are sent."

    context.set_offline(True)

    row = page.locator(f"#home-{campaign.pk}-{world.h101.pk}")
    row.get_by_role("link", name=re.compile("Record a visit")).click()
    panel = page.locator(f"#form-{campaign.pk}")
    assert panel.is_visible()
    panel.get_by_label("How many people live here?").fill("3")
    panel.locator("input[name=a_ebike][value=yes]").check()
    panel.locator("input[name=a_charge][value=garage]").check()
    panel.get_by_role("button", name="Save the visit").click()
    assert row.locator(".queued").inner_text() == "Saved on this phone: waiting to send"

    row2 = page.locator(f"#home-{campaign.pk}-{world.h102.pk}")
    row2.get_by_role("link", name=re.compile("Record a visit")).click()
    panel.get_by_label("not at home").check()
    panel.get_by_role("button", name="Save the visit").click()
    page.wait_for_function("() => !navigator.onLine")
    assert "Visits waiting to be sent: 2" in status.inner_text()
    assert CampaignVisit.objects.count() == 0
    page.screenshot(path=str(ARTIFACTS / "campaigns-offline-queue.png"), full_page=True)

    context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('sync-status').textContent === 'All visits are sent.'", timeout=45000
    )
    assert row.locator(".home-state").inner_text() == "✓ reached"
    assert row2.locator(".home-state").inner_text() == "↻ not at home"
    visits = list(CampaignVisit.objects.order_by("home_id").values_list("home_id", "outcome", "answers"))
    assert visits == [
        (world.h101.pk, "reached", {"people": 3, "ebike": True, "charge": "garage"}),
        (world.h102.pk, "not_home", {}),
    ]

    # Opened again: nothing left in the queue, nothing sent twice.
    page.reload()
    assert status.inner_text() == "All visits are sent."
    assert CampaignVisit.objects.count() == 2
    assert not errors

    context.close()
    carol_context, carol = log_in(browser, live_server, "carol")
    carol.goto(f"/campaigns/{campaign.pk}/")
    assert "1 of 5 homes reached (20%)" in carol.locator("#progress-total").inner_text()
    carol.goto(f"/campaigns/{campaign.pk}/buildings/{world.b1.pk}/")
    assert carol.get_by_text("not at home").count() >= 1
    carol_context.close()
