"""On a phone: grace starts an e-bike patrol, adds a finding with a photo and turns it into a
case in one tap; henry scores a hygiene checklist and submits it; the history shows it."""

import importlib
import io
import re

import pytest
from django.apps import apps
from PIL import Image

from linli.cases import taxonomy
from linli.cases.models import Case
from linli.conftest import PASSWORD
from linli.patrols.models import Checklist, Finding, Inspection
from linli.tests_browser.conftest import ARGS, ARTIFACTS, CHROMIUM

pytestmark = pytest.mark.browser
seed = importlib.import_module("linli.patrols.migrations.0002_default_hygiene_checklist")


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


def test_patrol_finding_to_case_and_an_inspection_on_a_phone(world, browser, live_server, tmp_path):
    taxonomy.ensure()  # a live-server test empties every table afterwards: seed again
    if not Checklist.objects.exists():
        seed.create(apps, None)
    ARTIFACTS.mkdir(exist_ok=True)
    jpeg = tmp_path / "ebike.jpg"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="JPEG")
    jpeg.write_bytes(out.getvalue())

    grace = log_in(browser, live_server, "grace")
    grace.goto("/patrols/")
    grace.get_by_role("link", name="Start a patrol").click()
    grace.get_by_label("e-bike safety patrol").check()
    grace.get_by_role("button", name="Start the patrol").click()
    grace.get_by_text("The patrol has started.").wait_for()
    grace.set_input_files("[name=f-photo]", str(jpeg))
    grace.fill("[name=f-text]", "1单元楼道内电动车充电")
    grace.get_by_role("button", name="Record the finding").click()
    grace.get_by_text("The finding is recorded.").wait_for()
    grace.get_by_role("button", name="Turn into a case").click()
    grace.get_by_text("The finding is now case").wait_for()
    grace.screenshot(path=str(ARTIFACTS / "patrol-phone.png"), full_page=True)
    case = Case.objects.get()
    assert Finding.objects.get().case == case and case.photos.count() == 1 and case.category.code == "e-bikes"

    henry = log_in(browser, live_server, "henry")
    henry.goto("/patrols/inspections/new/")
    henry.fill("[name=i-area]", "中心花园")
    henry.get_by_role("button", name="Open the checklist").click()
    inspection = Inspection.objects.get()
    henry.wait_for_url(re.compile(rf"/patrols/inspections/{inspection.pk}/$"))
    items = list(inspection.checklist.items.all())
    for item in items[:-1]:
        henry.locator(f"label[for=s{item.pk}-8]").click()
    henry.get_by_role("button", name="Submit the inspection").click()
    henry.get_by_text("Not yet scored: " + items[-1].text).wait_for()
    henry.locator(f"label[for=s{items[-1].pk}-3]").click()
    henry.get_by_role("button", name="Submit the inspection").click()
    henry.get_by_text("The inspection is submitted.").wait_for()
    henry.screenshot(path=str(ARTIFACTS / "inspection-phone.png"), full_page=True)
    inspection.refresh_from_db()
    assert inspection.total == 8 * (len(items) - 1) + 3
    henry.goto("/patrols/history/")
    assert henry.locator("svg.bars").count() >= 1
