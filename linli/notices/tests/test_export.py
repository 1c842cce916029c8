"""An announcement's reach as Excel: the page's table per stairwell and its total, each leader
his own buildings' homes, nothing for those the page refuses; to people, who has not read it."""

import pytest
from auditlog.models import LogEntry

from linli.lib.tests.xlsx_support import last_export, rows
from linli.notices import announcements as ann
from linli.people.models import Membership
from linli.places.models import Home, Stairwell


@pytest.fixture
def posted(cw, committed):
    """carol (community worker) tells all of 富丰新城 about a fire drill."""
    with committed():
        return ann.publish(user=cw.carol, level="compound", place=cw.fufeng, title="消防演练", body="周五消防演练。")


HEADER = (
    "Stairwell",
    "Homes",
    "Read",
    "Told in person",
    "Not yet reached",
    "Homes not yet reached",
    "Homes told in person",
)


def test_the_reach_export_holds_the_pages_table_and_its_total(cw, posted, en):  # noqa: F811
    en(cw.alice).get(f"/notices/announcements/{posted.pk}/")  # 1单元 101 reads it
    ann.mark_told(user=cw.bob, announcement=posted, home=cw.h102)
    client = en(cw.carol)
    page = client.get(f"/notices/announcements/{posted.pk}/reach/").content.decode()
    url = f"/notices/announcements/{posted.pk}/reach.xlsx"
    assert f'href="{url}"' in page
    lines = rows(client.get(url))
    assert lines[0] == HEADER
    told = lines[1][6]
    assert told.startswith("102: told in person by 沈霞, ") and len(told) == len(
        "102: told in person by 沈霞, 2026-12-01 10:00"
    )
    assert lines[1:] == [
        ("富丰新城 1栋 1单元", 3, 1, 1, 1, "201", told),
        ("富丰新城 1栋 2单元", 1, 0, 0, 1, "101", None),
        ("富丰新城 2栋 1单元", 1, 0, 0, 1, "101", None),
        ("All homes", 5, 1, 1, 3, None, None),
    ]
    entry = last_export("announcement_reach")
    assert entry.actor == cw.carol and entry.additional_data == {
        "export": "announcement_reach",
        "filters": {"announcement": str(posted.pk)},
        "rows": 4,
    }


def test_a_leader_exports_his_own_buildings_reach_and_others_get_no_file(cw, posted, en):  # noqa: F811
    lines = rows(en(cw.bob).get(f"/notices/announcements/{posted.pk}/reach.xlsx"))
    assert [line[0] for line in lines[1:]] == ["富丰新城 1栋 1单元", "富丰新城 1栋 2单元", "All homes"]
    assert lines[-1][1] == 4
    for user in (cw.alice, cw.grace, cw.olga):
        assert en(user).get(f"/notices/announcements/{posted.pk}/reach.xlsx").status_code == 404
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 1


def test_the_reach_of_an_announcement_to_people_exports_who_has_not_read_it(cw, committed, en):  # noqa: F811
    Membership.objects.create(organisation=cw.team, person=cw.p_alice)
    with committed():
        a = ann.publish(user=cw.carol, organisation=cw.team, title="志愿服务排班", body="b")
    en(cw.alice).get(f"/notices/announcements/{a.pk}/")
    assert rows(en(cw.carol).get(f"/notices/announcements/{a.pk}/reach.xlsx")) == [("Not read yet",), ("志愿者乙",)]


def test_the_reach_export_costs_the_same_queries_for_more_stairwells(cw, posted, en, django_assert_max_num_queries):  # noqa: F811
    client = en(cw.carol)
    url = f"/notices/announcements/{posted.pk}/reach.xlsx"
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(3, 8):
        stairwell = Stairwell.objects.create(building=cw.b2, name=f"{n}单元")
        Home.objects.create(stairwell=stairwell, number="101", floor=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(url))) == 10
