"""Join requests: one pending per person and team (a database constraint), decided by the
team's leaders or the community's staff; approving makes the membership. Leaderboards with
opt-in names."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from linli.people.models import Membership
from linli.volunteers import access, services
from linli.volunteers.models import JoinRequest
from linli.volunteers.services import VolunteerError

from .conftest import BEFORE, END, told


def test_join_approve_makes_a_member_and_tells_him(vw, committed):
    with committed():
        r = services.request_join(user=vw.alice, organisation=vw.team, message="周末有空")
    assert ("volunteers.join_requested", "李爱丽 asks to join 大新之心") in told(vw.leo)
    assert told(vw.carol, "volunteers.join_requested")  # the community's worker too
    with pytest.raises(VolunteerError, match="already waiting"):
        services.request_join(user=vw.alice, organisation=vw.team)
    with pytest.raises(VolunteerError) as exc:
        services.decide_join(user=vw.grace, request=r, approve=True)  # a plain member
    assert exc.value.status_code == 403
    assert not access.is_member(vw.p_alice.pk, vw.team)
    with committed():
        services.decide_join(user=vw.leo, request=r, approve=True, now=BEFORE)
    assert access.is_member(vw.p_alice.pk, vw.team)
    assert told(vw.alice, "volunteers.join_decided") == [("volunteers.join_decided", "Welcome to 大新之心")]
    with pytest.raises(VolunteerError, match="already decided"):
        services.decide_join(user=vw.carol, request=r, approve=False)
    with pytest.raises(VolunteerError, match="already a member"):
        services.request_join(user=vw.alice, organisation=vw.team)


def test_declined_then_asking_again_is_allowed(vw):
    r = services.request_join(user=vw.alice, organisation=vw.team)
    services.decide_join(user=vw.carol, request=r, approve=False)
    assert not Membership.objects.filter(person=vw.p_alice, organisation=vw.team).exists()
    assert services.request_join(user=vw.alice, organisation=vw.team).state == "pending"


def test_the_database_allows_one_pending_request(vw):
    JoinRequest.objects.create(person=vw.p_alice, organisation=vw.team)
    with pytest.raises(IntegrityError), transaction.atomic():
        JoinRequest.objects.create(person=vw.p_alice, organisation=vw.team)


def test_a_team_out_of_reach_cannot_be_joined(vw):
    with pytest.raises(VolunteerError) as exc:
        services.request_join(user=vw.olga, organisation=vw.team)
    assert exc.value.status_code == 404
    with pytest.raises(VolunteerError):
        services.request_join(user=vw.alice, organisation=vw.owners)  # not a team
    assert not JoinRequest.objects.exists()


def test_who_organises_a_team(vw):
    assert access.may_manage(vw.leo, vw.team)
    assert (
        access.may_manage(vw.carol, vw.team)
        and access.may_manage(vw.erin, vw.team)
        and access.may_manage(vw.root, vw.team)
    )
    for user in (vw.grace, vw.alice, vw.bob, vw.dave, vw.olga):
        assert not access.may_manage(user, vw.team)


def test_leaderboard_masks_names_unless_shown(vw, activity):

    services.sign_up(activity=activity, user=vw.grace, now=BEFORE)
    services.sign_up(activity=activity, user=vw.alice, now=BEFORE)
    services.confirm_hours(activity=activity, user=vw.leo, person=vw.p_grace, now=END)
    services.confirm_hours(activity=activity, user=vw.leo, person=vw.p_alice, minutes=60, now=END)
    period = dict(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))
    rows = services.leaderboard(**period, organisation=vw.team)
    assert [(r["name"], r["minutes"]) for r in rows] == [("Volunteer 志***", 120), ("Volunteer 李**", 60)]
    services.set_show_name(user=vw.grace, show=True)
    assert [r["name"] for r in services.leaderboard(**period, compound=vw.fufeng)] == ["志愿者乙", "Volunteer 李**"]
    assert services.leaderboard(**period, compound=vw.yijing) == []
    assert services.leaderboard(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), organisation=vw.team) == []
