"""`linli backup` and `linli restore`: a round trip gives back every row of every table and
every uploaded file; a damaged archive or a database in use is refused with nothing changed.
Runs on the suite's database: SQLite in one run, PostgreSQL (pg_dump) in the other."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connections

from linli import cli
from linli.backup import services
from linli.cases import services as cases
from linli.cases import taxonomy
from linli.cases.models import Category, Photo

from .conftest import every_row, open_database


def _some_cases(world):
    taxonomy.ensure()
    maintenance = Category.objects.get(code="maintenance")
    made = []
    for title in ("楼道灯坏了", "电梯异响", "垃圾没人清"):
        case, _secret = cases.submit(
            compound=world.fufeng,
            stairwell=world.s11,
            category=maintenance,
            title=title,
            description=f"{title}，请尽快处理",
            reporter=world.p_alice,
        )
        made.append(case)
    Photo.objects.create(case=made[0], image=ContentFile(b"\xff\xd8 not really a jpeg", name="楼道灯.jpg"))
    return made


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _compare_with_source(target: dict) -> None:
    restored = open_database(target)
    try:
        assert every_row(restored) == every_row(connections["default"])
    finally:
        restored.close()


# Committed data: pg_dump is another process, and SQLite's backup cannot read through a
# connection inside a transaction. Serialized rollback puts back what the migrations seeded.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_database_has_every_row_of_every_table_and_every_file(world, settings, tmp_path, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    made = _some_cases(world)
    call_command("backup", "--output", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("*.tar")

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["vendor"] == connections["default"].vendor
    assert manifest["tables"]["cases_case"] == 3
    assert ["cases", "0001_cases_categories_routing_events"] in manifest["migrations"]
    assert (archive.parent / f"{archive.name}.sha256").read_text().endswith(f"  {archive.name}\n")

    restored_media = tmp_path / "restored-media"
    result = services.restore(archive, database=fresh_database, media_root=restored_media)

    _compare_with_source(fresh_database)
    assert _files(restored_media) == _files(settings.MEDIA_ROOT)
    assert _files(restored_media)[made[0].photos.get().image.name].startswith(b"\xff\xd8")
    assert result.media_files == 1 and result.pending_migrations == [] and result.warnings == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_database_in_use_unless_forced(world, settings, tmp_path, fresh_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    _some_cases(world)
    archive = services.backup(output=tmp_path)
    services.restore(archive, database=fresh_database, media_root=tmp_path / "restored")

    with pytest.raises(services.BackupError, match="already holds data.*--force.*Nothing was changed"):
        services.restore(archive, database=fresh_database, media_root=tmp_path / "restored")

    world.p_olga.delete()  # the source moves on; a forced restore of a new backup replaces the target
    newer = services.backup(output=tmp_path / "newer.tar")
    services.restore(newer, database=fresh_database, media_root=tmp_path / "restored", force=True)
    _compare_with_source(fresh_database)


# --- refused archives: nothing changes ---------------------------------------------------------


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory):
    """A backup of the test database as migrated, with one uploaded file; made once, outside
    any test's transaction (pg_dump sees only what is committed, and SQLite's backup cannot
    read through a connection inside a transaction). Tests copy it before damaging it."""
    media = tmp_path_factory.mktemp("media")
    (media / "cases").mkdir()
    (media / "cases" / "a.jpg").write_bytes(b"uploaded-7f3a9c")
    with django_db_blocker.unblock():
        return services.backup(output=tmp_path_factory.mktemp("backups"), media_root=media)


@pytest.fixture
def restored(db, archive, fresh_database, tmp_path):
    """The fresh database and media folder with the archive restored into them, and their contents."""
    media = tmp_path / "restored-media"
    services.restore(archive, database=fresh_database, media_root=media)
    wrapper = open_database(fresh_database)
    rows = every_row(wrapper)
    wrapper.close()
    return fresh_database, media, rows


def _unchanged(restored) -> None:
    database, media, rows = restored
    wrapper = open_database(database)
    try:
        assert every_row(wrapper) == rows
    finally:
        wrapper.close()
    assert _files(media) == {"cases/a.jpg": b"uploaded-7f3a9c"}


def _copy(archive: Path, name: str, tmp_path: Path) -> Path:
    copy = tmp_path / name
    copy.write_bytes(archive.read_bytes())
    return copy


def test_a_damaged_dump_is_refused_and_nothing_changes(archive, restored, tmp_path):
    damaged = _copy(archive, "damaged.tar", tmp_path)
    with tarfile.open(damaged) as tar:
        offset = tar.getmember(services.DUMP_NAMES[connections["default"].vendor]).offset_data
    with open(damaged, "r+b") as fh:
        fh.seek(offset + 2000)
        byte = fh.read(1)
        fh.seek(offset + 2000)
        fh.write(bytes([byte[0] ^ 0xFF]))

    with pytest.raises(services.BackupError, match="does not match its checksum.*Nothing was changed"):
        services.restore(damaged, database=restored[0], media_root=restored[1], force=True)
    _unchanged(restored)


def test_a_damaged_upload_is_refused_and_nothing_changes(archive, restored, tmp_path):
    damaged = _copy(archive, "damaged.tar", tmp_path)
    data = damaged.read_bytes()
    damaged.write_bytes(data.replace(b"uploaded-7f3a9c", b"UPLOADED-7f3a9c", 1))
    with pytest.raises(services.BackupError, match="media/cases/a.jpg in the backup does not match its checksum"):
        services.restore(damaged, database=restored[0], media_root=restored[1], force=True)
    _unchanged(restored)


# Cut in the middle, inside the last file, and in the padding after it (every file intact).
@pytest.mark.parametrize("keep", [0.5, "last file", "padding"])
def test_a_truncated_archive_is_refused_and_nothing_changes(archive, restored, keep, tmp_path):
    cut = _copy(archive, "cut.tar", tmp_path)
    data = cut.read_bytes()
    with tarfile.open(archive) as tar:
        last = tar.getmembers()[-1]
    at = {"last file": last.offset_data + last.size // 2, "padding": last.offset_data + last.size + 1}.get(keep)
    cut.write_bytes(data[: int(len(data) * keep) if at is None else at])
    with pytest.raises(services.BackupError, match="(cut short|damaged).*Nothing was changed"):
        services.restore(cut, database=restored[0], media_root=restored[1], force=True)
    _unchanged(restored)


def test_a_file_that_is_no_backup_is_refused(db, tmp_path, fresh_database):
    stray = tmp_path / "notes.tar"
    stray.write_bytes(b"hello, not a tar file at all" * 100)
    with pytest.raises(services.BackupError, match="cannot be read as a linli backup"):
        services.restore(stray, database=fresh_database)


def _with_manifest(archive: Path, change, tmp_path: Path) -> Path:
    """A copy of the archive whose manifest `change` edited (the files and their checksums intact)."""
    out = tmp_path / "edited.tar"
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            body = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(body)
                change(manifest)
                body = json.dumps(manifest).encode()
                member.size = len(body)
            dst.addfile(member, io.BytesIO(body))
    return out


def test_a_backup_from_a_newer_linli_is_refused(archive, restored, tmp_path):
    newer = _with_manifest(archive, lambda m: m["migrations"].append(["cases", "9999_from_the_future"]), tmp_path)
    with pytest.raises(services.BackupError, match="newer linli.*cases.9999_from_the_future.*Nothing was changed"):
        services.restore(newer, database=restored[0], media_root=restored[1], force=True)
    _unchanged(restored)


def test_a_backup_of_the_other_vendor_is_refused(archive, restored, tmp_path):
    other = "postgresql" if connections["default"].vendor == "sqlite" else "sqlite"
    wrong = _with_manifest(archive, lambda m: m.update(vendor=other), tmp_path)
    with pytest.raises(services.BackupError, match=f"backup is of a {other} database"):
        services.restore(wrong, database=restored[0], media_root=restored[1], force=True)
    _unchanged(restored)


def test_a_media_path_leading_outside_the_media_folder_is_refused(archive, restored, tmp_path):
    evil = _with_manifest(archive, lambda m: m["media"][0].update(path="../../outside.jpg"), tmp_path)
    with pytest.raises(services.BackupError, match="outside the media folder"):
        services.restore(evil, database=restored[0], media_root=restored[1], force=True)
    _unchanged(restored)
    assert not (tmp_path / "outside.jpg").exists()


def test_a_restore_with_another_field_key_warns_that_phones_cannot_be_read(
    db, archive, fresh_database, settings, tmp_path
):
    settings.FIELD_ENCRYPTION_KEYS = ["a-key-that-is-not-the-one-of-the-backup"]
    result = services.restore(archive, database=fresh_database, media_root=tmp_path / "m")
    assert "LINLI_FIELD_KEYS" in result.warnings[0]


# --- the commands ------------------------------------------------------------------------------


def test_the_restore_command_checks_an_archive_and_refuses_a_damaged_one(db, archive, tmp_path, capsys):
    cli.main(["restore", "--check", str(archive)])  # the `linli` console script
    assert "The backup is whole" in capsys.readouterr().out

    cut = _copy(archive, "cut.tar", tmp_path)
    cut.write_bytes(cut.read_bytes()[:1000])
    with pytest.raises(CommandError, match="cannot be read as a linli backup|cut short"):
        call_command("restore", str(cut), "--check")
