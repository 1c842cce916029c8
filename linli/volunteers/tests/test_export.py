"""An activity's roster, a volunteer's hours, the teams and a team's members as Excel: the rows
of their pages, for those the pages show them to."""

from auditlog.models import LogEntry

from linli.conftest import _person
from linli.lib.tests.xlsx_support import last_export, rows
from linli.people.models import Membership, Organisation
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


# --- teams and their members ---------------------------------------------------------------------


def test_the_teams_export_lists_the_teams_the_user_sees(vw, login):
    Organisation.objects.create(
        kind=Organisation.Kind.VOLUNTEER_TEAM, name="颐景志愿队", subdistrict=vw.guicheng, community=vw.cuiyi,
        compound=vw.yijing,
    )  # fmt: skip
    Organisation.objects.create(
        kind=Organisation.Kind.CLUB, name="1栋书法社", subdistrict=vw.guicheng, community=vw.daxin,
        compound=vw.fufeng, building=vw.b1,
    )  # fmt: skip
    client = login(vw.carol)
    page = client.get("/volunteers/teams/").content.decode()
    assert 'href="/volunteers/teams/export.xlsx"' in page and "颐景志愿队" not in page
    lines = rows(client.get("/volunteers/teams/export.xlsx"))
    assert lines[0] == ("Name", "Kind of team", "Serves")
    assert lines[1:] == [
        ("富丰新城街坊会", "neighbourhood volunteer association", "富丰新城"),
        ("1栋书法社", "club", "富丰新城 1栋"),
        ("大新之心", "volunteer team", "富丰新城"),
    ]
    assert last_export("volunteer_teams").additional_data["rows"] == 3
    assert [line[0] for line in rows(login(vw.olga).get("/volunteers/teams/export.xlsx"))[1:]] == ["颐景志愿队"]


def test_a_teams_members_export_as_on_its_page_the_phone_masked_for_its_organisers_only(vw, login):
    url = f"/volunteers/teams/{vw.team.pk}/members.xlsx"
    organiser = login(vw.leo)
    assert f'href="{url}"' in organiser.get(f"/volunteers/teams/{vw.team.pk}/").content.decode()
    assert rows(organiser.get(url)) == [
        ("Name", "Role", "Phone"),
        ("梁队长", "team leader", "139****0021"),
        ("志愿者乙", "member", "139****0003"),
    ]
    assert "13900000021" not in str(rows(organiser.get(url)))
    resident = login(vw.alice)  # sees the team, does not run it
    assert rows(resident.get(url)) == [("Name", "Role"), ("梁队长", "team leader"), ("志愿者乙", "member")]
    assert last_export("team_members").additional_data["filters"] == {"team": str(vw.team.pk)}
    count = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    assert login(vw.olga).get(url).status_code == 404  # another community's resident: no file
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == count


def test_the_team_exports_cost_the_same_queries_for_more_rows(vw, login, django_assert_max_num_queries):
    client = login(vw.carol)
    url = f"/volunteers/teams/{vw.team.pk}/members.xlsx"
    with django_assert_max_num_queries(40) as few_members:
        client.get(url)
    with django_assert_max_num_queries(40) as few_teams:
        client.get("/volunteers/teams/export.xlsx")
    for n in range(5):
        Membership.objects.create(organisation=vw.team, person=_person(f"队员{n}", f"1370000000{n}"))
        Organisation.objects.create(
            kind=Organisation.Kind.VOLUNTEER_TEAM, name=f"{n}单元志愿队", subdistrict=vw.guicheng,
            community=vw.daxin, compound=vw.fufeng, building=vw.b1, stairwell=vw.s11,
        )  # fmt: skip
    with django_assert_max_num_queries(len(few_members.captured_queries)):
        assert len(rows(client.get(url))) == 8
    with django_assert_max_num_queries(len(few_teams.captured_queries)):
        assert len(rows(client.get("/volunteers/teams/export.xlsx"))) == 8
