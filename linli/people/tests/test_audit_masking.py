"""The audit log keeps a changed phone or ID number only in the masked form the pages show."""

import json

from auditlog.models import LogEntry

from linli.people.models import Person


def test_audit_log_masks_phone_and_id_number_like_the_pages(db):
    person = Person.objects.create(name="张三", phone="13812345678", id_number="440605199001011236")
    person.phone = "13987654321"
    person.save()
    entries = LogEntry.objects.get_for_object(person)
    text = json.dumps([e.changes for e in entries], ensure_ascii=False)
    for secret in ("13812345678", "13987654321", "440605199001011236", "12345678", "87654321", "199001011236"):
        assert secret not in text
    assert "139****4321" in text and "4406**********1236" in text
