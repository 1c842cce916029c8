"""The fast reading behind the count (services.inputs, chain.lines with texts) against the plain
reading it replaced, on a generated mixed vote: the result, the published lines and the chain's
head must be the same, byte for byte (docs/decisions/0015)."""

import datetime as dt
import hashlib
import hmac
import json
import random
from decimal import Decimal

from django.utils import timezone

from linli.people.models import Occupancy, Person
from linli.places.models import Building, Home, Stairwell
from linli.votes import chain, services, tally
from linli.votes.models import Ballot, BallotRecord, Channel, Elector, Item, Matter, Owner, new_code

T0 = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))
OPENS = T0 + dt.timedelta(days=16)
CLOSES = OPENS + dt.timedelta(days=7)

# Few distinct areas (ties), some whose hundredths a float would get wrong (0.29 * 100 < 29).
AREAS = ("89.20", "89.20", "96.75", "120.30", "0.29", "1.15", "100.01", "57.00", "89.2")


# --- the plain reading, as it was before it was made fast ---------------------------------


def plain_inputs(vote):
    units = [
        tally.Unit(key=home_id, area=tally.cents(area), head=head, affected=affected, compensation=compensation)
        for home_id, area, head, affected, compensation in vote.electorate.values_list(
            "home_id", "area", "head", "affected", "compensation_agreed"
        )
    ]
    ballots, receipts = {}, {}
    for home_id, choices, receipt in Ballot.objects.filter(vote=vote).values_list("home_id", "choices", "receipt"):
        ballots[home_id] = choices
        receipts[home_id] = receipt
    return units, ballots, receipts


