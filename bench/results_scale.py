"""The results pages at street scale, in process (the `summary` measurement behind
docs/bench.md, "Results at street scale"): each request's time and SQL queries, DEBUG off.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/linli_bench_scale LINLI_VAR_DIR=/tmp/var_scale \
        .venv/bin/python bench/results_scale.py [--repeat 3] [--explain]

Reads only; needs the bench data (`make bench-data SIZE=street`). With summaries
(`manage.py results_summarise --since <a year ago>`) the subdistrict's closed months read rows
(docs/bench.md, "Summaries"); `--only admin` measures the subdistrict administrator's requests."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) the slowest queries")
    parser.add_argument("--only", default="")
    parser.add_argument("--period", default="", help="e.g. 2026-12 (the open month); default: the pages' default")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    from linli.accounts.models import User
    from linli.people.models import LeaderAssignment

    worker = User.objects.get(username="bench-worker")
    admin = User.objects.get(username="bench-admin")
    leader = User.objects.get(username="bench-leader")
    compound = (
        LeaderAssignment.objects.filter(person=leader.person).values_list("building__compound_id", flat=True).first()
    )
    requests = [
        ("results_index_admin", admin, "/results/"),
        ("results_index_worker", worker, "/results/"),
        ("results_dashboard_admin", admin, "/results/dashboard/"),
        ("results_dashboard", worker, "/results/dashboard/"),
        ("results_buildings", worker, f"/results/buildings/?place=compound:{compound}"),
        ("api_results_series", worker, "/api/v1/results/series"),
        ("api_results_series_admin", admin, "/api/v1/results/series"),
        ("api_results_values_admin", admin, "/api/v1/results/values"),
    ]
    print(f"load average {os.getloadavg()}")
    for name, user, url in requests:
        if args.only and args.only not in name:
            continue
        if args.period:
            url += ("&" if "?" in url else "?") + f"period={args.period}"
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        times, slow = [], []
        for _i in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, response.status_code)
            slow = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
        print(
            f"{name:28} {url:50} median {statistics.median(times):8.0f} ms  min {min(times):6.0f}  queries {len(ctx)}"
        )
        for q in slow:
            print(f"    {float(q['time']) * 1000:7.0f} ms  {q['sql'][:160]}")
        if args.explain:
            for q in slow[:2]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    print("\n".join("      " + r[0] for r in cursor.fetchall()))


if __name__ == "__main__":
    main()
