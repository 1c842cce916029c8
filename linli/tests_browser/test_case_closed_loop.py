"""The closed loop in a browser (issue 3): a resident scans a stairwell poster, reports a
problem with a photo; the property clerk accepts, replies and resolves it; the resident rates
it through his private link; the compound's public board shows it answered."""

import io
import re

import pytest
from PIL import Image

from linli.cases import taxonomy
from linli.cases.models import Case, Status
from linli.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _jpeg(path):
    image = Image.new("RGB", (1200, 900), (180, 120, 60))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (23.0, 2.0, 0.0)}  # a GPS position the server must strip
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_poster_to_rating_to_public_board(world, browser, live_server, artifacts, tmp_path):
    taxonomy.ensure()  # an earlier live-server test emptied the seeded tables
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url)
    resident = phone.new_page()
    resident.set_default_timeout(15000)

    # 1. The poster's QR code opens the form with the place filled in.
    resident.goto(f"/r/s/{world.s11.pk}/")
    assert "富丰新城 1栋 1单元" in resident.locator("main").inner_text()
    resident.get_by_text("Facility maintenance", exact=True).click()
    resident.fill("[name=title]", "Stairwell light broken on the 3rd floor")
    resident.fill("[name=description]", "The light has been off for a week; elderly neighbours fall in the dark.")
    resident.set_input_files("#id_photos", _jpeg(tmp_path / "light.jpg"))
    resident.fill("[name=name]", "王邻")
    resident.fill("[name=phone]", "13800000002")
    resident.screenshot(path=str(artifacts / "case-intake-phone.png"), full_page=True)
    resident.get_by_role("button", name="Send").click()
    resident.wait_for_url(re.compile(r"/r/done/"))
    case = Case.objects.get()
    assert case.channel == "poster" and case.stairwell == world.s11 and case.photos.count() == 1
    secret_link = resident.locator(".secret-link a").get_attribute("href")
    resident.screenshot(path=str(artifacts / "case-done-phone.png"), full_page=True)

    # 2. The property company's clerk accepts it, starts, replies and resolves.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url)
    clerk = desk.new_page()
    clerk.set_default_timeout(15000)
    clerk.goto("/login/")
    clerk.fill("[name=username]", "dave")
    clerk.fill("[name=password]", PASSWORD)
    clerk.get_by_role("button", name="Log in").click()
    clerk.wait_for_url(re.compile(r"/$"))
    clerk.get_by_role("link", name="Cases", exact=True).click()
    clerk.get_by_role("link", name=re.compile("Stairwell light broken")).click()
    clerk.wait_for_url(re.compile(rf"/cases/{case.code}/$"))
    clerk.get_by_role("button", name="Accept").click()
    clerk.get_by_role("button", name="Start work").click()
    clerk.locator("form[action$='/reply/'] textarea").fill("An electrician replaced the lamp this afternoon.")
    clerk.get_by_role("button", name="Send the reply").click()
    clerk.screenshot(path=str(artifacts / "case-clerk-before-resolve.png"), full_page=True)
    resolve = clerk.locator("details", has=clerk.locator("summary", has_text="Resolve"))
    resolve.locator("summary").click()
    resolve.get_by_role("button", name="Resolve").click()
    clerk.get_by_text("resolved").first.wait_for()
    clerk.screenshot(path=str(artifacts / "case-clerk-desk.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.first_receiver == world.dave

    # 3. The resident opens his private link and rates it: the case closes.
    resident.goto(secret_link)
    resident.get_by_text("An electrician replaced the lamp this afternoon.").wait_for()
    resident.locator("label.star", has_text="5 stars").click()
    resident.get_by_role("button", name="Solved: send my rating").click()
    resident.screenshot(path=str(artifacts / "case-rated-phone.png"), full_page=True)
    resident.get_by_text("★★★★★").first.wait_for()
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.rating == 5

    # 4. The public board shows it answered, without the resident's name or phone.
    resident.goto(f"/r/board/{world.fufeng.pk}/?group=resolved")
    board = resident.locator("main").inner_text()
    assert "Stairwell light broken" in board and "王邻" not in board and "13800000002" not in board
    resident.screenshot(path=str(artifacts / "case-board-phone.png"), full_page=True)
    phone.close()
    desk.close()
