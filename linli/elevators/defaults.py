"""The floor coefficients a new project starts with, as data. An EXAMPLE to be edited.

No official Foshan or Nanhai table is encoded here: the owners of each stairwell agree their own
cost-sharing standard (资金分摊标准) and vote on it, and the project page edits the coefficients
before the plan is adopted. The example follows the shape such agreements commonly take: the
ground floor, which gains nothing from the elevator (and often loses light), pays nothing; from
the first floor the elevator serves, each floor up adds the same step, because each storey saved
is one more flight of stairs.

    floor          1     2     3     4     5     6     7     8     9
    coefficient    0   1.00  1.20  1.40  1.60  1.80  2.00  2.20  2.40

A building of N floors (2 to 9, the old walk-ups that add elevators) takes floors 1..N of the row.
Buildings taller than 9 floors had to have elevators already; floors beyond the table get the
last step continued, and basement or odd floor numbers (0 or below) get 0, both editable too.
"""

from decimal import Decimal

GROUND = Decimal("0")
FIRST_SERVED = Decimal("1.00")
STEP = Decimal("0.20")

DEFAULT_COEFFICIENTS = {
    1: Decimal("0"),
    2: Decimal("1.00"),
    3: Decimal("1.20"),
    4: Decimal("1.40"),
    5: Decimal("1.60"),
    6: Decimal("1.80"),
    7: Decimal("2.00"),
    8: Decimal("2.20"),
    9: Decimal("2.40"),
}


def default_coefficient(floor: int) -> Decimal:
    if floor in DEFAULT_COEFFICIENTS:
        return DEFAULT_COEFFICIENTS[floor]
    if floor < 1:
        return GROUND
    return FIRST_SERVED + STEP * (floor - 2)


def default_scheme(floors) -> dict[str, str]:
    """{"1": "0", "2": "1.00", ...} for the given floor numbers, as a project stores it (JSON)."""
    return {str(f): str(default_coefficient(f)) for f in sorted(set(floors))}
