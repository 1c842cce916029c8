"""The registry of a place (its homes and their residents) as Excel: the homes the user may
see, one line per resident, phones masked as on the stairwell page, outsiders get nothing."""

from linli.lib.tests.xlsx_support import last_export, rows


def test_a_compound_export_lists_every_home_with_its_residents_masked(world, en):
    client = en(world.carol)
    assert (
        f'href="/places/compound/{world.fufeng.pk}/homes.xlsx"'
        in client.get(f"/places/compound/{world.fufeng.pk}/").content.decode()
    )
    lines = rows(client.get(f"/places/compound/{world.fufeng.pk}/homes.xlsx"))
    assert lines[0] == (
        "Building", "Stairwell", "Floor", "Home", "Area (m²)", "Vacant", "Resident", "Relation", "Needs care", "Phone"
    )  # fmt: skip
    residents = {line[6]: line for line in lines[1:]}
    assert set(residents) == {"李爱丽", "王邻", "沈霞", "钱二单元", "赵二栋"}
    alice = residents["李爱丽"]
    assert alice[:5] == ("1栋", "1单元", 1, "101", 89.5) and alice[9] == "138****0001"
    assert "13800000001" not in {v for line in lines for v in line}
    assert "欧阳颐" not in residents  # 颐景园 is another compound
    assert last_export("compound_homes").additional_data["rows"] == 5


def test_a_stairwell_export_has_the_stairwells_homes_only(world, en):
    lines = rows(en(world.bob).get(f"/places/stairwell/{world.s11.pk}/homes.xlsx"))
    assert [(line[3], line[6]) for line in lines[1:]] == [("201", "沈霞"), ("101", "李爱丽"), ("102", "王邻")]
    assert all(line[9].count("*") == 4 for line in lines[1:])


def test_outside_the_place_there_is_no_file(world, en):
    response = en(world.olga).get(f"/places/compound/{world.fufeng.pk}/homes.xlsx")
    assert response.status_code == 404
    assert en(world.carol).get(f"/places/compound/{world.yijing.pk}/homes.xlsx").status_code == 404


def test_the_query_count_does_not_grow_with_the_homes(world, en, django_assert_max_num_queries):
    from linli.people.models import Occupancy
    from linli.places.models import Home

    client = en(world.carol)
    with django_assert_max_num_queries(40) as before:
        client.get(f"/places/compound/{world.fufeng.pk}/homes.xlsx")
    for n in range(10):
        home = Home.objects.create(stairwell=world.s21, number=f"{n + 3}01", floor=n + 3)
        Occupancy.objects.create(person=world.p_b2, home=home, relation=Occupancy.Relation.TENANT)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert len(rows(client.get(f"/places/compound/{world.fufeng.pk}/homes.xlsx"))) == 16
