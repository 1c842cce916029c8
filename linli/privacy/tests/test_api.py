"""The privacy API: my data, my requests, the worker's queue and decision."""

import pytest


@pytest.fixture
def api(login):
    def _as(user):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _as


def test_my_data_over_the_api(w, api):
    body = api(w.alice).get("/api/v1/privacy/me").json()
    assert body["sections"]["person"]["rows"][0]["name"] == "李爱丽"
    assert "李家明" not in str(body)


def test_ask_and_decide_over_the_api(w, api):
    client = api(w.alice)
    bad = client.post(
        "/api/v1/privacy/me/corrections", {"field": "phone", "value": "1"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "11 digits" in bad.json()["detail"]
    made = client.post(
        "/api/v1/privacy/me/corrections", {"field": "phone", "value": "13800000077"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["value"] == "138****0077"
    pk = made.json()["id"]
    assert [r["id"] for r in client.get("/api/v1/privacy/me/requests").json()] == [pk]
    assert client.get("/api/v1/privacy/requests").status_code == 404  # a resident has no queue

    worker = api(w.carol)
    assert [r["id"] for r in worker.get("/api/v1/privacy/requests").json()] == [pk]
    decided = worker.post(
        f"/api/v1/privacy/corrections/{pk}/decision", {"accept": True}, content_type="application/json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    again = worker.post(f"/api/v1/privacy/corrections/{pk}/decision", {"accept": True}, content_type="application/json")
    assert again.status_code == 409
    w.p_alice.refresh_from_db()
    assert w.p_alice.phone == "13800000077"


def test_deletion_over_the_api(w, api):
    made = api(w.neighbour).post("/api/v1/privacy/me/deletion", {"note": ""}, content_type="application/json")
    assert made.status_code == 201
    decided = api(w.carol).post(
        f"/api/v1/privacy/deletions/{made.json()['id']}/decision", {"accept": True}, content_type="application/json"
    )
    assert decided.status_code == 200 and decided.json()["person"] == f"已注销居民 #{w.p_neighbour.pk}"
