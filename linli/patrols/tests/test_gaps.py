"""What issue 6 still lacked: a finding's place chosen on the form (building, stairwell, home of
the patrol's compound, or free text), participants changed on the patrol page by its leader,
and hygiene checklists kept on a page, where a checklist already used is versioned, not
changed in place."""

import pytest
from django.urls import reverse

from linli.patrols import services
from linli.patrols.models import Checklist, ChecklistItem, Finding, Inspection
from linli.patrols.services import PatrolError


@pytest.fixture
def patrol(world):
    return services.start_patrol(user=world.grace, compound=world.fufeng, kind="stairwell")


# --- the place of a finding -------------------------------------------------------------------


def test_finding_form_offers_the_places_of_the_compound_only(world, patrol, login):
    client = login(world.grace)
    page = client.get(reverse("patrols:detail", args=[patrol.pk])).content.decode()
    assert "富丰新城 1栋 1单元 101" in page and "富丰新城 2栋" in page and "颐景园" not in page
    url = reverse("patrols:add_finding", args=[patrol.pk])
    assert client.post(url, {"f-text": "门口堆杂物", "f-home": world.h101.pk, "f-severity": "low"}).status_code == 302
    assert (
        client.post(url, {"f-text": "外墙脱落", "f-building": world.b2.pk, "f-severity": "medium"}).status_code == 302
    )
    assert client.post(url, {"f-text": "井盖松动", "f-where": "地下车库入口", "f-severity": "high"}).status_code == 302
    found = {f.text: (f.home, f.building, f.where) for f in Finding.objects.all()}
    assert found == {
        "门口堆杂物": (world.h101, world.b1, ""),  # the home names its building
        "外墙脱落": (None, world.b2, ""),
        "井盖松动": (None, None, "地下车库入口"),
    }
    page = client.get(reverse("patrols:detail", args=[patrol.pk])).content.decode()
    assert "富丰新城 1栋 1单元 101" in page and "地下车库入口" in page
    other = client.post(url, {"f-text": "别处", "f-home": world.h_yj.pk, "f-severity": "low"})
    assert other.status_code == 422 and Finding.objects.count() == 3


def test_a_stairwell_of_another_building_than_chosen_is_refused(world, patrol, login):
    answer = login(world.grace).post(
        reverse("patrols:add_finding", args=[patrol.pk]),
        {"f-text": "灯坏", "f-building": world.b1.pk, "f-stairwell": world.s21.pk, "f-severity": "low"},
    )
    assert answer.status_code == 422 and not Finding.objects.exists()


# --- participants -------------------------------------------------------------------------------


def test_the_leader_adds_and_removes_participants_on_the_page(world, patrol, login):
    client = login(world.grace)
    url = reverse("patrols:participants", args=[patrol.pk])
    page = client.get(reverse("patrols:detail", args=[patrol.pk])).content.decode()
    assert "Add to the patrol" in page and "会长丙" in page  # henry, of the association, can be added
    assert client.post(url, {"pp-person": world.p_henry.pk}).status_code == 302
    assert set(patrol.participants.all()) == {world.p_grace, world.p_henry}
    page = client.get(reverse("patrols:detail", args=[patrol.pk])).content.decode()
    assert "2 participants" in page and "Remove 会长丙 from the patrol" in page
    assert client.post(url, {"remove": world.p_henry.pk}).status_code == 302
    assert list(patrol.participants.all()) == [world.p_grace]
    again = client.post(url, {"remove": world.p_henry.pk})
    assert again.status_code == 409 and "会长丙 is not on this patrol." in again.content.decode()


def test_only_the_leader_and_organisers_change_participants(world, patrol, login):
    url = reverse("patrols:participants", args=[patrol.pk])
    bob = login(world.bob)  # patrols here, but did not start this patrol
    assert "Add to the patrol" not in bob.get(reverse("patrols:detail", args=[patrol.pk])).content.decode()
    assert bob.post(url, {"pp-person": world.p_henry.pk}).status_code == 404
    with pytest.raises(PatrolError) as exc:
        services.add_participant(user=world.bob, patrol=patrol, person=world.p_henry)
    assert exc.value.status_code == 403
    services.add_participant(user=world.carol, patrol=patrol, person=world.p_henry)  # the community's worker
    assert patrol.participants.count() == 2
    assert login(world.olga).post(url, {"remove": world.p_henry.pk}).status_code == 404
    assert patrol.participants.count() == 2


def test_only_members_of_the_compounds_teams_can_be_added(world, patrol):
    with pytest.raises(PatrolError, match="Only members of the teams of this compound"):
        services.add_participant(user=world.grace, patrol=patrol, person=world.p_olga)
    with pytest.raises(PatrolError, match="already on this patrol"):
        services.add_participant(user=world.grace, patrol=patrol, person=world.p_grace)
    assert list(patrol.participants.all()) == [world.p_grace]


# --- checklists -------------------------------------------------------------------------------


def texts(checklist):
    return list(checklist.items.order_by("order").values_list("text", flat=True))


@pytest.fixture
def own(world):
    return services.create_checklist(user=world.carol, compound=world.fufeng, name="富丰新城卫生检查表")


