"""Resident pages, the logged reveal (HTMX and plain POST), the reveal log, organisations."""

import pytest
from django.urls import reverse

from linli.people.models import Membership, Occupancy, Person, RevealLog, Visit

HX = {"HTTP_HX_REQUEST": "true"}


def person_url(person):
    return reverse("people:person", args=[person.pk])


def reveal_url(person, field="phone"):
    return reverse("people:reveal", args=[person.pk, field])


@pytest.mark.parametrize(
    "actor, whose, status",
    [
        ("alice", "p_alice", 200),
        ("alice", "p_neighbour", 404),
        ("bob", "p_alice", 200),
        ("bob", "p_b2", 404),
        ("bob", "p_olga", 404),
        ("frank", "p_s12", 200),
        ("frank", "p_alice", 404),
        ("grace", "p_alice", 404),
        ("dave", "p_b2", 200),
        ("dave", "p_olga", 404),
        ("carol", "p_b2", 200),
        ("carol", "p_olga", 404),
        ("erin", "p_olga", 200),
        ("root", "p_olga", 200),
    ],
)
def test_person_page_follows_the_scope(world, login, actor, whose, status):
    assert login(getattr(world, actor)).get(person_url(getattr(world, whose))).status_code == status


def test_leader_sees_masked_phone_with_show_button_but_no_id_button(world, login):
    html = login(world.bob).get(person_url(world.p_alice)).content.decode()
    assert "138****0001" in html and "13800000001" not in html
    assert "4406**********1236" in html and "440605199001011236" not in html
    assert reveal_url(world.p_alice, "phone") in html
    assert reveal_url(world.p_alice, "id_number") not in html


def test_community_worker_may_reveal_the_id_number(world, login):
    html = login(world.carol).get(person_url(world.p_alice)).content.decode()
    assert reveal_url(world.p_alice, "id_number") in html


def test_party_membership_shown_only_to_those_allowed(world, login):
    Occupancy.objects.create(person=world.p_frank, home=world.h102, relation="tenant")
    assert "富丰新城党支部" in login(world.carol).get(person_url(world.p_frank)).content.decode()
    html = login(world.bob).get(person_url(world.p_frank)).content.decode()
    assert "富丰新城党支部" not in html


def test_person_page_shows_recent_visits_of_the_home(world, login):
    Visit.objects.create(home=world.h101, visitor=world.p_bob, outcome="reached", note="家中安好")
    assert "家中安好" in login(world.bob).get(person_url(world.p_alice)).content.decode()


