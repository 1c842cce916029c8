"""A project from the consent vote to service: plan, adoption (frozen shares), milestones, upkeep."""

import datetime as dt
from decimal import Decimal

import pytest

from linli.elevators import services
from linli.elevators.models import CostShare, ElevatorProject, MaintenancePlan, Milestone
from linli.elevators.services import ElevatorError
from linli.votes import services as votes
from linli.votes.models import RuleSet

from .conftest import CLOSES, OPENS


def amounts(shares):
    return {s.key: s.amount for s in shares}


def test_a_new_project_starts_with_the_example_coefficients_and_six_milestones(ew, project):
    assert project.status == ElevatorProject.Status.PLANNING
    assert project.coefficients == {"1": "0", "2": "1.00", "3": "1.20"}
    assert [m.kind for m in project.milestones.order_by("pk")] == Milestone.ORDER
    assert not project.milestones.exclude(actual=None).exists()


def test_the_preview_shares_the_total_by_floor_and_area_to_the_fen(ew, project):
    got = amounts(services.preview(project=project))
    # 201: 89.50 × 1.00 = 89.50; 301: 102.30 × 1.20 = 122.76; 3,000,000.00 yuan × 89.50 / 212.26.
    assert got == {ew.h101.pk: 0, ew.h102.pk: 0, ew.h201.pk: 12_649_581, ew.h301.pk: 17_350_419}
    assert sum(got.values()) == 30_000_000


def test_adopting_freezes_the_shares_and_nothing_changes_them_afterwards(ew, project):
    services.adopt(project=project, user=ew.carol)
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.ADOPTED and project.adopted_by == ew.carol
    frozen = dict(CostShare.objects.filter(project=project).values_list("home_id", "amount_fen"))
    assert frozen[ew.h301.pk] == 17_350_419 and sum(frozen.values()) == 30_000_000
    # A later change to a home's area leaves the adopted shares alone.
    ew.h301.area = Decimal("150.00")
    ew.h301.save()
    with pytest.raises(ElevatorError, match="already been adopted"):
        services.adopt(project=project, user=ew.carol)
    with pytest.raises(ElevatorError, match="no longer be changed"):
        services.set_plan(project=project, total_fen=1, coefficients={"1": "0", "2": "1", "3": "1"})
    assert dict(CostShare.objects.filter(project=project).values_list("home_id", "amount_fen")) == frozen
    project.refresh_from_db()
    assert project.total_fen == 30_000_000


def test_editing_the_plan_and_refusing_bad_plans_without_saving_them(ew, project):
    services.set_plan(project=project, total_fen=12_345_678, coefficients={"1": "0", "2": "1", "3": "1.5"})
    project.refresh_from_db()
    assert project.coefficients == {"1": "0", "2": "1", "3": "1.5"} and project.total_fen == 12_345_678
    for total, coefficients, message in [
        (0, {"1": "0", "2": "1", "3": "1"}, "more than zero"),
        (-5, {"1": "0", "2": "1", "3": "1"}, "more than zero"),
        (100, {"1": "0", "2": "-1", "3": "1"}, "negative"),
        (100, {"1": "0", "x": "1"}, "not a floor"),
        (100, {}, "coefficient for each floor"),
    ]:
        with pytest.raises(ElevatorError, match=message):
            services.set_plan(project=project, total_fen=total, coefficients=coefficients)
    project.refresh_from_db()
    assert project.coefficients == {"1": "0", "2": "1", "3": "1.5"} and project.total_fen == 12_345_678
    with pytest.raises(ElevatorError, match="weight is zero"):
        services.preview(project=project, coefficients={"1": "0", "2": "0", "3": "0"})
    with pytest.raises(ElevatorError, match="no coefficient for floor 3"):
        services.preview(project=project, coefficients={"1": "0", "2": "1"})


def test_a_home_without_area_stops_adoption_with_its_name(ew, project):
    ew.h102.area = None
    ew.h102.save()
    with pytest.raises(ElevatorError, match="1栋 1单元 102 has no floor area"):
        services.adopt(project=project, user=ew.carol)
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.PLANNING and not project.shares.exists()


def test_the_consent_vote_gives_the_areas_the_owners_voted_with_and_the_consent_date(ew, consent_vote):
    project = services.create_project(
        user=ew.carol, stairwell=ew.s11, title="加装电梯", consent_vote=consent_vote, total_fen=30_000_000
    )
    consent = project.milestones.get(kind=Milestone.Kind.CONSENT)
    assert consent.actual == CLOSES.date()
    got = amounts(services.preview(project=project))
    assert got[ew.h201.pk] == 12_787_437 and got[ew.h301.pk] == 17_212_563  # 201 at 91.20 m², as corrected


