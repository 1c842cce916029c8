"""Votes over the API: who sees and runs what, casting with receipts, paper entry, the public
result, and refusals that change nothing."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from linli.lib.tests import pdfdoc
from linli.votes import chain, services
from linli.votes.models import Ballot, Item, PaperEntry, Vote

API = "/api/v1/votes"
EN = {"accept-language": "en"}


def jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buf, "JPEG")
    return SimpleUploadedFile("ballot.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def running(world):
    """A vote of 富丰新城 that opened an hour ago and closes in a week."""
    now = timezone.now()
    vote = services.create_vote(
        user=world.carol,
        compound=world.fufeng,
        title="续聘物业",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
    )
    services.add_matter(vote=vote, title="续聘富丰物业三年", item=Item.PROPERTY)
    services.announce(vote=vote, user=world.carol, now=now - dt.timedelta(days=20))
    return services.open_vote(vote=vote, now=now)


def matter(vote):
    return str(vote.matters.get().pk)


@pytest.mark.parametrize(
    "who, sees",
    [
        ("alice", True),  # owner in 富丰新城
        ("bob", True),  # leader and owner
        ("carol", True),  # community worker of 大新社区
        ("ivy", True),  # owners' committee of 富丰新城
        ("erin", True),  # subdistrict admin
        ("olga", False),  # resident of 颐景园, another community
        ("dave", False),  # property clerk: the vote is about his company
    ],
)
def test_who_sees_a_running_vote(world, running, client, who, sees):
    client.force_login(getattr(world, who))
    listed = client.get(API).json()
    assert (running.code in [v["code"] for v in listed["items"]]) is sees
    assert client.get(f"{API}/{running.code}").status_code == (200 if sees else 404)


def test_drafts_are_only_for_those_who_run_votes(world, client):
    now = timezone.now()
    draft = services.create_vote(
        user=world.carol, compound=world.fufeng, title="草案", opens_at=now + dt.timedelta(days=20),
        closes_at=now + dt.timedelta(days=27),
    )  # fmt: skip
    for who, status in [("carol", 200), ("ivy", 200), ("alice", 404), ("olga", 404)]:
        client.force_login(getattr(world, who))
        assert client.get(f"{API}/{draft.code}").status_code == status, who


def test_staff_draft_announce_and_are_refused_outside_their_community(world, client):
    now = timezone.now()
    body = {
        "compound": world.fufeng.pk,
        "title": "改建车棚",
        "opens_at": (now + dt.timedelta(days=16)).isoformat(),
        "closes_at": (now + dt.timedelta(days=23)).isoformat(),
    }
    client.force_login(world.olga)
    assert client.post(API, body, content_type="application/json").status_code == 404
    client.force_login(world.carol)
    created = client.post(API, body, content_type="application/json")
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    bad = client.post(f"{API}/{code}/announce", headers=EN)
    assert bad.status_code == 422 and "matter" in bad.json()["detail"]
    m = client.post(f"{API}/{code}/matters", {"title": "改建车棚", "item": 7}, content_type="application/json")
    assert m.status_code == 201 and m.json()["item"] == 7
    announced = client.post(f"{API}/{code}/announce")
    assert announced.status_code == 200 and announced.json()["status"] == "announced"
    assert announced.json()["rules"]["special_items"] == [6, 7, 8]
    client.force_login(world.alice)
    assert client.post(f"{API}/{code}/close").status_code == 404  # an owner does not run votes


def test_an_owner_casts_gets_a_receipt_and_may_change(world, running, client):
    client.force_login(world.alice)
    detail = client.get(f"{API}/{running.code}").json()
    assert [h["home"] for h in detail["my_homes"]] == [world.h101.pk] and detail["my_homes"][0]["receipt"] is None
    first = client.post(
        f"{API}/{running.code}/ballots",
        {"homes": [world.h101.pk], "choices": {matter(running): "yes"}},
        content_type="application/json",
    )
    assert first.status_code == 201, first.content
    receipt = first.json()[0]["receipt"]
    second = client.post(
        f"{API}/{running.code}/ballots",
        {"homes": [world.h101.pk], "choices": {matter(running): "no"}},
        content_type="application/json",
    )
    assert second.json()[0]["changes"] == 1 and second.json()[0]["receipt"] != receipt
    assert Ballot.objects.get(vote=running).choices == {matter(running): "no"}


def test_a_refused_ballot_for_one_home_casts_for_none(world, running, client):
    client.force_login(world.alice)
    response = client.post(
        f"{API}/{running.code}/ballots",
        {"homes": [world.h101.pk, world.h102.pk], "choices": {matter(running): "yes"}},
        content_type="application/json",
        headers=EN,
    )
    assert response.status_code == 422
    assert "not an owner" in response.json()["detail"]
    assert not Ballot.objects.exists()
    bad_choice = client.post(
        f"{API}/{running.code}/ballots",
        {"homes": [world.h101.pk], "choices": {matter(running): "maybe"}},
        content_type="application/json",
    )
    assert bad_choice.status_code == 422 and not Ballot.objects.exists()


def test_paper_ballots_over_the_api_need_two_workers(world, running, client):
    data = {"home": world.h102.pk, "choices": json.dumps({matter(running): "yes"})}
    client.force_login(world.carol)
    first = client.post(f"{API}/{running.code}/paper", {**data, "photo": jpeg()}, headers=EN)
    assert first.status_code == 201, first.content
    assert not first.json()["counted"] and "second worker" in first.json()["message"]
    again = client.post(f"{API}/{running.code}/paper", {**data, "photo": jpeg()}, headers=EN)
    assert again.status_code == 422 and "second worker" in again.json()["detail"]
    not_a_photo = client.post(
        f"{API}/{running.code}/paper",
        {**data, "photo": SimpleUploadedFile("x.jpg", b"text", content_type="image/jpeg")},
    )
    assert not_a_photo.status_code == 422
    client.force_login(world.jack)
    second = client.post(f"{API}/{running.code}/paper", {**data, "photo": jpeg()})
    assert second.json()["counted"] and second.json()["receipt"]
    assert PaperEntry.objects.count() == 2 and Ballot.objects.get().channel == "paper"
    client.force_login(world.alice)
    assert client.post(f"{API}/{running.code}/paper", {**data, "photo": jpeg()}).status_code == 404


def test_turnout_is_for_staff(world, running, client):
    client.force_login(world.alice)
    assert client.get(f"{API}/{running.code}/turnout").status_code == 404
    client.force_login(world.carol)
    rows = client.get(f"{API}/{running.code}/turnout").json()
    assert [(r["building"], r["units"], r["cast"]) for r in rows] == [("1栋", 4, 0), ("2栋", 1, 0)]


def test_the_electorate_is_masked_and_for_owners_and_staff(world, running, client):
    client.force_login(world.alice)
    rows = client.get(f"{API}/{running.code}/electorate").json()["items"]
    assert len(rows) == 5
    mine = next(r for r in rows if r["home"] == world.h101.pk)
    assert mine["owners"] == ["李**"] and mine["voted"] is None  # who voted is for staff only
    client.force_login(world.olga)
    assert client.get(f"{API}/{running.code}/electorate").status_code == 404
    client.force_login(world.dave)
    assert client.get(f"{API}/{running.code}/electorate").status_code == 404


def test_corrections_over_the_api(world, client):
    now = timezone.now()
    vote = services.create_vote(
        user=world.carol, compound=world.fufeng, title="x", opens_at=now + dt.timedelta(days=16),
        closes_at=now + dt.timedelta(days=20),
    )  # fmt: skip
    services.add_matter(vote=vote, title="x")
    services.announce(vote=vote, user=world.carol)
    client.force_login(world.carol)
    url = f"{API}/{vote.code}/electorate/{world.h101.pk}/corrections"
    bad = client.post(url, {"field": "area", "value": "-1", "reason": "登记簿"}, content_type="application/json")
    assert bad.status_code == 422
    ok = client.post(url, {"field": "area", "value": "95.20", "reason": "登记簿"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["new"] == "95.20"
    log = client.get(f"{API}/{vote.code}/corrections").json()
    assert log["count"] == 1 and log["items"][0]["reason"] == "登记簿"


def test_the_public_result_ballot_list_and_receipt_check(world, running, client):
    client.force_login(world.alice)
    receipt = client.post(
        f"{API}/{running.code}/ballots",
        {"homes": [world.h101.pk], "choices": {matter(running): "yes"}},
        content_type="application/json",
    ).json()[0]["receipt"]
    client.logout()
    assert client.get(f"{API}/{running.code}/result").status_code == 409  # not before closing
    services.close(vote=running)
    result = client.get(f"{API}/{running.code}/result").json()
    assert result["participation"]["units"] == {"part": 1, "whole": 5}
    assert result["participation"]["area"]["percent"] == "20.00"
    lines = client.get(f"{API}/{running.code}/ballots.txt").content.decode().splitlines()
    assert lines[0].startswith(receipt + "|")
    assert chain.head(running.code, lines) == result["chain"]["head"]
    check = client.post(f"{API}/{running.code}/receipt", {"receipt": receipt.lower()}, content_type="application/json")
    assert check.json()["status"] == "counted"
    unknown = client.post(f"{API}/{running.code}/receipt", {"receipt": "NOPE"}, content_type="application/json")
    assert unknown.json()["status"] == "unknown"


def test_receipt_checks_are_limited(world, running, client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.VOTES_RECEIPT_CHECKS_PER_HOUR = 3
    url = f"{API}/{running.code}/receipt"
    codes = [client.post(url, {"receipt": "X"}, content_type="application/json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    cache.clear()


def test_drafts_have_no_public_notice(world, client):
    now = timezone.now()
    draft = services.create_vote(
        user=world.carol, compound=world.fufeng, title="草案", opens_at=now + dt.timedelta(days=20),
        closes_at=now + dt.timedelta(days=27),
    )  # fmt: skip
    assert client.get(f"{API}/{draft.code}/notice").status_code == 404
    assert Vote.objects.filter(status="draft").count() == 1


def test_the_result_notice_pdf(world, running, client):
    from linli.votes.announcement import lines

    client.force_login(world.alice)
    client.post(
        f"{API}/{running.code}/ballots",
        {"homes": [world.h101.pk], "choices": {matter(running): "yes"}},
        content_type="application/json",
    )
    client.logout()
    assert client.get(f"{API}/{running.code}/result.pdf").status_code == 409
    vote = services.close(vote=running)
    response = client.get(f"{API}/{running.code}/result.pdf")
    assert response.status_code == 200 and response["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "\n".join(row for _, rows in lines(vote) for row in rows)
    assert "专有部分总面积 447.50 平方米，业主总人数 5 人" in text
    assert "面积占 20.00%，人数占 20.00%" in text and "未达到" in text
    assert "同意 1 户，反对 0 户，弃权 0 户" in text and "结果：未通过。" in text
    pdfdoc.require_cjk_font()
    drawn = pdfdoc.embedded_chinese(response.content)  # the font travels with the file, every glyph in it
    assert "表决结果公告" in drawn and "结果：未通过。" in drawn
