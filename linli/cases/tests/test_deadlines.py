"""Working-day deadlines across the 2026 Spring Festival and National Day, with make-up days."""

import datetime as dt

from django.utils import timezone

from linli.cases import deadlines
from linli.cases.models import CalendarDay, Kind
from linli.lib import workdays


def at(y, m, d, h=10):
    return timezone.make_aware(dt.datetime(y, m, d, h, 0))


def due_day(moment):
    return timezone.localtime(moment).date()


def test_spring_festival_2026_skips_the_holiday_and_counts_the_makeup_saturday(db):
    # Holiday 15–23 Feb 2026; Sat 14 Feb and Sat 28 Feb are make-up working days.
    reply, resolve = deadlines.dues(at(2026, 2, 13), Kind.CONSULTATION)  # Friday
    assert due_day(reply) == dt.date(2026, 2, 14)  # the make-up Saturday is a working day
    assert due_day(resolve) == dt.date(2026, 2, 24)  # 14 Feb, then nothing until 24 Feb


def test_request_over_spring_festival_takes_ten_working_days(db):
    _, resolve = deadlines.dues(at(2026, 2, 12), Kind.REQUEST)  # Thursday
    # 13, 14(Sat make-up), 24, 25, 26, 27, 28(Sat make-up), 2 Mar, 3, 4
    assert due_day(resolve) == dt.date(2026, 3, 4)


def test_national_day_2026_with_makeup_days(db):
    # Holiday 1–7 Oct 2026; Sun 20 Sep... the library's published schedule decides; we
    # check the make-up Saturday 10 Oct counts and the holiday does not.
    assert not workdays.is_workday(dt.date(2026, 10, 5))
    assert workdays.is_workday(dt.date(2026, 10, 10))
    reply, resolve = deadlines.dues(at(2026, 9, 30), Kind.CONSULTATION)  # Wednesday
    assert due_day(reply) == dt.date(2026, 10, 8)
    assert due_day(resolve) == dt.date(2026, 10, 9)


def test_deadline_is_the_end_of_the_working_day_in_beijing(db):
    reply, _ = deadlines.dues(at(2026, 11, 16, 23), Kind.REQUEST)  # Monday late evening
    local = timezone.localtime(reply)
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 11, 17), 23, 59)


def test_complaint_takes_fifteen_working_days(db):
    _, resolve = deadlines.dues(at(2026, 11, 16), Kind.COMPLAINT)
    assert due_day(resolve) == dt.date(2026, 12, 7)


def test_an_administrator_override_wins_over_the_library(db):
    CalendarDay.objects.create(date=dt.date(2026, 11, 17), is_workday=False, note="台风停工")
    reply, _ = deadlines.dues(at(2026, 11, 16), Kind.REQUEST)
    assert due_day(reply) == dt.date(2026, 11, 18)


def test_a_year_without_a_published_schedule_falls_back_to_weekends_and_fixed_holidays():
    assert not workdays.is_workday(dt.date(2027, 1, 1))  # New Year's Day, a Friday
    assert not workdays.is_workday(dt.date(2027, 1, 2))  # Saturday
    assert workdays.is_workday(dt.date(2027, 1, 4))  # Monday
    assert workdays.is_workday(dt.date(2027, 3, 1), {}) is True
    assert workdays.is_workday(dt.date(2027, 3, 1), {dt.date(2027, 3, 1): False}) is False


def test_workdays_between_counts_the_days_a_clock_ran():
    assert workdays.workdays_between(dt.date(2026, 11, 13), dt.date(2026, 11, 16)) == 1  # Fri → Mon
    assert workdays.workdays_between(dt.date(2026, 11, 16), dt.date(2026, 11, 16)) == 0
    assert workdays.workdays_between(dt.date(2026, 2, 13), dt.date(2026, 2, 24)) == 2