def test_htmx_reveal_form_then_value_and_log(world, login):
    client = login(world.bob)
    form = client.get(reveal_url(world.p_alice), **HX)
    assert form.status_code == 200
    assert "<form" in form.content.decode() and "<html" not in form.content.decode()
    response = client.post(reveal_url(world.p_alice), {"reason": "visit", "note": ""}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "13800000001" in html and "<html" not in html
    entry = RevealLog.objects.get()
    assert (entry.user, entry.person, entry.field) == (world.bob, world.p_alice, "phone")
    assert entry.reason == "入户走访"  # the chosen reason, logged in the user's language
    assert response["Cache-Control"] == "no-store"


def test_reveal_with_own_words(world, login):
    login(world.bob).post(reveal_url(world.p_alice), {"reason": "other", "note": "送快递"}, **HX)
    assert RevealLog.objects.get().reason == "送快递"


@pytest.mark.parametrize("data", [{}, {"reason": "other"}, {"note": "   "}])
def test_reveal_without_reason_shows_the_form_again_and_logs_nothing(world, login, data):
    response = login(world.bob).post(reveal_url(world.p_alice), data, **HX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "<form" in html and "13800000001" not in html
    assert 'class="error"' in html or "alert error" in html
    assert not RevealLog.objects.exists()


def test_denied_reveal_is_403_and_nothing_logged(world, login):
    client = login(world.bob)
    response = client.post(reveal_url(world.p_alice, "id_number"), {"reason": "visit"}, **HX)
    assert response.status_code == 403
    html = response.content.decode()
    assert "440605199001011236" not in html
    assert "您的角色" in html
    assert not RevealLog.objects.exists()


def test_reveal_outside_scope_is_404(world, login):
    response = login(world.bob).post(reveal_url(world.p_olga), {"reason": "visit"}, **HX)
    assert response.status_code == 404
    assert not RevealLog.objects.exists()


def test_unknown_field_is_404(world, login):
    assert login(world.root).post(reveal_url(world.p_alice, "name"), {"reason": "visit"}).status_code == 404


def test_reveal_works_without_javascript(world, login):
    client = login(world.bob)
    page = client.get(reveal_url(world.p_alice))
    assert page.status_code == 200 and "<html" in page.content.decode()
    response = client.post(reveal_url(world.p_alice), {"reason": "emergency"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "13800000001" in html
    assert RevealLog.objects.get().reason == "紧急联系"


def test_reveal_needs_post_to_log(world, login):
    login(world.bob).get(reveal_url(world.p_alice))
    assert not RevealLog.objects.exists()


def test_anonymous_cannot_reveal(world, client):
    response = client.post(reveal_url(world.p_alice), {"reason": "visit"})
    assert response.status_code == 302
    assert not RevealLog.objects.exists()


def _reveal(user, person, field="phone"):
    RevealLog.objects.create(user=user, person=person, field=field, reason="入户走访")


def test_reveal_log_shows_own_entries_to_a_leader(world, login):
    _reveal(world.bob, world.p_alice)
    _reveal(world.carol, world.p_neighbour)
    response = login(world.bob).get(reverse("people:reveal_log"))
    entries = list(response.context["page"])
    assert [e.user for e in entries] == [world.bob]


def test_reveal_log_shows_staff_the_reveals_in_their_scope(world, login):
    _reveal(world.bob, world.p_alice)
    _reveal(world.erin, world.p_olga)
    entries = list(login(world.carol).get(reverse("people:reveal_log")).context["page"])
    assert [(e.user, e.person) for e in entries] == [(world.bob, world.p_alice)]
    everything = list(login(world.erin).get(reverse("people:reveal_log")).context["page"])
    assert len(everything) == 2


def test_reveal_log_query_count_is_constant(world, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.carol)
    _reveal(world.bob, world.p_alice)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("people:reveal_log"))
    for i in range(10):
        person = Person.objects.create(name=f"住户{i}", phone=f"137000000{i:02d}")
        Occupancy.objects.create(person=person, home=world.h102, relation="family")
        _reveal(world.bob, person)
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("people:reveal_log"))
    assert len(response.context["page"]) == 11


def test_organisation_list_by_kind(world, login):
    client = login(world.carol)
    names = {o.name for o in client.get(reverse("people:organisations")).context["page"]}
    assert {"大新之心", "富丰新城街坊会", "大新社区居委会"} <= names
    assert "桂城街道办事处" not in names
    names = {o.name for o in client.get(reverse("people:organisations"), {"kind": "volunteer_team"}).context["page"]}
    assert names == {"大新之心"}


def test_organisation_list_query_count_is_constant(world, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.people.models import Organisation

    client = login(world.carol)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("people:organisations"))
    for i in range(8):
        org = Organisation.objects.create(
            kind="club" if i % 2 else "party_group",
            name=f"社团{i}",
            subdistrict=world.guicheng,
            community=world.daxin,
            compound=world.fufeng,
            building=world.b1,
            stairwell=world.s11 if i % 2 else None,
        )
        Membership.objects.create(organisation=org, person=world.p_alice)
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("people:organisations"))


def test_organisation_outside_scope_is_404(world, login):
    assert login(world.grace).get(reverse("people:organisation", args=[world.association.pk])).status_code == 404
    assert login(world.olga).get(reverse("people:organisation", args=[world.team.pk])).status_code == 404


def test_party_branch_members_hidden_from_a_volunteer_but_shown_to_staff(world, login):
    Membership.objects.create(organisation=world.team, person=world.p_frank)  # grace can see the team...
    url = reverse("people:organisation", args=[world.branch.pk])
    response = login(world.henry).get(url)
    assert response.status_code == 200
    assert "党员甲" not in response.content.decode()
    assert "党员甲" in login(world.carol).get(url).content.decode()


def test_organisation_members_phones_are_masked(world, login):
    html = login(world.carol).get(reverse("people:organisation", args=[world.association.pk])).content.decode()
    assert "会长丙" in html
    assert "139****0004" in html and "13900000004" not in html


def test_cancel_puts_the_masked_value_back(world, login):
    response = login(world.bob).get(reveal_url(world.p_alice) + "?cancel=1", **HX)
    html = response.content.decode()
    assert "138****0001" in html and "13800000001" not in html and "<form" not in html
    assert reveal_url(world.p_alice) in html
    assert not RevealLog.objects.exists()


@pytest.mark.parametrize(
    "actor, org, status",
    [
        ("grace", "team", 200),
        ("henry", "association", 200),
        ("ivy", "owners", 200),
        ("dave", "company", 200),
        ("frank", "branch", 200),
        ("bob", "association", 200),
        ("olga", "association", 404),
        ("olga", "committee", 404),
        ("alice", "office", 404),
        ("erin", "office", 200),
        ("root", "party_committee", 200),
    ],
)
def test_organisation_pages_follow_the_scope(world, login, actor, org, status):
    url = reverse("people:organisation", args=[getattr(world, org).pk])
    assert login(getattr(world, actor)).get(url).status_code == status


def test_party_member_sees_fellow_members_of_his_branch(world, login):
    html = login(world.frank).get(reverse("people:organisation", args=[world.branch.pk])).content.decode()
    assert "党员甲" in html
