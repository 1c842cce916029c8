"""The scale generator (bench_data) and the bench-only query counter."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from linli.accounts.models import User
from linli.accounts.scope import Role, scope_for, visible_homes
from linli.campaigns import access as campaigns
from linli.campaigns import services
from linli.campaigns.models import Assignment, Campaign, CampaignStatus, CampaignVisit, HomeState
from linli.cases.access import visible_cases
from linli.cases.models import Case, Event
from linli.demo.scale import PASSWORD
from linli.lib.crypto import keyed_hash
from linli.people.models import Occupancy, Person
from linli.places.models import Compound, Home

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="bench_data loads with PostgreSQL COPY; SQLite has no COPY"
)


def _bench_data(homes: int, seed: int = 7) -> str:
    out = StringIO()
    call_command("bench_data", size="compound", homes=homes, seed=seed, now="2026-06-01T09:00:00", stdout=out)
    return out.getvalue()


def _keys() -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, conname, contype FROM pg_constraint WHERE connamespace = "
            "'public'::regnamespace UNION ALL SELECT tablename, indexname, 'i' FROM pg_indexes WHERE schemaname = "
            "'public' ORDER BY 1, 2, 3"
        )
        return cur.fetchall()


@on_postgres
def test_bench_data_loads_a_consistent_compound(db):
    keys = _keys()
    log = _bench_data(homes=80)

    assert "cases_event" in log and "indexes, keys" in log  # the time per table is printed
    assert _keys() == keys  # every index and key dropped for the load is back
    assert Compound.objects.count() == 1 and Home.objects.count() == 80
    occupied = Home.objects.filter(occupancies__isnull=False).distinct().count()
    assert 70 <= occupied <= 80 and 180 <= Person.objects.count() <= 400
    assert not Occupancy.objects.exclude(home__in=Home.objects.all()).exists()

    with_phone = Person.objects.exclude(phone_hash="")
    assert 0 < with_phone.count() < Person.objects.count()  # children and some adults have none
    for person in with_phone[:20]:  # the fast path writes tokens the field decrypts
        assert person.phone.startswith("1") and len(person.phone) == 11
        assert keyed_hash(person.phone) == person.phone_hash

    users = {u.username: u for u in User.objects.select_related("person")}
    assert set(users) == {"bench-resident", "bench-leader", "bench-clerk", "bench-worker", "bench-admin"}
    assert all(u.check_password(PASSWORD) for u in users.values())
    assert scope_for(users["bench-resident"]).roles == {Role.RESIDENT}
    assert Role.BUILDING_LEADER in scope_for(users["bench-leader"]).roles
    assert Role.PROPERTY_CLERK in scope_for(users["bench-clerk"]).roles
    assert Role.COMMUNITY_WORKER in scope_for(users["bench-worker"]).roles
    assert Role.SUBDISTRICT_ADMIN in scope_for(users["bench-admin"]).roles
    assert visible_homes(users["bench-worker"]).count() == 80

    cases = Case.objects.annotate(n=Count("events"))
    assert cases.count() == round(80 * 5_000_000 / 1_200_000)
    assert visible_cases(users["bench-resident"]).filter(reporter=users["bench-resident"].person).count() >= 12
    statuses = set(cases.values_list("status", flat=True))
    assert {"closed", "rejected"} <= statuses and len(statuses) >= 4
    for case in cases.select_related("reporter"):
        events = list(case.events.order_by("at", "pk"))
        transitions = [e for e in events if e.type == Event.Type.TRANSITION]
        assert transitions[0].action == "submit" and transitions[0].to_status == "submitted"
        assert transitions[-1].to_status == case.status, case.code
        assert [e.from_status for e in transitions[1:]] == [e.to_status for e in transitions[:-1]], case.code
        assert case.version == len(transitions)
        assert (case.first_reply_at is not None) == any(e.type == Event.Type.REPLY for e in events)
        if case.reporter is not None:
            assert case.reporter_name == case.reporter.name
            assert case.reporter_phone in ("", case.reporter.phone)
            assert case.reporter.occupancies.filter(home__stairwell__building__compound=case.compound_id).exists()


@on_postgres
def test_bench_data_makes_a_campaign_visited_as_record_visit_leaves_it(db):
    _bench_data(homes=120)
    worker = User.objects.get(username="bench-worker")

    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.RUNNING and campaign.community_id is not None
    assert campaign.created_by == worker and campaigns.may_organise(worker, campaign)
    services.clean_form(campaign.form)  # the form is one the services accept
    # Every home of the community exactly once, its visitor by the assignment rule.
    assignments = Assignment.objects.filter(campaign=campaign)
    assert sorted(assignments.values_list("home_id", flat=True)) == sorted(Home.objects.values_list("pk", flat=True))
    rule = services._visitors_by_rule(
        list(Home.objects.values_list("pk", "stairwell_id", "stairwell__building_id"))
    )  # what `assign` would choose (the scale data has no household contacts)
    assert {a.home_id: (a.visitor_id, a.source) for a in assignments} == rule
    # A visited home's state is its visit's outcome; the others wait, never visited.
    visits = {v.assignment_id: v for v in CampaignVisit.objects.filter(campaign=campaign)}
    assert 0.4 * 120 <= len(visits) <= 0.8 * 120
    for a in assignments:
        visit = visits.get(a.pk)
        if visit is None:
            assert (a.state, a.visits, a.last_visited_at) == (HomeState.PENDING, 0, None)
            continue
        assert (a.state, a.visits, a.last_visited_at) == (visit.outcome, 1, visit.visited_at)
        assert visit.home_id == a.home_id and visit.visitor_id == a.visitor_id
        assert (a.revisit_on is not None) == (visit.outcome == "not_home")
        assert visit.answers == {} or set(visit.answers) == {"people", "ebike"}
        assert services.clean_answers(campaign.form, visit.answers, outcome=visit.outcome) == visit.answers
    progress = services.progress(campaign)
    assert progress["total"]["total"] == 120 and progress["total"]["pending"] == 120 - len(visits)


@on_postgres
def test_bench_data_gives_the_same_data_for_the_same_seed(db):
    def snapshot():
        return (
            list(Case.objects.order_by("pk").values_list("code", "status", "title", "reporter_name")),
            list(Person.objects.order_by("pk").values_list("name", "birth_year", "phone_hash")),
        )

    _bench_data(homes=40, seed=3)
    first = snapshot()
    _bench_data(homes=40, seed=3)
    assert snapshot() == first
    _bench_data(homes=40, seed=4)
    assert snapshot() != first


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what SQLite users are told")
def test_bench_data_says_it_needs_postgresql(db):
    with pytest.raises(CommandError, match="PostgreSQL"):
        _bench_data(homes=10)


def test_query_counter_and_bare_view_are_off_without_the_bench_setting(client):
    assert settings.BENCH is False
    assert "linli.lib.bench.QueryCountMiddleware" not in settings.MIDDLEWARE
    response = client.get("/login/")
    assert response.status_code == 200 and "X-Queries" not in response
    assert client.get("/bench/bare/").status_code == 404


def test_query_counter_counts_the_queries_of_a_request(client, db, settings):
    settings.MIDDLEWARE = ["linli.lib.bench.QueryCountMiddleware", *settings.MIDDLEWARE]
    user = User.objects.create_user("counted", password="x-long-password-1")
    client.force_login(user)
    response = client.get("/")
    assert int(response["X-Queries"]) >= 2  # at least the session and the user
    assert float(response["X-DB-Ms"]) >= 0