def test_organisers_give_a_compound_its_own_checklist(world, own):
    default = Checklist.objects.get(compound=None, community=None, active=True)
    assert texts(own) == texts(default) and len(texts(own)) == 8
    assert services.checklist_for(world.fufeng) == own
    assert services.checklist_for(world.yijing) == default
    with pytest.raises(PatrolError, match="already has its own checklist"):
        services.create_checklist(user=world.carol, compound=world.fufeng)
    for outsider in (world.grace, world.bob, world.dave):
        with pytest.raises(PatrolError) as exc:
            services.create_checklist(user=outsider, compound=world.yijing)
        assert exc.value.status_code == 403


def test_an_unused_checklist_is_edited_in_place(world, own):
    first = own.items.order_by("order").first()
    same = services.add_item(user=world.carol, checklist=own, text="消防通道", max_score=5)
    same = services.move_item(user=world.carol, checklist=same, item_id=first.pk, up=False)
    same = services.remove_item(user=world.carol, checklist=same, item_id=first.pk)
    same = services.rename_checklist(user=world.carol, checklist=same, name="新名字")
    assert same.pk == own.pk and Checklist.objects.filter(compound=world.fufeng).count() == 1
    own.refresh_from_db()
    assert own.name == "新名字" and texts(own)[-1] == "消防通道" and first.text not in texts(own)
    assert list(own.items.order_by("order").values_list("order", flat=True)) == list(range(1, 9))


def test_a_used_checklist_gets_a_new_version_and_old_inspections_keep_theirs(world, own):
    inspection = services.start_inspection(user=world.carol, compound=world.fufeng, area="中心花园")
    assert inspection.checklist == own
    before = texts(own)
    last = own.items.order_by("order").last()
    new = services.move_item(user=world.carol, checklist=own, item_id=last.pk, up=True)
    assert new.pk != own.pk and new.replaces == own and new.active
    own.refresh_from_db()
    assert not own.active and texts(own) == before  # unchanged
    assert texts(new) == before[:-2] + [before[-1], before[-2]]
    inspection.refresh_from_db()
    assert inspection.checklist == own
    assert services.checklist_for(world.fufeng) == new
    assert services.start_inspection(user=world.carol, compound=world.fufeng, area="大门").checklist == new
    with pytest.raises(PatrolError, match="replaced by a newer version"):
        services.add_item(user=world.carol, checklist=own, text="x", max_score=3)
    # The old inspection is still scored on its own items.
    services.score(user=world.carol, inspection=inspection, scores={i.pk: 5 for i in own.items.all()})
    assert services.submit_inspection(user=world.carol, inspection=inspection).max_total == 80


def test_bad_checklist_input_changes_nothing(world, own):
    for kwargs, message in [
        ({"text": " ", "max_score": 5}, "Say what is scored."),
        ({"text": "楼道", "max_score": 0}, "The maximum score must be between 1 and 100."),
        ({"text": "楼道", "max_score": "x"}, "The maximum score must be between 1 and 100."),
    ]:
        with pytest.raises(PatrolError, match=message):
            services.add_item(user=world.carol, checklist=own, **kwargs)
    with pytest.raises(PatrolError, match="not on this checklist"):
        services.remove_item(user=world.carol, checklist=own, item_id=999999)
    for item in list(own.items.order_by("order"))[:-1]:
        services.remove_item(user=world.carol, checklist=own, item_id=item.pk)
    with pytest.raises(PatrolError, match="at least one item"):
        services.remove_item(user=world.carol, checklist=own, item_id=own.items.get().pk)
    assert own.items.count() == 1 and Checklist.objects.filter(compound=world.fufeng).count() == 1


def test_checklist_pages(world, login):
    carol = login(world.carol)
    listing = carol.get(reverse("patrols:checklists")).content.decode()
    assert "Give a compound its own checklist" in listing and "Default checklist" in listing
    answer = carol.post(reverse("patrols:checklists"), {"compound": world.fufeng.pk, "name": "富丰表"})
    own = Checklist.objects.get(compound=world.fufeng)
    url = reverse("patrols:checklist", args=[own.pk])
    assert answer.status_code == 302 and answer["Location"] == url
    page = carol.get(url).content.decode()
    assert "Add an item" in page and "楼道地面" in page
    assert carol.post(url, {"action": "add", "text": "消防通道", "max_score": "5"}).status_code == 302
    assert texts(own)[-1] == "消防通道"
    bad = carol.post(url, {"action": "add", "text": "", "max_score": "5"})
    assert bad.status_code == 422 and "Say what is scored." in bad.content.decode()
    Inspection.objects.create(compound=world.fufeng, checklist=own, area="花园", inspector=world.carol)
    first = own.items.order_by("order").first()
    answer = carol.post(url, {"action": "remove", "item": first.pk})
    new = Checklist.objects.get(compound=world.fufeng, active=True)
    assert new.pk != own.pk and answer["Location"] == reverse("patrols:checklist", args=[new.pk])
    assert "楼道地面" not in texts(new) and "楼道地面" in texts(own)
    old_page = carol.get(url).content.decode()
    assert "This version is no longer in use." in old_page and "Add an item" not in old_page
    # Who only sees: no editing; outside the area: 404.
    grace = login(world.grace)
    assert "Add an item" not in grace.get(reverse("patrols:checklist", args=[new.pk])).content.decode()
    assert grace.post(reverse("patrols:checklist", args=[new.pk]), {"action": "rename", "name": "x"}).status_code == 404
    assert login(world.olga).get(reverse("patrols:checklist", args=[new.pk])).status_code == 404
    assert ChecklistItem.objects.filter(checklist=new).count() == 8
