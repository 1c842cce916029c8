"""The count against an independent reference, on random electorates and at the boundaries."""

from collections import defaultdict
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.votes import tally
from linli.votes.defaults import DEFAULTS
from linli.votes.tally import MatterSpec, Threshold, Unit

ASSEMBLY = DEFAULTS[0]
ELEVATOR = DEFAULTS[1]
PROPOSAL_ORDINARY = MatterSpec(key=1, kind="proposal", item=4)
PROPOSAL_SPECIAL = MatterSpec(key=2, kind="proposal", item=7)


# --- the reference: plain Fractions and loops, written apart from tally.py ----------------


def meets(value: Fraction, rule: str) -> bool:
    if rule.startswith(">="):
        n, d = rule[2:].split("/")
        return value >= Fraction(int(n), int(d))
    n, d = rule[1:].split("/")
    return value > Fraction(int(n), int(d))


def reference(rules, matter, units, ballots):
    owners = defaultdict(list)
    for u in units:
        owners[u.head].append(u)
    total_area = sum(u.area for u in units)
    voted = [u for u in units if u.key in ballots]
    voted_area = sum(u.area for u in voted)
    voted_owners = [h for h, us in owners.items() if any(u.key in ballots for u in us)]
    turnout_ok = meets(Fraction(voted_area, total_area), rules["participation_area"]) and meets(
        Fraction(len(voted_owners), len(owners)), rules["participation_heads"]
    )
    yes = [u for u in voted if ballots[u.key][str(matter.key)] == "yes"]
    yes_area = sum(u.area for u in yes)
    yes_owners = 0
    for h in voted_owners:
        mine = [u for u in owners[h] if u.key in ballots]
        if Fraction(sum(u.area for u in mine if u in yes), sum(u.area for u in mine)) > Fraction(1, 2):
            yes_owners += 1
    kind = "special" if matter.item in rules["special_items"] else "ordinary"
    if not voted or voted_area == 0:
        return {"passed": False, "counts": (0, 0, 0, 0)}
    approved = meets(Fraction(yes_area, voted_area), rules[f"{kind}_area"]) and meets(
        Fraction(yes_owners, len(voted_owners)), rules[f"{kind}_heads"]
    )
    consent = True
    if rules["affected_consent"]:
        consent = all(
            u.compensation or (u.key in ballots and ballots[u.key][str(matter.key)] == "yes")
            for u in units
            if u.affected
        )
    return {
        "passed": turnout_ok and approved and consent,
        "counts": (voted_area, len(voted_owners), yes_area, yes_owners),
    }


# --- random electorates -------------------------------------------------------------------


@st.composite
def electorates(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    # Few distinct areas and few owners, so that ties, boundaries and several units per
    # owner (art. 9) come up often.
    area = st.sampled_from([100, 5000, 8950, 8950, 12000, 1])
    heads = draw(st.integers(min_value=1, max_value=n))
    units = [
        Unit(
            key=i,
            area=draw(area),
            head=draw(st.sampled_from([f"o{h}" for h in range(heads)] + ["developer"])),
            affected=draw(st.booleans()),
            compensation=draw(st.booleans()),
        )
        for i in range(n)
    ]
    ballots = {}
    for u in units:
        if draw(st.booleans()) or draw(st.booleans()):
            ballots[u.key] = {
                str(PROPOSAL_ORDINARY.key): draw(st.sampled_from(tally.PROPOSAL_CHOICES)),
                str(PROPOSAL_SPECIAL.key): draw(st.sampled_from(tally.PROPOSAL_CHOICES)),
            }
    return units, ballots


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=electorates(), rules=st.sampled_from([ASSEMBLY, ELEVATOR]))
def test_tally_agrees_with_the_reference(data, rules):
    units, ballots = data
    result = tally.compute(rules, [PROPOSAL_ORDINARY, PROPOSAL_SPECIAL], units, ballots)
    for matter, entry in zip([PROPOSAL_ORDINARY, PROPOSAL_SPECIAL], result["matters"], strict=True):
        expected = reference(rules, matter, units, ballots)
        counts = (
            result["participation"]["area"]["part"],
            result["participation"]["heads"]["part"],
            entry["approval"]["area"]["part"],
            entry["approval"]["heads"]["part"],
        )
        assert counts == expected["counts"], (units, ballots)
        assert entry["passed"] == expected["passed"], (units, ballots)


