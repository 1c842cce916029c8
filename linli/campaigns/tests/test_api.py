"""The campaigns API as a phone app uses it: the visitor's list, visits with a client id (a
replay answers 200 with the same body), and the organisers' side."""

import json
import uuid

import pytest

from linli.campaigns.models import CampaignVisit, ProposedChange

from .conftest import ANSWERS, API, FORM

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_worker_creates_and_starts_a_campaign(world, as_user):
    client = as_user(world.carol)
    body = {
        "title": "Fire safety",
        "level": "compound",
        "place_id": world.fufeng.pk,
        "form": FORM,
        "starts_on": "2026-11-01",
        "ends_on": "2026-11-30",
    }
    r = post(client, API, body)
    assert r.status_code == 201, r.content
    campaign = r.json()
    assert campaign["status"] == "draft" and campaign["organiser"] and campaign["form"][0]["key"] == "people"
    r = post(client, f"{API}/{campaign['id']}/start", {})
    assert r.status_code == 200 and r.json()["status"] == "running"
    r = client.get(f"{API}/{campaign['id']}/assignments?unassigned=true")
    assert [a["home_id"] for a in r.json()] == [world.h_b2.pk]

    r = post(client, API, {**body, "form": [{"label": "Which?", "kind": "choice", "choices": ["a"]}]})
    assert r.status_code == 422 and "between 2 and 12 different choices" in r.json()["detail"]
    r = post(as_user(world.bob), API, body)
    assert r.status_code == 403


def test_a_visit_replayed_three_times_is_one_visit_with_the_same_answer(world, campaign, as_user):
    client = as_user(world.bob)
    body = {
        "campaign_id": campaign.pk,
        "home_id": world.h101.pk,
        "client_id": str(uuid.uuid4()),
        "outcome": "reached",
        "answers": ANSWERS,
    }
    first = post(client, f"{API}/visits", body)
    assert first.status_code == 201, first.content
    for _ in range(2):
        again = post(client, f"{API}/visits", body)
        assert again.status_code == 200
        assert again.json() == first.json()
    assert CampaignVisit.objects.count() == 1
    assert first.json()["home_state"] == "reached"


def test_visits_outside_ones_list_and_bad_answers_are_refused(world, campaign, as_user):
    client = as_user(world.bob)
    base = {"campaign_id": campaign.pk, "outcome": "reached", "answers": ANSWERS}
    r = post(client, f"{API}/visits", {**base, "home_id": world.h_s12.pk, "client_id": str(uuid.uuid4())})
    assert r.status_code == 403 and r.json()["detail"] == "This home is not on your list for this campaign."
    r = post(
        client,
        f"{API}/visits",
        {**base, "home_id": world.h101.pk, "client_id": str(uuid.uuid4()), "answers": {**ANSWERS, "charge": "roof"}},
    )
    assert r.status_code == 422 and "Choose one of the given answers" in r.json()["detail"]
    r = post(as_user(world.olga), f"{API}/visits", {**base, "home_id": world.h101.pk, "client_id": str(uuid.uuid4())})
    assert r.status_code == 404  # a campaign outside her reach does not exist for her
    assert CampaignVisit.objects.count() == 0


def test_my_list_and_progress(world, campaign, as_user):
    bob = as_user(world.bob)
    groups = bob.get(f"{API}/mine").json()
    assert [(g["stairwell_id"], [h["home_id"] for h in g["homes"]]) for g in groups] == [
        (world.s11.pk, [world.h101.pk, world.h102.pk, world.h201.pk])
    ]
    assert groups[0]["homes"][0]["residents"] == [{"id": world.p_alice.pk, "name": "李爱丽"}]
    post(
        bob,
        f"{API}/visits",
        {
            "campaign_id": campaign.pk,
            "home_id": world.h101.pk,
            "client_id": str(uuid.uuid4()),
            "outcome": "reached",
            "answers": ANSWERS,
        },
    )  # noqa: E501
    assert bob.get(f"{API}/{campaign.pk}/progress").status_code == 403
    p = as_user(world.carol).get(f"{API}/{campaign.pk}/progress").json()
    assert (p["total"]["reached"], p["total"]["total"], p["total"]["share"]) == (1, 5, 20)


def test_proposed_changes_are_reviewed_by_the_worker(world, campaign, as_user):
    bob = as_user(world.bob)
    r = post(
        bob,
        f"{API}/visits",
        {
            "campaign_id": campaign.pk,
            "home_id": world.h101.pk,
            "client_id": str(uuid.uuid4()),
            "outcome": "reached",
            "answers": ANSWERS,
            "changes": [{"kind": "new_phone", "person_id": world.p_alice.pk, "phone": "13900002222"}],
        },
    )
    assert r.json()["proposed_changes"] == 1
    change = ProposedChange.objects.get()
    assert post(bob, f"{API}/changes/{change.pk}/accept", {}).status_code == 404
    carol = as_user(world.carol)
    assert [c["id"] for c in carol.get(f"{API}/{campaign.pk}/changes").json()] == [change.pk]
    r = post(carol, f"{API}/changes/{change.pk}/accept", {})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    world.p_alice.refresh_from_db()
    assert world.p_alice.phone == "13900002222"
    assert post(carol, f"{API}/changes/{change.pk}/reject", {"reason": "x"}).status_code == 409


def test_reassign_and_rebalance_over_the_api(world, campaign, as_user):
    carol = as_user(world.carol)
    r = post(carol, f"{API}/{campaign.pk}/reassign", {"home_ids": [world.h_b2.pk], "person_id": world.p_grace.pk})
    assert r.json() == {"count": 1}
    r = post(carol, f"{API}/{campaign.pk}/rebalance", {"leaving_id": world.p_bob.pk, "to_id": world.p_grace.pk})
    assert r.json() == {"count": 3}
    homes = carol.get(f"{API}/{campaign.pk}/assignments?visitor_id={world.p_grace.pk}").json()
    assert len(homes) == 4
    r = post(carol, f"{API}/{campaign.pk}/reassign", {"home_ids": [world.h101.pk], "person_id": world.p_olga.pk})
    assert r.status_code == 422
