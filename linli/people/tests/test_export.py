"""The organisations list and an organisation's members as Excel: the page's filter and
scope, phones masked, a party organisation's members only for those who may see them."""

import pytest
from django.conf import settings

from linli.lib.tests.xlsx_support import last_export, rows
from linli.people.models import Membership, Organisation


@pytest.fixture
def en(login):
    def _login(user):
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


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