# --- the boundaries, by hand --------------------------------------------------------------


def one_each(n, voters, yes):
    """n owners of one unit each, equal areas; the first `voters` vote, the first `yes` for."""
    units = [Unit(key=i, area=10000, head=f"o{i}") for i in range(n)]
    ballots = {i: {"1": "yes" if i < yes else "no", "2": "yes" if i < yes else "no"} for i in range(voters)}
    return units, ballots


def passed(units, ballots, rules=ASSEMBLY):
    result = tally.compute(rules, [PROPOSAL_ORDINARY, PROPOSAL_SPECIAL], units, ballots)
    return [m["passed"] for m in result["matters"]], result


def test_exactly_two_thirds_participation_is_enough_and_one_less_is_not():
    assert passed(*one_each(3, 2, 2))[0] == [True, True]
    assert passed(*one_each(300, 200, 200))[0] == [True, True]
    assert passed(*one_each(300, 199, 199))[0] == [False, False]


def test_exactly_half_is_not_more_than_half():
    # 4 owners vote, 2 for: half, not more than half.
    assert passed(*one_each(4, 4, 2))[0] == [False, False]
    assert passed(*one_each(4, 4, 3))[0] == [True, True]


def test_exactly_three_quarters_passes_a_special_matter_and_just_under_does_not():
    ok, result = passed(*one_each(4, 4, 3))
    assert ok == [True, True]
    assert result["matters"][1]["approval"]["heads"]["percent"] == "75.00"
    ok, _ = passed(*one_each(100, 100, 74))
    assert ok == [True, False]  # 74% is more than half but less than three quarters


def test_area_and_heads_must_both_reach_the_threshold():
    # Two owners: one big flat for, one small against. Area says yes, heads say half.
    units = [Unit(key=0, area=20000, head="a"), Unit(key=1, area=5000, head="b")]
    ballots = {0: {"1": "yes", "2": "yes"}, 1: {"1": "no", "2": "no"}}
    ok, result = passed(units, ballots)
    assert ok == [False, False]
    assert result["matters"][0]["approval"]["area"]["percent"] == "80.00"
    assert result["matters"][0]["approval"]["heads"]["percent"] == "50.00"


def test_one_owner_of_several_units_counts_once_and_the_developer_once():
    units = [
        Unit(key=0, area=10000, head="o:1"),
        Unit(key=1, area=10000, head="o:1"),  # the same buyer's second flat
        Unit(key=2, area=10000, head="developer"),
        Unit(key=3, area=10000, head="developer"),
        Unit(key=4, area=10000, head="developer"),
        Unit(key=5, area=10000, head="o:2"),
    ]
    ballots = {0: {"1": "yes", "2": "yes"}, 1: {"1": "yes", "2": "yes"}}
    _, result = passed(units, ballots)
    assert result["participation"]["heads"] == {"part": 1, "whole": 3, "percent": "33.33"}
    assert result["participation"]["area"]["percent"] == "33.33"
    assert result["participation"]["units"] == {"part": 2, "whole": 6}


def test_an_owner_whose_units_disagree_approves_only_with_more_than_half_his_area():
    units = [Unit(key=0, area=6000, head="x"), Unit(key=1, area=4000, head="x"), Unit(key=2, area=100, head="y")]
    ballots = {0: {"1": "yes", "2": "yes"}, 1: {"1": "no", "2": "no"}, 2: {"1": "yes", "2": "yes"}}
    _, result = passed(units, ballots)
    assert result["matters"][0]["approval"]["heads"]["part"] == 2
    ballots[0], ballots[1] = ballots[1], ballots[0]  # now the smaller flat approves
    _, result = passed(units, ballots)
    assert result["matters"][0]["approval"]["heads"]["part"] == 1
    units[1] = Unit(key=1, area=6000, head="x")  # exactly half his area for: not approving
    _, result = passed(units, ballots)
    assert result["matters"][0]["approval"]["heads"]["part"] == 1


