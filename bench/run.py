"""`make bench`: linli served as in production (gunicorn sync workers, DEBUG off, PostgreSQL
with the bench data of `make bench-data`), driven by wrk from other processes, at 1 and 32
clients, for the key requests of each role and a bare view as the floor. Writes
bench/results.json and bench/RESULTS.md. See docs/bench.md.

    .venv/bin/python bench/run.py [--duration 10] [--only clerk_queue,api_cases]

Needs LINLI_BENCH=1 in the server (set here): the responses then carry X-Queries, the number
of SQL queries each request ran. Cases it creates (submitting, the accept pool) are deleted
at the end, so runs on the same data compare.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/linli_bench"
LEVELS = (1, 32)
POOL = 4000  # fresh submitted cases per concurrency level of the transition
SLOW_MS = 2000  # a request slower than this alone is not run at 32 clients: it would only queue


@dataclass
class Scenario:
    name: str
    label: str
    path: str
    actor: str | None = None  # username whose session (or token, for the API) is sent
    method: str = "GET"
    body: str = ""
    api: bool = False
    pool: list[str] = field(default_factory=list)  # codes for {code} in the path
    note: str = ""


# --- the server -------------------------------------------------------------------------------


def server_env(args) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    env.setdefault("LINLI_VAR_DIR", str(ROOT / "var" / "bench"))
    env.update(LINLI_BENCH="1", DEBUG="0", DJANGO_SETTINGS_MODULE="linli.settings")
    return env


def start_server(env, args) -> subprocess.Popen:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    cmd = [str(gunicorn), "linli.wsgi:application", "--bind", f"127.0.0.1:{args.port}", "--workers",
           str(args.workers), "--worker-class", "sync", "--log-level", "warning", "--timeout", "120"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/bench/bare/", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.5)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer on /bench/bare/ (is LINLI_BENCH honoured?)")


def wait_idle(base: str) -> None:
    """After a run at 32 clients the workers still owe the requests wrk gave up waiting for:
    wait until a bare request is answered at once, so the next measurement starts clean."""
    for _ in range(600):
        started = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(base + "/bench/bare/", timeout=600).read()
        if time.monotonic() - started < 0.2:
            return


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


class MemoryWatch(threading.Thread):
    """The resident memory of gunicorn's master and workers, sampled twice a second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_total, self.peak_worker, self.running = pid, 0, 0, True

    def run(self):
        while self.running:
            sizes = [_rss(p) for p in [self.pid, *_children(self.pid)]]
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_worker = max(self.peak_worker, max(sizes[1:], default=0))
            time.sleep(0.5)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# --- sessions ---------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    def __init__(self, base: str):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def open(self, path: str, data: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            resp = self.opener.open(req, timeout=120)
        except urllib.error.HTTPError as exc:  # 3xx (not followed) and 4xx/5xx
            resp = exc
        return resp.status, dict(resp.headers), resp.read()

    def login(self, username: str, password: str) -> None:
        self.open("/login/")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        status, _h, _b = self.open("/login/", urllib.parse.urlencode(form).encode())
        if status != 302 or not self.cookie("sessionid"):
            raise SystemExit(f"could not log in as {username}: HTTP {status}")

    def headers(self) -> list[str]:
        return [f"Cookie: csrftoken={self.cookie('csrftoken')}; sessionid={self.cookie('sessionid')}",
                f"X-CSRFToken: {self.cookie('csrftoken')}", "Referer: " + self.base + "/"]  # fmt: skip


