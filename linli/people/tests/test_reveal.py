import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from linli.people.models import RevealLog
from linli.people.services import reveal


def test_leader_reveals_a_phone_in_his_building_and_it_is_logged(world):
    value = reveal(user=world.bob, person=world.p_alice, field="phone", reason="回访诉求", ip="127.0.0.1")
    assert value == "13800000001"
    entry = RevealLog.objects.get()
    assert (entry.user, entry.person, entry.field, entry.reason) == (world.bob, world.p_alice, "phone", "回访诉求")


def test_reveal_outside_scope_is_refused_and_not_logged(world):
    with pytest.raises(PermissionDenied):
        reveal(user=world.bob, person=world.p_olga, field="phone", reason="x")
    with pytest.raises(PermissionDenied):
        reveal(user=world.bob, person=world.p_alice, field="id_number", reason="x")
    assert not RevealLog.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_reveal_needs_a_reason(world, reason):
    with pytest.raises(ValueError):
        reveal(user=world.carol, person=world.p_alice, field="phone", reason=reason)
    assert not RevealLog.objects.exists()


def test_unknown_field_cannot_be_revealed(world):
    with pytest.raises(ValueError):
        reveal(user=world.root, person=world.p_alice, field="name", reason="x")


def test_changes_to_people_are_audited_with_private_values_masked(world):
    person = world.p_alice
    person.phone = "13999998888"
    person.save()
    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    changes = str(entry.changes)
    assert "phone" in changes
    assert "13999998888" not in changes
    assert "13800000001" not in changes
