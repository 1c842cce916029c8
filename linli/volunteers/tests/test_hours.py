"""QR check-in in its window and once, check-out, hours confirmed by the organiser, the ledger
(its total is the sum of its entries; corrections are reasoned entries, never edits), points
and the certificate."""

import datetime as dt
import random
import shutil
import subprocess

import pytest
from django.db import IntegrityError, transaction

from linli.lib.tests import pdfdoc
from linli.volunteers import pdf, services
from linli.volunteers.models import Attendance, Certificate, HoursEntry
from linli.volunteers.services import VolunteerError

from .conftest import BEFORE, END, START, cid_text


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text: by pdftotext where poppler-utils is installed, else by decoding
    reportlab's content streams ourselves (linli/lib/tests/pdfdoc.py)."""
    if shutil.which("pdftotext"):
        path = tmp_path / "c.pdf"
        path.write_bytes(data)
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        return out.replace("\n", "")
    return cid_text(data)


@pytest.fixture
def signed(vw, activity):
    services.sign_up(activity=activity, user=vw.grace, now=BEFORE)
    return activity


def test_check_in_window_and_once(vw, signed):
    a = signed
    with pytest.raises(VolunteerError) as exc:
        services.check_in(activity=a, user=vw.grace, token=a.checkin_token, now=START - dt.timedelta(minutes=31))
    assert exc.value.message == "Check-in opens at 2026-12-06 08:30."
    with pytest.raises(VolunteerError, match="This check-in code is not valid"):
        services.check_in(activity=a, user=vw.grace, token="forged", now=START)
    with pytest.raises(VolunteerError, match="Check-in closed when the activity ended."):
        services.check_in(activity=a, user=vw.grace, token=a.checkin_token, now=END + dt.timedelta(minutes=1))
    assert not Attendance.objects.exists()
    services.check_in(activity=a, user=vw.grace, token=a.checkin_token, now=START - dt.timedelta(minutes=30))
    with pytest.raises(VolunteerError, match="You have already checked in."):
        services.check_in(activity=a, user=vw.grace, token=a.checkin_token, now=START)
    assert Attendance.objects.count() == 1


def test_only_those_with_a_place_check_in(vw, signed):
    with pytest.raises(VolunteerError, match="sign up first"):
        services.check_in(activity=signed, user=vw.alice, token=signed.checkin_token, now=START)


def test_the_database_refuses_a_second_attendance(vw, signed):
    Attendance.objects.create(activity=signed, person=vw.p_grace, how="qr", checked_in_at=START)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(activity=signed, person=vw.p_grace, how="organiser")


def test_hours_from_check_in_to_check_out_clipped_to_the_activity(vw, signed):
    services.check_in(activity=signed, user=vw.grace, token=signed.checkin_token, now=START - dt.timedelta(minutes=20))
    services.check_out(activity=signed, user=vw.grace, now=END + dt.timedelta(minutes=45))
    entry = services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=END + dt.timedelta(hours=1))
    assert entry.minutes == 120 and entry.kind == "earned" and entry.on == dt.date(2026, 12, 6)


def test_partial_attendance_counts_what_was_served(vw, signed):
    services.check_in(activity=signed, user=vw.grace, token=signed.checkin_token, now=START + dt.timedelta(minutes=30))
    services.check_out(activity=signed, user=vw.grace, now=START + dt.timedelta(minutes=75))
    assert services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=END).minutes == 45


def test_the_organiser_confirms_attendance_without_check_in(vw, signed):
    entry = services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=END)
    assert entry.minutes == 120
    assert Attendance.objects.get().how == "organiser"


def test_confirming_is_for_organisers_once_with_sane_minutes(vw, signed):
    with pytest.raises(VolunteerError) as exc:
        services.confirm_hours(activity=signed, user=vw.grace, person=vw.p_grace, now=END)
    assert exc.value.status_code == 403
    with pytest.raises(VolunteerError, match="once the activity has started"):
        services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=BEFORE)
    for minutes, message in [(0, "Zero minutes"), (-30, "cannot be negative"), (1441, "At most 24 hours")]:
        with pytest.raises(VolunteerError, match=message):
            services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, minutes=minutes, now=END)
    assert not HoursEntry.objects.exists() and not Attendance.objects.exists()
    services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, minutes=90, now=END)
    with pytest.raises(VolunteerError, match="already confirmed"):
        services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=END)
    assert HoursEntry.objects.count() == 1


