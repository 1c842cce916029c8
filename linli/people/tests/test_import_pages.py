"""The import pages: upload, preview of errors or summary, confirm, progress, result."""

import csv
import io
import threading
import time

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from linli.people.importing import run_import, start_job
from linli.people.models import ImportJob, Occupancy, Person
from linli.places.models import Home

from .test_import import HEADERS, row, write_csv

GOOD = [row(number="101", floor="1", area="89.5", name="张三", phone="13812345678", relation="业主"),
        row(number="102", floor="1", name="李四")]  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_IN_THREAD = False  # run the job inline when the request's transaction commits
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def csv_upload(rows, name="register.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def upload(client, django_capture_on_commit_callbacks, rows, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:upload"), {"file": csv_upload(rows), **data})
    return response


def test_upload_preview_confirm_done(world, login, django_capture_on_commit_callbacks, settings):
    client = login(world.carol)
    assert client.get(reverse("imports:upload")).status_code == 200
    response = upload(client, django_capture_on_commit_callbacks, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.status == ImportJob.Status.VALID and job.user == world.carol
    assert job.file.path.startswith(str(settings.MEDIA_ROOT / "imports"))
    assert not Person.objects.filter(name="张三").exists()  # only checked so far

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Confirm import" in page and "homes created" in page
    assert 'hx-get="' not in page  # nothing to poll once checked

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.finished is not None
    assert job.summary["people_created"] == 2 and job.summary["homes_created"] == 2
    assert Person.objects.get(name="张三").occupancies.get().relation == Occupancy.Relation.OWNER
    assert not job.file  # the upload with private data is removed once imported

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Imported 2 rows" in page and "Confirm import" not in page
    # A second confirmation of the same job is refused.
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 403


def test_invalid_file_shows_errors_and_no_confirm(world, login, django_capture_on_commit_callbacks):
    client = login(world.carol)
    before = (Home.objects.count(), Person.objects.count())
    upload(client, django_capture_on_commit_callbacks, [*GOOD, row(number="103", floor="一楼", phone="123")])
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "The floor must be a whole number." in page and "一楼" in page
    assert "The name is missing, but the row has details of a person." in page
    assert "Confirm import" not in page and "The file has 2 errors" in page
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 403
    assert (Home.objects.count(), Person.objects.count()) == before


def test_wrong_file_type_is_refused_on_the_form(world, login):
    client = login(world.carol)
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("register.xls", b"\xd0\xcf\x11\xe0")})
    assert response.status_code == 200
    assert "is not an Excel (.xlsx) or CSV file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_too_large_file_is_refused_on_the_form(world, login, settings):
    settings.IMPORT_MAX_BYTES = 50
    response = login(world.carol).post(reverse("imports:upload"), {"file": csv_upload(GOOD)})
    assert "The file is too large" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_compound_choice_offers_only_own_community(world, login, django_capture_on_commit_callbacks):
    client = login(world.carol)
    page = client.get(reverse("imports:upload")).content.decode()
    assert "富丰新城" in page and "颐景园" not in page
    response = client.post(reverse("imports:upload"), {"file": csv_upload(GOOD), "compound": world.yijing.pk})
    assert response.status_code == 200 and not ImportJob.objects.exists()
    upload(client, django_capture_on_commit_callbacks, [row(compound="", number="701", floor="7")],
           compound=world.fufeng.pk)  # fmt: skip
    assert ImportJob.objects.get().status == ImportJob.Status.VALID


