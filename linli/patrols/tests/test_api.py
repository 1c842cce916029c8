"""The API under /api/v1/patrols: who sees what, starting patrols, findings with photos,
the one-tap case, inspections and the score history."""

import datetime as dt

import pytest

from linli.cases.models import Case
from linli.patrols import services
from linli.patrols.models import Finding, ItemScore, Patrol

from .conftest import API, photo


@pytest.fixture
def patrol(world):
    return services.start_patrol(user=world.grace, compound=world.fufeng, kind="ebike", organisation=world.team)


@pytest.fixture
def finding(world, patrol):
    return services.add_finding(user=world.grace, patrol=patrol, text="电动车在楼道充电", stairwell=world.s11)


@pytest.mark.parametrize("who, sees", [("alice", True), ("bob", True), ("dave", True), ("olga", False)])
def test_who_sees_fufeng_patrols(world, patrol, as_user, who, sees):
    client = as_user(getattr(world, who))
    listed = client.get(API).json()["items"]
    assert bool(listed) == sees
    assert client.get(f"{API}/{patrol.pk}").status_code == (200 if sees else 404)


def test_a_resident_sees_the_starter_masked(world, patrol, as_user):
    row = as_user(world.alice).get(API).json()["items"][0]
    assert row["started_by"] != world.grace.display_name() and row["findings"] == 0


def test_anonymous_gets_401(world, patrol, as_user):
    assert as_user(None).get(API).status_code == 401