def test_percentages_are_cut_not_rounded():
    assert tally.percent(2, 3) == "66.66"
    assert tally.percent(9988, 10000) == "99.88"
    assert tally.percent(99999, 100000) == "99.99"  # never shown as 100.00 unless it is
    assert tally.percent(1, 1) == "100.00"


def test_thresholds_parse_and_compare_exactly():
    assert Threshold.parse(">=2/3").met(2, 3)
    assert not Threshold.parse(">2/3").met(2, 3)
    assert not Threshold.parse(">1/2").met(1, 2)
    assert Threshold.parse(">1/2").met(50001, 100000)
    assert not Threshold.parse(">=3/4").met(74999, 100000)
    assert not Threshold.parse(">=2/3").met(0, 0)


def test_areas_are_exact_hundredths():
    assert tally.cents("89.50") == 8950
    import pytest

    with pytest.raises(ValueError):
        tally.cents("89.505")


def test_an_affected_owner_without_consent_blocks_the_elevator():
    units = [Unit(key=i, area=10000, head=f"o{i}", affected=i == 0) for i in range(4)]
    ballots = {i: {"1": "yes", "2": "yes"} for i in range(1, 4)}  # all but the ground floor agree
    ok, result = passed(units, ballots, rules=ELEVATOR)
    assert ok == [False, False]
    assert result["matters"][0]["affected"]["without_consent"] == [0]
    units[0] = Unit(key=0, area=10000, head="o0", affected=True, compensation=True)
    ok, _ = passed(units, ballots, rules=ELEVATOR)
    assert ok == [True, True]


def election(seats, candidates):
    return MatterSpec(key=9, kind="election", item=3, seats=seats, candidates=tuple(candidates))


def test_an_election_elects_the_qualified_up_to_the_seats_and_flags_a_tie():
    units = [Unit(key=i, area=10000, head=f"o{i}") for i in range(10)]
    # Candidates 1..4 for 1 seat... use 3 seats: 1 and 2 get 9 votes, 3 and 4 get 6 each.
    ballots = {i: {"9": [1, 2] + ([3] if i < 6 else []) + ([4] if i >= 4 else [])} for i in range(10)}
    result = tally.compute(ASSEMBLY, [election(3, [1, 2, 3, 4])], units, ballots)
    rows = {r["key"]: r for r in result["matters"][0]["candidates"]}
    assert rows[1]["elected"] and rows[2]["elected"]
    assert rows[3]["tie"] and rows[4]["tie"]  # 6 and 6 for the last seat: a run-off
    assert not rows[3]["elected"] and not rows[4]["elected"]


def test_a_candidate_needs_more_than_half_of_the_participants():
    units = [Unit(key=i, area=10000, head=f"o{i}") for i in range(4)]
    ballots = {i: {"9": [1] if i < 2 else [2]} for i in range(4)}
    result = tally.compute(ASSEMBLY, [election(5, [1, 2])], units, ballots)
    assert [r["elected"] for r in result["matters"][0]["candidates"]] == [False, False]


@settings(max_examples=200, deadline=None)
@given(
    votes=st.lists(st.lists(st.integers(min_value=1, max_value=6), max_size=5, unique=True), min_size=1, max_size=30),
    seats=st.sampled_from([5, 7]),
)
def test_an_election_never_elects_more_than_the_seats_nor_anyone_unqualified(votes, seats):
    units = [Unit(key=i, area=10000, head=f"o{i}") for i in range(len(votes))]
    ballots = {i: {"9": v} for i, v in enumerate(votes)}
    result = tally.compute(ASSEMBLY, [election(seats, range(1, 7))], units, ballots)
    rows = result["matters"][0]["candidates"]
    assert sum(r["elected"] for r in rows) <= seats
    for r in rows:
        backers = sum(1 for v in votes if r["key"] in v)
        if r["elected"]:
            assert 2 * backers > len(votes)  # more than half of the participating owners
