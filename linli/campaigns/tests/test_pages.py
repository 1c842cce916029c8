"""The campaign pages: an organiser creates and starts a campaign, sees progress and the grid,
reviews changes and exports; a visitor records a visit without JavaScript."""

import io
import uuid

import pytest
from openpyxl import load_workbook

from linli.campaigns import services
from linli.campaigns.models import Campaign, CampaignVisit, ProposedChange

from .conftest import ANSWERS

pytestmark = pytest.mark.django_db


def test_a_worker_creates_a_campaign_with_its_form_and_starts_it(world, login):
    client = login(world.carol)
    page = client.get("/campaigns/new/")
    assert page.status_code == 200 and f"compound:{world.fufeng.pk}" in page.text
    assert f"compound:{world.yijing.pk}" not in page.text  # another community
    data = {
        "title": "Gas safety",
        "place": f"compound:{world.fufeng.pk}",
        "target": "all",
        "questions": "yesno: Is there a gas alarm?\nchoice: Cooker | gas / electric",
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-30",
    }
    bad = client.post("/campaigns/new/", {**data, "questions": "Is there a gas alarm?"})
    assert bad.status_code == 422 and "Line 1: start with yesno:" in bad.text
    r = client.post("/campaigns/new/", data)
    campaign = Campaign.objects.get(title="Gas safety")
    assert r.status_code == 302 and campaign.form[1]["choices"] == ["gas", "electric"]
    client.post(f"/campaigns/{campaign.pk}/start/")
    page = client.get(f"/campaigns/{campaign.pk}/")
    assert "0 of 5 homes reached (0%)" in page.text
    assert "1 home has no visitor." in page.text
    assert login(world.bob).get(f"/campaigns/{campaign.pk}/").status_code in (403, 404)
    assert login(world.bob).get("/campaigns/new/").status_code == 403


def test_a_visitor_records_a_visit_without_javascript(world, campaign, login):
    client = login(world.bob)
    mine = client.get("/campaigns/mine/")
    assert mine.status_code == 200
    assert mine.text.index("101") < mine.text.index("201")
    assert 'rel="manifest"' in mine.text and "<script>" not in mine.text
    assert len(mine.content) < 100_000
    assert client.get("/campaigns/mine/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    url = f"/campaigns/{campaign.pk}/homes/{world.h101.pk}/visit/"
    page = client.get(url)
    assert "李爱丽" in page.text  # residents, for a registry change
    client_id = str(uuid.uuid4())
    form = {"client_id": client_id, "outcome": "reached", "a_people": "3", "a_ebike": "yes", "a_charge": "garage"}
    bad = client.post(url, {**form, "a_charge": "roof"})
    assert bad.status_code == 422 and "Choose one of the given answers" in bad.text
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # the same form sent twice: one visit
    assert CampaignVisit.objects.count() == 1
    assert client.get(f"/campaigns/{campaign.pk}/homes/{world.h_s12.pk}/visit/").status_code == 403


def test_grid_export_and_review(world, campaign, login):
    services.record_visit(
        user=world.bob, campaign=campaign, home_id=world.h101.pk, client_id=uuid.uuid4(), outcome="reached",
        answers=ANSWERS, changes=[{"kind": "new_phone", "person_id": world.p_alice.pk, "phone": "13900003333"}],
    )  # fmt: skip
    services.record_visit(
        user=world.bob, campaign=campaign, home_id=world.h102.pk, client_id=uuid.uuid4(), outcome="not_home"
    )
    client = login(world.carol)
    grid = client.get(f"/campaigns/{campaign.pk}/buildings/{world.b1.pk}/")
    assert grid.status_code == 200
    assert "✓</span> reached" in grid.text and "↻</span> not at home" in grid.text  # icon and word, not colour alone

    assert "1单元" in grid.text and "33%" in grid.text  # 1 of 3 homes of 1单元 reached

    page = client.get(f"/campaigns/{campaign.pk}/not-reached/")
    assert "4 homes still to visit." in page.text
    assert page.text.index("102") < page.text.index("201") and "not at home" in page.text

    export = client.get(f"/campaigns/{campaign.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:6] == ("compound", "building", "stairwell", "home", "visitor", "home state")
    first = rows[1]
    assert first[3] == "101" and first[5] == "reached" and first[9:12] == (3, "yes", "garage")
    assert len(rows) == 6

    change = ProposedChange.objects.get()
    page = client.get(f"/campaigns/{campaign.pk}/changes/")
    assert "a new phone number" in page.text
    client.post(f"/campaigns/{campaign.pk}/changes/{change.pk}/", {"decision": "reject", "reason": ""})
    change.refresh_from_db()
    assert change.status == "pending"
    client.post(f"/campaigns/{campaign.pk}/changes/{change.pk}/", {"decision": "accept"})
    world.p_alice.refresh_from_db()
    assert world.p_alice.phone == "13900003333"


def test_the_service_worker_covers_the_campaign_pages(client, world, login):
    r = client.get("/campaigns/sw.js")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/javascript")
    assert r["Service-Worker-Allowed"] == "/campaigns/"
    m = login(world.bob).get("/campaigns/manifest.webmanifest").json()
    assert m["start_url"] == "/campaigns/mine/" and m["scope"] == "/campaigns/"