def test_start_patrol_and_add_a_finding_with_a_photo(world, as_user):
    client = as_user(world.bob)
    answer = client.post(API, {"compound_id": world.fufeng.pk, "kind": "fire"}, content_type="application/json")
    assert answer.status_code == 201
    pk = answer.json()["id"]
    answer = client.post(
        f"{API}/{pk}/findings",
        {"text": "灭火器过期", "stairwell_id": world.s12.pk, "severity": "high", "photo": photo()},
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["photo_url"] and body["stairwell_id"] == world.s12.pk and body["case_code"] is None
    assert client.get(body["photo_url"]).status_code == 200  # the page's photo link, same login
    detail = client.get(f"{API}/{pk}").json()
    assert [f["text"] for f in detail["finding_list"]] == ["灭火器过期"] and detail["may_patrol"]


def test_resident_cannot_start_a_patrol(world, as_user):
    answer = as_user(world.alice).post(
        API, {"compound_id": world.fufeng.pk, "kind": "fire"}, content_type="application/json"
    )
    assert answer.status_code == 403 and not Patrol.objects.exists()


def test_olga_cannot_name_fufeng(world, as_user):
    answer = as_user(world.olga).post(
        API, {"compound_id": world.fufeng.pk, "kind": "fire"}, content_type="application/json"
    )
    assert answer.status_code == 422 and not Patrol.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"text": ""}, "text"),
        ({"text": "x", "photo": "bad"}, "photo"),
        ({"text": "x", "building_id": 0}, "building_id"),
        ({"text": "x", "severity": "huge"}, "severity"),
    ],
)
def test_bad_findings_are_422_and_change_nothing(world, patrol, as_user, data, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if data.get("photo") == "bad":
        data["photo"] = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    if data.get("building_id") == 0:
        data["building_id"] = world.y1.pk  # a building of 颐景园
    answer = as_user(world.grace).post(f"{API}/{patrol.pk}/findings", data)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == field and not Finding.objects.exists()


def test_finding_to_case_once(world, finding, as_user):
    client = as_user(world.grace)
    answer = client.post(f"{API}/findings/{finding.pk}/case")
    assert answer.status_code == 201 and answer.json()["category"] == "e-bikes"
    code = answer.json()["code"]
    again = client.post(f"{API}/findings/{finding.pk}/case")
    assert again.status_code == 409 and code in again.json()["detail"]
    assert Case.objects.count() == 1
    assert as_user(world.olga).post(f"{API}/findings/{finding.pk}/case").status_code == 404


def test_end_patrol(world, patrol, as_user):
    client = as_user(world.grace)
    assert client.post(f"{API}/{patrol.pk}/end").json()["ended_at"]
    assert client.post(f"{API}/{patrol.pk}/end").status_code == 409


def test_checklists(world, as_user):
    lists = as_user(world.alice).get(f"{API}/checklists").json()
    assert len(lists) == 1 and lists[0]["items"][0]["text"] == "楼道地面"


def test_inspection_round_trip(world, as_user):
    client = as_user(world.henry)
    answer = client.post(
        f"{API}/inspections", {"compound_id": world.fufeng.pk, "area": "中心花园"}, content_type="application/json"
    )
    assert answer.status_code == 201
    body = answer.json()
    pk, items = body["id"], body["items"]
    assert body["company"] == "富丰物业" and not body["submitted"]
    bad = client.put(
        f"{API}/inspections/{pk}/scores",
        {"scores": [{"item_id": items[0]["id"], "score": 11}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "between 0 and 10" in bad.json()["detail"] and not ItemScore.objects.exists()
    scores = [{"item_id": i["id"], "score": 9} for i in items[:-1]]
    client.put(f"{API}/inspections/{pk}/scores", {"scores": scores}, content_type="application/json")
    missing = client.post(f"{API}/inspections/{pk}/submit")
    assert missing.status_code == 422 and items[-1]["text"] in missing.json()["detail"]
    low = [{"item_id": items[-1]["id"], "score": 3, "note": "车库积水有垃圾"}]
    client.put(f"{API}/inspections/{pk}/scores", {"scores": low}, content_type="application/json")
    done = client.post(f"{API}/inspections/{pk}/submit").json()
    n = len(items)
    assert done["submitted"] and done["total"] == 9 * (n - 1) + 3 and done["max_total"] == 10 * n
    frozen = client.put(f"{API}/inspections/{pk}/scores", {"scores": scores}, content_type="application/json")
    assert frozen.status_code == 409
    score_id = next(s["id"] for s in done["scores"] if s["score"] == 3)
    case = client.post(f"{API}/scores/{score_id}/case")
    assert case.status_code == 201 and case.json()["category"] == "hygiene"
    assert client.post(f"{API}/scores/{score_id}/case").status_code == 409
    assert as_user(world.olga).get(f"{API}/inspections/{pk}").status_code == 404
    assert as_user(world.dave).get(f"{API}/inspections/{pk}").status_code == 200  # the company sees its score


def test_history(world, as_user):
    inspection = services.start_inspection(
        user=world.carol, compound=world.fufeng, area="全小区", date=dt.date(2025, 5, 3)
    )
    services.score(user=world.carol, inspection=inspection, scores={i.pk: 6 for i in inspection.checklist.items.all()})
    services.submit_inspection(user=world.carol, inspection=inspection)
    body = as_user(world.carol).get(f"{API}/history", {"start": "2025-04-01", "end": "2025-06-30"}).json()
    assert body["months"] == ["2025-04-01", "2025-05-01", "2025-06-01"]
    assert [(r["name"], r["month"], r["average_percent"]) for r in body["by_compound"]] == [
        ("富丰新城", "2025-05-01", "60.0")
    ]
    assert body["by_company"][0]["name"] == "富丰物业"
    assert (
        as_user(world.olga).get(f"{API}/history", {"start": "2025-04-01", "end": "2025-06-30"}).json()["by_compound"]
        == []
    )
    backwards = as_user(world.carol).get(f"{API}/history", {"start": "2025-06-01", "end": "2025-01-01"})
    assert backwards.status_code == 422


def test_participants_are_people_within_reach_or_fellow_members(world, as_user):
    ids = [world.p_alice.pk, world.p_frank.pk, world.p_olga.pk]  # olga: 颐景园, out of bob's reach
    answer = as_user(world.bob).post(
        API,
        {"compound_id": world.fufeng.pk, "kind": "stairwell", "participant_ids": ids},
        content_type="application/json",
    )
    assert answer.status_code == 201 and answer.json()["participants"] == 3
    assert set(Patrol.objects.get().participants.all()) == {world.p_bob, world.p_alice, world.p_frank}
