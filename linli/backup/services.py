"""Backing up the database and the uploaded files into one archive, and restoring it
(docs/backup.md). Plain functions; the `backup` and `restore` commands only parse arguments.

An archive is one uncompressed tar file, written under a temporary name and renamed when whole:

    database.sqlite3 | database.pgdump   the database, consistent at one instant
    media/<path>                         each uploaded file (settings.MEDIA_ROOT)
    manifest.json                        last: format, vendor, migrations, time, checksums, row counts

The manifest comes last on purpose: an archive cut short has none, and is refused.
Nothing is changed by a restore until every file in the archive has matched its checksum.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something the operator must fix; the message says what. Nothing was changed."""


@dataclass
class Restored:
    manifest: dict
    media_files: int = 0
    # Migrations the code has and the backup had not: `linli migrate` brings the database up.
    pending_migrations: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


# --- backing up ---------------------------------------------------------------------------


def backup(
    *, output: Path | None = None, using: str = "default", media: bool = True, media_root: Path | None = None
) -> Path:
    """Write an archive of the database `using` and of MEDIA_ROOT (or `media_root`); returns its path.

    `output` is a directory (a file named for the time is made in it) or a file path ending in
    .tar; by default var/backups/. A `<archive>.sha256` file beside it lets a copy kept elsewhere
    be checked with `sha256sum -c`."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})
    created = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    target = _archive_path(output, created)
    target.parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="linli-backup-") as tmp:
        dump = Path(tmp) / DUMP_NAMES[vendor]
        # The database first, then the files: an upload is written before the row naming it is
        # committed, so every file the dump refers to is already there when the files are copied.
        dumper = _sqlite_dump if vendor == "sqlite" else _pg_dump
        state = dumper(connection, dump)
        manifest = {
            "format": FORMAT,
            "app": "linli",
            "vendor": vendor,
            "created_at": created.isoformat(),
            "database": {"file": dump.name, "size": dump.stat().st_size, "sha256": _sha256_file(dump)},
            "migrations": state["migrations"],
            "tables": state["tables"],
            "media": [],
            "field_key_fingerprint": field_key_fingerprint(settings.FIELD_ENCRYPTION_KEYS[0]),
        }
        partial = target.with_name(target.name + ".partial")
        try:
            with open(partial, "wb") as raw:
                os.chmod(partial, 0o600)  # phones are encrypted, but names and homes are not
                with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    tar.add(dump, arcname=dump.name, recursive=False)
                    if media:
                        manifest["media"] = _add_media(tar, Path(media_root or settings.MEDIA_ROOT))
                    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(body), int(created.timestamp()), 0o600
                    tar.addfile(info, io.BytesIO(body))
                raw.flush()
                os.fsync(raw.fileno())
            partial.rename(target)
        finally:
            partial.unlink(missing_ok=True)
    Path(f"{target}.sha256").write_text(f"{_sha256_file(target)}  {target.name}\n")
    return target


def _archive_path(output: Path | None, created: datetime.datetime) -> Path:
    name = f"linli-{created:%Y%m%dT%H%M%SZ}.tar"
    if output is None:
        return Path(settings.VAR_DIR) / "backups" / name
    output = Path(output)
    if output.suffix == ".tar":
        if output.exists():
            raise BackupError(_("%(path)s already exists; choose another name.") % {"path": output})
        return output
    return output / name


def _sqlite_dump(connection, dump: Path) -> dict:
    """SQLite's online backup API: a consistent copy while the app goes on writing."""
    if connection.in_atomic_block:
        # sqlite3 would wait forever: its backup cannot read through a connection that is writing.
        raise BackupError(_("A backup cannot be made inside a transaction."))
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        # pages=-1: the whole database in one step, under one read lock, so no writer can
        # slip in between two steps and make the copy start over (or mix two moments).
        connection.connection.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return _sqlite_state(copy)
    finally:
        copy.close()


def _sqlite_state(conn: sqlite3.Connection) -> dict:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    tables = {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}
    migrations = []
    if "django_migrations" in tables:
        migrations = [list(r) for r in conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]
    return {"tables": tables, "migrations": migrations}


def _pg_dump(connection, dump: Path) -> dict:
    """pg_dump in its custom format, from a snapshot that the row counts and the migration
    state are read from too: all three describe the same instant while the app writes."""
    import psycopg

    pg_dump = _pg_tool("pg_dump")
    settings_dict = connection.settings_dict
    with psycopg.connect(**_pg_connect_kwargs(settings_dict)) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        state = _pg_state(conn)
        # The exporting transaction stays open until pg_dump has imported the snapshot.
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", "--dbname", settings_dict["NAME"]],
            settings_dict,
        )
    return state


def _pg_state(conn) -> dict:
    from psycopg import sql

    names = [
        r[0]
        for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    ]
    tables = {
        name: conn.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(name))).fetchone()[0]
        for name in names
    }
    migrations = []
    if "django_migrations" in tables:
        migrations = [list(r) for r in conn.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]
    return {"tables": tables, "migrations": migrations}


