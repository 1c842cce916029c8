"""An activity's roster as Excel: for its organisers only, the rows of the activity page."""

from linli.lib.tests.xlsx_support import rows
from linli.volunteers import services

from .conftest import BEFORE


def test_the_roster_export_lists_signed_up_and_waiting(vw, activity, login):
    for user in (vw.grace, vw.alice, vw.bob):
        services.sign_up(activity=activity, user=user, now=BEFORE)
    client = login(vw.leo)
    assert (
        f'href="/volunteers/a/{activity.code}/roster.xlsx"'
        in client.get(f"/volunteers/a/{activity.code}/").content.decode()
    )
    lines = rows(client.get(f"/volunteers/a/{activity.code}/roster.xlsx"))
    assert lines[0] == ("Volunteer", "Sign-up", "Checked in at", "Checked out at", "Attendance", "Minutes served")
    assert [line[:2] for line in lines[1:]] == [
        ("志愿者乙", "signed up"),
        ("李爱丽", "signed up"),
        ("沈霞", "waiting, number 1"),
    ]


def test_no_roster_file_for_a_volunteer(vw, activity, login):
    services.sign_up(activity=activity, user=vw.grace, now=BEFORE)
    assert login(vw.grace).get(f"/volunteers/a/{activity.code}/roster.xlsx").status_code == 404


def test_the_hours_ledger_exports_for_the_volunteer_and_those_who_may_adjust_it(vw, login):
    services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=90, reason="补录十月服务")
    services.adjust_hours(user=vw.leo, person=vw.p_grace, minutes=-30, reason="提前离开")
    own = login(vw.grace)
    assert 'href="/volunteers/hours/export.xlsx"' in own.get("/volunteers/hours/").content.decode()
    lines = rows(own.get("/volunteers/hours/export.xlsx"))
    assert lines[0] == (
        "Day",
        "Activity",
        "Ledger entry kind",
        "Reason for the adjustment",
        "Minutes served",
        "Recorded by",
    )
    assert [(line[2], line[3], line[4]) for line in lines[1:]] == [
        ("adjustment", "提前离开", -30),
        ("adjustment", "补录十月服务", 90),
    ]
    organiser = login(vw.leo)
    url = f"/volunteers/hours/{vw.p_grace.pk}/export.xlsx"
    assert f'href="{url}"' in organiser.get(f"/volunteers/hours/{vw.p_grace.pk}/").content.decode()
    assert rows(organiser.get(url))[1:] == lines[1:]
    assert login(vw.alice).get(url).status_code == 404  # may not adjust grace's hours: no file
