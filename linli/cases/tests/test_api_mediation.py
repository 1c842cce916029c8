"""Mediating a neighbour dispute over the API: opening it with the mediating organisation and
the parties, sessions, the conclusion and the follow-up; only for those who may mediate (404
for those who cannot see the case, 403 for those who see it but may not mediate); the
parties' names never reach anyone else."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from linli.cases.models import Mediation

from .conftest import API, EN, post_json


def url(case, path=""):
    return f"{API}/cases/{case.code}/mediation{path}"


def post(client, case, path="", payload=None, headers=None):
    return post_json(client, f"/cases/{case.code}/mediation{path}", payload, headers)


def opening(cw):
    return {
        "mediator_id": cw.association.pk,
        "parties": [
            {"name": "李爱丽", "side": "a", "person_id": cw.p_alice.pk, "home_id": cw.h101.pk},
            {"name": "楼上201住户", "side": "b"},
        ],
    }


def session(**kw):
    held = (timezone.now() - dt.timedelta(hours=2)).isoformat()
    return {"held_at": held, "place": "同心阁", "mediators": "会长丙、社工己", "summary": "双方同意请物业检测", **kw}


def test_a_dispute_is_mediated_to_an_agreement_and_followed_up(cw, dispute, login):
    worker = login(cw.carol)
    assert worker.get(url(dispute), headers=EN).json() == {
        "detail": "This case is not in mediation.",
        "code": "no_mediation",
    }
    opened = post(worker, dispute, "", opening(cw))
    assert opened.status_code == 201, opened.content
    assert opened["cache-control"] == "no-store"
    body = opened.json()
    assert body["case"] == dispute.code and body["mediator"] == {"id": cw.association.pk, "name": "富丰新城街坊会"}
    assert body["outcome"] == "open" and body["sessions"] == []
    assert [(p["name"], p["side"]) for p in body["parties"]] == [("李爱丽", "a"), ("楼上201住户", "b")]
    assert body["parties"][0]["person"]["id"] == cw.p_alice.pk and body["parties"][0]["home"]["id"] == cw.h101.pk

    chair = login(cw.henry)  # the association handles disputes of 富丰新城
    added = post(chair, dispute, "/sessions", session(attendees="双方业主"))
    assert added.status_code == 201, added.content
    assert [(s["place"], s["recorded_by"]["name"]) for s in added.json()["sessions"]] == [("同心阁", "会长丙")]
    follow = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    done = post(
        chair, dispute, "/conclude", {"outcome": "agreed", "agreement": "201负责修防水", "follow_up_on": follow}
    )
    assert done.status_code == 200, done.content
    assert (done.json()["outcome"], done.json()["follow_up_on"]) == ("agreed", follow)
    followed = post(login(cw.carol), dispute, "/follow-up", {"note": "已修好，双方满意"})
    assert followed.status_code == 200
    assert followed.json()["follow_up_note"] == "已修好，双方满意" and followed.json()["followed_up_at"]
    assert login(cw.carol).get(url(dispute)).json()["agreement"] == "201负责修防水"


@pytest.mark.parametrize("actor, status", [("alice", 403), ("bob", 403), ("dave", 404), ("paul", 404), ("olga", 404)])
def test_only_those_who_may_mediate_see_or_record_it(cw, dispute, login, actor, status):
    post(login(cw.carol), dispute, "", opening(cw))
    client = login(getattr(cw, actor))
    responses = [
        client.get(url(dispute)),
        post(client, dispute, "", opening(cw)),
        post(client, dispute, "/sessions", session()),
        post(client, dispute, "/conclude", {"outcome": "failed"}),
        post(client, dispute, "/follow-up", {"note": "x"}),
    ]
    assert [r.status_code for r in responses] == [status] * 5, actor
    for response in responses:
        assert "李爱丽" not in response.content.decode() and "楼上201住户" not in response.content.decode()
    mediation = Mediation.objects.get(case=dispute)
    assert (mediation.outcome, mediation.sessions.count()) == ("open", 0)


def test_the_parties_names_stay_with_the_mediators(cw, dispute, login):
    post(login(cw.carol), dispute, "", opening(cw))
    post(login(cw.carol), dispute, "/sessions", session())
    for actor in ("alice", "bob"):  # the reporter, and a leader who sees internal notes
        detail = login(getattr(cw, actor)).get(f"{API}/cases/{dispute.code}")
        assert detail.status_code == 200 and detail.json()["can"]["mediate"] is False
        assert "楼上201住户" not in detail.content.decode()
    board = Client().get(f"{API}/public/compounds/{cw.fufeng.pk}/board")
    assert "楼上201住户" not in board.content.decode() and "同心阁" not in board.content.decode()
    assert login(cw.carol).get(f"{API}/cases/{dispute.code}").json()["can"]["mediate"] is True


def test_bad_input_is_named_and_nothing_is_written(cw, dispute, login):
    worker = login(cw.carol)
    one_side = post(worker, dispute, "", {**opening(cw), "parties": opening(cw)["parties"][:1]}, headers=EN)
    assert one_side.status_code == 422
    assert one_side.json()["errors"] == [
        {"field": "body.parties", "message": "Name at least one person on each side of the dispute.", "type": "parties"}
    ]
    company = post(worker, dispute, "", {**opening(cw), "mediator_id": cw.company.pk}, headers=EN)
    assert company.json()["errors"][0] == {
        "field": "body.mediator_id",
        "message": "富丰物业 does not mediate disputes.",
        "type": "bad_mediator",
    }
    elsewhere = opening(cw)
    elsewhere["parties"][1]["person_id"] = cw.p_olga.pk
    assert post(worker, dispute, "", elsewhere).json()["errors"][0]["field"] == "body.parties.1.person_id"
    unknown = post(worker, dispute, "", {**opening(cw), "mediator_id": 999999})
    assert unknown.json()["errors"][0]["field"] == "body.mediator_id"
    assert post(worker, dispute, "", {**opening(cw), "parties": [{"name": "x", "side": "c"}]}).status_code == 422
    assert not Mediation.objects.exists()

    assert post(worker, dispute, "", opening(cw)).status_code == 201
    again = post(worker, dispute, "", opening(cw), headers=EN)
    assert (again.status_code, again.json()["detail"]) == (409, "This case is already in mediation.")
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    later = post(worker, dispute, "/sessions", session(held_at=future), headers=EN)
    assert later.json()["errors"][0]["field"] == "body.held_at"
    early = post(worker, dispute, "/conclude", {"outcome": "agreed", "agreement": "写好了"}, headers=EN)
    assert early.json()["errors"] == [
        {"field": "body.outcome", "message": "Record at least one session before the agreement.", "type": "no_session"}
    ]
    not_yet = post(worker, dispute, "/follow-up", {"note": "x"}, headers=EN)
    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "invalid_state")
    assert Mediation.objects.get(case=dispute).outcome == "open"


def test_a_session_without_an_offset_is_beijing_time(cw, dispute, login):
    worker = login(cw.carol)
    post(worker, dispute, "", opening(cw))
    held = timezone.localtime() - dt.timedelta(hours=3)
    naive = held.replace(tzinfo=None, microsecond=0).isoformat()
    body = post(worker, dispute, "/sessions", session(held_at=naive)).json()
    assert dt.datetime.fromisoformat(body["sessions"][0]["held_at"]) == held.replace(microsecond=0)
