"""Mediation of neighbour disputes: parties, sessions, agreement, follow-up."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.cases import mediation as m
from linli.cases.lifecycle import CaseError
from linli.cases.models import Mediation


def parties(cw):
    return [
        {"name": "402业主", "side": "a", "person": cw.p_alice},
        {"name": "502业主", "side": "b", "person": cw.p_neighbour},
    ]


def test_a_dispute_is_routed_to_the_association_and_mediated_to_an_agreement(cw, dispute):
    assert dispute.organisation == cw.association
    med = m.open_mediation(case=dispute, user=cw.henry, mediator=cw.association, parties=parties(cw))
    held = timezone.now() - dt.timedelta(hours=2)
    m.add_session(
        mediation=med,
        user=cw.henry,
        held_at=held,
        place="同心阁",
        mediators="会长丙、社工己",
        summary="双方同意请物业检测防水层",
        attendees="402业主、502业主",
    )
    follow = timezone.localdate() + dt.timedelta(days=14)
    med = m.conclude(
        mediation=med,
        user=cw.henry,
        outcome="agreed",
        agreement="502负责维修防水，费用自理；402天花板由502修补。",
        follow_up_on=follow,
    )
    assert med.outcome == Mediation.Outcome.AGREED and med.sessions.count() == 1
    assert list(m.due_follow_ups(type(dispute).objects.all(), today=follow)) == [med]
    m.record_follow_up(mediation=med, user=cw.carol, note="回访：已修好，双方满意。")
    assert list(m.due_follow_ups(type(dispute).objects.all(), today=follow)) == []
    assert dispute.events.filter(action="mediation", public=False).count() == 4


def test_only_handlers_and_staff_mediate(cw, dispute):
    with pytest.raises(PermissionDenied):
        m.open_mediation(case=dispute, user=cw.dave, mediator=cw.association, parties=parties(cw))
    with pytest.raises(PermissionDenied):
        m.open_mediation(case=dispute, user=cw.alice, mediator=cw.association, parties=parties(cw))


def test_both_sides_are_needed_and_a_mediation_opens_once(cw, dispute):
    with pytest.raises(ValidationError):
        m.open_mediation(case=dispute, user=cw.carol, mediator=cw.association, parties=parties(cw)[:1])
    m.open_mediation(case=dispute, user=cw.carol, mediator=cw.association, parties=parties(cw))
    with pytest.raises(CaseError):
        m.open_mediation(case=dispute, user=cw.carol, mediator=cw.association, parties=parties(cw))


def test_an_agreement_needs_text_and_a_session(cw, dispute):
    med = m.open_mediation(case=dispute, user=cw.carol, mediator=cw.committee, parties=parties(cw))
    with pytest.raises(ValidationError):
        m.conclude(mediation=med, user=cw.carol, outcome="agreed", agreement="写好了")
    m.add_session(
        mediation=med, user=cw.carol, held_at=timezone.now(), place="居委会", mediators="社工己", summary="谈了"
    )
    with pytest.raises(ValidationError):
        m.conclude(mediation=med, user=cw.carol, outcome="agreed", agreement="")
    med.refresh_from_db()
    assert med.outcome == Mediation.Outcome.OPEN


def test_a_property_company_does_not_mediate(cw, dispute):
    with pytest.raises(ValidationError):
        m.open_mediation(case=dispute, user=cw.carol, mediator=cw.company, parties=parties(cw))