def plain_lines(vote, units, ballots, receipts):
    by_key = {u.key: u for u in units}
    out = []
    for key, receipt in receipts.items():
        u = by_key[key]
        flag = "c" if u.compensation else "a" if u.affected else "-"
        owner = hmac.new(vote.salt.encode(), u.head.encode(), hashlib.sha256).hexdigest()[:16]
        choices = json.dumps(ballots[key], sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        out.append(f"{receipt}|{owner}|{u.area}|{flag}|{choices}")
    out.sort()
    return out


def plain_count(vote):
    specs, _ = services.matter_specs(vote)
    units, ballots, receipts = plain_inputs(vote)
    result = tally.compute(vote.rules, specs, units, ballots)
    result["electorate"] = {
        "area": sum(u.area for u in units),
        "heads": len({u.head for u in units}),
        "units": len(units),
    }
    lines = plain_lines(vote, units, ballots, receipts)
    result["chain"] = {"head": chain.head(vote.code, lines), "ballots": len(lines)}
    return result, lines


# --- a generated vote ---------------------------------------------------------------------


def mixed_vote(world, homes=240, seed=2026):
    """A compound of `homes` homes with few distinct areas; owners of one home, of several
    homes, co-owners and homes with no owner; some units held by the developer, some affected
    (with or without a compensation agreement); a proposal and an election; ~80% of homes vote
    online, by proxy or on paper, answering for, against, abstain and any number of candidates,
    some with their choices stored in another key order."""
    rng = random.Random(seed)
    building = Building.objects.create(compound=world.fufeng, name="99栋", floors=30)
    stairwell = Stairwell.objects.create(building=building, name="1单元")
    made = Home.objects.bulk_create(
        Home(
            stairwell=stairwell,
            number=f"{i // 4 + 1}{i % 4 + 1:02d}",
            floor=i // 4 + 1,
            area=Decimal(rng.choice(AREAS)),
            area_source=Home.AreaSource.REGISTER,
        )
        for i in range(homes)
    )
    people = Person.objects.bulk_create(Person(name=f"业主{i:04d}") for i in range(homes // 2))
    occupancies = []
    for i, home in enumerate(made):
        if i % 17 == 0:
            continue  # no known owner: the unit counts as one of its own
        occupancies.append(Occupancy(person=people[i % len(people)], home=home, relation=Occupancy.Relation.OWNER))
        if i % 5 == 0:  # a co-owner
            occupancies.append(
                Occupancy(person=people[(i * 7 + 1) % len(people)], home=home, relation=Occupancy.Relation.OWNER)
            )
    Occupancy.objects.bulk_create(occupancies)

    vote = services.create_vote(
        user=world.carol, compound=world.fufeng, title="续聘物业、选举业委会", opens_at=OPENS, closes_at=CLOSES
    )
    proposal = services.add_matter(vote=vote, title="续聘富丰物业三年", item=Item.PROPERTY)
    special = services.add_matter(vote=vote, title="改建车棚", item=Item.REBUILD)
    election = services.add_matter(
        vote=vote,
        title="选举业主委员会",
        kind=Matter.Kind.ELECTION,
        seats=5,
        term_years=5,
        candidates=[f"候选人{i}" for i in range(1, 8)],
    )
    vote = services.announce(vote=vote, user=world.carol, now=T0)
    vote = services.open_vote(vote=vote, now=OPENS)
    # Corrections as staff may make them: the developer's unsold units, the affected units.
    vote.rules = {**vote.rules, "affected_consent": True}
    vote.save(update_fields=["rules"])
    electors = list(vote.electorate.order_by("pk"))
    for i, e in enumerate(electors):
        e.developer_held = i % 23 == 3
        e.head = services.DEVELOPER if e.developer_held else e.head
        e.affected = i % 9 == 0
        e.compensation_agreed = i % 18 == 0
    Elector.objects.bulk_update(electors, ["developer_held", "head", "affected", "compensation_agreed"])
    assert Owner.objects.filter(elector__vote=vote).exists()

    candidates = list(election.candidates.values_list("pk", flat=True))
    channels = (Channel.ONLINE, Channel.ONLINE, Channel.PROXY, Channel.PAPER)
    made, records = [], []
    for e in electors:
        if rng.random() < 0.2:
            continue  # did not vote
        answers = [
            (str(proposal.pk), rng.choice(tally.PROPOSAL_CHOICES)),
            (str(special.pk), rng.choice(tally.PROPOSAL_CHOICES)),
            (str(election.pk), sorted(rng.sample(candidates, rng.randint(0, 5)))),
        ]
        if rng.random() < 0.7:  # two popular candidates, so that some are elected
            answers[2] = (str(election.pk), sorted({*candidates[:2], *rng.sample(candidates, rng.randint(0, 3))}))
        if rng.random() < 0.3:
            answers.reverse()
        fields = {
            "vote": vote,
            "elector": e,
            "choices": dict(answers),
            "voter_id": e.voter_id,
            "channel": rng.choice(channels),
            "receipt": new_code(10),
            "cast_at": OPENS + dt.timedelta(minutes=rng.randint(1, 5000)),
        }
        made.append(Ballot(home_id=e.home_id, **fields))
        records.append(BallotRecord(**fields))
    Ballot.objects.bulk_create(made)
    BallotRecord.objects.bulk_create(records)
    return vote


def test_the_fast_count_gives_the_same_result_lines_and_chain_as_the_plain_one(world):
    vote = mixed_vote(world)
    expected, expected_lines = plain_count(vote)
    # The data set has what the count must get right.
    assert len({line.split("|")[2] for line in expected_lines}) >= 5  # several areas, with ties
    assert {line.split("|")[3] for line in expected_lines} == {"-", "a", "c"}
    assert any('"abstain"' in line for line in expected_lines)
    assert any(m.get("affected", {}).get("without_consent") for m in expected["matters"])
    assert any(r["elected"] for r in expected["matters"][2]["candidates"])
    assert Ballot.objects.filter(vote=vote).values("channel").distinct().count() == 3

    assert services.count(vote) == expected
    vote = services.close(vote=vote, now=CLOSES)
    assert vote.chain_head == expected["chain"]["head"]
    assert json.dumps(vote.result, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert services.published_lines(vote) == expected_lines


def test_equal_choices_are_decoded_once_and_read_the_same(world):
    vote = mixed_vote(world, homes=60, seed=7)
    units, ballots, receipts, texts = services.inputs(vote)
    plain_units, plain_ballots, plain_receipts = plain_inputs(vote)
    assert sorted(units, key=lambda u: u.key) == sorted(plain_units, key=lambda u: u.key)
    assert ballots == plain_ballots and receipts == plain_receipts
    assert texts == {k: chain.canonical(v) for k, v in plain_ballots.items()}
    assert chain.lines(vote, units, ballots, receipts) == chain.lines(vote, units, ballots, receipts, texts)
    # Ballots with the same stored choices share one decoded dict.
    assert len({id(c) for c in ballots.values()}) == len({json.dumps(c) for c in plain_ballots.values()})
