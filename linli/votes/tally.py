"""The count: exact, and free of the database, so that anyone can check it.

Input is the frozen rules, the matters, the electorate (one row per exclusive unit: its area
and whom it counts as) and the ballots (one per unit). Output is the four ratios per matter
and per candidate, and whether each passed.

Arithmetic is on integers: areas in hundredths of a square metre, thresholds as fractions,
so "at least 2/3" and "more than 1/2" are decided exactly at the boundary. The percentages
shown are cut (not rounded) to two decimals, so a figure never overstates support.

Headcount follows SPC interpretation on building ownership art. 9: one unit counts as one
owner, but the units of one owner count once, and all the developer's unsold units count
once. An owner whose several units voted differently counts as approving a matter only when
more than half of the area he cast approves it (docs/decisions/0005).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

YES, NO, ABSTAIN = "yes", "no", "abstain"
PROPOSAL_CHOICES = (YES, NO, ABSTAIN)


@dataclass(frozen=True)
class Threshold:
    strict: bool  # ">" (more than) when True, ">=" (at least) when False
    fraction: Fraction

    @classmethod
    def parse(cls, text: str) -> Threshold:
        strict = not text.startswith(">=")
        num, den = text.lstrip(">=").split("/")
        return cls(strict, Fraction(int(num), int(den)))

    def met(self, part: int, whole: int) -> bool:
        if whole <= 0:
            return False
        left, right = part * self.fraction.denominator, self.fraction.numerator * whole
        return left > right if self.strict else left >= right

    def __str__(self):
        return f"{'>' if self.strict else '>='}{self.fraction.numerator}/{self.fraction.denominator}"


@dataclass(frozen=True)
class Unit:
    """One exclusive unit of the electorate."""

    key: int  # the home
    area: int  # hundredths of a square metre
    head: str  # whom it counts as (art. 9)
    affected: bool = False
    compensation: bool = False


@dataclass(frozen=True)
class MatterSpec:
    key: int
    kind: str  # "proposal" or "election"
    item: int
    seats: int | None = None
    candidates: tuple[int, ...] = ()


def cents(area) -> int:
    """Square metres (Decimal or str) to integer hundredths, exactly."""
    value = Decimal(str(area)) * 100
    if value != value.to_integral_value():
        raise ValueError(f"area {area} has more than two decimals")
    return int(value)


def percent(part: int, whole: int) -> str:
    """part/whole as a percentage cut to two decimals: "99.88"."""
    if whole <= 0:
        return "0.00"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{value:.2f}"


def ratio(part: int, whole: int) -> dict:
    return {"part": part, "whole": whole, "percent": percent(part, whole)}


def compute(rules: dict, matters: list[MatterSpec], units: list[Unit], ballots: dict[int, dict]) -> dict:
    """The result. `ballots` maps a unit's key to its choices {str(matter key): choice}.

    Counted once per distinct choices (100,000 ballots, issue 10; docs/decisions/0020-fast-tally-counting.md):
    ballots sharing one choices dict (services.inputs decodes each distinct text once) are
    summed together, in area and in owners of a single unit; only the owners of several cast
    units, or of no area, are followed one by one (approval() below). Same numbers as the
    plain per-ballot count (`tests/test_fast_count.py` holds it to that count)."""
    by_key = {u.key: u for u in units}
    total_area = 0
    heads = set()
    for u in units:
        total_area += u.area
        heads.add(u.head)
    cast = [by_key[k] for k in ballots if k in by_key]  # ballots of keys outside the units are ignored
    part_area = 0
    cast_area_by_head: dict[str, int] = {}
    cast_units_by_head: dict[str, int] = {}
    for u in cast:
        h, a = u.head, u.area
        part_area += a
        if h in cast_area_by_head:
            cast_area_by_head[h] += a
            cast_units_by_head[h] += 1
        else:
            cast_area_by_head[h] = a
            cast_units_by_head[h] = 1
    part_heads = len(cast_area_by_head)
    # An owner who cast one unit of positive area approves whatever that unit chose (more
    # than half of his area): he counts as one head. Only the others ("irregular") are compared
    # with half their area in approval().
    irregular = {h for h, n in cast_units_by_head.items() if n > 1 or cast_area_by_head[h] <= 0}
    # The cast units grouped by their choices dict: [choices, area, units, single heads].
    groups: dict[int, list] = {}
    irregular_cast: list[tuple[Unit, dict]] = []
    for u in cast:
        choices = ballots[u.key]
        g = groups.get(id(choices))
        if g is None:
            g = groups[id(choices)] = [choices, 0, 0, 0]
        g[1] += u.area
        g[2] += 1
        if u.head in irregular:
            irregular_cast.append((u, choices))
        else:
            g[3] += 1
    groups_list = list(groups.values())

    participation = {
        "area": ratio(part_area, total_area),
        "heads": ratio(part_heads, len(heads)),
        "units": {"part": len(cast), "whole": len(units)},
    }
    p_area, p_heads = Threshold.parse(rules["participation_area"]), Threshold.parse(rules["participation_heads"])
    participation["passed"] = p_area.met(part_area, total_area) and p_heads.met(part_heads, len(heads))

    def tallies(matter: MatterSpec) -> tuple[dict, dict, dict]:
        """For each option (YES, or a candidate): the area cast for it, the owners of a single
        unit who chose it, and the area each irregular owner cast for it. And for a proposal,
        the units per choice."""
        key = str(matter.key)
        area_for: dict = defaultdict(int)
        singles_for: dict = defaultdict(int)
        irregular_for: dict = defaultdict(lambda: defaultdict(int))
        units_per_choice = dict.fromkeys(PROPOSAL_CHOICES, 0)
        if matter.kind == "proposal":
            for choices, area, n, singles in groups_list:
                choice = choices.get(key)
                if choice in units_per_choice:
                    units_per_choice[choice] += n
                    if choice == YES:
                        area_for[YES] += area
                        singles_for[YES] += singles
            for u, choices in irregular_cast:
                if choices.get(key) == YES:
                    irregular_for[YES][u.head] += u.area
        else:
            for choices, area, _n, singles in groups_list:
                chosen = choices.get(key)
                if isinstance(chosen, list):
                    for option in chosen:
                        area_for[option] += area
                    for option in set(chosen):
                        singles_for[option] += singles
            for u, choices in irregular_cast:
                chosen = choices.get(key)
                if isinstance(chosen, list):
                    for option in chosen:
                        irregular_for[option][u.head] += u.area
        return area_for, singles_for, irregular_for, units_per_choice

    def approval(option, area_for: dict, singles_for: dict, irregular_for: dict) -> tuple[int, int]:
        """Approving area, and approving heads, among the participants. An owner approves
        when more than half of the area he cast approves."""
        mine = irregular_for.get(option, {})
        heads_for = singles_for.get(option, 0) + sum(1 for h, a in mine.items() if 2 * a > cast_area_by_head[h])
        return area_for.get(option, 0), heads_for

    special = set(rules.get("special_items") or [])
    out = {"participation": participation, "matters": []}
    for matter in matters:
        matter_is_special = matter.item in special
        prefix = "special" if matter_is_special else "ordinary"
        a_area, a_heads = Threshold.parse(rules[f"{prefix}_area"]), Threshold.parse(rules[f"{prefix}_heads"])
        entry = {
            "key": matter.key,
            "kind": matter.kind,
            "item": matter.item,
            "special": matter_is_special,
            "thresholds": {"area": str(a_area), "heads": str(a_heads)},
        }
        area_for, singles_for, irregular_for, counts = tallies(matter)
        if matter.kind == "proposal":
            area_yes, heads_yes = approval(YES, area_for, singles_for, irregular_for)
            approved = a_area.met(area_yes, part_area) and a_heads.met(heads_yes, part_heads)
            entry.update(
                {
                    "approval": {"area": ratio(area_yes, part_area), "heads": ratio(heads_yes, part_heads)},
                    "units": counts,
                    "approved": approved,
                }
            )
            consent_ok, missing = True, []
            if rules.get("affected_consent"):
                for u in units:
                    if u.affected and not u.compensation:
                        ballot = ballots.get(u.key)
                        if not ballot or ballot.get(str(matter.key)) != YES:
                            missing.append(u.key)
                consent_ok = not missing
                entry["affected"] = {"without_consent": sorted(missing)}
            entry["passed"] = participation["passed"] and approved and consent_ok
        else:
            rows = []
            for candidate in matter.candidates:
                area_c, heads_c = approval(candidate, area_for, singles_for, irregular_for)
                qualified = a_area.met(area_c, part_area) and a_heads.met(heads_c, part_heads)
                rows.append(
                    {
                        "key": candidate,
                        "area": ratio(area_c, part_area),
                        "heads": ratio(heads_c, part_heads),
                        "qualified": participation["passed"] and qualified,
                    }
                )
            elect(rows, matter.seats or 0)
            entry["candidates"] = rows
            entry["passed"] = any(r["elected"] for r in rows)
        out["matters"].append(entry)
    return out


def elect(rows: list[dict], seats: int) -> None:
    """Mark the elected among the qualified: most owners first, then most area. When the last
    seat falls among candidates tied on both, none of the tied is elected; they are marked
    for a run-off."""
    for r in rows:
        r["elected"], r["tie"] = False, False
    qualified = [r for r in rows if r["qualified"]]
    if len(qualified) <= seats:
        for r in qualified:
            r["elected"] = True
        return
    if seats <= 0:
        return

    def rank(r):
        return (r["heads"]["part"], r["area"]["part"])

    cut = sorted((rank(r) for r in qualified), reverse=True)[seats - 1]
    above = [r for r in qualified if rank(r) > cut]
    at = [r for r in qualified if rank(r) == cut]
    for r in above:
        r["elected"] = True
    for r in at:
        if len(above) + len(at) <= seats:
            r["elected"] = True
        else:
            r["tie"] = True