def token(base: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password, "name": "bench"}).encode()
    req = urllib.request.Request(base + "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=60).read())["token"]


# --- what is measured -------------------------------------------------------------------------


def scenarios(fx) -> list[Scenario]:
    """The key requests of each role that exist today, on the bench actors' places."""
    submit = urllib.parse.urlencode({"compound": fx["compound"], "building": fx["building"],
                                     "stairwell": fx["stairwell"], "category": "maintenance",
                                     "title": "3楼楼道灯不亮", "on_public_board": "on",
                                     "description": "3楼楼道灯坏了一周，晚上上下楼很黑。"})  # fmt: skip
    accept = "accept-version=1&accept-note="
    return [
        Scenario("bare", "bare Django view (the floor)", "/bench/bare/"),
        Scenario("leader_stairwell", "leader: his stairwell", f"/places/stairwell/{fx['stairwell']}/", "bench-leader"),
        Scenario("clerk_queue", "clerk: the case queue", "/cases/", "bench-clerk"),
        Scenario("case_page", "clerk: a case page", f"/cases/{fx['case']}/", "bench-clerk"),
        Scenario("resident_home", "resident: home page", "/", "bench-resident"),
        Scenario("public_board", "public board of a compound", f"/r/board/{fx['compound']}/"),
        Scenario("api_homes", "API /homes (community worker)", "/api/v1/homes", "bench-worker", api=True),
        Scenario("api_residents", "API /residents (community worker)", "/api/v1/residents", "bench-worker", api=True),
        Scenario("api_cases", "API /cases (community worker)", "/api/v1/cases", "bench-worker", api=True),
        Scenario("api_cases_admin", "API /cases (subdistrict admin)", "/api/v1/cases", "bench-admin", api=True),
        Scenario(
            "api_organisations",
            "API /organisations (community worker)",
            "/api/v1/organisations",
            "bench-worker",
            api=True,
        ),  # fmt: skip
        Scenario(
            "api_compounds",
            "API /places/compounds (community worker)",
            "/api/v1/places/compounds",
            "bench-worker",
            api=True,
        ),  # fmt: skip
        Scenario(
            "api_activities",
            "API /volunteers/activities (community worker)",
            "/api/v1/volunteers/activities",
            "bench-worker",
            api=True,
        ),
        Scenario(
            "api_teams",
            "API /volunteers/teams (community worker)",
            "/api/v1/volunteers/teams",
            "bench-worker",
            api=True,
        ),
        Scenario("api_meetings", "API /meetings (community worker)", "/api/v1/meetings", "bench-worker", api=True),
        Scenario("api_votes", "API /votes (community worker)", "/api/v1/votes", "bench-worker", api=True),
        Scenario("api_campaigns", "API /campaigns (community worker)", "/api/v1/campaigns", "bench-worker", api=True),
        Scenario("results_dashboard", "worker: the results dashboard", "/results/dashboard/", "bench-worker"),
        Scenario("results_dashboard_admin", "admin: the subdistrict's dashboard", "/results/dashboard/", "bench-admin"),
        Scenario(
            "results_buildings",
            "worker: a compound's building grid",
            f"/results/buildings/?place=compound:{fx['compound']}",
            "bench-worker",
        ),
        Scenario("results_public", "a compound's public results page", f"/results/public/compound/{fx['compound']}/"),
        Scenario(
            "api_results_series",
            "API /results/series (community worker)",
            "/api/v1/results/series",
            "bench-worker",
            api=True,
        ),
        Scenario(
            "api_results_buildings",
            "API /results/buildings (community worker)",
            f"/api/v1/results/buildings?compound={fx['compound']}",
            "bench-worker",
            api=True,
        ),
        *capability_scenarios(fx),
        Scenario(
            "submit_case",
            "resident: submit a case (POST)",
            "/r/new/",
            "bench-resident",
            "POST",
            submit,
            note="each request files a new case in the resident's stairwell",
        ),  # fmt: skip
        Scenario(
            "transition",
            "clerk: accept a case (POST)",
            "/cases/{code}/act/accept/",
            "bench-clerk",
            "POST",
            accept,
            note=f"a fresh submitted case per request, from a pool of {POOL}",
        ),  # fmt: skip
    ]


def capability_scenarios(fx) -> list[Scenario]:
    """The pages of votes and campaigns, when the bench data has them in the bench compound's
    community (the scale generator makes them: docs/bench.md)."""
    out = []
    if fx.get("vote_open"):
        out.append(Scenario("vote_turnout", "worker: a vote's live turnout", f"/votes/{fx['vote_open']}/turnout/",
                            "bench-worker"))  # fmt: skip
    if fx.get("vote_closed"):
        out.append(Scenario("vote_result", "a vote's tally (public result)", f"/v/{fx['vote_closed']}/result/"))
    if fx.get("vote_open"):  # the scale generator's votes, meetings and activities (issue 10)
        out.append(Scenario("vote_page", "worker: a vote's page", f"/votes/{fx['vote_open']}/", "bench-worker"))
        out.append(Scenario("api_vote_turnout", "API a vote's live turnout (community worker)",
                            f"/api/v1/votes/{fx['vote_open']}/turnout", "bench-worker", api=True))  # fmt: skip
    if fx.get("meeting"):
        out.append(Scenario("meetings_list", "worker: the meetings list", "/meetings/", "bench-worker"))
        out.append(Scenario("meeting_page", "worker: a held meeting's page", f"/meetings/{fx['meeting']}/",
                            "bench-worker"))  # fmt: skip
    if fx.get("activity"):
        out.append(Scenario("activities_list", "worker: the volunteer activities", "/volunteers/", "bench-worker"))
        out.append(Scenario("activity_page", "worker: an activity's page", f"/volunteers/a/{fx['activity']}/",
                            "bench-worker"))  # fmt: skip
    if fx.get("volunteer"):
        out.append(Scenario("volunteer_hours", "worker: a volunteer's hours", f"/volunteers/hours/{fx['volunteer']}/",
                            "bench-worker"))  # fmt: skip
    if fx.get("campaign"):
        out.append(Scenario("campaign_progress", "worker: a campaign's progress", f"/campaigns/{fx['campaign']}/",
                            "bench-worker"))  # fmt: skip
        out.append(Scenario("api_campaign_progress", "API a campaign's progress (community worker)",
                            f"/api/v1/campaigns/{fx['campaign']}/progress", "bench-worker", api=True))  # fmt: skip
    return out


def wrk(base: str, sc: Scenario, headers: list[str], clients: int, seconds: int, pool_file: str) -> dict:
    threads = 1 if clients == 1 else 2
    with tempfile.NamedTemporaryFile("w", suffix=".body", delete=False) as f:
        f.write(sc.body)
    cmd = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "60s",
           "-s", str(ROOT / "bench" / "wrk.lua"), base, "--", sc.method, sc.path, f.name if sc.body else "",
           pool_file, str(threads), *headers]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120).stdout
    os.unlink(f.name)
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# --- fixtures, in this process through Django --------------------------------------------------


