"""Acting on a case over the API: every step of the lifecycle, the answers to a stale version
(409), to a step the case's state does not allow (409), to a role that may not (403) and to
bad input (422), in the caller's language; replies, notes, ratings, support, reassignment and
the logged reveal of the reporter's phone (photos: test_api_photos.py)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from linli.cases.lifecycle import TRANSITIONS, perform
from linli.cases.models import Case, Event, Status
from linli.conftest import _user
from linli.people.models import RevealLog

from .conftest import API, EN, post_json, resolve


def act(client, case, action, headers=None, **payload):
    return post_json(client, f"/cases/{case.code}/actions/{action}", payload, headers)


def post(client, case, path, payload=None, headers=None):
    return post_json(client, f"/cases/{case.code}/{path}", payload, headers)


def ok(response):
    assert response.status_code == 200, response.content
    return response.json()


def refreshed(case):
    case.refresh_from_db()
    return case


# --- the closed loop --------------------------------------------------------------------


def test_the_closed_loop_through_the_api(cw, case, login):
    clerk = login(cw.dave)
    body = ok(act(clerk, case, "accept", version=1))
    assert (body["status"], body["version"]) == ("accepted", 2)
    assert "dispatch" in body["available_actions"]
    body = ok(act(clerk, case, "dispatch", version=2, assignee_id=cw.dave.pk))
    assert body["status"] == "dispatched" and body["assignee"] == {"id": cw.dave.pk, "name": "物业戊"}
    body = ok(act(clerk, case, "start", version=3))
    assert body["status"] == "in_progress"
    reply = post(clerk, case, "replies", {"text": "已安排电工明天上午更换。"})
    assert reply.status_code == 201
    assert reply.json()["type"] == "reply" and reply.json()["public"] is True
    body = ok(act(clerk, case, "resolve", version=4, note="灯已更换，请确认。"))
    assert (body["status"], body["open311_status"]) == ("resolved", "closed")
    assert body["available_actions"] == []

    resident = login(cw.alice)
    assert ok(resident.get(f"{API}/cases/{case.code}"))["available_actions"] == ["close", "reopen"]
    body = ok(post(resident, case, "rating", {"stars": 5, "comment": "很快，谢谢"}, headers=EN))
    assert (body["status"], body["rating"], body["rating_comment"]) == ("closed", 5, "很快，谢谢")
    assert [e["by"] for e in body["timeline"] if e["type"] == "rating"] == ["the resident"]
    assert body["timeline"][0]["by"] == "the resident"  # who submitted it
    actions = list(refreshed(case).events.filter(type=Event.Type.TRANSITION).values_list("action", flat=True))
    assert actions == ["submit", "accept", "dispatch", "start", "resolve", "close"]


def test_the_reporter_closes_or_reopens_a_resolved_case(cw, case, login):
    resolve(case, cw.dave, note="已修好")
    resident = login(cw.alice)
    response = act(resident, case, "reopen", headers=EN)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.note", "message": "Please give a reason.", "type": "note_required"}
    ]
    body = ok(act(resident, case, "reopen", note="灯还是不亮"))
    assert body["status"] == "reopened" and body["open311_status"] == "open"
    perform(case, "start", user=cw.dave)
    perform(case, "resolve", user=cw.dave, note="换了整套灯具")
    assert ok(act(resident, case, "close"))["status"] == "closed"


def test_hold_stops_and_resume_restarts(cw, case, login):
    clerk = login(cw.dave)
    ok(act(clerk, case, "accept"))
    body = ok(act(clerk, case, "hold", note="等待业委会表决维修资金"))
    assert body["status"] == "on_hold" and body["workdays_left"] is None and body["overdue"] is False
    assert ok(act(clerk, case, "resume"))["status"] == "accepted"


def test_return_goes_back_to_dispatch_by_staff(cw, case, login):
    clerk = login(cw.dave)
    ok(act(clerk, case, "accept"))
    assert ok(act(clerk, case, "return", note="属于公共区域治安，不归物业"))["status"] == "returned"
    body = ok(act(login(cw.carol), case, "dispatch", organisation_id=cw.association.pk, note="转街坊会协调"))
    assert body["status"] == "dispatched" and body["organisation"]["id"] == cw.association.pk


def test_reject_is_for_staff_and_explained_in_public(cw, case, login):
    assert act(login(cw.dave), case, "reject", note="x").status_code == 403
    body = ok(act(login(cw.carol), case, "reject", note="私人装修纠纷，请通过法律途径解决。"))
    assert body["status"] == "rejected"
    public = [e for e in ok(login(cw.alice).get(f"{API}/cases/{case.code}"))["timeline"] if e["action"] == "reject"]
    assert public[0]["note"] == "私人装修纠纷，请通过法律途径解决。"


def test_merge_sends_the_duplicate_to_the_original(cw, case, now_case, login):
    dup = now_case(reporter=cw.p_neighbour, title="楼道灯不亮")
    body = ok(act(login(cw.dave), dup, "merge", target_code=case.code.lower()))
    assert body["status"] == "merged" and body["merged_into"] == case.code
    assert refreshed(case).supporters == 1


# --- conflicts, permissions, bad input --------------------------------------------------


def test_a_stale_version_is_a_409_in_the_callers_language(cw, case, login):
    ok(act(login(cw.dave), case, "accept", version=1))
    worker = login(cw.carol)
    english = act(worker, case, "reject", headers=EN, version=1, note="不属于受理范围")
    assert english.status_code == 409
    assert english.json() == {
        "detail": "Someone else changed this case a moment ago (it is now accepted). Please look again and retry.",
        "code": "conflict",
    }
    default = act(worker, case, "reject", version=1, note="不属于受理范围")
    assert default.status_code == 409
    assert default["content-language"] == "zh-hans"
    with translation.override("zh-hans"):
        expected = _(
            "Someone else changed this case a moment ago (it is now %(status)s). Please look again and retry."
        ) % {"status": Status.ACCEPTED.label}
    assert default.json() == {"detail": expected, "code": "conflict"}
    assert refreshed(case).status == Status.ACCEPTED and case.version == 2


def test_an_illegal_transition_is_a_409_in_the_callers_language(cw, case, login):
    clerk = login(cw.dave)
    english = act(clerk, case, "resolve", headers=EN)
    assert english.status_code == 409
    assert english.json() == {
        "detail": "A case that is submitted cannot be given the action “resolve”.",
        "code": "invalid_state",
    }
    default = act(clerk, case, "resolve")
    with translation.override("zh-hans"):
        expected = _("A case that is %(status)s cannot be given the action “%(action)s”.") % {
            "status": Status.SUBMITTED.label,
            "action": TRANSITIONS["resolve"].label,
        }
    assert (default.status_code, default.json()) == (409, {"detail": expected, "code": "invalid_state"})
    assert refreshed(case).status == Status.SUBMITTED and case.version == 1
    assert case.events.count() == 1


@pytest.mark.parametrize(
    "actor, action, message",
    [
        ("alice", "accept", "Your role does not allow you to accept this case."),
        ("bob", "accept", "Your role does not allow you to accept this case."),
        ("dave", "reject", "Your role does not allow you to reject this case."),
    ],
)
def test_a_step_the_role_does_not_allow_is_a_403(cw, case, login, actor, action, message):
    response = act(login(getattr(cw, actor)), case, action, headers=EN, note="x")
    assert response.status_code == 403
    assert response.json() == {"detail": message, "code": "permission_denied"}
    assert refreshed(case).status == Status.SUBMITTED


def test_resolving_without_a_reply_names_the_note(cw, case, login):
    clerk = login(cw.dave)
    for action in ("accept", "start"):
        ok(act(clerk, case, action))
    response = act(clerk, case, "resolve", headers=EN)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Write a reply to the resident before resolving: say what was done."
    assert body["errors"][0]["field"] == "body.note"
    assert refreshed(case).status == Status.IN_PROGRESS


def test_unknown_action_and_bad_fields(cw, case, now_case, login):
    clerk = login(cw.dave)
    unknown = act(clerk, case, "explode", headers=EN)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "path.action"
    merge = act(clerk, case, "merge", headers=EN)
    assert merge.json()["errors"][0]["field"] == "body.target_code"
    elsewhere = now_case(compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga)
    hidden = act(clerk, case, "merge", headers=EN, target_code=elsewhere.code)
    assert hidden.json()["errors"] == [
        {"field": "body.target_code", "message": "There is no case with this code within your area."}
    ]
    paul = act(clerk, case, "dispatch", headers=EN, assignee_id=cw.paul.pk)
    assert paul.json()["errors"][0]["field"] == "body.assignee_id"
    office = act(clerk, case, "dispatch", headers=EN, organisation_id=cw.office.pk)
    assert office.json()["errors"][0]["field"] == "body.organisation_id"
    assert act(clerk, case, "accept", version="two").status_code == 422
    assert refreshed(case).status == Status.SUBMITTED


def test_handing_to_another_organisation_needs_staff_and_a_reason(cw, case, login):
    ok(act(login(cw.dave), case, "accept"))
    assert act(login(cw.dave), case, "dispatch", organisation_id=cw.association.pk, note="x").status_code == 403
    no_reason = act(login(cw.carol), case, "dispatch", organisation_id=cw.association.pk, headers=EN)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0] == {
        "field": "body.note",
        "message": "Please say why the case goes to another organisation.",
        "type": "note_required",
    }


# --- replies, notes, ratings, support, reassignment -------------------------------------


def test_replies_are_for_handlers_and_closed_cases_take_none(cw, case, login):
    assert post(login(cw.alice), case, "replies", {"text": "我自己回复"}).status_code == 403
    assert post(login(cw.bob), case, "replies", {"text": "楼长回复"}).status_code == 403
    empty = post(login(cw.dave), case, "replies", {"text": "  "}, headers=EN)
    assert empty.status_code == 422
    assert empty.json()["errors"] == [{"field": "body.text", "message": "Reply is required.", "type": "required"}]
    perform(case, "reject", user=cw.carol, note="重复")
    closed = post(login(cw.carol), case, "replies", {"text": "补充说明"}, headers=EN)
    assert closed.status_code == 409
    assert closed.json()["detail"].startswith("This case is rejected: replies are closed.")
    assert not case.events.filter(type=Event.Type.REPLY).exists()


def test_notes_are_internal_and_leaders_may_add_them(cw, case, login):
    response = post(login(cw.bob), case, "notes", {"text": "住户是独居老人，白天在家"})
    assert response.status_code == 201
    assert response.json()["public"] is False and response.json()["by"] == "沈霞"
    assert post(login(cw.alice), case, "notes", {"text": "x"}).status_code == 403


def test_rating_is_the_reporters_once_resolved(cw, case, login):
    resident = login(cw.alice)
    early = post(resident, case, "rating", {"stars": 5}, headers=EN)
    assert (early.status_code, early.json()["detail"]) == (409, "A case can be rated once it is resolved.")
    resolve(case, cw.dave, note="已修好")
    too_many = post(resident, case, "rating", {"stars": 6}, headers=EN)
    assert too_many.json()["errors"] == [
        {"field": "body.stars", "message": "Must be at most 5.", "type": "less_than_equal"}
    ]
    assert post(login(cw.dave), case, "rating", {"stars": 5}).status_code == 403
    resident = login(cw.alice)  # the test client is one browser: log back in
    assert ok(post(resident, case, "rating", {"stars": 3}))["rating"] == 3
    again = post(resident, case, "rating", {"stars": 4}, headers=EN)
    assert (again.status_code, again.json()["detail"]) == (409, "This case has already been rated.")


def test_a_neighbour_supports_a_case_on_the_board_once(cw, case, now_case, login):
    nina = login(_user("nina", cw.p_neighbour))
    assert ok(post(nina, case, "support")) == {"added": True, "supporters": 1}
    assert ok(post(nina, case, "support")) == {"added": False, "supporters": 1}
    own = post(login(cw.alice), case, "support", headers=EN)
    assert (own.status_code, own.json()["detail"]) == (409, "This is your own case.")
    private = now_case(on_public_board=False)
    assert post(login(_user("nina2", cw.p_b2)), private, "support").status_code == 404
    assert post(login(cw.root), case, "support").status_code == 403  # no resident behind the account


def test_reassignment_is_for_staff_with_a_reason_and_the_version(cw, case, login):
    assert (
        post(login(cw.dave), case, "reassign", {"organisation_id": cw.association.pk, "note": "x"}).status_code == 403
    )
    worker = login(cw.carol)
    blank = post(worker, case, "reassign", {"organisation_id": cw.association.pk, "note": " "}, headers=EN)
    assert blank.json()["errors"][0]["field"] == "body.note"
    stale = post(worker, case, "reassign", {"organisation_id": cw.association.pk, "note": "纠纷", "version": 7})
    assert stale.status_code == 409
    body = ok(
        post(worker, case, "reassign", {"organisation_id": cw.association.pk, "note": "属于邻里纠纷", "version": 1})
    )
    assert body["organisation"] == {"id": cw.association.pk, "name": "富丰新城街坊会"} and body["version"] == 2
    assert login(cw.dave).get(f"{API}/cases/{case.code}").status_code == 404  # no longer the company's


# --- the reporter's phone ---------------------------------------------------------------


@pytest.mark.parametrize("actor, status", [("dave", 200), ("carol", 200), ("bob", 403), ("alice", 403), ("paul", 404)])
def test_revealing_the_reporters_phone_is_checked_and_logged(cw, case, login, actor, status):
    user = getattr(cw, actor)
    response = post(login(user), case, "reveal-contact", {"reason": "上门维修前电话确认"})
    assert response.status_code == status, response.content
    logs = RevealLog.objects.filter(user=user)
    if status == 200:
        assert response.json() == {"name": "李爱丽", "phone": "13800000001"}
        assert response["cache-control"] == "no-store"
        log = logs.get()
        assert (log.person, log.field, log.reason, log.ip) == (cw.p_alice, "phone", "上门维修前电话确认", "127.0.0.1")
    else:
        assert not logs.exists()


def test_a_reveal_needs_a_reason(cw, case, login):
    response = post(login(cw.dave), case, "reveal-contact", {"reason": "  "}, headers=EN)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body.reason", "message": "Please say why you need to see this."}]
    assert not RevealLog.objects.exists()


def test_case_unchanged_after_every_refusal(cw, case, login):
    """Nothing written: a refused step leaves the same version and events."""
    clerk = login(cw.dave)
    act(clerk, case, "resolve")
    act(clerk, case, "return")
    act(login(cw.alice), case, "accept")
    assert refreshed(case).version == 1 and Case.objects.get(pk=case.pk).events.count() == 1
