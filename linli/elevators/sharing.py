"""Sharing an added elevator's cost among the homes of a stairwell: a pure function.

A home's weight is its floor's coefficient times its floor area. Each home pays
total × weight / Σ weights, in fen; the fractions of a fen are settled by the largest-remainder
method, so the amounts add up to the total exactly: every home first gets the whole fen of its
exact share, and the fen left over go one each to the homes with the largest remainders. Equal
remainders are settled higher floor first, then by the smaller home key, so the same input always
gives the same amounts. All arithmetic is on integers (area in hundredths of m², coefficient in
ten-thousandths): no float ever rounds a fen away.

A larger weight never pays less: with equal whole parts the larger weight has the larger
remainder; with a larger whole part it already has at least one fen more than the other can
reach. Homes of weight zero (the ground floor by default) pay nothing. docs/elevators.md has a
worked example.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

AREA_PLACES = 2  # m², as in the property register
COEFFICIENT_PLACES = 4
MAX_COEFFICIENT = Decimal("100")


class SharingError(ValueError):
    """Input the calculator refuses; .message is for the user, in his language."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class HomeIn:
    key: int  # the home's id: the last tie-break
    floor: int
    area: Decimal | None
    label: str = ""


@dataclass(frozen=True)
class Share:
    key: int
    label: str
    floor: int
    area: Decimal
    coefficient: Decimal
    weight: Decimal  # coefficient × area
    amount: int  # fen


def parse_coefficient(value, floor: int) -> Decimal:
    """A coefficient as a Decimal with at most four places, 0 to 100; a clear message otherwise."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SharingError(
            _("The coefficient for floor %(floor)s is not a number: %(value)s") % {"floor": floor, "value": value}
        ) from None
    if not number.is_finite():
        raise SharingError(
            _("The coefficient for floor %(floor)s is not a number: %(value)s") % {"floor": floor, "value": value}
        )
    if number < 0:
        raise SharingError(_("The coefficient for floor %(floor)s is negative.") % {"floor": floor})
    if number > MAX_COEFFICIENT:
        raise SharingError(
            _("The coefficient for floor %(floor)s is larger than %(max)s.") % {"floor": floor, "max": MAX_COEFFICIENT}
        )
    if number != number.quantize(Decimal(1).scaleb(-COEFFICIENT_PLACES)):
        raise SharingError(
            _("The coefficient for floor %(floor)s has more than four decimal places.") % {"floor": floor}
        )
    return number


def _scaled(value: Decimal, places: int) -> int:
    return int(value.scaleb(places))


def share_costs(*, total: int, homes: Iterable[HomeIn], coefficients: Mapping[int, object]) -> list[Share]:
    """The amount in fen each home pays of `total` fen, in the order the homes were given.

    `coefficients` maps a floor number to its coefficient (a Decimal, or anything Decimal reads).
    Refuses (SharingError) a total that is not a positive whole number of fen, a negative or
    malformed coefficient, a floor without a coefficient, a home whose area is missing or not
    positive, the same home twice, and a stairwell where every weight is zero."""
    if isinstance(total, bool) or not isinstance(total, int):
        raise SharingError(_("The total cost must be a whole number of fen."))
    if total <= 0:
        raise SharingError(_("The total cost must be more than zero."))
    homes = list(homes)
    if not homes:
        raise SharingError(_("There are no homes to share the cost."))
    table = {int(floor): parse_coefficient(value, int(floor)) for floor, value in coefficients.items()}

    seen: set[int] = set()
    rows = []  # (home, area, coefficient, integer weight)
    for home in homes:
        name = home.label or str(home.key)
        if home.key in seen:
            raise SharingError(_("Home %(home)s is listed twice.") % {"home": name})
        seen.add(home.key)
        if home.area is None:
            raise SharingError(_("Home %(home)s has no floor area.") % {"home": name})
        area = Decimal(home.area)
        if area <= 0:
            raise SharingError(_("The floor area of home %(home)s must be more than zero.") % {"home": name})
        if area != area.quantize(Decimal("0.01")):
            raise SharingError(_("The floor area of home %(home)s has more than two decimal places.") % {"home": name})
        if home.floor not in table:
            raise SharingError(_("There is no coefficient for floor %(floor)s.") % {"floor": home.floor})
        coefficient = table[home.floor]
        weight = _scaled(area, AREA_PLACES) * _scaled(coefficient, COEFFICIENT_PLACES)
        rows.append((home, area, coefficient, weight))

    whole = sum(r[3] for r in rows)
    if whole == 0:
        raise SharingError(_("Every home's weight is zero: give at least one floor a coefficient above zero."))

    amounts, remainders = [], []
    for i, (home, _area, _coefficient, weight) in enumerate(rows):
        quotient, remainder = divmod(total * weight, whole)
        amounts.append(quotient)
        remainders.append((-remainder, -home.floor, home.key, i))
    left = total - sum(amounts)  # fewer than the homes with a remainder, since each remainder < whole
    for _neg, _floor, _key, i in sorted(remainders)[:left]:
        amounts[i] += 1

    return [
        Share(
            key=home.key,
            label=home.label,
            floor=home.floor,
            area=area,
            coefficient=coefficient,
            weight=area * coefficient,
            amount=amount,
        )
        for (home, area, coefficient, _w), amount in zip(rows, amounts, strict=True)
    ]


def yuan(fen: int) -> str:
    """12345 → "123.45": amounts are shown in yuan with two decimals, never through a float."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def coefficient_text(value) -> str:
    """1.2000 → "1.20", 1.2345 → "1.2345", 0 → "0.00": at least two decimals, no trailing noise."""
    text = f"{Decimal(value).normalize():f}"
    decimals = len(text.split(".")[1]) if "." in text else 0
    return text if decimals >= 2 else f"{Decimal(value):.2f}"


def parse_yuan(value) -> int:
    """ "123.45" (yuan) → 12345 fen; a clear message for anything else."""
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise SharingError(_("Write the amount in yuan, e.g. 480000.00.")) from None
    if not number.is_finite():
        raise SharingError(_("Write the amount in yuan, e.g. 480000.00."))
    if number != number.quantize(Decimal("0.01")):
        raise SharingError(_("An amount in yuan has at most two decimal places (fen)."))
    return int(number.scaleb(2))
