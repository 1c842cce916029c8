"""Campaign rules without HTTP: the form, assignment by the rule, visits and their replay,
registry changes, progress."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.campaigns import services
from linli.campaigns.models import (
    Assignment,
    CampaignVisit,
    ChangeStatus,
    HomeState,
    ProposedChange,
    Source,
    Target,
)
from linli.campaigns.services import CampaignError
from linli.conftest import _person
from linli.people.models import LeaderAssignment, Occupancy, Person
from linli.places.models import Home

from .conftest import ANSWERS, FORM, home_of

pytestmark = pytest.mark.django_db


def visit(campaign, user, home, outcome="reached", answers=None, client_id=None, **kw):
    if answers is None and outcome == "reached":
        answers = ANSWERS
    return services.record_visit(
        user=user,
        campaign=campaign,
        home_id=home.pk,
        client_id=client_id or uuid.uuid4(),
        outcome=outcome,
        answers=answers,
        **kw,
    )


# --- the form ---------------------------------------------------------------------------


def test_the_form_is_normalised_and_bad_forms_are_refused():
    form = services.clean_form([{"label": "Lives alone?", "kind": "yesno"}, {"label": "Note", "kind": "text"}])
    assert form == [
        {"key": "q1", "label": "Lives alone?", "kind": "yesno", "required": True},
        {"key": "q2", "label": "Note", "kind": "text", "required": False},
    ]
    bad = [
        ([{"label": "x", "kind": "date"}], "the kind must be yes/no, choice, number or text"),
        ([{"label": "", "kind": "text"}], "needs a label"),
        ([{"label": "Which?", "kind": "choice", "choices": ["one"]}], "between 2 and 12 different choices"),
        ([{"key": "a", "label": "x", "kind": "text"}, {"key": "a", "label": "y", "kind": "text"}], "unique"),
        ("not a list", "must be a list"),
    ]
    for form, message in bad:
        with pytest.raises(CampaignError, match=message):
            services.clean_form(form)


def test_the_form_can_be_written_one_question_a_line():
    form = services.parse_form_text("yesno: Lives alone?\nchoice: Charged where? | garage / home\n\nnumber: People")
    assert [(q["kind"], q["label"]) for q in form] == [
        ("yesno", "Lives alone?"),
        ("choice", "Charged where?"),
        ("number", "People"),
    ]
    assert form[1]["choices"] == ["garage", "home"]
    with pytest.raises(CampaignError, match="Line 1: start with yesno:"):
        services.parse_form_text("Lives alone?")


def test_campaigns_are_created_by_the_staff_of_the_place_only(world):
    args = dict(title="T", form=FORM, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 1, 2))
    with pytest.raises(CampaignError, match="Only the staff of this place") as exc:
        services.create_campaign(user=world.bob, place=world.fufeng, **args)
    assert exc.value.status_code == 403
    with pytest.raises(CampaignError, match="Only the staff of this place"):
        services.create_campaign(user=world.carol, place=world.yijing, **args)  # another community
    with pytest.raises(CampaignError, match="Only the staff of this place"):
        services.create_campaign(user=world.carol, place=world.guicheng, **args)  # above her community
    with pytest.raises(CampaignError, match="end on or after"):
        services.create_campaign(
            user=world.carol, place=world.fufeng, **{**args, "ends_on": datetime.date(2025, 12, 31)}
        )
    campaign = services.create_campaign(user=world.erin, place=world.guicheng, **args)
    assert campaign.level == "subdistrict" and campaign.status == "draft"


# --- assignment -------------------------------------------------------------------------


def test_assignment_follows_the_rule_and_covers_every_home_exactly_once(world, campaign):
    got = {a.home_id: (a.visitor_id, a.source) for a in campaign.assignments.all()}
    assert got == {
        world.h101.pk: (world.p_bob.pk, Source.BUILDING_LEADER),
        world.h102.pk: (world.p_bob.pk, Source.BUILDING_LEADER),
        world.h201.pk: (world.p_bob.pk, Source.BUILDING_LEADER),
        world.h_s12.pk: (world.p_frank.pk, Source.CONTACT),
        world.h_b2.pk: (None, Source.NONE),
    }
    # Running it again after the registry grew adds only the new home.
    new = Home.objects.create(stairwell=world.s21, number="102", floor=1)
    assert services.assign(campaign) == 1
    assert services.assign(campaign) == 0
    assert campaign.assignments.count() == 6 and campaign.assignments.filter(home=new).count() == 1
    # And the database refuses a second row for a home.
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(campaign=campaign, home=world.h101)


def test_a_stairwell_leader_comes_before_the_building_leader(world, draft):
    stan = _person("梯长", "13700000001")
    leader = LeaderAssignment.objects.create(person=stan, kind=LeaderAssignment.Kind.BUILDING, building=world.b1)
    leader.stairwells.add(world.s11)
    services.start(user=world.carol, campaign=draft)
    assert home_of(draft, world.h101).visitor == stan
    assert home_of(draft, world.h101).source == Source.STAIRWELL_LEADER
    assert home_of(draft, world.h_s12).visitor == world.p_frank  # the household contact still first


def test_target_filters_narrow_the_homes(world):
    old = _person("独居老人", "13700000002", birth_year=timezone.localdate().year - 80, lives_alone=True)
    Occupancy.objects.create(person=old, home=world.h102, relation="owner")
    args = dict(title="T", form=[], starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 1, 2))
    elderly = services.create_campaign(user=world.carol, place=world.daxin, target=Target.ELDERLY_ALONE, **args)
    assert list(services.target_homes(elderly)) == [world.h102]
    Person.objects.filter(pk=world.p_b2.pk).update(hukou_registered=False)
    Person.objects.exclude(pk=world.p_b2.pk).update(hukou_registered=True)
    outsiders = services.create_campaign(user=world.carol, place=world.daxin, target=Target.NON_REGISTERED, **args)
    assert list(services.target_homes(outsiders)) == [world.h_b2]


def test_ten_thousand_homes_are_assigned_in_bulk(world, draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.places.models import Building, Stairwell

    building = Building.objects.create(compound=world.fufeng, name="9栋")
    stairwells = [Stairwell.objects.create(building=building, name=f"{i}单元") for i in range(1, 11)]
    Home.objects.bulk_create(
        [
            Home(stairwell=s, number=f"{f:02d}{n:02d}", floor=f)
            for s in stairwells
            for f in range(1, 51)
            for n in range(20)
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        services.start(user=world.carol, campaign=draft)
    inserts = [q for q in queries.captured_queries if "campaigns_assignment" in q["sql"] and "INSERT" in q["sql"]]
    # Reading the rule is a query per level, not per home; the rows go in as multi-row INSERTs.
    assert len(queries.captured_queries) - len(inserts) < 40
    assert len(inserts) <= 10005 // 100
    assert draft.assignments.count() == 10005
    assert draft.assignments.values("home").distinct().count() == 10005


def test_reassign_and_rebalance_keep_every_home_once(world, campaign):
    services.reassign(user=world.carol, campaign=campaign, home_ids=[world.h_b2.pk], person=world.p_grace)
    assert home_of(campaign, world.h_b2).visitor == world.p_grace
    assert home_of(campaign, world.h_b2).source == Source.MANUAL
    visit(campaign, world.bob, world.h101)  # reached: stays with bob
    # Bob leaves: his open homes go back through the rule without him: no one else leads 1栋.
    assert services.rebalance(user=world.carol, campaign=campaign, leaving=world.p_bob) == 2
    assert home_of(campaign, world.h102).visitor is None
    assert home_of(campaign, world.h101).visitor == world.p_bob
    # ... or to a named person.
    services.reassign(user=world.carol, campaign=campaign, home_ids=[world.h102.pk], person=world.p_bob)
    services.rebalance(user=world.carol, campaign=campaign, leaving=world.p_bob, to=world.p_grace)
    assert home_of(campaign, world.h102).visitor == world.p_grace
    assert campaign.assignments.count() == 5
    assert campaign.assignments.values("home").distinct().count() == 5
    with pytest.raises(CampaignError, match="Only the organisers"):
        services.rebalance(user=world.bob, campaign=campaign, leaving=world.p_grace)
    with pytest.raises(CampaignError, match="not part of the campaign"):
        services.reassign(user=world.carol, campaign=campaign, home_ids=[world.h_yj.pk], person=world.p_grace)
    with pytest.raises(CampaignError, match="not within the campaign's area"):
        services.reassign(user=world.carol, campaign=campaign, home_ids=[world.h101.pk], person=world.p_olga)


def test_my_list_is_grouped_by_stairwell_with_open_homes_first(world, campaign):
    visit(campaign, world.bob, world.h101)
    groups = services.my_list(world.bob)
    assert len(groups) == 1 and groups[0]["stairwell"] == world.s11
    assert [a.home for a in groups[0]["assignments"]] == [world.h102, world.h201, world.h101]
    assert [a.home for g in services.my_list(world.frank) for a in g["assignments"]] == [world.h_s12]
    assert services.my_list(world.alice) == []


# --- visits -----------------------------------------------------------------------------


def test_a_queued_visit_sent_three_times_is_recorded_once(world, campaign):
    client_id = uuid.uuid4()
    first, created = visit(campaign, world.bob, world.h101, client_id=client_id)
    assert created
    for _ in range(2):
        again, created = visit(campaign, world.bob, world.h101, client_id=client_id)
        assert not created and again.pk == first.pk
    assert CampaignVisit.objects.count() == 1
    assert home_of(campaign, world.h101).visits == 1
    # Another user cannot reuse someone's client id.
    with pytest.raises(CampaignError, match="belongs to another visit"):
        visit(campaign, world.carol, world.h101, client_id=client_id)


def test_visits_to_homes_outside_ones_assignment_are_refused(world, campaign):
    with pytest.raises(CampaignError, match="not on your list") as exc:
        visit(campaign, world.bob, world.h_s12)  # frank's home
    assert exc.value.status_code == 403
    with pytest.raises(CampaignError, match="not part of the campaign"):
        visit(campaign, world.bob, world.h_yj)
    with pytest.raises(CampaignError, match="not on your list"):
        visit(campaign, world.alice, world.h101)
    assert CampaignVisit.objects.count() == 0
    # Staff of the area may record any home of it.
    assert visit(campaign, world.carol, world.h_b2)[1]


def test_answers_that_do_not_fit_the_form_are_refused(world, campaign):
    bad = [
        ({**ANSWERS, "people": "many"}, "Give a number"),
        ({**ANSWERS, "ebike": "maybe"}, "Answer yes or no"),
        ({**ANSWERS, "charge": "roof"}, "Choose one of the given answers"),
        ({**ANSWERS, "colour": "red"}, "no question colour"),
        ({"ebike": True, "charge": "home"}, "Answer the question: How many people"),
        ("yes", "do not fit"),
    ]
    for answers, message in bad:
        with pytest.raises(CampaignError, match=message):
            visit(campaign, world.bob, world.h101, answers=answers)
    with pytest.raises(CampaignError, match="only when the home was reached"):
        visit(campaign, world.bob, world.h101, outcome="not_home", answers=ANSWERS)
    with pytest.raises(CampaignError, match="Choose the outcome"):
        visit(campaign, world.bob, world.h101, outcome="asleep", answers={})
    assert CampaignVisit.objects.count() == 0
    v, _ = visit(campaign, world.bob, world.h101, answers={"people": "2", "ebike": "no", "charge": "home"})
    assert v.answers == {"people": 2, "ebike": False, "charge": "home"}


def test_not_at_home_schedules_a_revisit_and_the_latest_visit_sets_the_state(world, campaign):
    at = timezone.now() - datetime.timedelta(hours=1)
    visit(campaign, world.bob, world.h101, outcome="not_home", visited_at=at)
    a = home_of(campaign, world.h101)
    assert a.state == HomeState.NOT_HOME
    assert a.revisit_on == timezone.localtime(at).date() + datetime.timedelta(days=2)
    visit(campaign, world.bob, world.h101, outcome="reached")
    # A visit made earlier but arriving later (queued offline) does not overwrite the state.
    visit(campaign, world.bob, world.h101, outcome="refused", visited_at=at - datetime.timedelta(hours=1))
    a.refresh_from_db()
    assert (a.state, a.revisit_on, a.visits) == (HomeState.REACHED, None, 3)
    assert CampaignVisit.objects.filter(home=world.h101).count() == 3


def test_visits_only_while_the_campaign_runs(world, draft):
    services.start(user=world.carol, campaign=draft)
    services.end(user=world.carol, campaign=draft)
    with pytest.raises(CampaignError, match="not running") as exc:
        visit(draft, world.bob, world.h101)
    assert exc.value.status_code == 409


def test_a_need_found_on_a_visit_becomes_a_case_once(world, campaign):
    from linli.cases.models import Case, Category

    category = Category.objects.create(code="repair", name_zh="维修", name_en="Repair")
    v, _ = visit(campaign, world.bob, world.h101)
    case = services.case_from_visit(
        user=world.bob, visit=v, category=category, title="Leaking pipe", description="The kitchen pipe leaks."
    )
    assert Case.objects.get(pk=case.pk).home == world.h101
    v.refresh_from_db()
    assert v.case == case
    with pytest.raises(CampaignError, match="already has a case"):
        services.case_from_visit(user=world.bob, visit=v, category=category, title="x", description="y")


# --- proposed registry changes -------------------------------------------------------------


def test_registry_changes_wait_for_a_worker_then_apply(world, campaign):
    v, _ = visit(
        campaign,
        world.bob,
        world.h101,
        changes=[
            {"kind": "new_phone", "person_id": world.p_alice.pk, "phone": "139 0000 1111"},
            {"kind": "new_resident", "name": "新租客", "relation": "tenant", "phone": "13700001234"},
        ],
    )
    visit(campaign, world.bob, world.h102, changes=[{"kind": "moved_out", "person_id": world.p_neighbour.pk}])
    world.p_alice.refresh_from_db()
    assert world.p_alice.phone == "13800000001"  # nothing touched yet
    phone, newcomer = ProposedChange.objects.filter(visit=v)
    moved = ProposedChange.objects.get(kind="moved_out")
    with pytest.raises(CampaignError, match="Only the community's workers") as exc:
        services.accept_change(user=world.bob, change=phone)
    assert exc.value.status_code == 403

    services.accept_change(user=world.carol, change=phone)
    services.accept_change(user=world.carol, change=newcomer)
    services.accept_change(user=world.carol, change=moved)
    world.p_alice.refresh_from_db()
    assert world.p_alice.phone == "13900001111"
    assert Occupancy.objects.active().filter(home=world.h101, person__name="新租客", relation="tenant").exists()
    assert not Occupancy.objects.active().filter(home=world.h102, person=world.p_neighbour).exists()
    with pytest.raises(CampaignError, match="already reviewed"):
        services.accept_change(user=world.carol, change=phone)

    from auditlog.models import LogEntry

    assert any("phone" in e.changes_dict for e in LogEntry.objects.get_for_object(world.p_alice))
    assert LogEntry.objects.get_for_object(phone).exists()


def test_a_rejected_change_needs_a_reason_and_touches_nothing(world, campaign):
    visit(campaign, world.bob, world.h102, changes=[{"kind": "moved_out", "person_id": world.p_neighbour.pk}])
    change = ProposedChange.objects.get()
    with pytest.raises(CampaignError, match="Say why"):
        services.reject_change(user=world.carol, change=change, reason=" ")
    services.reject_change(user=world.carol, change=change, reason="She is on holiday, not moved.")
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
    assert Occupancy.objects.active().filter(home=world.h102, person=world.p_neighbour).exists()


def test_bad_registry_changes_are_refused_with_the_visit(world, campaign):
    for changes, message in [
        ([{"kind": "moved_out", "person_id": world.p_olga.pk}], "Choose a resident of this home"),
        ([{"kind": "new_phone", "person_id": world.p_alice.pk, "phone": "12"}], "Phone number must be 11 digits"),
        ([{"kind": "new_resident", "name": ""}], "Give the new resident's name"),
        ([{"kind": "renamed"}], "not in the expected form"),
    ]:
        with pytest.raises(CampaignError, match=message):
            visit(campaign, world.bob, world.h101, changes=changes)
    assert CampaignVisit.objects.count() == 0 and ProposedChange.objects.count() == 0


# --- progress -----------------------------------------------------------------------------


def test_progress_per_campaign_building_stairwell_and_visitor(world, campaign, django_assert_max_num_queries):
    visit(campaign, world.bob, world.h101)
    visit(campaign, world.bob, world.h102, outcome="not_home")
    visit(campaign, world.frank, world.h_s12)
    with django_assert_max_num_queries(5):
        p = services.progress(campaign)
    assert (p["total"]["total"], p["total"]["reached"], p["total"]["share"]) == (5, 2, 40)
    assert [(b["name"], b["reached"], b["total"]) for b in p["buildings"]] == [("1栋", 2, 4), ("2栋", 0, 1)]
    assert [(s["building"], s["name"], s["reached"], s["total"]) for s in p["stairwells"]] == [
        ("1栋", "1单元", 1, 3),
        ("1栋", "2单元", 1, 1),
        ("2栋", "1单元", 0, 1),
    ]
    by_visitor = {v["name"]: (v["reached"], v["not_home"], v["total"]) for v in p["visitors"]}
    assert by_visitor == {"沈霞": (1, 1, 3), "党员甲": (1, 0, 1), None: (0, 0, 1)}
    assert [a.home for a in services.not_reached(campaign)] == [world.h102, world.h201, world.h_b2]


def test_progress_for_the_page_skips_only_the_stairwells(world, campaign, django_assert_num_queries):
    visit(campaign, world.bob, world.h101)
    full = services.progress(campaign)
    with django_assert_num_queries(4):  # the page shows no stairwells: their query is not run
        page = services.progress(campaign, stairwells=False)
    assert page["stairwells"] == [] and len(full["stairwells"]) == 3
    assert {k: v for k, v in page.items() if k != "stairwells"} == {k: v for k, v in full.items() if k != "stairwells"}


def test_visitors_are_told_when_a_campaign_gives_them_homes(world, draft, django_capture_on_commit_callbacks):
    from linli.notices.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        services.start(user=world.carol, campaign=draft)
    told = set(Notification.objects.filter(kind="campaign.assigned").values_list("user__username", "title"))
    assert told == {("bob", "Homes to visit: E-bike safety 2026"), ("frank", "Homes to visit: E-bike safety 2026")}