def django_setup(env) -> None:
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "LINLI_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
    os.environ["LINLI_BENCH"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fixtures() -> dict:
    from linli.accounts.models import User
    from linli.campaigns.models import Campaign, CampaignStatus
    from linli.cases.access import visible_cases
    from linli.cases.models import Case, Status
    from linli.places.models import Compound, Stairwell
    from linli.votes.models import Vote

    users = {u.username: u for u in User.objects.filter(username__startswith="bench-").select_related("person")}
    if "bench-clerk" not in users:
        raise SystemExit("no bench data in this database: run `make bench-data SIZE=street` first")
    stairwell = (
        Stairwell.objects.filter(building__leader_assignments__person=users["bench-leader"].person)
        .select_related("building")
        .order_by("pk")
        .first()
    )
    case = (
        visible_cases(users["bench-clerk"])
        .filter(status__in=[Status.IN_PROGRESS, Status.ACCEPTED, Status.DISPATCHED])
        .order_by("-submitted_at")
        .first()
    )
    compound_id = stairwell.building.compound_id
    votes = Vote.objects.filter(compound_id=compound_id).order_by("-pk")
    community_id = Compound.objects.filter(pk=compound_id).values_list("community_id", flat=True).first()
    return {
        "vote_open": votes.filter(status=Vote.Status.OPEN).values_list("code", flat=True).first(),
        "vote_closed": votes.filter(status=Vote.Status.PUBLISHED).values_list("code", flat=True).first(),
        "campaign": Campaign.objects.filter(community_id=community_id, status=CampaignStatus.RUNNING)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
        **_scale_fixtures(compound_id, community_id),
        "users": users,
        "stairwell": stairwell.pk,
        "building": stairwell.building_id,
        "compound": stairwell.building.compound_id,
        "case": case.code,
        "last_case": Case.objects.order_by("-pk").values_list("pk", flat=True).first(),
    }


def _scale_fixtures(compound_id, community_id) -> dict:
    """A held meeting, a past activity and a volunteer with hours in the bench community."""
    from linli.meetings.models import Meeting
    from linli.volunteers.models import Activity, HoursEntry

    past = Activity.objects.filter(organisation__community_id=community_id, hours__isnull=False)
    return {
        "meeting": Meeting.objects.filter(community_id=community_id, status=Meeting.Status.HELD)
        .order_by("-starts")
        .values_list("code", flat=True)
        .first(),
        "activity": past.order_by("-starts_at").values_list("code", flat=True).first(),
        "volunteer": HoursEntry.objects.filter(activity__organisation__community_id=community_id)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .first(),
    }


def accept_pool(fx, n: int) -> list[str]:
    """n fresh submitted cases for the clerk's company in the bench compound, as submit() leaves them."""
    from django.utils import timezone

    from linli.cases import deadlines
    from linli.cases.models import Case, Category, Event, Status, new_code
    from linli.people.models import PropertyServicePeriod
    from linli.places.models import Compound

    now = timezone.now()
    compound = Compound.objects.get(pk=fx["compound"])
    category = Category.objects.get(code="maintenance")
    company = PropertyServicePeriod.objects.active().get(compound_id=fx["compound"]).company
    reply_due, resolve_due = deadlines.dues(now, category.default_kind)
    cases = Case.objects.bulk_create(
        Case(code=new_code(), kind=category.default_kind, category=category, title="单元门禁坏了",
             description="单元门禁刷卡没有反应，门一直关不上。", community_id=compound.community_id,
             compound_id=fx["compound"], building_id=fx["building"], stairwell_id=fx["stairwell"],
             secret_hash="-", organisation=company, status=Status.SUBMITTED, submitted_at=now,
             reply_due=reply_due, resolve_due=resolve_due)
        for _ in range(n)
    )  # fmt: skip
    Event.objects.bulk_create(
        Event(case=c, type=Event.Type.TRANSITION, action="submit", to_status=Status.SUBMITTED,
              actor_label=Event.RESIDENT, at=now, public=True, organisation=company)
        for c in cases
    )  # fmt: skip
    return [c.code for c in cases]


def cleanup(fx) -> int:
    """Delete the cases this run made, so the next run meets the same data."""
    from django.db import connection

    from linli.cases.models import Case, Event

    made = Case.objects.filter(pk__gt=fx["last_case"] or 0)
    Event.objects.filter(case__in=made).delete()
    removed = made.delete()[0]
    with connection.cursor() as cur:  # the dead rows would slow the next run's scans
        cur.execute("VACUUM (ANALYZE, INDEX_CLEANUP ON) cases_case, cases_event")
    return removed


def data_size() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname IN ('places_home', 'people_person', "
            "'cases_case', 'cases_event', 'places_community', 'places_compound') ORDER BY relname"
        )
        return dict(cur.fetchall())


# --- the run ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per request and level")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", default="", help="comma-separated scenario names (bare always runs)")
    parser.add_argument("--out", default=str(ROOT / "bench"), help="folder for results.json and RESULTS.md")
    args = parser.parse_args()
    env = server_env(args)
    django_setup(env)
    fx = fixtures()
    base = f"http://127.0.0.1:{args.port}"
    from linli.demo.scale import PASSWORD as password

    chosen = [s for s in scenarios(fx) if not args.only or s.name == "bare" or s.name in args.only.split(",")]
    args.load_start = os.getloadavg()[0]  # other work on the machine skews every figure: say how much
    server = start_server(env, args)
    memory = MemoryWatch(server.pid)
    memory.start()
    results, started = [], time.monotonic()
    try:
        clients = {}
        for username in {s.actor for s in chosen if s.actor and not s.api}:
            clients[username] = Client(base)
            clients[username].login(username, password)
        tokens = {u: token(base, u, password) for u in {s.actor for s in chosen if s.api}}
        for sc in chosen:
            headers = ["Authorization: Bearer " + tokens[sc.actor]] if sc.api else []
            if sc.actor and not sc.api:
                headers = clients[sc.actor].headers()
            if sc.method == "POST":
                headers.append("Content-Type: application/x-www-form-urlencoded")
                token_field = "csrfmiddlewaretoken=" + clients[sc.actor].cookie("csrftoken")
                sc.body = f"{sc.body}&{token_field}"
            row = {"name": sc.name, "label": sc.label, "method": sc.method, "path": sc.path, "actor": sc.actor,
                   "note": sc.note}  # fmt: skip
            pool_file = ""
            if "{code}" in sc.path:
                sc.pool = accept_pool(fx, POOL * len(LEVELS) + 1)
                probe_path = sc.path.replace("{code}", sc.pool.pop())
            else:
                probe_path = sc.path
            row.update(probe(base, sc, probe_path, headers))
            for level in LEVELS:
                if level > 1 and row["probe_ms"] > SLOW_MS:
                    row[f"c{level}"] = None  # it would only queue: see the note
                    row["note"] = (row["note"] + "; " if row["note"] else "") + (
                        f"one request takes {row['probe_ms'] / 1000:.1f} s: not run at {level} clients"
                    )
                    continue
                if sc.pool:
                    with tempfile.NamedTemporaryFile("w", suffix=".codes", delete=False) as f:
                        f.write("\n".join(sc.pool[:POOL]) + "\n")
                    pool_file, sc.pool = f.name, sc.pool[POOL:]
                elif row["probe_ms"] < SLOW_MS:
                    wrk(base, sc, headers, level, 2, "")  # warm up
                    wait_idle(base)
                got = row[f"c{level}"] = wrk(base, sc, headers, level, args.duration, pool_file)
                wait_idle(base)
                if pool_file:
                    os.unlink(pool_file)
                if not got["requests"]:  # slower than the run: the probe's time stands for it
                    got.update(rps=1000 / row["probe_ms"], p50=row["probe_ms"] * 1000, p90=row["probe_ms"] * 1000,
                               p95=row["probe_ms"] * 1000, p99=row["probe_ms"] * 1000)  # fmt: skip
                print(f"{sc.name:<20} c={level:<3} {got['rps']:8.1f} req/s  p95 {got['p95'] / 1000:8.1f} ms  "
                      f"queries {row['queries']}", flush=True)  # fmt: skip
            results.append(row)
    finally:
        memory.running = False
        stop_server(server)
        removed = cleanup(fx)
    report(results, args, memory, removed, time.monotonic() - started)


def probe(base: str, sc: Scenario, path: str, headers: list[str]) -> dict:
    """One request outside wrk, for its status, size and SQL query count."""
    req = urllib.request.Request(base + path, data=sc.body.encode() if sc.method == "POST" else None, method=sc.method)
    for header in headers:
        name, value = header.split(": ", 1)
        req.add_header(name, value)
    started = time.monotonic()
    try:
        resp = urllib.request.build_opener(NoRedirect).open(req, timeout=600)
    except urllib.error.HTTPError as exc:
        resp = exc
    body = resp.read()
    headers = resp.headers
    return {"probe_ms": (time.monotonic() - started) * 1000, "status": resp.status, "bytes": len(body),
            "queries": int(headers.get("X-Queries", -1)), "db_ms": float(headers.get("X-DB-Ms", -1))}  # fmt: skip


def report(results: list[dict], args, memory: MemoryWatch, removed: int, seconds: float) -> None:
    floor = {level: next(r[f"c{level}"]["rps"] for r in results if r["name"] == "bare") for level in LEVELS}
    for r in results:
        for level in LEVELS:
            if r[f"c{level}"] is not None:
                r[f"c{level}"]["share_of_floor"] = r[f"c{level}"]["rps"] / floor[level]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    meta = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "commit": commit.stdout.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "gunicorn_workers": args.workers,
        "seconds_per_level": args.duration,
        "data": data_size(),
        "peak_rss_total_mb": round(memory.peak_total / 2**20, 1),
        "peak_rss_worker_mb": round(memory.peak_worker / 2**20, 1),
        "cases_made_and_removed": removed,
        "run_seconds": round(seconds),
        "load_average": [round(getattr(args, "load_start", -1), 1), round(os.getloadavg()[0], 1)],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2, ensure_ascii=False))
    (out / "RESULTS.md").write_text(markdown(meta, results))
    print(f"wrote {out}/results.json and {out}/RESULTS.md ({seconds:.0f} s)")


