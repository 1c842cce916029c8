"""The organisations list and an organisation's members as Excel: the page's filter and
scope, phones masked, a party organisation's members only for those who may see them; one's
own imports with their counts."""

from auditlog.models import LogEntry

from linli.lib.tests.xlsx_support import last_export, rows
from linli.people.models import ImportJob, Membership, Organisation


def test_the_organisations_export_keeps_the_kind_filter(world, en):
    client = en(world.carol)
    page = client.get("/people/organisations/", {"kind": Organisation.Kind.VOLUNTEER_TEAM}).content.decode()
    assert 'href="/people/organisations/export.xlsx?kind=volunteer_team"' in page
    lines = rows(client.get("/people/organisations/export.xlsx", {"kind": Organisation.Kind.VOLUNTEER_TEAM}))
    assert lines[0] == ("Name", "Kind", "Place", "Members")
    assert lines[1:] == [("大新之心", "volunteer team", "富丰新城", 1)]
    everything = rows(client.get("/people/organisations/export.xlsx"))
    assert {"富丰新城街坊会", "大新之心", "富丰新城党支部"} <= {line[0] for line in everything[1:]}
    assert last_export("organisations").additional_data["filters"] == {}


def test_members_export_masks_phones(world, en):
    lines = rows(en(world.carol).get(f"/people/organisations/{world.association.pk}/members.xlsx"))
    assert lines[0] == ("Name", "Role", "From", "Until", "Phone")
    assert lines[1:] == [("会长丙", "chair", None, None, "139****0004")]


def test_party_branch_members_are_not_exported_to_a_volunteer(world, en):
    Membership.objects.create(organisation=world.team, person=world.p_frank)
    url = f"/people/organisations/{world.branch.pk}/members.xlsx"
    assert en(world.henry).get(url).status_code == 403
    assert "党员甲" in {line[0] for line in rows(en(world.carol).get(url))}


def test_outside_the_place_there_is_no_file(world, en):
    assert en(world.olga).get(f"/people/organisations/{world.association.pk}/members.xlsx").status_code == 404


# --- import jobs ---------------------------------------------------------------------------------

SUMMARY = {"homes_created": 2, "people_created": 3, "occupancies_created": 3, "error_count": 0}


def test_the_imports_export_lists_all_ones_own_imports_with_their_counts(world, en):
    done = ImportJob.objects.create(
        user=world.carol, file_name="富丰名册.xlsx", compound=world.fufeng, status=ImportJob.Status.DONE,
        total_rows=3, processed_rows=3, summary=SUMMARY,
    )  # fmt: skip
    bad = ImportJob.objects.create(
        user=world.carol, file_name="错的.csv", status=ImportJob.Status.INVALID, total_rows=5,
        errors=[{"row": 2, "message": "x"}, {"row": 4, "message": "y"}],
    )  # fmt: skip
    ImportJob.objects.create(user=world.jack, file_name="书记的.xlsx", status=ImportJob.Status.DONE)
    client = en(world.carol)
    page = client.get("/import/").content.decode()
    assert 'href="/import/export.xlsx"' in page and "书记的.xlsx" not in page
    lines = rows(client.get("/import/export.xlsx"))
    assert lines[0][:7] == ("File name", "Compound", "Status", "Created", "Finished", "Rows", "Errors")
    assert lines[0][7:] == (
        "Buildings created",
        "Units created",
        "Homes created",
        "Homes updated",
        "Homes unchanged",
        "People created",
        "People updated",
        "People unchanged",
        "Residences created",
        "Residences updated",
    )
    assert [line[0] for line in lines[1:]] == [bad.file_name, done.file_name]  # newest first, jack's not
    assert lines[1][1:3] == (None, "has errors") and lines[1][5:8] == (5, 2, 0)
    assert lines[2][1:3] == ("富丰新城", "imported") and lines[2][5:] == (3, 0, 0, 0, 2, 0, 0, 3, 0, 0, 3, 0)
    assert last_export("import_jobs").additional_data["rows"] == 2


def test_no_imports_file_for_those_who_may_not_import(world, en):
    ImportJob.objects.create(user=world.carol, file_name="富丰名册.xlsx")
    for user in (world.alice, world.bob, world.dave):
        assert en(user).get("/import/export.xlsx").status_code == 403
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_imports_export_costs_the_same_queries_for_many_imports(world, en, django_assert_max_num_queries):
    client = en(world.carol)
    ImportJob.objects.create(user=world.carol, file_name="0.csv", compound=world.fufeng, summary=SUMMARY)
    with django_assert_max_num_queries(40) as few:
        client.get("/import/export.xlsx")
    for n in range(1, 6):
        ImportJob.objects.create(user=world.carol, file_name=f"{n}.csv", compound=world.fufeng, summary=SUMMARY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get("/import/export.xlsx"))) == 7