def test_carol_cannot_import_into_yijing(world, login, django_capture_on_commit_callbacks):
    client = login(world.carol)
    upload(
        client, django_capture_on_commit_callbacks, [row(compound="颐景园", building="1座", number="105", floor="1")]
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    assert "was not found among the compounds you may import into" in job.errors[0]["message"]
    assert not Home.objects.filter(number="105").exists()


@pytest.mark.parametrize("actor", ["alice", "bob", "frank", "grace", "henry", "ivy", "dave", "olga"])
def test_residents_and_leaders_get_403(world, login, actor):
    client = login(getattr(world, actor))
    assert client.get(reverse("imports:upload")).status_code == 403
    assert client.post(reverse("imports:upload"), {"file": csv_upload(GOOD)}).status_code == 403
    assert client.get(reverse("imports:template")).status_code == 403
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("actor", ["carol", "jack", "erin", "root"])
def test_staff_may_open_the_import_page(world, login, actor):
    assert login(getattr(world, actor)).get(reverse("imports:upload")).status_code == 200


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_job_is_seen_only_by_its_uploader(world, login, django_capture_on_commit_callbacks):
    upload(login(world.carol), django_capture_on_commit_callbacks, GOOD)
    job = ImportJob.objects.get()
    jack = login(world.jack)
    assert jack.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert jack.post(reverse("imports:confirm", args=[job.pk])).status_code == 404
    assert not Person.objects.filter(name="张三").exists()


def test_progress_partial_polls_while_running_and_refreshes_when_done(world, login, settings):
    client = login(world.carol)
    job = ImportJob.objects.create(user=world.carol, file_name="x.csv", total_rows=1000, processed_rows=500)
    partial = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="50"' in html and "500 of 1000 rows" in html
    assert "HX-Refresh" not in partial.headers
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="import-progress"' in page and 'hx-trigger="every 1s"' in page  # the page includes the partial
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    partial = client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true" and "every 1s" not in partial.content.decode()


def test_template_download_has_headers_and_an_example(world, login, tmp_path):
    response = login(world.carol).get(reverse("imports:template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("小区", "楼栋", "单元", "房号") and "身份证号" in rows[0]
    assert rows[1][0] == "富丰新城" and len(rows) == 2


def test_the_template_itself_imports(world, login, tmp_path, django_capture_on_commit_callbacks):
    from linli.people.importing import import_file

    content = login(world.carol).get(reverse("imports:template")).content
    path = tmp_path / "template.xlsx"
    path.write_bytes(content)
    result = import_file(user=world.carol, path=path, file_name=path.name, commit=True)
    assert result.errors == [] and Person.objects.filter(name="张三").exists()


@pytest.mark.django_db(transaction=True)
def test_job_runs_in_a_background_thread(world, tmp_path, settings):
    settings.IMPORT_IN_THREAD = True
    path = write_csv(tmp_path / "thread.csv", GOOD)
    job = ImportJob.objects.create(user=world.carol, file_name="thread.csv", language="en")
    job.file.save("thread.csv", open(path, "rb"))  # noqa: SIM115
    threads = set(threading.enumerate())
    start_job(job, commit=False)  # outside a transaction: on_commit runs at once
    for thread in set(threading.enumerate()) - threads:
        thread.join(timeout=30)
    deadline = time.monotonic() + 30
    while ImportJob.objects.get(pk=job.pk).is_running and time.monotonic() < deadline:
        time.sleep(0.05)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID and job.summary["people_created"] == 2


def test_progress_is_reported_every_batch(world, tmp_path, monkeypatch):
    from linli.people import importing

    monkeypatch.setattr(importing, "BATCH", 2)
    path = write_csv(tmp_path / "p.csv", [row(number=f"{i}01", floor=str(i)) for i in range(1, 9)])
    calls = []
    importing.import_file(
        user=world.carol, path=path, file_name="p.csv", commit=False, progress=lambda *a: calls.append(a)
    )
    assert len(calls) == 8 and calls == sorted(calls) and {total for _done, total in calls} == {8}

    job = ImportJob.objects.create(user=world.carol, file_name="p.csv", language="en")
    job.file.save("p.csv", open(path, "rb"))  # noqa: SIM115
    run_import(job.pk, False)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALID and (job.total_rows, job.processed_rows) == (8, 8)


def test_a_conflicting_change_during_the_import_rolls_everything_back(world, tmp_path, monkeypatch):
    from linli.people import importing
    from linli.places.models import Building, Stairwell

    path = write_csv(tmp_path / "race.csv", [*GOOD, row(building="1栋", number="301", floor="3", name="新人")])
    job = ImportJob.objects.create(user=world.carol, file_name="race.csv", language="en")
    job.file.save("race.csv", open(path, "rb"))  # noqa: SIM115
    real_write = importing._write

    def someone_else_adds_the_home_first(planner, *, dry_run, **kwargs):
        if not dry_run:
            Home.objects.create(stairwell=world.s11, number="301", floor=3)
        return real_write(planner, dry_run=dry_run, **kwargs)

    monkeypatch.setattr(importing, "_write", someone_else_adds_the_home_first)
    before = (Person.objects.count(), Building.objects.count(), Stairwell.objects.count())
    run_import(job.pk, True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "The homes changed while importing. Nothing was imported; check the file again."
    assert (Person.objects.count(), Building.objects.count(), Stairwell.objects.count()) == before
    assert not Home.objects.filter(stairwell__building__name="3栋").exists()
    assert not LogEntry.objects.filter(actor=world.carol).exists()  # the audit entries were rolled back too


def test_a_job_whose_thread_died_is_marked_failed(world, login):
    import datetime

    from django.utils import timezone

    job = ImportJob.objects.create(user=world.carol, file_name="x.csv", status=ImportJob.Status.VALIDATING)
    ImportJob.objects.filter(pk=job.pk).update(created=timezone.now() - datetime.timedelta(hours=2))
    partial = login(world.carol).get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "stopped before it finished" in job.errors[0]["message"]


def test_import_is_in_the_menu_for_staff_only(world, login):
    from django.urls import reverse

    link = f'href="{reverse("imports:upload")}"'
    assert link in login(world.carol).get(reverse("accounts:home")).content.decode()
    assert link not in login(world.bob).get(reverse("accounts:home")).content.decode()


def test_an_import_confirmed_long_after_the_upload_is_not_taken_for_dead(world, login):
    import datetime

    from django.utils import timezone

    job = ImportJob.objects.create(user=world.carol, file_name="x.csv", status=ImportJob.Status.IMPORTING)
    ImportJob.objects.filter(pk=job.pk).update(
        created=timezone.now() - datetime.timedelta(hours=5), started=timezone.now() - datetime.timedelta(minutes=2)
    )
    login(world.carol).get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING
