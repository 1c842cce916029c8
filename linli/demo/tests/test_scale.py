"""The scale generator (bench_data) and the bench-only query counter."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

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


@on_postgres
def test_bench_data_makes_votes_as_the_votes_services_leave_them(db):
    from linli.votes import chain, services
    from linli.votes.models import Ballot, BallotRecord, Correction, Elector, Vote

    _bench_data(homes=300, seed=5)
    votes = list(Vote.objects.order_by("pk"))
    assert len(votes) == 3
    assert [v.status for v in votes[1:]] == ["announced", "open"] and votes[0].status in ("closed", "published")
    assert services.rule_set_for("assembly", votes[0].community).kind == "assembly"  # the default rule sets are there
    receipts = list(Ballot.objects.values_list("receipt", flat=True))
    assert len(receipts) == len(set(receipts)) > 100
    for vote in votes:
        electorate = list(vote.electorate.order_by("home_id"))
        # The electorate is what `snapshot` freezes on the day of the notice, but for the areas the
        # survey filled in (each by a correction) and the compensation agreements (corrections).
        fresh = Vote.objects.create(
            title="x", compound=vote.compound, building=vote.building, stairwell=vote.stairwell,
            rule_set=vote.rule_set, rules=vote.rules, opens_at=vote.opens_at, closes_at=vote.closes_at,
        )  # fmt: skip
        services.snapshot(fresh, on=timezone.localdate(vote.announced_at))
        frozen = {e.home_id: e for e in fresh.electorate.all()}
        assert sorted(frozen) == [e.home_id for e in electorate]
        for e in electorate:
            f = frozen[e.home_id]
            assert (e.head, e.voter_id, e.affected) == (f.head, f.voter_id, f.affected)
            assert set(e.owners.values_list("person_id", flat=True)) == set(
                f.owners.values_list("person_id", flat=True)
            )
            fixes = {c.field: c for c in Correction.objects.filter(elector=e)}
            assert e.area == f.area if f.area is not None else str(e.area) == fixes["area"].new
            assert e.compensation_agreed == ("compensation_agreed" in fixes)
        fresh.delete()
        assert not vote.electorate.filter(area__isnull=True).exists()  # voting could open
        # Ballots as `cast` leaves them: by the unit's voter, a record each, choices the services accept.
        records = {r.receipt: r for r in BallotRecord.objects.filter(vote=vote)}
        for ballot in Ballot.objects.filter(vote=vote).select_related("elector"):
            assert ballot.voter_id == ballot.elector.voter_id and ballot.home_id == ballot.elector.home_id
            assert services.check_choices(vote, ballot.choices) == ballot.choices
            assert vote.opens_at <= ballot.cast_at <= vote.closes_at
            record = records.pop(ballot.receipt)
            assert (record.elector_id, record.choices, record.cast_at) == (
                ballot.elector_id,
                ballot.choices,
                ballot.cast_at,
            )
        assert not records
        if vote.status == "announced":
            assert not Ballot.objects.filter(vote=vote).exists() and vote.result == {}
        elif vote.status == "open":
            assert vote.result == {} and vote.chain_head == ""
            assert sum(r["cast"] for r in services.turnout(vote)) == Ballot.objects.filter(vote=vote).count() > 0
        else:  # counted: the votes app's own count and an outsider's recount agree with it
            assert services.count(vote) == vote.result and vote.chain_head == vote.result["chain"]["head"]
            lines = services.published_lines(vote)
            assert chain.head(vote.code, lines) == vote.chain_head
            specs, _ = services.matter_specs(vote)
            recounted = chain.recount(vote.rules, specs, lines, vote.result["electorate"])
            for key in ("area", "heads", "passed"):
                assert recounted["participation"][key] == vote.result["participation"][key]
            assert vote.closed_at == vote.closes_at and (vote.published_at is not None) == (vote.status == "published")
    assert Elector.objects.filter(affected=True).exists() or not votes[1].stairwell_id


@on_postgres
def test_bench_data_makes_meetings_as_the_meetings_services_leave_them(db):
    from linli.meetings.models import Attendance, Invitation, Meeting, Minutes, MinutesItem

    _bench_data(homes=300, seed=5)
    meetings = list(Meeting.objects.select_related("stairwell", "compound"))
    assert len(meetings) == 6 and {m.status for m in meetings} >= {"planned", "held"}
    for m in meetings:
        assert m.compound.community_id == m.community_id and m.organiser.community_id == m.community_id
        if m.stairwell:
            assert m.stairwell.building_id == m.building_id
        invited = dict(Invitation.objects.filter(meeting=m).values_list("person_id", "reply"))
        assert invited and all(i.replied_at is None or i.replied_at < m.starts for i in m.invitations.all())
        assert all((r == "pending") == (i is None) for r, i in m.invitations.values_list("reply", "replied_at"))
        came = set(Attendance.objects.filter(meeting=m).values_list("person_id", flat=True))
        assert came <= set(invited)
        minutes = Minutes.objects.filter(meeting=m).first()
        if m.status == "held":  # approve_minutes holds it
            assert minutes.approved_at > m.ends and minutes.approved_by is not None
        if m.status == "cancelled" or m.starts > timezone.now():
            assert not came and minutes is None
        if minutes:
            items = set(MinutesItem.objects.filter(minutes=minutes).values_list("agenda_item_id", flat=True))
            assert items == set(m.agenda.values_list("pk", flat=True))
            assert m.status == ("held" if minutes.approved_at else "planned")
    assert any(m.attendance.exists() for m in meetings)


@on_postgres
def test_bench_data_makes_activities_with_sign_ups_and_hours_as_the_services_leave_them(db):
    from linli.people.models import Membership
    from linli.volunteers import services
    from linli.volunteers.models import Activity, Attendance, HoursEntry, SignUp

    _bench_data(homes=300, seed=5)
    activities = list(Activity.objects.select_related("organisation"))
    assert len(activities) == 25
    now = timezone.now()
    for a in activities:
        assert a.organisation.kind == "volunteer_team" and a.compound.community_id == a.organisation.community_id
        signups = list(SignUp.objects.filter(activity=a))
        if a.state == "cancelled":
            assert not signups
            continue
        members = set(Membership.objects.filter(organisation=a.organisation).values_list("person_id", flat=True))
        assert {s.person_id for s in signups} <= members
        placed = [s for s in signups if s.state == "signed_up"]
        if a.capacity is not None:  # a place if one is free, else the waiting list
            assert len(placed) <= a.capacity
            assert (
                not any(s.state == "waiting" for s in signups)
                or len(placed) + sum(s.state == "cancelled" for s in signups) >= a.capacity
            )
        present = {x.person_id: x for x in Attendance.objects.filter(activity=a)}
        assert set(present) <= {s.person_id for s in placed}
        if a.starts_at > now:
            assert not present
        for entry in HoursEntry.objects.filter(activity=a):  # confirm_hours: the activity's length
            assert entry.kind == "earned" and entry.person_id in present
            assert entry.minutes == services.minutes_for(a, present[entry.person_id])
            assert entry.on == timezone.localtime(a.starts_at).date() and entry.at >= a.ends_at
    person = HoursEntry.objects.values_list("person", flat=True).first()
    assert services.total_minutes(Person(pk=person)) == sum(
        HoursEntry.objects.filter(person=person).values_list("minutes", flat=True)
    )
    assert SignUp.objects.filter(state="waiting").exists() or SignUp.objects.count() < 50


@on_postgres
def test_bench_data_at_compound_size_makes_its_share_of_the_district(db):
    from linli.meetings.models import Meeting
    from linli.volunteers.models import Activity, SignUp
    from linli.votes.models import Ballot, Vote

    out = StringIO()
    call_command("bench_data", size="compound", now="2026-06-01T09:00:00", stdout=out)
    assert Home.objects.count() == 3_218
    # Issue 10's district (1,200,000 homes): 2,000 votes, 20,000 meetings, 100,000 activities.
    assert Vote.objects.count() == round(3_218 * 2_000 / 1_200_000) == 5
    assert Meeting.objects.count() == round(3_218 * 20_000 / 1_200_000) == 54
    assert Activity.objects.count() == round(3_218 * 100_000 / 1_200_000) == 268
    assert 0.5 * 268 * 4 < SignUp.objects.count() < 1.5 * 268 * 4
    # The assemblies' electorate is the whole compound; about 55-90% of it voted.
    assert Ballot.objects.count() > 0.5 * Vote.objects.filter(stairwell=None).count() * 3_218 * 0.55
