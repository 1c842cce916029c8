import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from linli.results.period import last_full_month, parse


@pytest.mark.parametrize(
    "code, start, end",
    [
        ("2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-11-03..2026-11-20", dt.date(2026, 11, 3), dt.date(2026, 11, 20)),
    ],
)
def test_periods_by_code(code, start, end):
    period = parse(code)
    assert (period.start, period.end) == (start, end)
    assert parse(period.code) == period


def test_the_default_is_the_last_full_month():
    assert last_full_month(dt.date(2026, 1, 15)).code == "2025-12"
    assert parse("").code == last_full_month().code


@pytest.mark.parametrize("code", ["2026-13", "2026-Q5", "November", "0000", "2026-11-31..2026-12-01"])
def test_bad_codes_are_refused(code):
    with pytest.raises(ValidationError):
        parse(code)
