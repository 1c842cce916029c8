"""The count made fast for 100,000 ballots (issue 10, docs/decisions/0020-fast-tally-counting.md) against the
plain count it replaced: tally.compute grouped by distinct choices against the per-ballot
loops, the owner tokens made from pre-keyed SHA-256 states against hmac.new, and the whole of
services.count (result, electorate, chain) against the plain reading and the plain count."""

import hashlib
import hmac
import json
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.votes import chain, services, tally
from linli.votes.defaults import DEFAULTS
from linli.votes.tally import MatterSpec, Unit

from .test_inputs import CLOSES, mixed_vote, plain_inputs, plain_lines

# --- the plain count, as tally.compute was before ------------------------------------------


def plain_compute(
    rules: dict, matters: list[tally.MatterSpec], units: list[tally.Unit], ballots: dict[int, dict]
) -> dict:
    """tally.compute as it was before it counted per distinct choices (7 December 2026)."""
    by_key = {u.key: u for u in units}
    total_area = sum(u.area for u in units)
    heads = {u.head for u in units}
    cast_with = [(by_key[k], choices) for k, choices in ballots.items() if k in by_key]
    cast = [u for u, _ in cast_with]
    part_area = sum(u.area for u in cast)
    cast_area_by_head: dict[str, int] = defaultdict(int)
    cast_units_by_head: dict[str, int] = defaultdict(int)
    for u in cast:
        cast_area_by_head[u.head] += u.area
        cast_units_by_head[u.head] += 1
    part_heads = len(cast_area_by_head)
    # An owner who cast one unit of positive area approves whatever that unit chose: only the
    # others need the comparison in approval() (100,000 ballots, issue 10).
    irregular = [h for h, n in cast_units_by_head.items() if n > 1 or cast_area_by_head[h] <= 0]

    participation = {
        "area": tally.ratio(part_area, total_area),
        "heads": tally.ratio(part_heads, len(heads)),
        "units": {"part": len(cast), "whole": len(units)},
    }
    p_area, p_heads = (
        tally.Threshold.parse(rules["participation_area"]),
        tally.Threshold.parse(rules["participation_heads"]),
    )
    participation["passed"] = p_area.met(part_area, total_area) and p_heads.met(part_heads, len(heads))

    def tallies(matter: tally.MatterSpec) -> tuple[dict, dict]:
        """For each option (tally.YES, or a candidate): the area cast for it by each owner. And for a
        proposal, the units per choice. One pass over the ballots (100,000 in well under 1 s)."""
        key = str(matter.key)
        area_for: dict = defaultdict(lambda: defaultdict(int))
        units_per_choice = dict.fromkeys(tally.PROPOSAL_CHOICES, 0)
        if matter.kind == "proposal":
            yes = area_for[tally.YES]
            for u, choices in cast_with:
                choice = choices.get(key)
                if choice in units_per_choice:
                    units_per_choice[choice] += 1
                    if choice == tally.YES:
                        yes[u.head] += u.area
        else:
            for u, choices in cast_with:
                chosen = choices.get(key)
                if isinstance(chosen, list):
                    head, area = u.head, u.area
                    for option in chosen:
                        area_for[option][head] += area
        return area_for, units_per_choice

    def approval(area_by_head: dict) -> tuple[int, int]:
        """Approving area, and approving heads, among the participants. An owner approves
        when more than half of the area he cast approves."""
        area = sum(area_by_head.values())
        # As counting `2 * a > cast_area_by_head[head]` over all: an owner with one unit cast,
        # of positive area, has every a = k * that area (k >= 1), which is more than half.
        heads_for = len(area_by_head) - sum(
            1 for head in irregular if head in area_by_head and not 2 * area_by_head[head] > cast_area_by_head[head]
        )
        return area, heads_for

    special = set(rules.get("special_items") or [])
    out = {"participation": participation, "matters": []}
    for matter in matters:
        matter_is_special = matter.item in special
        prefix = "special" if matter_is_special else "ordinary"
        a_area, a_heads = (
            tally.Threshold.parse(rules[f"{prefix}_area"]),
            tally.Threshold.parse(rules[f"{prefix}_heads"]),
        )
        entry = {
            "key": matter.key,
            "kind": matter.kind,
            "item": matter.item,
            "special": matter_is_special,
            "thresholds": {"area": str(a_area), "heads": str(a_heads)},
        }
        area_for, counts = tallies(matter)
        if matter.kind == "proposal":
            area_yes, heads_yes = approval(area_for[tally.YES])
            approved = a_area.met(area_yes, part_area) and a_heads.met(heads_yes, part_heads)
            entry.update(
                {
                    "approval": {"area": tally.ratio(area_yes, part_area), "heads": tally.ratio(heads_yes, part_heads)},
                    "units": counts,
                    "approved": approved,
                }
            )
            consent_ok, missing = True, []
            if rules.get("affected_consent"):
                for u in units:
                    if u.affected and not u.compensation:
                        ballot = ballots.get(u.key)
                        if not ballot or ballot.get(str(matter.key)) != tally.YES:
                            missing.append(u.key)
                consent_ok = not missing
                entry["affected"] = {"without_consent": sorted(missing)}
            entry["passed"] = participation["passed"] and approved and consent_ok
        else:
            rows = []
            for candidate in matter.candidates:
                area_c, heads_c = approval(area_for.get(candidate, {}))
                qualified = a_area.met(area_c, part_area) and a_heads.met(heads_c, part_heads)
                rows.append(
                    {
                        "key": candidate,
                        "area": tally.ratio(area_c, part_area),
                        "heads": tally.ratio(heads_c, part_heads),
                        "qualified": participation["passed"] and qualified,
                    }
                )
            tally.elect(rows, matter.seats or 0)
            entry["candidates"] = rows
            entry["passed"] = any(r["elected"] for r in rows)
        out["matters"].append(entry)
    return out


