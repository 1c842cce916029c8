"""A fresh database to restore into, of the vendor the suite runs on, and a way to read every
row of a database to compare two of them."""

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.utils import translation

from linli.backup import services


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in English; an operator sees them in LANGUAGE_CODE (Chinese).
    with translation.override("en"):
        yield


@pytest.fixture
def fresh_database(tmp_path):
    """The settings of an empty database: a new SQLite file, or a scratch PostgreSQL database
    (<test database>_restore) made here and dropped afterwards."""
    source = connections["default"].settings_dict
    target = dict(source)
    if connections["default"].vendor == "sqlite":
        target["NAME"] = str(tmp_path / "restored.sqlite3")
        yield target
        return
    import psycopg
    from psycopg import sql

    target["NAME"] = f"{source['NAME']}_restore"[:63]
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target["NAME"]))
    with psycopg.connect(**services._pg_connect_kwargs({**source, "NAME": "postgres"}), autocommit=True) as admin:
        admin.execute(drop)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
    yield target
    with psycopg.connect(**services._pg_connect_kwargs({**source, "NAME": "postgres"}), autocommit=True) as admin:
        admin.execute(drop)


def open_database(settings_dict: dict):
    """A Django connection to the database `settings_dict` describes, outside DATABASES."""
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(dict(settings_dict), alias="restored")


def every_row(wrapper) -> dict[str, list]:
    """Every table's rows (sorted, bytes as bytes) and every sequence's position."""
    out = {}
    with wrapper.cursor() as cursor:
        for table in wrapper.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {wrapper.ops.quote_name(table)}")
            rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()]
            out[table] = sorted(rows, key=repr)
        if wrapper.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")
        else:
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1"
            )
        out["(sequences)"] = cursor.fetchall()
    return out
