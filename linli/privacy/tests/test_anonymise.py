"""Deletion: the person's identity goes, the records that must stay stay — without his name."""

import datetime as dt
import json

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from linli.cases import services as cases
from linli.cases.models import Case, Category
from linli.people.models import Occupancy
from linli.people.services import reveal
from linli.privacy import services
from linli.privacy.models import Status
from linli.volunteers.models import HoursEntry
from linli.votes import services as votes
from linli.votes.models import Ballot, Elector, Item

T0 = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))
OPENS = T0 + dt.timedelta(days=16)
CLOSES = OPENS + dt.timedelta(days=7)
SECRETS = ("李爱丽", "13800000001", "440605199001011236")


def _vote(w):
    vote = votes.create_vote(user=w.carol, compound=w.fufeng, title="续聘物业", opens_at=OPENS, closes_at=CLOSES)
    votes.add_matter(vote=vote, title="续聘富丰物业三年", item=Item.PROPERTY)
    votes.announce(vote=vote, user=w.carol, now=T0)
    vote = votes.open_vote(vote=vote, now=OPENS)
    elector = Elector.objects.get(vote=vote, home=w.h101)
    choices = {str(vote.matters.get().pk): "yes"}
    votes.cast_online(vote=vote, user=w.alice, elector=elector, choices=choices, now=OPENS + dt.timedelta(hours=1))
    return vote


def _texts_holding(value: str) -> list[str]:
    """Every plain text column of every table that holds `value` (encrypted columns hold
    ciphertext and are checked through the model)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if type(field) in (models.CharField, models.TextField, models.JSONField):
                lookup = {f"{field.name}__icontains": value}
                if field.get_internal_type() == "JSONField":
                    continue
                if model._default_manager.filter(**lookup).exists():
                    found.append(f"{model._meta.label}.{field.name}")
    for entry in LogEntry.objects.all():
        if value in json.dumps(entry.changes, ensure_ascii=False) + entry.changes_text:
            found.append(f"auditlog changes of {entry.content_type.model}")
    return found


def test_anonymised_person_keeps_his_case_and_ballot_but_no_name_phone_or_id(w, django_capture_on_commit_callbacks):
    category = Category.objects.filter(active=True).order_by("pk").first()
    case, _ = cases.submit(
        compound=w.fufeng, category=category, title="楼道灯坏了", description="三楼", reporter=w.p_alice,
        reporter_phone="13800000001", recorded_by=w.carol, building=w.b1, stairwell=w.s11,
    )  # fmt: skip
    vote = _vote(w)
    HoursEntry.objects.create(
        person=w.p_alice, minutes=120, kind=HoursEntry.Kind.ADJUSTMENT, reason="补录", by=w.carol, at=T0, on=T0.date()
    )
    reveal(user=w.carol, person=w.p_alice, field="phone", reason="回访")
    request = services.ask_deletion(user=w.alice, note="我叫李爱丽，请删除")

    with pytest.raises(ValidationError, match="electorate"):  # the vote is still open
        services.decide_deletion(user=w.carol, pk=request.pk, accept=True)
    vote = votes.close(vote=vote, now=CLOSES)
    votes.publish(vote=vote, now=CLOSES)

    services.decide_deletion(user=w.carol, pk=request.pk, accept=True)

    person = type(w.p_alice).objects.get(pk=w.p_alice.pk)
    assert person.name == f"已注销居民 #{person.pk}"
    assert (person.phone, person.id_number, person.phone_hash, person.id_hash) == ("", "", "", "")
    with connection.cursor() as cursor:  # the row itself, below the encrypted field
        cursor.execute("SELECT name, phone, id_number FROM people_person WHERE id = %s", [person.pk])
        assert cursor.fetchone() == (person.name, "", "")
    # What must stay, stays and counts.
    case = Case.objects.get(pk=case.pk)
    assert case.reporter_id == person.pk and (case.reporter_name, case.reporter_phone) == ("", "")
    assert Ballot.objects.get(vote=vote).voter_id == person.pk
    assert vote.result == votes.count(vote)
    assert HoursEntry.objects.get().person_id == person.pk
    # His account is closed and unlinked; his homes ended.
    w.alice.refresh_from_db()
    assert not w.alice.is_active and w.alice.person_id is None and not w.alice.has_usable_password()
    assert not Occupancy.objects.active(dt.date.today() + dt.timedelta(days=1)).filter(person=person).exists()
    assert services.DeletionRequest.objects.get().status == Status.ACCEPTED
    # And nowhere in the database, not in the audit log either.
    for secret in SECRETS:
        assert _texts_holding(secret) == [], secret