def _add_media(tar: tarfile.TarFile, root: Path) -> list[dict]:
    files = []
    if not root.is_dir():
        return files
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        relative = path.relative_to(root).as_posix()
        with open(path, "rb") as fh:
            info = tar.gettarinfo(fileobj=fh, arcname=f"media/{relative}")
            reader = _HashingReader(fh)
            tar.addfile(info, reader)
        files.append({"path": relative, "size": info.size, "sha256": reader.hash.hexdigest()})
    return files


class _HashingReader:
    """A file object that hashes what tarfile reads from it, so the checksum is of the bytes
    that went into the archive even if the file changes meanwhile."""

    def __init__(self, fh):
        self.fh, self.hash = fh, hashlib.sha256()

    def read(self, size=-1):
        data = self.fh.read(size)
        self.hash.update(data)
        return data


# --- checking and restoring ----------------------------------------------------------------


def verify(archive: Path, workdir: Path) -> dict:
    """Extract the archive into `workdir`, checking every file against the manifest; returns the
    manifest. Raises BackupError for a file that is not a linli backup, cut short or altered."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("%(path)s does not exist.") % {"path": archive})
    try:
        with tarfile.open(archive, mode="r:") as tar:
            _check_complete(tar, archive)
            manifest = _read_manifest(tar, archive)
            _extract_checked(tar, manifest["database"]["file"], manifest["database"], workdir / "database")
            for item in manifest["media"]:
                _extract_checked(tar, f"media/{_safe_relative(item['path'])}", item, workdir / "media" / item["path"])
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(
            _("%(path)s cannot be read as a linli backup (cut short or damaged: %(error)s). Nothing was changed.")
            % {"path": archive, "error": exc}
        ) from exc
    return manifest


def _check_complete(tar: tarfile.TarFile, archive: Path) -> None:
    """A tar archive ends with two blocks of zeros after its last file. An archive cut short in
    the padding after its last file still reads: without its end it is refused all the same."""
    members = tar.getmembers()
    if not members:
        return  # _read_manifest says what is wrong
    last = members[-1]
    end = last.offset_data + -(-last.size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE
    with open(archive, "rb") as f:
        f.seek(end)
        tail = f.read(2 * tarfile.BLOCKSIZE)
    if tail != bytes(2 * tarfile.BLOCKSIZE):
        raise BackupError(_("%(path)s is cut short: its end is missing. Nothing was changed.") % {"path": archive})


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError(
            _("%(path)s has no manifest: it is cut short or not a linli backup. Nothing was changed.")
            % {"path": archive}
        ) from None
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except (ValueError, AttributeError) as exc:
        raise BackupError(_("The manifest of %(path)s is damaged. Nothing was changed.") % {"path": archive}) from exc
    if manifest.get("app") != "linli" or manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(path)s is not a linli backup of format %(format)s. Nothing was changed.")
            % {"path": archive, "format": FORMAT}
        )
    return manifest


def _safe_relative(path: str) -> str:
    """A media path from a manifest, refused if it could write outside MEDIA_ROOT."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise BackupError(_("The backup names a file outside the media folder: %(path)s") % {"path": path})
    return pure.as_posix()


def _extract_checked(tar: tarfile.TarFile, name: str, expected: dict, dest: Path) -> None:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(_("The backup lacks %(name)s. Nothing was changed.") % {"name": name}) from None
    source = tar.extractfile(member) if member.isfile() else None
    if source is None:
        raise BackupError(_("The backup lacks %(name)s. Nothing was changed.") % {"name": name})
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with source, open(dest, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if member.size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise BackupError(
            _("%(name)s in the backup does not match its checksum: the file is damaged. Nothing was changed.")
            % {"name": name}
        )


def restore(
    archive: Path,
    *,
    using: str = "default",
    database: dict | None = None,
    media_root: Path | None = None,
    force: bool = False,
    media: bool = True,
) -> Restored:
    """Restore an archive into the database `using` (or the one `database`, a DATABASES entry,
    describes) and MEDIA_ROOT (or `media_root`).

    Refuses, changing nothing: a damaged archive, one from another database vendor or from a
    newer linli (migrations this code does not know), and a database that is in use (has a user
    account or a person) unless `force`. Afterwards the row count of every table is compared
    with the manifest."""
    database = database or connections[using].settings_dict
    vendor = _vendor(database)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="linli-restore-") as tmp:
        manifest = verify(archive, Path(tmp))
        if manifest["vendor"] != vendor:
            raise BackupError(
                _("This backup is of a %(theirs)s database and cannot be restored into %(ours)s.")
                % {"theirs": manifest["vendor"], "ours": vendor}
            )
        known = _known_migrations()
        unknown = sorted({tuple(m) for m in manifest["migrations"]} - known)
        if unknown:
            raise BackupError(
                _(
                    "This backup was made by a newer linli (migrations %(names)s are unknown here). "
                    "Upgrade linli first. Nothing was changed."
                )
                % {"names": ", ".join(f"{a}.{n}" for a, n in unknown[:5])}
            )
        dump = Path(tmp) / "database"
        if vendor == "sqlite":
            restore_db, counts = _sqlite_restore, _sqlite_counts
        else:
            restore_db, counts = _pg_restore, _pg_counts
        if not force:
            in_use = _in_use(counts(database))
            if in_use:
                raise BackupError(
                    _(
                        "The database already holds data (%(tables)s). Restore into an empty database, "
                        "or use --force to replace everything in it. Nothing was changed."
                    )
                    % {"tables": ", ".join(in_use)}
                )
        restore_db(dump, database)
        result = Restored(manifest=manifest)
        if media:
            result.media_files = _restore_media(Path(tmp) / "media", manifest["media"], media_root)
        after = counts(database)
        differ = [
            f"{table}: {rows} → {after.get(table)}"
            for table, rows in manifest["tables"].items()
            if after.get(table) != rows
        ]
        if differ:
            raise BackupError(
                _("The restore finished but these tables do not hold the rows the backup had: %(tables)s")
                % {"tables": "; ".join(differ)}
            )
    result.pending_migrations = sorted(known - {tuple(m) for m in manifest["migrations"]})
    if not any(
        field_key_fingerprint(key) == manifest.get("field_key_fingerprint") for key in settings.FIELD_ENCRYPTION_KEYS
    ):
        result.warnings.append(
            _(
                "The backup's phones and ID numbers were encrypted with a key that is not in LINLI_FIELD_KEYS: "
                "set the key that was in use when the backup was made, or they cannot be read."
            )
        )
    return result