def test_only_a_passed_elevator_consent_of_the_same_stairwell_is_accepted(ew, consent_vote):
    with pytest.raises(ElevatorError, match="of this stairwell"):
        services.create_project(user=ew.carol, stairwell=ew.s12, title="x", consent_vote=consent_vote)
    assembly = votes.create_vote(
        user=ew.carol, compound=ew.fufeng, building=ew.b1, stairwell=ew.s11, title="别的表决",
        opens_at=OPENS, closes_at=CLOSES, kind=RuleSet.Kind.ASSEMBLY,
    )  # fmt: skip
    with pytest.raises(ElevatorError, match="elevator consent"):
        services.create_project(user=ew.carol, stairwell=ew.s11, title="x", consent_vote=assembly)
    draft = votes.create_vote(
        user=ew.carol, compound=ew.fufeng, building=ew.b1, stairwell=ew.s11, title="还没表决",
        opens_at=OPENS, closes_at=CLOSES, kind=RuleSet.Kind.ELEVATOR,
    )  # fmt: skip
    with pytest.raises(ElevatorError, match="no published result in favour"):
        services.create_project(user=ew.carol, stairwell=ew.s11, title="x", consent_vote=draft)
    assert not ElevatorProject.objects.exists()


def test_milestones_and_going_into_service(ew, project):
    today = dt.date(2027, 5, 1)
    services.update_milestone(
        project=project, kind="approval", planned=dt.date(2027, 3, 1), actual=None, notes="规划许可", today=today
    )
    with pytest.raises(ElevatorError, match="still to come"):
        services.update_milestone(project=project, kind="design", planned=None, actual=dt.date(2027, 5, 2), today=today)
    with pytest.raises(ElevatorError, match="Adopt the cost sharing"):
        services.update_milestone(
            project=project, kind="in_service", planned=None, actual=dt.date(2027, 4, 1), today=today
        )
    services.adopt(project=project, user=ew.carol)
    services.update_milestone(project=project, kind="in_service", planned=None, actual=dt.date(2027, 4, 1), today=today)
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.IN_SERVICE
    m = project.milestones.get(kind="approval")
    assert (m.planned, m.actual, m.notes) == (dt.date(2027, 3, 1), None, "规划许可")


def test_maintenance_by_the_same_weights_or_equally_among_the_homes_served(ew, adopted):
    services.set_maintenance(project=adopted, yearly_fen=120_000, sharing="weights", collector="富丰物业")
    got = amounts(services.maintenance_shares(adopted))
    assert got == {ew.h101.pk: 0, ew.h102.pk: 0, ew.h201.pk: 50_598, ew.h301.pk: 69_402}
    services.set_maintenance(project=adopted, yearly_fen=120_000, sharing="equal", collector="单元业主代表")
    assert MaintenancePlan.objects.get(project=adopted).collector == "单元业主代表"
    got = amounts(services.maintenance_shares(adopted))
    assert got == {ew.h101.pk: 0, ew.h102.pk: 0, ew.h201.pk: 60_000, ew.h301.pk: 60_000}
    for fen, sharing, collector, message in [
        (0, "equal", "物业", "more than zero"),
        (100, "by-lot", "物业", "how the maintenance cost is shared"),
        (100, "equal", "  ", "who collects"),
    ]:
        with pytest.raises(ElevatorError, match=message):
            services.set_maintenance(project=adopted, yearly_fen=fen, sharing=sharing, collector=collector)
    assert MaintenancePlan.objects.get(project=adopted).yearly_fen == 120_000


def test_adopting_with_a_new_plan_saves_nothing_when_it_fails(ew, project):
    with pytest.raises(ElevatorError, match="weight is zero"):
        services.adopt(project=project, user=ew.carol, total_fen=5, coefficients={"1": "0", "2": "0", "3": "0"})
    project.refresh_from_db()
    assert project.total_fen == 30_000_000 and project.coefficients["3"] == "1.20" and project.is_editable
    services.adopt(project=project, user=ew.carol, total_fen=100, coefficients={"1": "0", "2": "1", "3": "1"})
    project.refresh_from_db()
    assert project.total_fen == 100 and project.coefficients["3"] == "1"
    assert sum(project.shares.values_list("amount_fen", flat=True)) == 100
