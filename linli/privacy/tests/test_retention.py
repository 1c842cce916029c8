"""The retention sweep removes exactly what is past its period, and a second run nothing."""

import datetime as dt

from axes.models import AccessLog
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from linli.cases import services as cases
from linli.cases.models import Case, Category, Photo, Status
from linli.notices.models import Delivery, Notification
from linli.people.models import RevealLog
from linli.privacy import retention

NOW = timezone.make_aware(dt.datetime(2030, 6, 1, 12, 0))
DAY = dt.timedelta(days=1)


def _at(model, pk, **fields):
    model.objects.filter(pk=pk).update(**fields)  # past auto_now_add


def _case(w, title, closed_at, status=Status.CLOSED):
    category = Category.objects.filter(active=True).order_by("pk").first()
    case, _ = cases.submit(
        compound=w.fufeng, category=category, title=title, description="x", reporter=w.p_alice,
        reporter_phone="13800000001", recorded_by=w.carol,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(status=status, closed_at=closed_at)
    photo = Photo.objects.create(case=case)
    photo.image.save("p.jpg", ContentFile(b"jpeg"), save=True)
    return case, photo


def test_the_sweep_takes_what_is_past_its_period_and_nothing_else(
    w, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    old_reveal = RevealLog.objects.create(user=w.carol, person=w.p_alice, field="phone", reason="old")
    new_reveal = RevealLog.objects.create(user=w.carol, person=w.p_alice, field="phone", reason="new")
    _at(RevealLog, old_reveal.pk, at=NOW - 3 * 365 * DAY - DAY)
    _at(RevealLog, new_reveal.pk, at=NOW - 3 * 365 * DAY + DAY)

    Notification.objects.create(user=w.alice, kind="x", title="old", created=NOW - 366 * DAY)
    kept_note = Notification.objects.create(user=w.alice, kind="x", title="new", created=NOW - 364 * DAY)

    def delivery(key, status, age):
        return Delivery.objects.create(channel="email", kind="x", user=w.alice, target="a@b.cn", key=key,
                                       status=status, created=NOW - age)  # fmt: skip

    delivery("sent-old", Delivery.Status.SENT, 91 * DAY)
    queued = delivery("queued-old", Delivery.Status.QUEUED, 91 * DAY)  # never dropped while queued
    recent = delivery("sent-new", Delivery.Status.SENT, 89 * DAY)

    AccessLog.objects.create(username="alice", ip_address="10.0.0.1")
    login = AccessLog.objects.create(username="alice", ip_address="10.0.0.2")
    AccessLog.objects.filter(ip_address="10.0.0.1").update(attempt_time=NOW - 91 * DAY)
    AccessLog.objects.filter(pk=login.pk).update(attempt_time=NOW - 89 * DAY)

    old_case, old_photo = _case(w, "旧案", NOW - 4 * 365 * DAY)
    new_case, new_photo = _case(w, "新案", NOW - 365 * DAY)
    open_case, open_photo = _case(w, "未结", None, status=Status.IN_PROGRESS)
    Case.objects.filter(pk=open_case.pk).update(submitted_at=NOW - 5 * 365 * DAY)
    old_file = old_photo.image.name

    assert retention.sweep(now=NOW, dry_run=True)["reveals"] == 1
    assert RevealLog.objects.count() == 2  # a dry run changes nothing

    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        done = retention.sweep(now=NOW)
    assert done["reveals"] == 1 and list(RevealLog.objects.all()) == [new_reveal]
    assert done["notifications"] == 1 and list(Notification.objects.all()) == [kept_note]
    assert done["deliveries"] == 1 and set(Delivery.objects.all()) == {queued, recent}
    assert done["logins"] == 1 and list(AccessLog.objects.all()) == [login]
    assert done["case_photos"] == 1 and set(Photo.objects.all()) == {new_photo, open_photo}
    assert not old_photo.image.storage.exists(old_file)
    assert done["case_contacts"] == 1
    old_case.refresh_from_db()
    new_case.refresh_from_db()
    assert old_case.reporter_phone == "" and old_case.reporter_id == w.p_alice.pk
    assert new_case.reporter_phone == "13800000001"

    again = retention.sweep(now=NOW)
    assert set(again.values()) == {0}


def test_the_command_prints_counts_per_kind(w, capsys):
    call_command("retention_sweep", "--dry-run")
    out = capsys.readouterr().out
    assert "reveals: 0" in out and "case_photos: 0" in out
