"""The electorate as Excel: every home as on the page, owners' names masked, the search kept,
nothing for those the page refuses; the turnout table as on its page."""

from decimal import Decimal

from auditlog.models import LogEntry

from linli.lib.tests.xlsx_support import last_export, rows
from linli.people.models import Occupancy, Person
from linli.places.models import Building, Home, Stairwell
from linli.votes import services
from linli.votes.models import Elector

from .test_pages import announce, en, fresh_limits, make_vote, open_  # noqa: F401 (fixtures)


def test_the_electorate_export_masks_names_and_keeps_the_search(world, en):  # noqa: F811
    v = announce(make_vote(world), world)
    client = en(world.carol)
    page = client.get(f"/votes/{v.code}/electorate/").content.decode()
    assert f'href="/votes/{v.code}/electorate.xlsx"' in page
    lines = rows(client.get(f"/votes/{v.code}/electorate.xlsx"))
    assert lines[0][:7] == ("Building", "Stairwell", "Home", "Area (m²)", "Area source", "Owners", "Votes")
    assert len(lines) == 6  # the five homes of 富丰新城
    owners = {line[5] for line in lines[1:]}
    assert "李**" in owners and "李爱丽" not in owners
    assert all(line[3] == 89.5 for line in lines[1:])
    found = rows(client.get(f"/votes/{v.code}/electorate.xlsx", {"q": "201"}))
    assert [line[2] for line in found[1:]] == ["201"] and found[1][5] == "沈*"
    assert last_export("vote_electorate").additional_data["filters"] == {"q": "201", "vote": v.code}


def test_no_electorate_file_for_those_the_page_refuses(world, en):  # noqa: F811
    v = announce(make_vote(world), world)
    assert en(world.dave).get(f"/votes/{v.code}/electorate.xlsx").status_code == 404


def test_the_votes_export_lists_the_votes_the_user_sees(world, en):  # noqa: F811
    v = announce(make_vote(world), world)
    lines = rows(en(world.carol).get("/votes/export.xlsx"))
    assert lines[0] == ("Title", "Place", "Status", "Voting opens", "Voting closes")
    assert [line[:2] for line in lines[1:]] == [(v.title, "富丰新城")]
    assert rows(en(world.olga).get("/votes/export.xlsx"))[1:] == []  # 颐景园's owner: not his compound


# --- turnout ---------------------------------------------------------------------------------


def test_the_turnout_export_holds_the_pages_table_and_its_total(world, en):  # noqa: F811
    v = open_(make_vote(world), world)
    proposal = v.matters.get()
    services.cast_online(
        vote=v,
        user=world.alice,
        elector=Elector.objects.get(vote=v, home=world.h101),
        choices={str(proposal.pk): "yes"},
    )
    client = en(world.carol)
    page = client.get(f"/votes/{v.code}/turnout/").content.decode()
    assert f'href="/votes/{v.code}/turnout.xlsx"' in page and "1 / 4" in page and "0 / 1" in page
    lines = rows(client.get(f"/votes/{v.code}/turnout.xlsx"))
    assert lines[0] == ("Building", "Homes voted", "Homes", "Area voted (m²)", "Area (m²)", "Homes voted (%)")
    assert lines[1:] == [
        ("1栋", 1, 4, 89.5, 358, 25),
        ("2栋", 0, 1, 0, 89.5, 0),
        ("All buildings", 1, 5, 89.5, 447.5, 20),
    ]
    entry = last_export("vote_turnout")
    assert entry.additional_data["rows"] == 3 and entry.additional_data["filters"] == {"vote": v.code}


def test_no_turnout_file_for_those_who_do_not_run_the_vote(world, en):  # noqa: F811
    v = open_(make_vote(world), world)
    for user in (world.alice, world.bob, world.dave, world.olga):
        assert en(user).get(f"/votes/{v.code}/turnout.xlsx").status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_turnout_export_costs_the_same_queries_for_more_buildings(world, en, django_assert_max_num_queries):  # noqa: F811
    small = open_(make_vote(world, title="小"), world)
    client = en(world.carol)
    with django_assert_max_num_queries(40) as few:
        client.get(f"/votes/{small.code}/turnout.xlsx")
    for n in range(3, 7):
        stairwell = Stairwell.objects.create(
            building=Building.objects.create(compound=world.fufeng, name=f"{n}栋"), name="1单元"
        )
        home = Home.objects.create(stairwell=stairwell, number="101", floor=1, area=Decimal("70.00"))
        owner = Person.objects.create(name=f"业主{n}", phone=f"1350000000{n}")
        Occupancy.objects.create(person=owner, home=home, relation=Occupancy.Relation.OWNER)
    big = open_(make_vote(world, title="大"), world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(f"/votes/{big.code}/turnout.xlsx"))) == 8
