"""Recurring series: RRULE occurrences in Asia/Shanghai wall time, across month ends, skipping
Chinese public holidays, materialised up to the horizon once, however often the tick runs."""

import datetime as dt

import pytest

from linli.volunteers import services
from linli.volunteers.models import Activity, ActivityKind, ActivitySeries
from linli.volunteers.services import VolunteerError

from .conftest import TZ, at


def series(vw, rrule, first_start, now, **kw):
    return services.create_series(
        user=vw.leo,
        organisation=vw.team,
        kind=ActivityKind.SERVICE_DAY,
        title="大新之心 周日服务",
        venue="社区广场",
        rrule=rrule,
        first_start=first_start,
        duration_minutes=120,
        now=now,
        **kw,
    )


def starts(s):
    return [a.starts_at.astimezone(TZ) for a in s.activities.order_by("starts_at")]


def test_monthly_on_the_31st_skips_the_short_months():
    days = services.occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=31",
        at(2026, 1, 31, 9, 0),
        start=at(2026, 1, 1),
        until=at(2026, 12, 31, 23, 0),
        skip_holidays=False,
    )
    assert [d.date() for d in days] == [dt.date(2026, m, 31) for m in (1, 3, 5, 7, 8, 10, 12)]


def test_last_day_of_each_month_with_a_negative_month_day():
    days = services.occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        at(2026, 1, 31, 9, 0),
        start=at(2026, 1, 1),
        until=at(2026, 4, 30, 23, 0),
        skip_holidays=False,
    )
    assert [d.date() for d in days] == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]


def test_wall_time_stays_nine_oclock_all_year_in_shanghai():
    days = services.occurrences(
        "FREQ=WEEKLY;BYDAY=SU", at(2026, 1, 4, 9, 0), start=at(2026, 1, 1), until=at(2026, 12, 31), skip_holidays=False
    )
    assert len(days) == 52
    assert {d.astimezone(TZ).time() for d in days} == {dt.time(9, 0)}
    assert {d.utcoffset() for d in days} == {dt.timedelta(hours=8)}  # no DST in China


def test_sundays_around_national_day_skip_the_holidays_only(vw):
    s = series(vw, "FREQ=WEEKLY;BYDAY=SU", at(2026, 9, 20, 9, 0), now=at(2026, 9, 19, 12, 0))
    # 9-27 is Mid-autumn and 10-04 National Day: skipped. 9-20 is a Sunday made a working day
    # (调休) and 10-11 an ordinary Sunday: kept. Eight weeks ahead of 9-19.
    assert [d.date() for d in starts(s)] == [
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 11),
        dt.date(2026, 10, 18),
        dt.date(2026, 10, 25),
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 8),
    ]
    first = s.activities.order_by("starts_at").first()
    assert first.ends_at - first.starts_at == dt.timedelta(minutes=120)
    assert first.title == "大新之心 周日服务" and first.compound_id == vw.fufeng.pk


def test_without_skipping_the_holidays_are_kept(vw):
    s = series(vw, "FREQ=WEEKLY;BYDAY=SU", at(2026, 9, 20, 9, 0), now=at(2026, 9, 19, 12, 0), skip_holidays=False)
    assert dt.date(2026, 10, 4) in [d.date() for d in starts(s)]


def test_the_tick_adds_the_next_weeks_once(vw):
    s = series(vw, "FREQ=WEEKLY;BYDAY=SU", at(2026, 9, 20, 9, 0), now=at(2026, 9, 19, 12, 0))
    assert s.activities.count() == 6
    later = at(2026, 10, 3, 12, 0)
    assert services.tick(now=later)["created"] == 2  # 11-15 and 11-22 come into the horizon
    assert services.tick(now=later)["created"] == 0
    assert services.materialise(s, now=later) == 0
    assert Activity.objects.filter(series=s).count() == 8


@pytest.mark.parametrize(
    "rule,message",
    [
        ("", "Give the recurrence as an RRULE, e.g. FREQ=WEEKLY;BYDAY=SU."),
        ("FREQ=SOMETIMES", "This recurrence rule is not valid: FREQ=SOMETIMES"),
        ("FREQ=HOURLY", "An activity can repeat at most daily."),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "Give the recurrence as an RRULE, e.g. FREQ=WEEKLY;BYDAY=SU."),
        ("FREQ=WEEKLY;BYDAY=SU;UNTIL=20250101T000000", "This rule gives no date in the coming weeks."),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_made(vw, rule, message):
    with pytest.raises(VolunteerError) as exc:
        series(vw, rule, at(2026, 9, 20, 9, 0), now=at(2026, 9, 19, 12, 0))
    assert exc.value.message == message
    assert not ActivitySeries.objects.exists() and not Activity.objects.exists()


def test_only_organisers_make_series(vw):
    with pytest.raises(VolunteerError) as exc:
        services.create_series(
            user=vw.grace,
            organisation=vw.team,
            kind="service_day",
            title="x",
            venue="y",
            rrule="FREQ=DAILY",
            first_start=at(2026, 9, 20, 9),
            duration_minutes=60,
            now=at(2026, 9, 19),
        )
    assert exc.value.status_code == 403
    assert not ActivitySeries.objects.exists()


def test_the_tick_command_runs_idempotently(vw):
    from io import StringIO

    from django.core.management import call_command

    series(vw, "FREQ=WEEKLY;BYDAY=SU", at(2026, 9, 20, 9, 0), now=at(2026, 9, 19, 12, 0))
    out = StringIO()
    call_command("volunteers_tick", stdout=out)  # today is past the series' first weeks: it adds the next ones
    made = Activity.objects.count()
    call_command("volunteers_tick", stdout=out)
    assert Activity.objects.count() == made > 6
    assert "0 dates created" in out.getvalue().splitlines()[-1]
