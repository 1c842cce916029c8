from django.db import connection

from linli.lib.crypto import keyed_hash
from linli.people.models import Person


def test_private_fields_are_encrypted_at_rest_and_findable_by_hash(db):
    person = Person.objects.create(name="李四", phone="13812345678", id_number="440605199001011236")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM people_person WHERE id = %s", [person.pk])
        phone_raw, id_raw = cursor.fetchone()
    assert "13812345678" not in phone_raw
    assert "440605199001011236" not in id_raw
    found = Person.objects.get(phone_hash=keyed_hash("13812345678"))
    assert found.phone == "13812345678"
    assert found.id_number == "440605199001011236"


def test_one_person_per_id_number(db):
    import pytest
    from django.db import IntegrityError

    Person.objects.create(name="甲", id_number="440605199001011236")
    Person.objects.create(name="乙")  # no ID number: many may have none
    Person.objects.create(name="丙")
    with pytest.raises(IntegrityError):
        Person.objects.create(name="丁", id_number="440605199001011236")
