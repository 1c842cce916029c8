"""Case events reach the right people, in a message about the case, and never the one who acted."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import translation

from linli.cases import services as case_services
from linli.cases.lifecycle import perform
from linli.notices import case_events
from linli.notices.models import Notification

from .conftest import MONDAY


def kinds_for(user):
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_a_submitted_case_notifies_the_clerk_of_the_company_serving_the_compound(cw, new_case, committed):
    with committed():
        case = new_case()
    notice = Notification.objects.get(user=cw.dave)
    assert notice.kind == "case.submitted"
    assert "楼道灯坏了" in notice.title and "富丰新城 1栋1单元" in notice.title
    assert notice.link == f"/cases/{case.code}/"
    assert case.code in notice.body and "1单元3楼楼道灯不亮一周了" in notice.body
    # Not the other company's clerk, not the reporter, not the community (yet).
    for other in (cw.paul, cw.alice, cw.carol, cw.bob):
        assert kinds_for(other) == []


def test_the_title_reads_as_a_new_case_in_the_recipients_language(cw, new_case, committed, settings):
    settings.LANGUAGE_CODE = "en"  # users have no language of their own: the site's is theirs
    with committed():
        new_case()
    assert Notification.objects.get(user=cw.dave).title == "New case: 楼道灯坏了 (富丰新城 1栋1单元)"


def test_a_reply_notifies_the_reporter_and_not_the_clerk_who_wrote_it(cw, new_case, committed):
    case = new_case()
    with committed():
        case_services.reply(case=case, user=cw.dave, text="已安排电工明天上午更换。", now=MONDAY)
    notice = Notification.objects.get(user=cw.alice)
    assert notice.kind == "case.reply"
    assert "楼道灯坏了" in notice.title
    assert notice.body == "已安排电工明天上午更换。"
    assert notice.link == f"/r/track/{case.code}/"  # his own case page, where he rates or reopens it
    assert kinds_for(cw.dave) == []


def test_each_step_of_the_case_reaches_the_reporter(cw, new_case, committed):
    case = new_case()
    with committed():
        case = perform(case, "accept", user=cw.dave, now=MONDAY)
        case = perform(case, "start", user=cw.dave, now=MONDAY)
        case = perform(case, "resolve", user=cw.dave, note="灯已更换，请确认。", now=MONDAY)
    # The note given on resolving is the reply: one message, not two.
    assert sorted(kinds_for(cw.alice)) == ["case.accepted", "case.resolved"]
    resolved = Notification.objects.get(user=cw.alice, kind="case.resolved")
    assert "灯已更换，请确认。" in resolved.body
    assert kinds_for(cw.dave) == []


def test_a_rejected_case_tells_the_reporter_why(cw, new_case, committed):
    case = new_case()
    with committed():
        perform(case, "reject", user=cw.carol, note="不属于物业服务范围", now=MONDAY)
    assert "不属于物业服务范围" in Notification.objects.get(user=cw.alice, kind="case.rejected").body


def test_a_rolled_back_change_notifies_nobody(cw, new_case, committed):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        new_case()
        raise RuntimeError("the request failed after submitting")
    assert Notification.objects.count() == 0


def test_the_one_who_acted_is_not_told_of_his_own_action(cw, new_case, committed):
    with committed():
        new_case(recorded_by=cw.dave, channel="phone")  # dave takes alice's call and records it
    assert kinds_for(cw.dave) == []


def test_a_reporter_without_an_account_is_simply_not_told(cw, new_case, committed):
    case = new_case(reporter=None, reporter_name="张伯", reporter_phone="13700000009")
    with committed():
        perform(case, "accept", user=cw.dave, now=MONDAY)
    assert Notification.objects.count() == 0


def test_overdue_reaches_the_handlers_and_community_then_escalation_the_subdistrict(cw, new_case, committed):
    case = new_case()
    day_after_due = case.resolve_due + dt.timedelta(days=1)
    with committed():
        case_services.tick(now=day_after_due)
    assert kinds_for(cw.dave) == ["case.overdue"]
    assert kinds_for(cw.carol) == ["case.overdue"]
    assert kinds_for(cw.erin) == []
    with committed():
        case_services.tick(now=day_after_due + dt.timedelta(days=7))
    assert "case.escalated" in kinds_for(cw.carol)
    assert kinds_for(cw.erin) == ["case.escalated"]
    assert "case.escalated" not in kinds_for(cw.dave)
    with translation.override("en"):
        title = case_events.message("escalated", case_events.COMMUNITY, case, None, level=2)[0]
    assert title == "Escalated to the subdistrict: 楼道灯坏了 (富丰新城 1栋1单元)"


def test_the_same_event_announced_twice_reaches_each_person_once(cw, new_case, committed):
    with committed():
        case = new_case()
    with committed():
        case_events.announce(kind="submitted", case_id=case.pk, data={})
    assert Notification.objects.filter(user=cw.dave).count() == 1


def test_a_broken_receiver_never_breaks_the_case(cw, new_case, committed, monkeypatch, caplog):
    def broken(**kwargs):
        raise ValueError("a bug in notices")

    monkeypatch.setattr(case_events, "announce", broken)
    with committed():
        case = new_case()
    assert case.pk and Notification.objects.count() == 0
    assert "not announced" in caplog.text