def markdown(meta: dict, results: list[dict]) -> str:
    data = meta["data"]
    lines = [
        "# make bench: results",
        "",
        f"{meta['date']}, commit {meta['commit']}, {meta['machine']} (shared with PostgreSQL and wrk), gunicorn "
        f"{meta['gunicorn_workers']} sync workers, DEBUG off, {meta['seconds_per_level']} s per request and level.",
        f"Data: {data.get('places_home', 0):,} homes, {data.get('people_person', 0):,} people, "
        f"{data.get('places_community', 0):,} communities, {data.get('places_compound', 0):,} compounds, "
        f"{data.get('cases_case', 0):,} cases, {data.get('cases_event', 0):,} case events (planner estimates).",
        f"Peak memory (RSS): {meta['peak_rss_total_mb']} MB for gunicorn in all, {meta['peak_rss_worker_mb']} MB "
        "for the largest worker.",
        *(
            [
                f"Load average (1 min) at the start and the end of the run: {meta['load_average'][0]} and "
                f"{meta['load_average'][1]}, on {os.cpu_count()} cores: compare runs made under like load."
            ]
            if "load_average" in meta
            else []
        ),
        "",
        "Latency in ms; req/s is throughput; floor share is the throughput as a share of the bare view's at the "
        "same level. SQL ms is the time one request (outside wrk) spent in its queries. Targets (issue 10): "
        "p95 < 50 ms at 1 client; at 32 clients at least half the floor.",
        "",
        "| request | queries | SQL ms | 1 client p50 / p95 / p99 | req/s | floor share | 32 clients p50 / p95 / p99 "
        "| req/s | floor share |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        cells, misses, errors = [], False, 0
        for level in LEVELS:
            got = r[f"c{level}"]
            if got is None:
                cells.append("not run | | ")
                misses = True
                continue
            cells.append(f"{_ms(got['p50'])} / {_ms(got['p95'])} / {_ms(got['p99'])} | {got['rps']:.1f} "
                         f"| {got['share_of_floor']:.0%}")  # fmt: skip
            errors += got["status_errors"] + got["socket_errors"]
            misses |= (level == 1 and got["p95"] > 50_000) or (level > 1 and got["share_of_floor"] < 0.5)
        flag = " ⚠" if misses and r["name"] != "bare" else ""
        label = f"{r['label']}{flag}" + (f" ({errors} errors)" if errors else "")
        sql_ms = f"{r['db_ms']:.1f}" if r.get("db_ms", -1) >= 0 else ""
        lines.append(f"| {label} | {r['queries']} | {sql_ms} | " + " | ".join(cells) + " |")
    lines += ["", "⚠ misses a target. Requests:", ""]
    for r in results:
        note = f" — {r['note']}" if r["note"] else ""
        lines.append(f"- {r['label']}: `{r['method']} {r['path']}` as {r['actor'] or 'anonymous'}, "
                     f"HTTP {r['status']}, {r['bytes']:,} bytes{note}")  # fmt: skip
    return "\n".join(lines) + "\n"


def _ms(us: int) -> str:
    return f"{us / 1000:.1f}"


if __name__ == "__main__":
    main()
