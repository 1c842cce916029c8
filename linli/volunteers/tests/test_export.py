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
