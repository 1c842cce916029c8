"""One action on many cases over the API: each case on its own through lifecycle.perform, one
answer per code; codes outside the caller's area are "not found", like codes that do not
exist; at most 200 codes in one call."""

import pytest
from django.utils import timezone

from linli.cases.lifecycle import perform
from linli.cases.models import Case, Event, Status

from .conftest import EN, post_json


def bulk(client, headers=None, **payload):
    return post_json(client, "/cases/bulk", payload, headers)


@pytest.fixture
def cases(cw, new_case):
    now = timezone.now()
    c = type("Cases", (), {})()
    c.one = new_case(title="一", now=now)
    c.two = new_case(title="二", stairwell=cw.s21, reporter=cw.p_b2, now=now)
    c.done = perform(new_case(title="已接", now=now), "accept", user=cw.dave)
    c.yijing = new_case(compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga, title="别家", now=now)
    return c


def test_each_case_is_answered_on_its_own(cw, cases, login):
    codes = [cases.one.code, cases.done.code, cases.yijing.code, "2611-ZZZZZZ", cases.two.code.lower()]
    response = bulk(login(cw.dave), action="accept", codes=codes, headers=EN)
    assert response.status_code == 200, response.content
    results = response.json()
    assert [(r["code"], r["ok"], r["status"]) for r in results] == [
        (cases.one.code, True, "accepted"),
        (cases.done.code, False, "accepted"),
        (cases.yijing.code, False, None),
        ("2611-ZZZZZZ", False, None),
        (cases.two.code, True, "accepted"),
    ]
    assert results[0]["detail"] == "" and results[0]["error"] is None
    assert results[1]["error"] == "invalid_state"
    assert results[1]["detail"] == "A case that is accepted cannot be given the action “accept”."
    # The other company's case and a code that does not exist get the same answer.
    assert {k: v for k, v in results[2].items() if k != "code"} == {k: v for k, v in results[3].items() if k != "code"}
    assert results[2]["error"] == "not_found"
    assert Case.objects.get(pk=cases.yijing.pk).status == Status.SUBMITTED
    assert Case.objects.get(pk=cases.two.pk).status == Status.ACCEPTED


def test_what_the_role_does_not_allow_is_refused_case_by_case(cw, cases, login):
    results = bulk(login(cw.dave), action="reject", codes=[cases.one.code], note="重复", headers=EN).json()
    assert results == [
        {
            "code": cases.one.code,
            "ok": False,
            "status": "submitted",
            "detail": "Your role does not allow you to reject this case.",
            "error": "permission_denied",
        }
    ]
    staff = bulk(login(cw.carol), action="reject", codes=[cases.one.code, cases.two.code], note="重复").json()
    assert [r["status"] for r in staff] == ["rejected", "rejected"]
    assert Event.objects.filter(action="reject", note="重复").count() == 2


def test_a_missing_reason_fails_each_case_and_changes_nothing(cw, cases, login):
    results = bulk(login(cw.dave), action="hold", codes=[cases.done.code], headers=EN).json()
    assert (results[0]["ok"], results[0]["error"], results[0]["detail"]) == (False, "invalid", "Please give a reason.")
    assert Case.objects.get(pk=cases.done.pk).version == cases.done.version


def test_dispatch_to_an_organisation_within_reach(cw, cases, login):
    worker = login(cw.carol)
    results = bulk(worker, action="dispatch", codes=[cases.done.code], organisation_id=cw.association.pk, note="转")
    assert results.json()[0]["ok"] is True
    assert Case.objects.get(pk=cases.done.pk).organisation == cw.association
    nowhere = bulk(worker, action="dispatch", codes=[cases.done.code], organisation_id=999999)
    assert nowhere.status_code == 422 and nowhere.json()["errors"][0]["field"] == "body.organisation_id"


def test_the_call_itself_is_checked(cw, cases, login):
    clerk = login(cw.dave)
    too_many = bulk(clerk, action="accept", codes=[f"2611-{i:06d}" for i in range(201)], headers=EN)
    assert too_many.status_code == 422
    assert too_many.json()["errors"] == [{"field": "body.codes", "message": "At most 200 cases at a time."}]
    assert bulk(clerk, action="accept", codes=[], headers=EN).json()["errors"][0]["field"] == "body.codes"
    assert bulk(clerk, action="merge", codes=[cases.one.code]).status_code == 422
    assert bulk(clerk, action="explode", codes=[cases.one.code]).status_code == 422
    assert Case.objects.filter(status=Status.SUBMITTED).count() == 3
    exactly = [cases.one.code] + [f"2611-{i:06d}" for i in range(199)]
    assert len(bulk(clerk, action="accept", codes=exactly).json()) == 200


def test_a_code_sent_twice_is_answered_once(cw, cases, login):
    results = bulk(login(cw.dave), action="accept", codes=[cases.one.code, cases.one.code.lower()]).json()
    assert [(r["code"], r["ok"]) for r in results] == [(cases.one.code, True)]