def _vendor(database: dict) -> str:
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": engine})


def _known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _in_use(counts: dict[str, int]) -> list[str]:
    """A database is in use if it has a user account or a person: the tables `migrate` alone
    fills (content types, permissions, seeded case categories) do not count."""
    from linli.people.models import Person

    marks = [get_user_model()._meta.db_table, Person._meta.db_table]
    return [table for table in marks if counts.get(table)]


def _sqlite_restore(dump: Path, database: dict) -> None:
    source = sqlite3.connect(dump)
    target = sqlite3.connect(database["NAME"], timeout=database.get("OPTIONS", {}).get("timeout", 20))
    try:
        # The backup API replaces the whole target database in one step under its write lock:
        # a running app sees the old data or the new, never half of each.
        source.backup(target, pages=-1)
    finally:
        source.close()
        target.close()


def _sqlite_counts(database: dict) -> dict[str, int]:
    if database["NAME"] != ":memory:" and not Path(database["NAME"]).exists():
        return {}
    conn = sqlite3.connect(database["NAME"])
    try:
        return _sqlite_state(conn)["tables"]
    finally:
        conn.close()


def _pg_restore(dump: Path, database: dict) -> None:
    pg_restore = _pg_tool("pg_restore")
    # --clean --if-exists drops what the dump recreates; --single-transaction makes it all or
    # nothing; the owner and grants of the source server are not carried over.
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-acl",
            "--dbname",
            database["NAME"],
            str(dump),
        ],
        database,
    )


def _pg_counts(database: dict) -> dict[str, int]:
    import psycopg

    with psycopg.connect(**_pg_connect_kwargs(database)) as conn:
        return _pg_state(conn)["tables"]


def _restore_media(extracted: Path, items: list[dict], media_root: Path) -> int:
    for item in items:
        dest = media_root / _safe_relative(item["path"])
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".restoring")
        shutil.copyfile(extracted / item["path"], partial)
        partial.replace(dest)
    return len(items)


# --- helpers --------------------------------------------------------------------------------


def field_key_fingerprint(key: str) -> str:
    """Names a field-encryption key without revealing it, so a restore can tell whether the
    key that reads the backup's phones is configured."""
    return hashlib.sha256(b"linli-field-key:" + key.encode()).hexdigest()[:16]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _(
                "%(tool)s is not installed or not on PATH; install the PostgreSQL client (e.g. apt-get install "
                "postgresql-client) of the server's version or newer."
            )
            % {"tool": name}
        )
    return found


def _pg_connect_kwargs(database: dict) -> dict:
    kwargs = {"dbname": database["NAME"]}
    for key, arg in (("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")):
        if database.get(key):
            kwargs[arg] = str(database[key])
    for key, value in (database.get("OPTIONS") or {}).items():
        if key in {"sslmode", "sslrootcert", "sslcert", "sslkey", "options", "connect_timeout"}:
            kwargs[key] = value
    return kwargs


def _pg_env(database: dict) -> dict:
    """libpq's environment for pg_dump / pg_restore: the password never on a command line."""
    env = dict(os.environ)
    names = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
    for key, var in names.items():
        if database.get(key):
            env[var] = str(database[key])
    options = database.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("options", "PGOPTIONS")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(command: list[str], database: dict) -> None:
    done = subprocess.run(command, env=_pg_env(database), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": Path(command[0]).name, "error": done.stderr.strip()[-2000:]}
        )
