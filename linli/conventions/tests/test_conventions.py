"""Conventions: versions with what adopted them, who records, who reads, what changed."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.conventions import services
from linli.conventions.models import Convention, Version
from linli.conventions.services import ConventionError
from linli.meetings import services as meetings
from linli.meetings.models import Meeting

PETS = "一、遛狗拴绳。\n二、及时清理粪便。"


@pytest.fixture
def held(world):
    """A meeting of 富丰新城 whose minutes are approved."""
    start = timezone.now() - dt.timedelta(days=2)
    meeting = meetings.plan(
        user=world.carol, kind=Meeting.Kind.HALL, title="居民议事厅：文明养宠", organiser=world.committee,
        compound=world.fufeng, starts=start, ends=start + dt.timedelta(hours=2), location="议事厅",
    )  # fmt: skip
    meetings.write_minutes(meeting=meeting, user=world.carol, summary="通过文明养宠公约")
    meetings.approve_minutes(meeting=meeting, user=world.carol)
    return meeting


def adopt(world, held, text=PETS, **kw):
    return services.adopt(
        user=world.carol, title="富丰新城文明养宠公约", kind=Convention.Kind.PETS, compound=world.fufeng, text=text,
        meeting=held, **kw,
    )  # fmt: skip


def test_versions_carry_what_adopted_them(world, held):
    first = adopt(world, held)
    assert first.number == 1 and first.meeting == held and first.adopted_on == timezone.localdate()
    second = adopt(world, held, text=PETS + "\n三、电梯内抱起小型犬。", note="增加电梯条款")
    assert second.number == 2 and second.convention == first.convention
    changes = services.diff(first, second)
    assert ("added", "三、电梯内抱起小型犬。") in changes
    with pytest.raises(ConventionError, match="same"):
        adopt(world, held, text=PETS + "\n三、电梯内抱起小型犬。")


def test_an_adoption_needs_approved_minutes_or_a_passed_vote(world):
    start = timezone.now() + dt.timedelta(days=2)
    planned = meetings.plan(
        user=world.carol, kind=Meeting.Kind.HALL, title="尚未召开", organiser=world.committee,
        compound=world.fufeng, starts=start, ends=start + dt.timedelta(hours=1), location="x",
    )  # fmt: skip
    with pytest.raises(ConventionError, match="minutes must be approved"):
        adopt(world, planned)
    with pytest.raises(ConventionError, match="one meeting or one owners' vote"):
        services.adopt(user=world.carol, title="x", kind="pets", compound=world.fufeng, text="x")
    assert not Version.objects.exists()


def test_every_version_names_its_adoption_in_the_database(world, held):
    version = adopt(world, held)
    with pytest.raises(IntegrityError), transaction.atomic():
        Version.objects.filter(pk=version.pk).update(meeting=None)


def test_who_records_and_who_reads(world, held, client):
    with pytest.raises(ConventionError, match="may not"):
        services.adopt(user=world.alice, title="x", kind="pets", compound=world.fufeng, text="x", meeting=held)
    version = adopt(world, held)
    pk = version.convention_id
    for who, status in [("alice", 200), ("bob", 200), ("carol", 200), ("olga", 404)]:
        client.force_login(getattr(world, who))
        assert client.get(f"/conventions/{pk}/").status_code == status, who
    client.force_login(world.alice)
    assert "遛狗拴绳" in client.get(f"/conventions/{pk}/").content.decode()
    assert client.post(f"/conventions/{pk}/", {"text": "改"}).status_code == 404


def test_recording_a_new_version_on_the_page(world, held, client):
    version = adopt(world, held)
    client.force_login(world.carol)
    url = f"/conventions/{version.convention_id}/"
    refused = client.post(url, {"text": PETS + "\n三、新条款"})
    assert refused.status_code == 422 and Version.objects.count() == 1
    ok = client.post(url, {"text": PETS + "\n三、新条款", "meeting": held.pk, "note": "新增"})
    assert ok.status_code == 302 and Version.objects.count() == 2
    page = client.get(url).content.decode()
    assert "三、新条款" in page


def test_recording_a_new_convention_on_the_page(world, held, client):
    client.force_login(world.carol)
    response = client.post(
        "/conventions/new/",
        {"title": "电梯使用公约", "kind": "elevator", "compound": world.fufeng.pk, "text": "禁止超载。",
         "meeting": held.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert Convention.objects.get().current.text == "禁止超载。"
    client.force_login(world.alice)
    assert client.get("/conventions/new/").status_code == 404


def test_a_passed_owners_vote_adopts_the_management_convention(world):
    from linli.votes import services as votes
    from linli.votes.models import Elector, Item

    t0 = timezone.now() - dt.timedelta(days=30)
    vote = votes.create_vote(
        user=world.carol, compound=world.fufeng, title="修订管理规约", opens_at=t0 + dt.timedelta(days=16),
        closes_at=t0 + dt.timedelta(days=20),
    )  # fmt: skip
    votes.add_matter(vote=vote, title="通过修订后的管理规约", item=Item.CONVENTION)
    votes.announce(vote=vote, user=world.carol, now=t0)
    during = t0 + dt.timedelta(days=17)
    matter = str(vote.matters.get().pk)
    for e in Elector.objects.filter(vote=vote).select_related("voter"):
        votes.cast(vote=vote, elector=e, choices={matter: "yes"}, voter=e.voter, channel="online", now=during)
    votes.close(vote=vote, now=t0 + dt.timedelta(days=20))
    with pytest.raises(ConventionError, match="passed"):  # closed, not yet published
        services.adopt(user=world.carol, title="管理规约", kind="management", compound=world.fufeng, text="x",
                       vote=vote.__class__.objects.get(pk=vote.pk))  # fmt: skip
    vote = votes.publish(vote=vote)
    version = services.adopt(
        user=world.carol, title="管理规约", kind="management", compound=world.fufeng, text="第一条……", vote=vote
    )
    assert version.vote == vote and version.number == 1


def test_conventions_over_the_api(world, held, client):
    client.force_login(world.carol)
    body = {"title": "电梯使用公约", "kind": "elevator", "compound": world.fufeng.pk, "text": "禁止超载。",
            "meeting": held.code}  # fmt: skip
    created = client.post("/api/v1/conventions", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["number"] == 1 and created.json()["meeting"] == held.code
    bad = client.post("/api/v1/conventions", {**body, "meeting": None}, content_type="application/json")
    assert bad.status_code == 422
    client.force_login(world.alice)
    listed = client.get("/api/v1/conventions").json()
    assert [c["title"] for c in listed["items"]] == ["电梯使用公约"]
    client.force_login(world.olga)
    assert client.get("/api/v1/conventions").json()["count"] == 0
