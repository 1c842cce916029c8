"""Corrections and deletions: asked by the resident, decided by his community's workers only."""

import pytest
from django.core.exceptions import ValidationError

from linli.notices.models import Notification
from linli.people.models import Person
from linli.privacy import services
from linli.privacy.models import CorrectionRequest, DeletionRequest, Status


def test_a_bad_phone_is_refused_and_nothing_is_asked(w):
    with pytest.raises(ValidationError, match="11 digits"):
        services.ask_correction(user=w.alice, field="phone", value="12345", note="")
    with pytest.raises(ValidationError, match="check digit"):
        services.ask_correction(user=w.alice, field="id_number", value="440605199001011237")
    assert not CorrectionRequest.objects.exists()


def test_an_accepted_correction_changes_the_record_and_tells_the_resident(w, django_capture_on_commit_callbacks):
    request = services.ask_correction(user=w.alice, field="phone", value="138 0000 0099", note="换号了")
    assert request.community == w.daxin and request.value == "13800000099"
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_correction(user=w.carol, pk=request.pk, accept=True)
    w.p_alice.refresh_from_db()
    assert w.p_alice.phone == "13800000099"
    assert Person.objects.filter(phone_hash=w.p_alice.phone_hash).get() == w.p_alice
    note = Notification.objects.get(user=w.alice, kind="privacy.correction")
    assert "accepted" in note.title
    with pytest.raises(ValidationError, match="already been decided"):
        services.decide_correction(user=w.carol, pk=request.pk, accept=False, reason="x")


def test_a_rejection_needs_a_reason(w):
    request = services.ask_correction(user=w.alice, field="name", value="李爱莉")
    with pytest.raises(ValidationError, match="Say why"):
        services.decide_correction(user=w.carol, pk=request.pk, accept=False)
    services.decide_correction(user=w.carol, pk=request.pk, accept=False, reason="户口本上是爱丽")
    w.p_alice.refresh_from_db()
    assert w.p_alice.name == "李爱丽"
    assert CorrectionRequest.objects.get().status == Status.REJECTED


def test_an_id_number_held_by_another_person_is_not_applied(w):
    request = services.ask_correction(user=w.husband, field="id_number", value="440605199001011236")
    with pytest.raises(ValidationError, match="Another person"):
        services.decide_correction(user=w.carol, pk=request.pk, accept=True)
    assert CorrectionRequest.objects.get().status == Status.PENDING


def test_staff_outside_the_community_and_residents_cannot_see_or_decide(w, login):
    request = services.ask_correction(user=w.alice, field="birth_year", value="1990")
    deletion = services.ask_deletion(user=w.alice)
    for outsider in (w.wendy, w.bob, w.husband, w.dave):
        client = login(outsider)
        assert client.get(f"/privacy/requests/corrections/{request.pk}/").status_code == 404
        assert client.post(f"/privacy/requests/deletions/{deletion.pk}/", {"decision": "accept"}).status_code == 404
        assert client.get(f"/api/v1/privacy/corrections/{request.pk}").status_code == 404
        response = client.post(
            f"/api/v1/privacy/deletions/{deletion.pk}/decision", {"accept": True}, content_type="application/json"
        )
        assert response.status_code == 404
        assert "李爱丽" not in client.get("/privacy/requests/").content.decode()
    assert DeletionRequest.objects.get().status == Status.PENDING
    client = login(w.carol)
    queue = client.get("/privacy/requests/").content.decode()
    assert "李爱丽" in queue
    assert client.get(f"/privacy/requests/corrections/{request.pk}/").status_code == 200


def test_a_worker_decides_through_the_page(w, login):
    request = services.ask_correction(user=w.alice, field="gender", value="女")
    client = login(w.carol)
    response = client.post(f"/privacy/requests/corrections/{request.pk}/", {"decision": "accept", "reason": ""})
    assert response.status_code == 302
    w.p_alice.refresh_from_db()
    assert w.p_alice.gender == "F"


def test_one_deletion_request_at_a_time_and_a_leader_is_not_anonymised(w):
    services.ask_deletion(user=w.alice)
    with pytest.raises(ValidationError, match="already asked"):
        services.ask_deletion(user=w.alice)
    request = services.ask_deletion(user=w.bob, note="搬走了")
    with pytest.raises(ValidationError, match="leader now") as exc:
        services.decide_deletion(user=w.carol, pk=request.pk, accept=True)
    assert exc.value.code == "conflict"
    w.p_bob.refresh_from_db()
    assert w.p_bob.name == "沈霞" and DeletionRequest.objects.get(pk=request.pk).status == Status.PENDING


def test_a_resident_asks_through_the_page(w, login):
    client = login(w.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/privacy/correct/", {"field": "phone", "value": "abc"}, follow=True)
    assert "11 digits" in response.content.decode() and not CorrectionRequest.objects.exists()
    client.post("/privacy/correct/", {"field": "phone", "value": "13800000088", "note": "新号"})
    client.post("/privacy/delete/", {"note": ""})
    assert CorrectionRequest.objects.get().value == "13800000088"
    assert DeletionRequest.objects.get().person == w.p_alice
    page = client.get("/privacy/").content.decode()
    assert "awaits a worker" in page


def test_the_queue_costs_the_same_for_many_requests(w, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def ask(person):
        CorrectionRequest.objects.create(person=person, community=w.daxin, field="name", value="新名")
        DeletionRequest.objects.create(person=person, community=w.daxin)

    client = login(w.carol)
    ask(w.p_alice)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/privacy/requests/").status_code == 200
    for person in (w.p_neighbour, w.p_b2, w.p_s12):
        ask(person)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/privacy/requests/").content.decode()
    assert "钱二单元" in page and len(four) == len(one)
