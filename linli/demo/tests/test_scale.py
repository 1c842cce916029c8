"""The scale generator (bench_data) and the bench-only query counter."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from linli.accounts.models import User
from linli.accounts.scope import Role, scope_for, visible_homes
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
