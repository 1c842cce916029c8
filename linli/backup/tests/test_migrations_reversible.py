"""Every migration of every app can be undone: migrating all apps to zero and back up again
leaves the same schema. Whatever apps exist are covered; a RunPython without reverse_code, or
an operation Django cannot reverse, fails here. Runs once per database (SQLite, PostgreSQL)."""

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor


def _schema(connection) -> dict:
    """Tables, their columns and their constraints and indexes, as the database reports them."""
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = sorted(
                (c.name, c.type_code, c.null_ok) for c in connection.introspection.get_table_description(cursor, table)
            )
            constraints = (
                (tuple(c["columns"]), c["primary_key"], c["unique"], c["index"], c["check"], c["foreign_key"])
                for c in connection.introspection.get_constraints(cursor, table).values()
            )
            # An expression index reports a column of None: compare them as text.
            constraints = sorted(constraints, key=repr)
            out[table] = (columns, constraints)
    return out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_app_migrates_to_zero_and_back_to_the_same_schema(world):
    connection = connections["default"]
    before = _schema(connection)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    apps = sorted(executor.loader.migrated_apps)
    assert {"accounts", "people", "places", "cases"} <= set(apps)

    # Down, with the test world's rows in the tables: data migrations must reverse over real rows.
    executor.migrate([(app, None) for app in apps])
    left = set(_schema(connection)) - {"django_migrations"}
    assert left == set(), f"tables left after migrating every app to zero: {sorted(left)}"

    executor = MigrationExecutor(connection)  # a fresh loader: the applied set changed
    executor.migrate(leaves)
    assert _schema(connection) == before
