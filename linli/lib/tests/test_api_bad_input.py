"""Odd input the fuzzing found (test_api_fuzz.py): a clear 422 in the caller's language, nothing
stored, never a 500. The same on SQLite and PostgreSQL (which cannot store NUL characters and
holds smaller integers)."""

import json

import pytest

from linli.topics.models import Topic


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _post(client, path, payload):
    return client.post(path, json.dumps(payload), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def test_a_nul_character_in_a_body_is_refused_and_nothing_is_stored(alice, world):
    payload = {"level": "stairwell", "place_id": world.s11.pk, "title": "楼道\x00灯", "text": "坏了"}
    response = _post(alice, "/api/v1/topics", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "body.title", "message": "Text may not contain the NUL character (\\x00)."}]
    assert not Topic.objects.exists()


def test_a_nul_character_in_a_list_in_a_body_names_the_field(alice, world):
    response = _post(alice, "/api/v1/cases/bulk", {"codes": ["a\x00"], "action": "accept"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.codes.0"


def test_a_nul_character_in_a_query_is_refused(alice):
    response = alice.get("/api/v1/places/communities", {"q": "大新\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "q", "message": "Text may not contain the NUL character (\\x00)."}


def test_a_nul_character_in_an_address_is_refused_or_not_found(alice):
    response = alice.get("/api/v1/topics/T%00X", HTTP_ACCEPT_LANGUAGE="en")
    # SQLite looks for it and finds nothing; PostgreSQL cannot even look.
    assert (response.status_code, response.json()["detail"]) in [
        (404, "Not found, or not within your area."),
        (422, "Text may not contain the NUL character (\\x00)."),
    ]


def test_a_huge_id_in_an_address_is_not_found(alice):
    response = alice.get("/api/v1/places/buildings/99999999999999999999999", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404


def test_a_huge_number_in_a_query_is_refused(alice):
    response = alice.get("/api/v1/places/buildings", {"compound": "99999999999999999999999"}, HTTP_ACCEPT_LANGUAGE="en")
    # PostgreSQL compares it as a numeric and finds nothing; SQLite cannot bind it.
    assert (response.status_code, response.json()) in [
        (200, {"items": [], "count": 0}),
        (422, {"detail": "A number or text is out of range.", "code": "out_of_range"}),
    ]


def test_a_huge_number_in_a_body_is_refused_and_nothing_is_stored(alice, world):
    payload = {"level": "stairwell", "place_id": 2**70, "title": "楼道灯", "text": "坏了"}
    response = _post(alice, "/api/v1/topics", payload)
    assert response.status_code == 422
    assert not Topic.objects.exists()


def test_an_offset_past_any_list_is_refused(alice):
    response = alice.get("/api/v1/places/communities", {"offset": str(2**63)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.offset"