def test_adjustments_need_a_reason_and_never_go_below_zero(vw, signed):
    services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=END)
    bad = [
        (dict(minutes=30, reason=""), "Give the reason for the adjustment."),
        (dict(minutes=0, reason="x"), "Zero minutes changes nothing."),
        (dict(minutes=2000, reason="x"), "At most 24 hours (1440 minutes) per entry."),
        (dict(minutes="abc", reason="x"), "Give the minutes as a whole number."),
        (dict(minutes=-121, reason="记错了"), "This would make the total negative (now 120 minutes)."),
    ]
    for kw, message in bad:
        with pytest.raises(VolunteerError) as exc:
            services.adjust_hours(user=vw.leo, person=vw.p_grace, now=END, **kw)
        assert exc.value.message == message
    with pytest.raises(VolunteerError) as exc:
        services.adjust_hours(user=vw.alice, person=vw.p_grace, minutes=10, reason="x", now=END)
    assert exc.value.status_code == 403
    assert HoursEntry.objects.count() == 1
    services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=-30, reason="提前离开", now=END)
    assert services.total_minutes(vw.p_grace) == 90


def test_entries_are_never_edited_or_deleted(vw, signed):
    entry = services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=END)
    entry.minutes = 600
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database: an adjustment has a reason
        HoursEntry.objects.create(person=vw.p_grace, minutes=5, kind="adjustment", at=END, on=END.date())
    assert HoursEntry.objects.get().minutes == 120


def test_the_ledger_total_is_always_the_sum_of_its_entries(vw, signed):
    rng = random.Random(6)
    services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=END)
    expected = 120
    for _ in range(120):
        minutes = rng.choice([rng.randint(-400, 400), 0, rng.randint(-3000, 3000)])
        reason = rng.choice(["", "补录", "更正"])
        try:
            services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=minutes, reason=reason, now=END)
        except VolunteerError:
            pass
        else:
            expected += minutes
        total = services.total_minutes(vw.p_grace)
        assert total == expected == sum(HoursEntry.objects.filter(person=vw.p_grace).values_list("minutes", flat=True))
        assert total >= 0


def test_points_follow_the_rate(settings):
    assert str(services.points(90)) == "1.50"
    settings.VOLUNTEERS_POINTS_PER_HOUR = "10"
    assert str(services.points(7)) == "1.16"  # rounded down


def test_certificate_in_chinese_with_the_hours_and_a_verification_code(vw, signed, tmp_path):
    services.confirm_hours(activity=signed, user=vw.leo, person=vw.p_grace, now=END)
    services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=30, reason="活动后整理物资", now=END)
    with pytest.raises(VolunteerError, match="No volunteer hours in this period."):
        services.issue_certificate(
            user=vw.grace, person=vw.p_grace, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
        )
    with pytest.raises(VolunteerError) as exc:
        services.issue_certificate(
            user=vw.alice, person=vw.p_grace, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
    assert exc.value.status_code == 403
    cert = services.issue_certificate(
        user=vw.grace, person=vw.p_grace, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), now=END
    )
    assert cert.total_minutes == 150 and cert.community_name == "大新社区" and cert.teams == "大新之心"
    data = pdf.certificate_pdf(cert, url=f"https://linli.example/volunteers/verify/{cert.code}/")
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    for words in ("志愿服务时长证明", "志愿者乙", "2.5 小时", "周日志愿服务日", "大新社区", cert.code):
        assert words in text
    assert Certificate.objects.count() == 1
    pdfdoc.require_cjk_font()
    drawn = pdfdoc.embedded_chinese(data)  # the font travels with the file, every glyph in it
    assert "志愿服务时长证明" in drawn and "志愿者乙" in drawn
