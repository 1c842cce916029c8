"""The default checklist's data migration goes back and forth.

On PostgreSQL through the migration executor, inside the test's transaction (rolled back
afterwards, migration record included). SQLite cannot open a schema editor inside a
transaction, so there the migration's two functions run against the historical models."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from linli.patrols.models import Checklist, ChecklistItem

migration = importlib.import_module("linli.patrols.migrations.0002_default_hygiene_checklist")


def _default():
    return Checklist.objects.filter(compound=None, community=None)


@pytest.mark.django_db
def test_default_checklist_functions_undo_and_redo():
    assert migration.Migration.operations[0].reversible
    state = MigrationExecutor(connection).loader.project_state(("patrols", "0002_default_hygiene_checklist"))
    migration.remove(state.apps, connection.schema_editor())
    assert not _default().exists() and not ChecklistItem.objects.exists()
    migration.create(state.apps, None)
    assert [i.text for i in _default().get().items.all()][:3] == ["楼道地面", "楼梯扶手", "电梯轿厢"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: no schema editor inside a transaction")
def test_default_checklist_migration_is_reversible():
    assert _default().count() == 1
    # Inside the test's transaction the rows a migration writes would leave deferred foreign-key
    # checks pending, and PostgreSQL alters no table with checks pending: check them at once.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("patrols", "0001_patrols_checklists_inspections")])
    assert not Checklist.objects.exists() and not ChecklistItem.objects.exists()
    executor = MigrationExecutor(connection)
    # Back up to the latest migration: the models read the columns later migrations add.
    (latest,) = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "patrols"]
    executor.migrate([latest])
    assert _default().get().items.count() == 8
