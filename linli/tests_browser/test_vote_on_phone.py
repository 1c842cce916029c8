"""An owners' vote in a browser (issue 4): an owner opens the vote on his phone and casts his
ballot in three taps, sees his receipt; the community worker closes voting and publishes the
result; the owner checks his receipt on the public result page and sees it counted."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from linli.conftest import PASSWORD
from linli.votes import services
from linli.votes.defaults import ensure
from linli.votes.models import Ballot, Item, Vote

pytestmark = pytest.mark.browser


def _open_vote(world) -> Vote:
    ensure()  # an earlier live-server test emptied the seeded rule sets
    now = timezone.now()
    vote = services.create_vote(
        user=world.carol,
        compound=world.fufeng,
        title="续聘富丰物业",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
    )
    services.add_matter(vote=vote, title="续聘富丰物业三年", item=Item.PROPERTY)
    services.announce(vote=vote, user=world.carol, now=vote.opens_at - dt.timedelta(days=21))
    return services.open_vote(vote=vote)


def _log_in(page, username):
    page.goto("/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def test_an_owner_votes_on_his_phone_and_checks_his_receipt(world, browser, live_server, artifacts):
    vote = _open_vote(world)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", base_url=live_server.url)
    owner = phone.new_page()
    owner.set_default_timeout(15000)
    taps = 0

    def tap(locator):
        nonlocal taps
        locator.click()
        taps += 1

    # 1. Alice finds the vote among her compound's votes and casts her ballot: three taps.
    _log_in(owner, "alice")
    owner.goto("/votes/")
    owner.screenshot(path=str(artifacts / "vote-list-phone.png"), full_page=True)
    tap(owner.get_by_role("link", name=re.compile("续聘富丰物业")))
    owner.wait_for_url(re.compile(rf"/votes/{vote.code}/$"))
    tap(owner.locator("label.option", has_text="For"))
    owner.screenshot(path=str(artifacts / "vote-ballot-phone.png"), full_page=True)
    cast = owner.get_by_role("button", name="Cast my vote")
    box = cast.bounding_box()
    # A big button, on the first screen: no scrolling between the taps.
    assert box["height"] >= 44 and box["width"] <= 390 and box["y"] + box["height"] <= 844
    tap(cast)
    owner.wait_for_url(re.compile(rf"/votes/{vote.code}/receipt/$"))
    assert taps == 3
    receipt = owner.locator(".receipt-code").inner_text().strip()
    ballot = Ballot.objects.get(vote=vote)
    assert receipt == ballot.receipt and ballot.choices == {str(vote.matters.get().pk): "yes"}
    assert "You may change it until" in owner.locator("main").inner_text()
    owner.screenshot(path=str(artifacts / "vote-receipt-phone.png"), full_page=True)

    # 2. The community worker closes voting and publishes the result, each after confirming.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", base_url=live_server.url)
    worker = desk.new_page()
    worker.set_default_timeout(15000)
    _log_in(worker, "carol")
    worker.goto(f"/votes/{vote.code}/manage/")
    worker.locator("summary", has_text="Close voting and count").click()
    worker.get_by_role("button", name="Yes: Close voting and count").click()
    worker.locator("summary", has_text="Publish the result").wait_for()
    worker.locator("summary", has_text="Publish the result").click()
    worker.get_by_role("button", name="Yes: Publish the result").click()
    worker.get_by_text("The result is published.").wait_for()
    worker.screenshot(path=str(artifacts / "vote-staff-published.png"), full_page=True)
    vote.refresh_from_db()
    assert vote.status == Vote.Status.PUBLISHED

    # 3. Alice checks her receipt on the public result page.
    owner.goto(f"/v/{vote.code}/result/")
    assert "20.00%" in owner.locator("main").inner_text()  # 1 of 5 homes of equal area
    owner.get_by_label("Receipt code").fill(receipt)
    owner.get_by_role("button", name="Check the receipt").click()
    owner.locator("#receipt-answer").wait_for()
    assert owner.locator("#receipt-answer").inner_text().startswith("Counted")
    owner.screenshot(path=str(artifacts / "vote-receipt-counted-phone.png"), full_page=True)
    phone.close()
    desk.close()
