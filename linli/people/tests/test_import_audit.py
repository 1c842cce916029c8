"""An import's writes go to the audit log like any other change: who imported, what each
row created or changed, which import job; phone and ID numbers only masked."""

from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.people.importing import run_import
from linli.people.models import ImportJob, Occupancy, Person
from linli.places.models import Building, Home, Stairwell

from .test_import import generated_rows, id_number, row, run, write_csv

ZHANG_ID = id_number(1)
ROWS = [
    row(building="3栋", number="101", floor="1", area="89.5", name="张三", phone="13812345678", id=ZHANG_ID,
        relation="业主", hukou="是"),
    row(building="3栋", number="101", name="李四", relation="家属"),
    row(building="3栋", number="102", floor="1", area="75"),
]  # fmt: skip


def entries_for(model):
    return LogEntry.objects.get_for_model(model).order_by("pk")


def test_import_logs_each_created_row_as_the_importing_user(world, tmp_path):
    result = run(world.carol, write_csv(tmp_path / "register.csv", ROWS))
    assert result.errors == [] and result.committed

    assert {e.actor for e in LogEntry.objects.all()} == {world.carol}
    assert set(LogEntry.objects.values_list("action", flat=True)) == {LogEntry.Action.CREATE}
    assert [e.object_repr for e in entries_for(Building)] == ["富丰新城 3栋"]
    assert [e.object_repr for e in entries_for(Stairwell)] == ["富丰新城 3栋 1单元"]

    home = Home.objects.get(stairwell__building__name="3栋", number="101")
    entry = LogEntry.objects.get_for_object(home).get()
    assert entry.object_repr == str(home) == "富丰新城 3栋 1单元 101"
    assert entry.changes == {
        "stairwell": ["None", str(home.stairwell_id)],
        "number": ["None", "101"],
        "floor": ["None", "1"],
        "area": ["None", "89.50"],
    }
    assert entry.additional_data == {"import_job": None, "file": "register.csv"}
    assert entries_for(Home).count() == 2

    zhang = Person.objects.get(name="张三")
    changes = LogEntry.objects.get_for_object(zhang).get().changes
    assert changes["name"] == ["None", "张三"]
    assert changes["hukou_registered"] == ["None", "True"]
    assert changes["phone"] == ["None", "138****5678"]
    assert changes["id_number"] == ["None", f"{ZHANG_ID[:4]}**********{ZHANG_ID[-4:]}"]
    assert entries_for(Person).count() == 2

    owner = Occupancy.objects.get(person=zhang)
    entry = LogEntry.objects.get_for_object(owner).get()
    assert entry.object_repr == "张三 · 富丰新城 3栋 1单元 101 (owner)"  # as str(owner) reads in English
    assert entry.changes == {
        "person": ["None", str(zhang.pk)],
        "home": ["None", str(home.pk)],
        "relation": ["None", "owner"],
    }
    assert entries_for(Occupancy).count() == 2


def test_no_plaintext_phone_or_id_number_in_the_log(world, tmp_path):
    run(world.carol, write_csv(tmp_path / "register.csv", ROWS))
    changed = [row(building="3栋", number="101", name="张三", phone="13900001111", id=ZHANG_ID)]
    run(world.carol, write_csv(tmp_path / "new-phone.csv", changed))
    logged = str(list(LogEntry.objects.values_list("changes", "object_repr", "additional_data")))
    for secret in ("13812345678", "13900001111", ZHANG_ID):
        assert secret not in logged


def test_reimporting_the_same_file_logs_nothing(world, tmp_path):
    path = write_csv(tmp_path / "register.csv", ROWS)
    run(world.carol, path)
    before = LogEntry.objects.count()
    again = run(world.carol, path)
    assert again.errors == [] and again.summary["people_unchanged"] == 2
    assert LogEntry.objects.count() == before


def test_changed_rows_are_logged_as_updates_with_old_and_new_values(world, tmp_path):
    rows = [
        row(building="1", unit="1", number="101", area="92", name="李爱丽", id="440605199001011236", relation="租户"),
        row(building="1栋", unit="1单元", number="102", name="王邻", phone="13800000002", birth="1970"),
    ]
    result = run(world.carol, write_csv(tmp_path / "update.csv", rows))
    assert result.errors == []
    assert set(LogEntry.objects.values_list("action", "actor")) == {(LogEntry.Action.UPDATE, world.carol.pk)}

    def changes(obj):
        return LogEntry.objects.get_for_object(obj).get().changes

    assert changes(world.h101) == {"area": [str(world.h101.area), "92.00"]}
    assert changes(world.p_neighbour) == {"birth_year": [str(world.p_neighbour.birth_year), "1970"]}
    assert changes(Occupancy.objects.get(person=world.p_alice, home=world.h101)) == {"relation": ["owner", "tenant"]}
    assert LogEntry.objects.count() == 3  # alice herself is unchanged: same name and ID number


def test_a_phone_change_is_logged_masked(world, tmp_path):
    rows = [row(building="1栋", unit="1单元", number="102", name="王邻", phone="13900002222")]
    old_phone = world.p_neighbour.phone
    assert run(world.carol, write_csv(tmp_path / "phone.csv", rows)).errors == []
    entry = LogEntry.objects.get_for_object(world.p_neighbour).get()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes == {"phone": [f"{old_phone[:3]}****{old_phone[-4:]}", "139****2222"]}


def test_a_dry_run_or_an_invalid_file_logs_nothing(world, tmp_path):
    run(world.carol, write_csv(tmp_path / "register.csv", ROWS), commit=False)
    bad = write_csv(tmp_path / "bad.csv", [*ROWS, row(number="103", floor="一楼")])
    assert run(world.carol, bad).errors
    assert not LogEntry.objects.exists()


def test_an_import_job_is_named_in_the_log(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = ImportJob(user=world.carol, file_name="富丰新城.csv", language="en", status=ImportJob.Status.VALID)
    job.file.save("register.csv", ContentFile(write_csv(tmp_path / "register.csv", ROWS).read_bytes()))
    run_import(job.pk, commit=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    data = {"import_job": job.pk, "file": "富丰新城.csv"}
    assert LogEntry.objects.count() == 8
    assert set(LogEntry.objects.values_list("actor", flat=True)) == {world.carol.pk}
    assert all(entry.additional_data == data for entry in LogEntry.objects.all())


def test_logging_an_import_takes_no_query_per_row(world, tmp_path):
    def run_counting(n, tag):
        rows = generated_rows(n, building_count=2)
        for r in rows:
            r[1], r[11] = f"{tag}{r[1]}", ""  # new buildings each time; people found by phone
        LogEntry.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            assert run(world.carol, write_csv(tmp_path / f"{tag}.csv", rows)).errors == []
        sql = [q["sql"] for q in ctx.captured_queries]
        reads = sum(1 for q in sql if q.lstrip().upper().startswith("SELECT"))
        log_writes = sum(1 for q in sql if "auditlog_logentry" in q)
        return reads, log_writes, LogEntry.objects.count()

    run_counting(10, "A")  # the user's scope and the content types are cached from then on
    reads, _writes, logged = run_counting(40, "B")
    assert logged == 40 * 3 + 2 + 4  # homes, people, residences; buildings, units
    more_reads, log_writes, logged = run_counting(400, "C")
    assert logged == 400 * 3 + 2 + 4
    assert more_reads == reads
    assert log_writes <= logged // 50  # in batches (SQLite takes fewer rows per INSERT than PostgreSQL)
