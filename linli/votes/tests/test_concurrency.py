"""500 ballots at once for 颐景园's 3,218 homes, on PostgreSQL: exactly one counts per home,
a second owner racing for the same home is refused, and closing in the middle of it all
counts exactly the ballots committed before it.

(SQLite runs one writer at a time, so there is no race to test there: the test runs on the
PostgreSQL pass of `make test`.)"""

import datetime as dt
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from linli.people.models import Occupancy, Person
from linli.places.models import Building, Community, Compound, Home, Stairwell, Subdistrict
from linli.votes import services, tally
from linli.votes.models import Ballot, BallotRecord, Elector, Item, Vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a race needs concurrent writers: PostgreSQL only"),
]

HOMES = 3218
BALLOTS = 500
WORKERS = 16


def build_compound():
    sub = Subdistrict.objects.create(name="桂城街道")
    com = Community.objects.create(subdistrict=sub, name="翠颐社区")
    compound = Compound.objects.create(community=com, name="颐景园")
    homes = []
    for b in range(1, 24):
        building = Building.objects.create(compound=compound, name=f"{b}座")
        for s in (1, 2):
            stairwell = Stairwell.objects.create(building=building, name=f"{s}单元")
            for floor in range(1, 36):
                for n in (1, 2):
                    if len(homes) < HOMES:
                        area = Decimal(60 + (len(homes) * 37) % 90) + Decimal("0.25")
                        homes.append(Home(stairwell=stairwell, number=f"{floor}0{n}", floor=floor, area=area))
    Home.objects.bulk_create(homes, batch_size=1000)
    homes = list(Home.objects.filter(stairwell__building__compound=compound).order_by("pk"))
    people = Person.objects.bulk_create([Person(name=f"业主{i}") for i in range(len(homes))], batch_size=1000)
    Occupancy.objects.bulk_create(
        [Occupancy(person=p, home=h, relation=Occupancy.Relation.OWNER) for p, h in zip(people, homes, strict=True)],
        batch_size=1000,
    )
    # A second owner for the first 50 homes, to race the designated voter.
    co = Person.objects.bulk_create([Person(name=f"共有人{i}") for i in range(50)])
    Occupancy.objects.bulk_create(
        [Occupancy(person=p, home=h, relation=Occupancy.Relation.OWNER) for p, h in zip(co, homes, strict=False)]
    )
    return compound


def open_vote(compound):
    now = timezone.now()
    vote = services.create_vote(
        user=None, compound=compound, title="业主大会", opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    services.add_matter(vote=vote, title="选聘物业", item=Item.PROPERTY)
    services.announce(vote=vote, user=None, now=now - dt.timedelta(days=20))
    return services.open_vote(vote=vote, now=now)


def test_five_hundred_ballots_at_once_count_once_per_home():
    compound = build_compound()
    vote = open_vote(compound)
    assert vote.electorate.count() == HOMES
    matter = str(vote.matters.get().pk)
    electors = list(Elector.objects.filter(vote=vote).select_related("voter").prefetch_related("owners__person"))
    rng = random.Random(278)
    # 400 homes vote once; 60 of them again (a change by the same owner); 40 races by the
    # other co-owner of a home whose designated voter votes too.
    voting = rng.sample(electors[50:], 400)
    jobs = [(e, e.voter, rng.choice(tally.PROPOSAL_CHOICES)) for e in voting]
    jobs += [(e, e.voter, rng.choice(tally.PROPOSAL_CHOICES)) for e in rng.sample(voting, 60)]
    for e in electors[:20]:
        other = next(o.person for o in e.owners.all() if o.person_id != e.voter_id)
        jobs += [(e, e.voter, "yes"), (e, other, "no")]
    assert len(jobs) == BALLOTS
    rng.shuffle(jobs)
    start = threading.Barrier(WORKERS)
    outcomes = []
    lock = threading.Lock()

    def run(chunk):
        # A thread of the pool starts with no active language: the messages are asserted in English.
        try:
            start.wait()
            for e, voter, choice in chunk:
                try:
                    with translation.override("en"):
                        services.cast(vote=vote, elector=e, choices={matter: choice}, voter=voter, channel="online")
                    outcome = "ok"
                except services.VoteError as exc:
                    outcome = exc.message
                with lock:
                    outcomes.append((e.pk, voter.pk, outcome))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(run, [jobs[i::WORKERS] for i in range(WORKERS)]))

    assert len(outcomes) == BALLOTS
    refused = [o for o in outcomes if o[2] != "ok"]
    # Each raced home: whoever came second was refused, unless he was the same owner.
    assert all("already voted" in o[2] for o in refused)
    voted_homes = {e.pk for e in voting} | {e.pk for e in electors[:20]}
    assert Ballot.objects.filter(vote=vote).count() == len(voted_homes) == 420
    assert set(Ballot.objects.filter(vote=vote).values_list("elector_id", flat=True)) == voted_homes
    assert BallotRecord.objects.filter(vote=vote).count() == BALLOTS - len(refused)
    for e in electors[:20]:  # one ballot, from one of the two owners, never both
        owners_who_got_in = {o[1] for o in outcomes if o[0] == e.pk and o[2] == "ok"}
        assert len(owners_who_got_in) == 1

    vote = services.close(vote=vote)
    area = sum(
        tally.cents(a) for a in Elector.objects.filter(vote=vote, ballot__isnull=False).values_list("area", flat=True)
    )
    assert vote.result["participation"]["units"] == {"part": 420, "whole": HOMES}
    assert vote.result["participation"]["area"]["part"] == area
    yes = Ballot.objects.filter(vote=vote, choices__contains={matter: "yes"}).count()
    assert vote.result["matters"][0]["units"]["yes"] == yes


def test_closing_while_ballots_pour_in_counts_exactly_those_committed_before_it():
    compound = build_compound()
    vote = open_vote(compound)
    matter = str(vote.matters.get().pk)
    electors = list(Elector.objects.filter(vote=vote).select_related("voter"))
    start = threading.Barrier(9)
    late = []

    def cast_all(chunk):
        try:
            start.wait()
            for e in chunk:
                try:
                    services.cast(vote=vote, elector=e, choices={matter: "yes"}, voter=e.voter, channel="online")
                except services.Closed:
                    late.append(e.pk)
        finally:
            connections.close_all()

    def close_soon():
        try:
            start.wait()
            while Ballot.objects.filter(vote=vote).count() < 100:  # close in the thick of it
                threading.Event().wait(0.01)
            services.close(vote=vote)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(9) as pool:
        futures = [pool.submit(cast_all, electors[i::8]) for i in range(8)] + [pool.submit(close_soon)]
        for f in futures:
            f.result()

    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED
    counted = Ballot.objects.filter(vote=vote).count()
    assert counted + len(late) == HOMES
    assert vote.result["participation"]["units"]["part"] == counted
    assert vote.result["chain"]["ballots"] == counted
    assert late, "closing came after every ballot: the race was not run"
