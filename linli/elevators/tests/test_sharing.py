"""The cost-sharing calculator: exact to the fen, monotone in weight, and clear about bad input."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.elevators.defaults import DEFAULT_COEFFICIENTS, default_coefficient, default_scheme
from linli.elevators.sharing import HomeIn, SharingError, coefficient_text, parse_yuan, share_costs, yuan


def amounts(total, homes, coefficients):
    return [s.amount for s in share_costs(total=total, homes=homes, coefficients=coefficients)]


def test_a_worked_example_six_floors_two_homes_each():
    # The example in docs/elevators.md: 480,000.00 yuan, two homes of 80 m² and 90 m² per floor.
    coefficients = {f: DEFAULT_COEFFICIENTS[f] for f in range(1, 7)}
    homes = [
        HomeIn(key=10 * f + n, floor=f, area=Decimal("80.00") if n == 1 else Decimal("90.00"))
        for f in range(1, 7)
        for n in (1, 2)
    ]
    shares = share_costs(total=48_000_000, homes=homes, coefficients=coefficients)
    got = {s.key: s.amount for s in shares}
    assert got[11] == got[12] == 0  # the ground floor pays nothing
    # Σ weights = 170 m² × (1.0 + 1.2 + 1.4 + 1.6 + 1.8) = 1190; 80 m² on floor 2 weighs 80.
    # Each home first gets the whole fen of 48,000,000 × weight / 1190; the 5 fen left over go to
    # the five largest remainders (.94, .91, .78, .76, .52).
    assert got == {
        11: 0, 12: 0,
        21: 3_226_891, 22: 3_630_252,  # 3,226,890.76 → +1; 3,630,252.10
        31: 3_872_269, 32: 4_356_303,  # 3,872,268.91 → +1; 4,356,302.52 → +1
        41: 4_517_647, 42: 5_082_353,  # 4,517,647.06; 5,082,352.94 → +1
        51: 5_163_025, 52: 5_808_403,  # 5,163,025.21; 5,808,403.36
        61: 5_808_403, 62: 6_534_454,  # 5,808,403.36 (same weight as 52: same amount); 6,534,453.78 → +1
    }  # fmt: skip
    assert sum(got.values()) == 48_000_000
    assert [s.weight for s in shares if s.key == 62] == [Decimal("162.0000")]


def test_leftover_fen_go_to_the_largest_remainders():
    homes = [HomeIn(key=k, floor=2, area=Decimal("1")) for k in (1, 2, 3)]
    # 100 fen among three equal weights: 33 each and one left over, to the smaller key (tie, same floor).
    assert amounts(100, homes, {2: "1"}) == [34, 33, 33]


def test_ties_go_to_the_higher_floor_first_then_the_smaller_home_id():
    homes = [
        HomeIn(key=5, floor=2, area=Decimal("1")),
        HomeIn(key=4, floor=3, area=Decimal("1")),
        HomeIn(key=3, floor=3, area=Decimal("1")),
    ]
    # Same weight everywhere (coefficients equal), 101 fen: 33 each, two left over: floor 3 first,
    # home 3 before home 4.
    assert amounts(101, homes, {2: "1", 3: "1"}) == [33, 34, 34]
    assert amounts(100, homes, {2: "1", 3: "1"}) == [33, 33, 34]


def test_the_result_does_not_depend_on_the_order_of_the_homes():
    homes = [HomeIn(key=k, floor=2 + k % 4, area=Decimal("70.25") + k) for k in range(1, 12)]
    coefficients = {2: "1", 3: "1.2", 4: "1.4", 5: "1.6"}
    forward = {s.key: s.amount for s in share_costs(total=999_999, homes=homes, coefficients=coefficients)}
    backward = {s.key: s.amount for s in share_costs(total=999_999, homes=homes[::-1], coefficients=coefficients)}
    assert forward == backward


def test_a_single_paying_home_pays_everything():
    homes = [HomeIn(key=1, floor=1, area=Decimal("50")), HomeIn(key=2, floor=2, area=Decimal("60.5"))]
    assert amounts(1, homes, {1: 0, 2: "0.5"}) == [0, 1]


@pytest.mark.parametrize(
    ("total", "homes", "coefficients", "message"),
    [
        (0, [HomeIn(1, 2, Decimal("80"))], {2: 1}, "more than zero"),
        (-100, [HomeIn(1, 2, Decimal("80"))], {2: 1}, "more than zero"),
        (Decimal("100.5"), [HomeIn(1, 2, Decimal("80"))], {2: 1}, "whole number of fen"),
        (100, [HomeIn(1, 2, Decimal("80"))], {2: "-0.1"}, "floor 2 is negative"),
        (100, [HomeIn(1, 2, Decimal("80"))], {2: "abc"}, "not a number"),
        (100, [HomeIn(1, 2, Decimal("80"))], {2: "NaN"}, "not a number"),
        (100, [HomeIn(1, 2, Decimal("80"))], {2: "1.00001"}, "four decimal places"),
        (100, [HomeIn(1, 2, Decimal("80"))], {3: 1}, "no coefficient for floor 2"),
        (100, [HomeIn(1, 1, Decimal("80")), HomeIn(2, 2, Decimal("80"))], {1: 0, 2: 0}, "weight is zero"),
        (100, [HomeIn(1, 2, None, "1栋 1单元 201")], {2: 1}, "1栋 1单元 201 has no floor area"),
        (100, [HomeIn(1, 2, Decimal("0"))], {2: 1}, "must be more than zero"),
        (100, [HomeIn(1, 2, Decimal("-5"))], {2: 1}, "must be more than zero"),
        (100, [HomeIn(1, 2, Decimal("80.123"))], {2: 1}, "two decimal places"),
        (100, [HomeIn(1, 2, Decimal("80")), HomeIn(1, 3, Decimal("80"))], {2: 1, 3: 1}, "listed twice"),
        (100, [], {2: 1}, "no homes"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(total, homes, coefficients, message):
    with pytest.raises(SharingError, match=message):
        share_costs(total=total, homes=homes, coefficients=coefficients)


def test_yuan_and_fen():
    assert yuan(12345) == "123.45" and yuan(5) == "0.05" and yuan(0) == "0.00" and yuan(-101) == "-1.01"
    assert [coefficient_text(c) for c in ("1.2000", "1.2345", "0", "2")] == ["1.20", "1.2345", "0.00", "2.00"]
    assert parse_yuan("480,000.00") == 48_000_000 and parse_yuan("0.1") == 10
    for bad in ("1.234", "abc", "Infinity"):
        with pytest.raises(SharingError):
            parse_yuan(bad)


def test_the_default_scheme_rises_with_the_floor_and_spares_the_ground_floor():
    assert default_coefficient(1) == 0 and default_coefficient(0) == 0
    rising = [default_coefficient(f) for f in range(2, 12)]
    assert rising == sorted(rising) and len(set(rising)) == len(rising)
    assert default_scheme([3, 1, 2, 2]) == {"1": "0", "2": "1.00", "3": "1.20"}


# --- properties -------------------------------------------------------------------------------

areas = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2)
coefs = st.decimals(min_value=Decimal("0"), max_value=Decimal("5"), places=4)


@st.composite
def stairwells(draw):
    floors = draw(st.integers(min_value=1, max_value=9))
    table = {f: draw(coefs) for f in range(1, floors + 1)}
    n = draw(st.integers(min_value=1, max_value=30))
    homes = [HomeIn(key=k, floor=draw(st.integers(1, floors)), area=draw(areas)) for k in range(1, n + 1)]
    if all(table[h.floor] == 0 for h in homes):
        table[homes[0].floor] = draw(coefs.filter(lambda c: c > 0))
    total = draw(st.integers(min_value=1, max_value=10**10))
    return total, homes, table


@settings(max_examples=300, deadline=None)
@given(stairwells())
def test_amounts_sum_to_the_total_are_non_negative_and_monotone_in_weight(case):
    total, homes, table = case
    shares = share_costs(total=total, homes=homes, coefficients=table)
    assert sum(s.amount for s in shares) == total
    assert all(s.amount >= 0 for s in shares)
    for s in shares:
        if s.weight == 0:
            assert s.amount == 0
    by_weight = sorted(shares, key=lambda s: s.weight)
    for lighter, heavier in zip(by_weight, by_weight[1:], strict=False):
        if heavier.weight > lighter.weight:
            assert heavier.amount >= lighter.amount  # a larger weight never pays less
        else:
            assert abs(heavier.amount - lighter.amount) <= 1  # equal weights differ by a tie-break fen at most
    # Each amount is within one fen of the exact share.
    whole = sum(s.weight for s in shares)
    for s in shares:
        exact = Decimal(total) * s.weight / whole
        assert abs(Decimal(s.amount) - exact) < 1


@settings(max_examples=100, deadline=None)
@given(stairwells(), st.randoms(use_true_random=False))
def test_the_amounts_do_not_depend_on_the_order_of_the_homes(case, rnd):
    total, homes, table = case
    shuffled = list(homes)
    rnd.shuffle(shuffled)
    first = {s.key: s.amount for s in share_costs(total=total, homes=homes, coefficients=table)}
    assert first == {s.key: s.amount for s in share_costs(total=total, homes=shuffled, coefficients=table)}
