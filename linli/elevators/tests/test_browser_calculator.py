"""In a browser: a community worker changes a floor's coefficient, previews the shares in place,
adopts them and downloads the agreement; a resident on a phone sees his own share only."""

import re

import pytest
from playwright.sync_api import expect

from linli.conftest import PASSWORD
from linli.elevators.models import CostShare, ElevatorProject
from linli.tests_browser.conftest import ARGS, ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def log_in(browser, live_server, username, **context):
    page = browser.new_context(locale="en-US", base_url=live_server.url, **context).new_page()
    page.set_default_timeout(15000)
    page.goto("/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_preview_adopt_and_a_resident_sees_his_share(ew, project, browser, live_server):
    ARTIFACTS.mkdir(exist_ok=True)
    desk = log_in(browser, live_server, "carol", viewport={"width": 1280, "height": 900})
    desk.goto(f"/elevators/{project.pk}/plan/")
    preview = desk.locator("#preview")
    assert "126495.81" in preview.inner_text()
    desk.fill("[name=plan-floor_3]", "1.00")
    desk.get_by_role("button", name="Preview").click()
    # htmx swaps the preview in place: 300,000 × 89.50 / 191.80 for 201.
    expect(desk.locator("#preview")).to_contain_text("139989.57")
    assert "160010.43" in desk.locator("#preview").inner_text()
    assert desk.url.endswith(f"/elevators/{project.pk}/plan/")
    desk.screenshot(path=str(ARTIFACTS / "elevator-calculator-desk.png"), full_page=True)
    desk.get_by_label(re.compile("The owners agreed this plan")).check()
    desk.get_by_role("button", name="Adopt and freeze the shares").click()
    desk.wait_for_url(re.compile(rf"/elevators/{project.pk}/$"))
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.ADOPTED
    assert dict(CostShare.objects.filter(project=project).values_list("home__number", "amount_fen")) == {
        "101": 0,
        "102": 0,
        "201": 13_998_957,
        "301": 16_001_043,
    }
    pdf = desk.request.get(f"/elevators/{project.pk}/agreement.pdf")  # with the page's session
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    desk.screenshot(path=str(ARTIFACTS / "elevator-project-desk.png"), full_page=True)

    phone = log_in(browser, live_server, "tom", viewport={"width": 390, "height": 844})
    phone.goto(f"/elevators/{project.pk}/")
    shares = phone.locator("#shares").inner_text()
    assert "160010.43" in shares and "139989.57" not in shares
    phone.screenshot(path=str(ARTIFACTS / "elevator-project-phone.png"), full_page=True)
