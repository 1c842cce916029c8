"""The electorate as Excel: every home as on the page, owners' names masked, the search kept,
nothing for those the page refuses."""

from linli.lib.tests.xlsx_support import last_export, rows

from .test_pages import announce, en, fresh_limits, make_vote  # noqa: F401 (fixtures)


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
