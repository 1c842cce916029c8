"""The lifecycle: who may do what, in which state, and what each step records."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.cases import lifecycle, services
from linli.cases.lifecycle import CaseError, Conflict, perform
from linli.cases.models import Case, Event, Status

from .conftest import MONDAY, resolve


def later(hours):
    return MONDAY + dt.timedelta(hours=hours)


def test_submission_is_routed_to_the_property_company_serving_the_compound(cw, new_case):
    case = new_case()
    assert case.status == Status.SUBMITTED
    assert case.organisation == cw.company
    assert case.community == cw.daxin
    assert case.building == cw.b1  # filled in from the stairwell
    assert timezone.localtime(case.reply_due).date() == dt.date(2026, 11, 17)
    assert timezone.localtime(case.resolve_due).date() == dt.date(2026, 11, 30)
    assert case.events.get().action == "submit"


def test_the_full_closed_loop(cw, new_case):
    case = new_case()
    case = perform(case, "accept", user=cw.dave, now=later(1))
    assert case.first_receiver == cw.dave and case.accepted_at == later(1)
    case = perform(case, "dispatch", user=cw.dave, assignee=cw.dave, now=later(2))
    case = perform(case, "start", user=cw.dave, now=later(3))
    services.reply(case=case, user=cw.dave, text="已安排电工明天上午更换。", now=later(4))
    case = perform(case, "resolve", user=cw.dave, note="灯已更换，请确认。", now=later(20))
    assert case.status == Status.RESOLVED
    case = services.rate(case=case, user=cw.alice, stars=5, comment="很快，谢谢", now=later(30))
    assert case.status == Status.CLOSED and case.rating == 5
    actions = list(case.events.filter(type=Event.Type.TRANSITION).values_list("action", flat=True))
    assert actions == ["submit", "accept", "dispatch", "start", "resolve", "close"]
    assert case.events.filter(type=Event.Type.REPLY).count() == 2
    every = case.events.filter(type=Event.Type.TRANSITION).exclude(action="submit")
    assert all(e.actor_label for e in every)


def test_a_case_cannot_be_resolved_without_a_reply(cw, new_case):
    case = new_case()
    for action in ("accept", "start"):
        case = perform(case, action, user=cw.dave)
    with pytest.raises(ValidationError):
        perform(case, "resolve", user=cw.dave)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.resolved_at is None


def test_illegal_transition_is_refused_and_changes_nothing(cw, new_case):
    case = new_case()
    with pytest.raises(CaseError) as err:
        perform(case, "resolve", user=cw.dave)
    assert err.value.status_code == 409
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.version == 1
    assert case.events.count() == 1


def test_a_resident_cannot_accept_or_resolve_his_own_case(cw, new_case):
    case = new_case()
    with pytest.raises(PermissionDenied):
        perform(case, "accept", user=cw.alice)
    assert lifecycle.available(case, cw.alice) == []


def test_a_clerk_of_another_company_cannot_act(cw, new_case):
    with pytest.raises(PermissionDenied):
        perform(new_case(), "accept", user=cw.paul)


def test_the_second_of_two_people_acting_at_once_gets_a_conflict(cw, new_case):
    case = new_case()
    seen = case.version
    perform(case, "accept", user=cw.dave, version=seen)
    with pytest.raises(Conflict):
        perform(case, "reject", user=cw.carol, version=seen, note="不属于受理范围")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.closed_at is None


def test_returned_goes_back_to_dispatch_with_a_reason(cw, new_case):
    case = new_case(category=cw.cat.public_order)  # routed to the residents' committee
    assert case.organisation == cw.committee
    case = perform(case, "accept", user=cw.carol)
    case = perform(case, "dispatch", user=cw.carol, organisation=cw.company, note="楼道照明归物业")
    with pytest.raises(ValidationError):
        perform(case, "return", user=cw.dave)  # a reason is required
    case = perform(case, "return", user=cw.dave, note="公共区域治安不归物业")
    assert case.status == Status.RETURNED
    case = perform(case, "dispatch", user=cw.carol, organisation=cw.association, note="街坊会调解")
    assert case.organisation == cw.association and case.status == Status.DISPATCHED


def test_handing_a_case_to_another_organisation_needs_staff_and_a_reason(cw, new_case):
    case = perform(new_case(), "accept", user=cw.dave)
    with pytest.raises(PermissionDenied):
        perform(case, "dispatch", user=cw.dave, organisation=cw.association, note="x")
    with pytest.raises(ValidationError):
        perform(case, "dispatch", user=cw.carol, organisation=cw.association)
    case = services.reassign(case=case, user=cw.carol, organisation=cw.association, note="属于邻里纠纷")
    assert case.organisation == cw.association
    assert case.events.filter(type=Event.Type.REASSIGN, note="属于邻里纠纷").exists()


def test_hold_needs_a_reason_and_stops_the_clock(cw, new_case):
    case = perform(new_case(), "accept", user=cw.dave, now=later(1))
    due = case.resolve_due
    with pytest.raises(ValidationError):
        perform(case, "hold", user=cw.dave, now=later(2))
    case = perform(case, "hold", user=cw.dave, note="等待业委会表决维修资金", now=later(2))
    assert case.status == Status.ON_HOLD and not case.is_overdue(due + dt.timedelta(days=30))
    # Held Monday → the next Monday: 5 working days; the due date moves 5 working days.
    case = perform(case, "resume", user=cw.dave, now=later(24 * 7))
    assert case.status == Status.ACCEPTED
    assert timezone.localtime(case.resolve_due).date() == dt.date(2026, 12, 7)
    assert timezone.localtime(due).date() == dt.date(2026, 11, 30)


def test_reject_needs_staff_and_an_explanation(cw, new_case):
    case = new_case()
    with pytest.raises(PermissionDenied):
        perform(case, "reject", user=cw.dave, note="x")
    case = perform(case, "reject", user=cw.carol, note="私人装修纠纷，请通过法律途径解决。")
    assert case.status == Status.REJECTED
    assert case.events.get(action="reject").public


def test_merged_duplicate_sends_support_to_the_original(cw, new_case):
    first = new_case()
    dup = new_case(reporter=cw.p_neighbour, title="楼道灯不亮")
    perform(dup, "merge", user=cw.dave, target=first)
    dup.refresh_from_db()
    first.refresh_from_db()
    assert dup.status == Status.MERGED and dup.merged_into == first
    assert first.supporters == 1 and first.supports.filter(person=cw.p_neighbour).exists()


def test_merge_refuses_itself_and_closed_cases(cw, new_case):
    case = new_case()
    with pytest.raises(ValidationError):
        perform(case, "merge", user=cw.dave, target=case)
    closed = perform(new_case(), "reject", user=cw.carol, note="重复")
    with pytest.raises(ValidationError):
        perform(case, "merge", user=cw.dave, target=closed)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_the_resident_reopens_when_he_disagrees(cw, new_case):
    case = resolve(new_case(), cw.dave, note="已处理")
    case = perform(case, "reopen", user=cw.alice, note="灯还是不亮")
    assert case.status == Status.REOPENED and case.resolved_at is None
    case = perform(case, "start", user=cw.dave)
    assert case.status == Status.IN_PROGRESS


def test_replies_to_closed_cases_are_refused(cw, new_case):
    case = perform(new_case(), "reject", user=cw.carol, note="不受理")
    with pytest.raises(CaseError):
        services.reply(case=case, user=cw.carol, text="补充说明")
    assert not case.events.filter(type=Event.Type.REPLY).exists()


def test_a_rating_is_once_and_from_one_to_five(cw, new_case):
    case = resolve(new_case(), cw.dave, note="已处理")
    with pytest.raises(ValidationError):
        services.rate(case=case, user=cw.alice, stars=6)
    with pytest.raises(PermissionDenied):
        services.rate(case=case, user=cw.dave, stars=5)
    services.rate(case=case, user=cw.alice, stars=2, comment="太慢")
    with pytest.raises(CaseError):
        services.rate(case=case, user=cw.alice, stars=5)
    assert Case.objects.get(pk=case.pk).rating == 2


def test_support_is_once_per_person_and_not_for_ones_own_case(cw, new_case):
    case = new_case()
    assert services.support(case=case, person=cw.p_neighbour) is True
    assert services.support(case=case, person=cw.p_neighbour) is False
    with pytest.raises(CaseError):
        services.support(case=case, person=cw.p_alice)
    case.refresh_from_db()
    assert case.supporters == 1


def test_similar_open_cases_are_found_in_the_same_stairwell(cw, new_case):
    case = new_case()
    new_case(stairwell=cw.s21, compound=cw.fufeng)  # another building
    found = services.similar_open_cases(compound=cw.fufeng, category=cw.cat.maintenance, stairwell=cw.s11)
    assert found == [case]
    assert services.similar_open_cases(compound=cw.fufeng, category=cw.cat.noise, stairwell=cw.s11) == []


def test_bad_place_and_text_are_refused_and_nothing_is_written(cw, new_case):
    with pytest.raises(ValidationError):
        new_case(compound=cw.yijing, stairwell=cw.s11)
    with pytest.raises(ValidationError):
        new_case(title="   ")
    with pytest.raises(ValidationError):
        new_case(reporter=None, reporter_phone="12345")
    assert Case.objects.count() == 0


def test_a_reporter_without_account_is_found_by_phone_or_added(cw, new_case):
    case = new_case(reporter=None, reporter_name="王邻", reporter_phone="138 0000 0002", recorded_by=cw.bob)
    assert case.reporter == cw.p_neighbour and case.phone_last4 == "0002"


def test_a_typed_number_on_the_open_form_never_files_in_a_neighbours_name(cw, new_case):
    case = new_case(reporter=None, reporter_name="冒名", reporter_phone="13800000002")
    assert case.reporter != cw.p_neighbour and case.reporter.name == "冒名"
    assert not cw.p_neighbour.cases.exists()
    case = new_case(reporter=None, reporter_name="新住户", reporter_phone="13700000077")
    assert case.reporter.name == "新住户" and case.reporter_phone == "13700000077"


def test_open311_status(cw, new_case):
    case = new_case()
    assert case.open311_status == "open"
    case = perform(case, "reject", user=cw.carol, note="x")
    assert case.open311_status == "closed"


def test_a_case_goes_only_to_an_organisation_that_serves_its_compound(cw, new_case):
    case = perform(new_case(), "accept", user=cw.carol)
    with pytest.raises(ValidationError):
        perform(case, "dispatch", user=cw.carol, organisation=cw.company2, note="颐景物业不服务富丰新城")
    with pytest.raises(ValidationError):
        services.reassign(case=case, user=cw.carol, organisation=cw.company2, note="x")
    case.refresh_from_db()
    assert case.organisation == cw.company and case.status == Status.ACCEPTED