# --- random electorates with proposals and elections --------------------------------------

PROPOSAL = MatterSpec(key=1, kind="proposal", item=4)
SPECIAL = MatterSpec(key=2, kind="proposal", item=7)
ELECTION = MatterSpec(key=3, kind="election", item=6, seats=2, candidates=(11, 12, 13, 14))


@st.composite
def electorates(draw):
    n = draw(st.integers(min_value=1, max_value=30))
    # Few areas (zero among them), few owners: several units per owner, ties, empty owners.
    area = st.sampled_from([0, 1, 100, 5000, 8950, 8950, 12000])
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
    proposal = st.sampled_from(tally.PROPOSAL_CHOICES)
    # A candidate twice, one who is not standing, an empty list, a blank election.
    chosen = st.one_of(st.lists(st.sampled_from([11, 12, 13, 14, 15]), max_size=5), st.just(None))
    # Ballots share dicts as services.inputs makes them share equal choices.
    pool = [
        {"1": draw(proposal), "2": draw(proposal), "3": draw(chosen)}
        for _ in range(draw(st.integers(min_value=1, max_value=4)))
    ]
    ballots = {}
    for u in units:
        if draw(st.booleans()) or draw(st.booleans()):
            ballots[u.key] = draw(st.sampled_from(pool)) if draw(st.booleans()) else dict(draw(st.sampled_from(pool)))
    if draw(st.booleans()):
        ballots[n + 5] = pool[0]  # a ballot of no unit in the electorate: not counted
    return units, ballots


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=electorates(), rules=st.sampled_from(DEFAULTS))
def test_the_grouped_count_agrees_with_the_plain_one(data, rules):
    units, ballots = data
    rules = {**rules, "affected_consent": True}
    matters = [PROPOSAL, SPECIAL, ELECTION]
    assert tally.compute(rules, matters, units, ballots) == plain_compute(rules, matters, units, ballots)


def test_owners_of_several_units_are_compared_with_half_their_area():
    units = [Unit(key=0, area=6000, head="x"), Unit(key=1, area=4000, head="x"), Unit(key=2, area=0, head="y")]
    same = {"1": "yes", "3": [11, 12]}
    ballots = {0: same, 1: {"1": "no", "3": [12, 12]}, 2: same}
    rules = DEFAULTS[0]
    result = tally.compute(rules, [PROPOSAL, ELECTION], units, ballots)
    assert result == plain_compute(rules, [PROPOSAL, ELECTION], units, ballots)
    # x approves the proposal (6000 of 10000); y cast no area, so approves nothing.
    assert result["matters"][0]["approval"]["heads"]["part"] == 1
    assert result["matters"][0]["approval"]["area"]["part"] == 6000
    # Candidate 12: all of x's area (twice on one ballot: 4000 counted twice), one owner.
    twelve = result["matters"][1]["candidates"][1]
    assert (twelve["area"]["part"], twelve["heads"]["part"]) == (14000, 1)


# --- the owner tokens ---------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(salt=st.text(max_size=100), heads=st.lists(st.text(max_size=40), max_size=5))
def test_tokens_are_the_hmac_of_the_salt(salt, heads):
    make = chain.tokens(salt)
    for head in heads:
        assert make(head) == chain.token(salt, head)
        assert make(head) == hmac.new(salt.encode(), head.encode(), hashlib.sha256).hexdigest()[:16]


# --- the whole count ----------------------------------------------------------------------


def test_the_count_is_the_plain_count_byte_for_byte(world):
    vote = mixed_vote(world, seed=99)
    specs, _ = services.matter_specs(vote)
    units, ballots, receipts = plain_inputs(vote)
    expected = plain_compute(vote.rules, specs, units, ballots)
    expected["electorate"] = {
        "area": sum(u.area for u in units),
        "heads": len({u.head for u in units}),
        "units": len(units),
    }
    lines = plain_lines(vote, units, ballots, receipts)
    expected["chain"] = {"head": chain.head(vote.code, lines), "ballots": len(lines)}
    assert expected["matters"][2]["kind"] == "election" and any(
        r["elected"] for r in expected["matters"][2]["candidates"]
    )
    assert services.count(vote) == expected
    vote = services.close(vote=vote, now=CLOSES)
    assert json.dumps(vote.result, sort_keys=True) == json.dumps(expected, sort_keys=True)
    assert services.published_lines(vote) == lines
    # And an outsider's recount from the published lines agrees on area and owners (the units
    # that did not vote are stood in by placeholders, so their number differs).
    recounted = chain.recount(vote.rules, specs, lines, expected["electorate"])
    for key in ("area", "heads", "passed"):
        assert recounted["participation"][key] == expected["participation"][key]
    for got, want in zip(recounted["matters"], expected["matters"], strict=True):
        assert got.get("approval") == want.get("approval") and got.get("candidates") == want.get("candidates")


def test_the_collector_is_back_on_after_a_count(world):
    import gc

    vote = mixed_vote(world, homes=40, seed=3)
    assert gc.isenabled()
    services.count(vote)
    assert gc.isenabled()
