"""manage.py bench_data --size compound|street|district [--seed 2026]: the scale data set for
`make bench`, loaded with COPY into the PostgreSQL database of DATABASE_URL (created and
migrated when missing). It empties the tables it fills, so it only writes to a database whose
name says it is for benchmarks (contains "bench"). See linli/demo/scale.py and docs/bench.md."""

import argparse
import datetime as dt
from dataclasses import replace

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.demo import scale


class Command(BaseCommand):
    help = "Load the scale data set (a compound, a subdistrict or a district) into a PostgreSQL bench database."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(scale.SIZES), default="compound")
        parser.add_argument("--seed", type=int, default=2026, help="Same seed and day, same data.")
        parser.add_argument("--now", help="The moment the data ends (ISO date-time); default today 09:00.")
        # For tests: any number of homes (cases follow), in one compound below 5,000 homes.
        parser.add_argument("--homes", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, size, seed, now=None, homes=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                _("bench_data needs PostgreSQL: set DATABASE_URL, e.g. %(url)s.")
                % {"url": "postgres://postgres@127.0.0.1:5432/linli_bench"}
            )
        name = connection.settings_dict["NAME"]
        if "bench" not in name and not name.startswith("test_"):
            raise CommandError(
                _("bench_data empties the tables it fills: use a database whose name contains “bench”, not %(name)s.")
                % {"name": name}
            )
        self._ensure_database(name)
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(f"migrating {name}")
            call_command("migrate", verbosity=0, interactive=False)
        chosen = scale.SIZES[size]
        if homes:
            chosen = replace(chosen, homes=homes)
        moment = dt.datetime.fromisoformat(now) if now else None
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        self.stdout.write(f"bench data: {size}, {chosen.homes:,} homes, seed {seed}, into {name}")
        scale.load(size=chosen, seed=seed, now=moment, out=self.stdout.write)

    def _ensure_database(self, name: str) -> None:
        try:
            connection.ensure_connection()
        except OperationalError:
            db = connection.settings_dict
            params = {"user": db["USER"], "password": db["PASSWORD"] or None, "host": db["HOST"] or None,
                      "port": db["PORT"] or None}  # fmt: skip
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
                exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if exists:
                    raise
                self.stdout.write(f"creating database {name}")
                admin.execute(f'CREATE DATABASE "{name}"')
            connection.close()
            connection.ensure_connection()
