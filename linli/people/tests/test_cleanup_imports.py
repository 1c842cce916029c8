"""manage.py cleanup_imports: uploaded registers (plain phone and ID numbers) do not stay on
disk once no import needs them."""

import datetime
import os
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from linli.people.models import ImportJob

S = ImportJob.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def job(user, status, *, age_days=0, checked_days=None, language="en"):
    j = ImportJob(user=user, file_name=f"{status}.csv", status=status, language=language)
    j.file.save(f"{status}.csv", ContentFile(b"\xe5\xb0\x8f\xe5\x8c\xba,13812345678\n"), save=False)
    j.save()
    created = timezone.now() - datetime.timedelta(days=age_days)
    finished = None if checked_days is None else timezone.now() - datetime.timedelta(days=checked_days)
    ImportJob.objects.filter(pk=j.pk).update(created=created, finished=finished)
    j.refresh_from_db()
    return j


def cleanup(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("cleanup_imports", *args, stdout=out, verbosity=2)
    return out.getvalue()


def on_disk(j):
    return os.path.exists(j.file.path)


def test_files_of_finished_and_abandoned_imports_are_deleted(world):
    u = world.carol
    finished = [job(u, S.DONE), job(u, S.INVALID), job(u, S.FAILED)]
    old_preview = job(u, S.VALID, age_days=5, checked_days=3)
    old_pending = job(u, S.PENDING, age_days=3)
    stuck = job(u, S.IMPORTING, age_days=4, checked_days=4)
    fresh_preview = job(u, S.VALID, age_days=3, checked_days=1)  # checked yesterday: still waiting
    fresh_pending = job(u, S.PENDING)

    out = cleanup()

    assert "Deleted the files of 3 finished imports." in out
    assert "Marked 3 abandoned imports as failed and deleted their files." in out
    assert f"#{old_preview.pk} valid.csv" in out
    for j in [*finished, old_preview, old_pending, stuck]:
        assert not on_disk(j)
        j.refresh_from_db()
        assert not j.file
    for j in (fresh_preview, fresh_pending):
        assert on_disk(j)
        j.refresh_from_db()
        assert j.status in (S.VALID, S.PENDING) and j.file

    for j in (old_preview, old_pending, stuck):
        assert j.status == S.FAILED and j.summary["abandoned"] is True and j.finished is not None
        assert j.errors[0]["message"].startswith("Not imported: the file waited more than 2 days")
    finished[0].refresh_from_db()
    assert finished[0].status == S.DONE  # finished jobs keep their status and summary


def test_running_it_again_changes_nothing(world):
    job(world.carol, S.DONE)
    job(world.carol, S.VALID, age_days=4, checked_days=4)
    cleanup()
    before = list(ImportJob.objects.values_list("pk", "status", "file", "finished"))
    assert cleanup().strip() == "Nothing to clean up."
    assert list(ImportJob.objects.values_list("pk", "status", "file", "finished")) == before


def test_the_days_option(world):
    j = job(world.carol, S.VALID, age_days=5, checked_days=5)
    assert "Nothing to clean up." in cleanup("--days", "7")
    cleanup("--days", "4")
    j.refresh_from_db()
    assert j.status == S.FAILED and "more than 4 days" in j.errors[0]["message"]
    with pytest.raises(CommandError):
        cleanup("--days", "0")


def test_stray_uploads_are_deleted_once_old(world, settings):
    folder = settings.MEDIA_ROOT / "imports"
    kept = job(world.carol, S.VALID, checked_days=0)
    stray_old, stray_new = folder / "lost.csv", folder / "just-uploaded.csv"
    stray_old.write_bytes(b"13812345678")
    stray_new.write_bytes(b"13812345678")
    three_days_ago = (timezone.now() - datetime.timedelta(days=3)).timestamp()
    os.utime(stray_old, (three_days_ago, three_days_ago))
    os.utime(kept.file.path, (three_days_ago, three_days_ago))  # old file, but its job still waits

    out = cleanup()
    assert "Deleted 1 uploaded file that belongs to no import." in out and "imports/lost.csv" in out
    assert not stray_old.exists() and stray_new.exists() and on_disk(kept)


def test_no_upload_folder_yet(world):
    assert cleanup().strip() == "Nothing to clean up."


def test_an_abandoned_preview_says_so_and_can_no_longer_be_confirmed(world, login):
    j = job(world.carol, S.VALID, age_days=3, checked_days=3)
    cleanup()
    client = login(world.carol)
    page = client.get(reverse("imports:job", args=[j.pk]), headers={"accept-language": "en"}).content.decode()
    assert "Not imported: the file waited more than 2 days" in page and "Confirm import" not in page
    assert client.post(reverse("imports:confirm", args=[j.pk])).status_code == 403
