"""`make soak`: ten minutes of mixed traffic from every role at a steady rate on two app
processes (two gunicorn masters, sync workers, DEBUG off, PostgreSQL, Redis), with faults
mid-run: at 1/3 one app process is killed with SIGKILL and restarted 10 s later, at 2/3 Redis
is shut down and restarted. Every write answered 2xx is recorded and looked up in the
database at the end: each must be there exactly once. Writes bench/SOAK.md and
bench/soak.json; exits 1 on FAIL. See docs/soak.md.

    .venv/bin/python bench/soak.py [--seconds 600] [--rate 30]

Uses the bench data set (`bench_data --size compound`) in DATABASE_URL (default
linli_bench_soak, made when missing by scripts/soak.sh) and starts its own Redis on
--redis-port, so restarting it disturbs nothing else on the machine.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import http.client
import itertools
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from run import Client, _children, _rss, django_setup, stop_server

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/linli_bench_soak"
RESIDENTS = 40  # residents of the bench building with an API token each
TOPICS = ACTIVITIES = 40  # so 1,600 distinct supports and sign-ups can be made
SAMPLE_EVERY = 10  # seconds between memory samples
RSS_GROWTH = 0.10  # "flat": the last minute within 10% of the level after the 2nd minute


class Refused(Exception):
    """Nothing was sent: the port is closed (a dead process). Safe to send elsewhere."""


class InFlight(Exception):
    """The request was sent, then the connection broke: it may or may not have been done."""


# --- the app processes and Redis -------------------------------------------------------------


class Server:
    def __init__(self, name: str, port: int, env: dict, workers: int):
        self.name, self.port, self.env, self.workers, self.proc = name, port, env, workers, None
        self.started_at = 0.0

    def start(self) -> None:
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        cmd = [str(gunicorn), "linli.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers",
               str(self.workers), "--worker-class", "sync", "--log-level", "warning", "--timeout", "60"]  # fmt: skip
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, start_new_session=True)
        self.started_at = time.monotonic()
        for _ in range(240):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5).read()
                return
            time.sleep(0.25)
        raise SystemExit(f"gunicorn {self.name} did not answer /healthz on port {self.port}")

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: a crashed machine, not a shutdown."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            stop_server(self.proc)

    def worker_rss(self) -> int:
        if not self.proc or self.proc.poll() is not None:
            return 0
        return sum(_rss(p) for p in _children(self.proc.pid))


class Redis:
    """Our own redis-server, started as scripts/services.sh starts the shared one."""

    def __init__(self, port: int, folder: str):
        self.port, self.folder = port, folder
        self.available = bool(shutil.which("redis-server") and shutil.which("redis-cli"))

    def start(self) -> None:
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(self.port),
                        "--save", "", "--appendonly", "no", "--dir", self.folder,
                        "--pidfile", f"{self.folder}/redis.pid", "--logfile", f"{self.folder}/redis.log"],
                       check=True, capture_output=True)  # fmt: skip
        for _ in range(100):
            if self.ping():
                return
            time.sleep(0.1)
        raise SystemExit(f"redis-server did not start on port {self.port}")

    def ping(self) -> bool:
        cmd = ["redis-cli", "-p", str(self.port), "ping"]
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip() == "PONG"

    def shutdown(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)
        for _ in range(100):
            if not self.ping():
                return
            time.sleep(0.1)


# --- the balancer ------------------------------------------------------------------------------


class Balancer:
    """Each request to the next process in rotation, as a load balancer does: a refused
    connection (nothing was sent) is sent to the other process instead, and counted, and the
    refusing process leaves the rotation until its /healthz answers 200 again (checked every
    second), so a restarting process gets no traffic before its workers are up."""

    def __init__(self, ports: list[int], note):
        self.ports, self.turn, self.lock, self.note = ports, itertools.count(), threading.Lock(), note
        self.retries, self.down, self.running = 0, set(), True
        threading.Thread(target=self._check, daemon=True).start()

    def send(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, dict, bytes, int]:
        with self.lock:
            live = [p for p in self.ports if p not in self.down] or self.ports
            first = next(self.turn) % len(live)
            order = live[first:] + live[:first] + [p for p in self.ports if p not in live]
        for i, port in enumerate(order):
            try:
                status, head, data = _send(port, method, path, body, headers)
                return status, head, data, port
            except Refused:
                with self.lock:
                    if port not in self.down:
                        self.down.add(port)
                        self.note(f"balancer: port {port} refused a connection, out of rotation")
                    if i + 1 < len(order):
                        self.retries += 1
        raise Refused("every app process refused the connection")

    def _check(self) -> None:
        while self.running:
            for port in list(self.down):
                with contextlib.suppress(OSError, Refused, InFlight):
                    if _send(port, "GET", "/healthz", None, {})[0] == 200:
                        with self.lock:
                            self.down.discard(port)
                        self.note(f"balancer: port {port} healthy, back in rotation")
            time.sleep(1)


def _send(port: int, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        try:
            conn.connect()
        except ConnectionRefusedError as exc:
            raise Refused(str(exc)) from None
        try:
            conn.request(method, path, body, headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        except (ConnectionError, http.client.HTTPException, TimeoutError) as exc:
            raise InFlight(f"{type(exc).__name__}: {exc}") from None
    finally:
        conn.close()


# --- fixtures (through Django, in this process) -----------------------------------------------


def fixtures(run_id: str) -> dict:
    """The bench actors, RESIDENTS residents of the bench building with API tokens, and topics
    and volunteer activities for them to support and sign up to (the bench data has none)."""
    from django.utils import timezone

    from linli.accounts.models import ApiToken, User
    from linli.campaigns.models import Assignment, Campaign, CampaignStatus
    from linli.people.models import Occupancy, Organisation
    from linli.places.models import Stairwell
    from linli.topics import services as topics
    from linli.volunteers.models import Activity, ActivityKind

    users = {u.username: u for u in User.objects.filter(username__startswith="bench-").select_related("person")}
    if "bench-clerk" not in users:
        raise SystemExit("no bench data in this database: run `make bench-data SIZE=compound` into it first")
    stairwell = (
        Stairwell.objects.filter(building__leader_assignments__person=users["bench-leader"].person)
        .select_related("building__compound")
        .order_by("pk")
        .first()
    )
    building, compound = stairwell.building, stairwell.building.compound
    # Residents of the bench building with a login of their own: made on the first run, reused after.
    taken = set(
        User.objects.exclude(person=None).exclude(username__startswith="soak-").values_list("person_id", flat=True)
    )
    occupancies = (
        Occupancy.objects.filter(home__stairwell__building=building, relation=Occupancy.Relation.OWNER)
        .exclude(person_id__in=taken)
        .select_related("home")
        .order_by("pk")[: RESIDENTS * 3]
    )
    residents, seen = [], set()
    for i, occ in enumerate(occupancies):
        if occ.person_id in seen or len(residents) == RESIDENTS:  # one entry per person: each supports once
            continue
        seen.add(occ.person_id)
        user = User.objects.filter(person_id=occ.person_id).first()
        if user is None:
            user = User.objects.create(username=f"soak-r{i}-{run_id}", person_id=occ.person_id)
            user.set_unusable_password()
            user.save(update_fields=["password"])
        key = ApiToken.issue(user=user, name="soak")[1]
        residents.append({"user": user.pk, "person": occ.person_id, "home": occ.home_id,
                          "stairwell": occ.home.stairwell_id, "token": key})  # fmt: skip
    if len(residents) < RESIDENTS:
        raise SystemExit(f"only {len(residents)} residents without a login in the bench building")
    tokens = {name: ApiToken.issue(user=u, name="soak")[1] for name, u in users.items()}
    proposer = User.objects.get(pk=residents[0]["user"])
    topic_codes = [
        topics.propose(user=proposer, place=building, title=f"楼道议题 {run_id} {i}", text="加装扶手、修好楼道灯").code
        for i in range(TOPICS)
    ]
    team = Organisation.objects.create(kind=Organisation.Kind.VOLUNTEER_TEAM, name=f"soak {run_id} 志愿队",
                                       subdistrict_id=compound.community.subdistrict_id,
                                       community_id=compound.community_id, compound=compound)  # fmt: skip
    start = timezone.now() + dt.timedelta(days=3)
    activity_codes = [
        Activity.objects.create(organisation=team, kind=ActivityKind.SERVICE_DAY, title=f"周日义剪 {i}",
                                venue="小区广场", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                created_by=users["bench-worker"]).code
        for i in range(ACTIVITIES)
    ]  # fmt: skip
    campaign = (
        Campaign.objects.filter(community_id=compound.community_id, status=CampaignStatus.RUNNING)
        .order_by("-pk")
        .first()
    )
    visit_homes = []
    if campaign:
        visit_homes = list(
            Assignment.objects.filter(campaign=campaign, visitor=users["bench-leader"].person)
            .order_by("home_id")
            .values_list("home_id", flat=True)[:200]
        )
    return {
        "users": users,
        "tokens": tokens,
        "residents": residents,
        "stairwell": stairwell.pk,
        "building": building.pk,
        "compound": compound.pk,
        "topics": topic_codes,
        "activities": activity_codes,
        "campaign": campaign.pk if campaign else None,
        "visit_homes": visit_homes,
    }


# --- the traffic --------------------------------------------------------------------------------


class Soak:
    def __init__(self, fx: dict, balancer: Balancer, sessions: dict, seed: int):
        self.fx, self.lb, self.sessions = fx, balancer, sessions
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.t0 = 0.0
        self.stats: dict[str, dict] = collections.defaultdict(lambda: {"n": 0, "status": collections.Counter(),
                                                                       "ms": []})  # fmt: skip
        self.errors: list[dict] = []
        self.inflight: list[dict] = []
        self.writes: list[dict] = []
        self.counter = itertools.count()
        self.cases: dict[int, list[dict]] = collections.defaultdict(list)  # resident index -> cases filed
        self.to_accept: collections.deque = collections.deque()
        self.to_reply: collections.deque = collections.deque()
        self.pairs = {"support": set(), "signup": set()}
        self.visit_turn = itertools.count()
        self.lateness_ms: list[float] = []
        self.log: list[tuple[float, str, int]] = []  # (start, kind, status) of every answered request
        self.series: dict[int, list[float]] = collections.defaultdict(list)  # 10 s span -> latencies

    # one request: timings, the expected statuses, errors
    def call(self, kind: str, method: str, path: str, *, actor: str | None = None, token: str | None = None,
             body=None, expect=(200,), xff: str | None = None, write: dict | None = None):  # fmt: skip
        headers = {"Accept-Language": "en"}
        data = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if actor:
            client = self.sessions[actor]
            headers["Cookie"] = f"csrftoken={client.cookie('csrftoken')}; sessionid={client.cookie('sessionid')}"
            headers["X-CSRFToken"] = client.cookie("csrftoken")
            headers["Referer"] = client.base + "/"
        if isinstance(body, dict):
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif isinstance(body, str):
            if actor:
                body += "&csrfmiddlewaretoken=" + self.sessions[actor].cookie("csrftoken")
            data, headers["Content-Type"] = body.encode(), "application/x-www-form-urlencoded"
        if xff:
            headers["X-Forwarded-For"] = xff
        started = time.monotonic()
        try:
            status, head, payload, port = self.lb.send(method, path, data, headers)
        except InFlight as exc:
            with self.lock:
                self.stats[kind]["n"] += 1
                self.stats[kind]["status"]["in-flight"] += 1
                self.inflight.append({"t": round(started - self.t0, 1), "kind": kind, "path": path, "error": str(exc)})
                if write:
                    self.writes.append({**write, "uncertain": True})
            return None
        except Refused as exc:
            self._error(kind, path, started, "refused", str(exc))
            return None
        ms = (time.monotonic() - started) * 1000
        with self.lock:
            s = self.stats[kind]
            s["n"] += 1
            s["status"][str(status)] += 1
            s["ms"].append(ms)
            self.series[int((started - self.t0) // SAMPLE_EVERY)].append(ms)
            self.log.append((round(started - self.t0, 2), kind, status))
        if status not in expect:
            self._error(kind, path, started, status, payload[:300].decode("utf-8", "replace"), port=port)
            return None
        if write:
            with self.lock:
                self.writes.append({**write, "uncertain": False})
        return status, head, payload

    def _error(self, kind, path, started, status, detail, port=None):
        with self.lock:
            if status == "refused":
                self.stats[kind]["n"] += 1
                self.stats[kind]["status"]["refused"] += 1
            self.errors.append({"t": round(started - self.t0, 1), "kind": kind, "path": path, "status": status,
                                "port": port, "detail": detail})  # fmt: skip

    def resident(self) -> tuple[int, dict]:
        i = self.rng.randrange(len(self.fx["residents"]))
        return i, self.fx["residents"][i]

    # --- residents
    def submit_case_api(self):
        i, r = self.resident()
        title = f"soak {next(self.counter)} {uuid.uuid4().hex[:8]} 楼道灯不亮"
        body = {"category": "maintenance", "title": title, "description": "楼道灯坏了一周，晚上上下楼很黑。",
                "compound_id": self.fx["compound"], "building_id": self.fx["building"], "stairwell_id": r["stairwell"],
                "home_id": r["home"]}  # fmt: skip
        got = self.call("submit_case_api", "POST", "/api/v1/cases", token=r["token"], body=body, expect=(201,),
                        write={"kind": "case", "title": title})  # fmt: skip
        if got:
            case = json.loads(got[2])
            with self.lock:
                self.writes[-1]["code"] = case["code"]
                self.cases[i].append({"code": case["code"], "secret": case["secret"]})
                self.to_accept.append((case["code"], case["version"]))

    def submit_case_html(self):
        title = f"soak {next(self.counter)} {uuid.uuid4().hex[:8]} 单元门禁坏了"
        form = urllib.parse.urlencode({"compound": self.fx["compound"], "building": self.fx["building"],
                                       "stairwell": self.fx["stairwell"], "category": "maintenance", "title": title,
                                       "on_public_board": "on", "description": "单元门禁刷卡没有反应。"})  # fmt: skip
        self.call("submit_case_html", "POST", "/r/new/", actor="bench-resident", body=form, expect=(302,),
                  write={"kind": "case", "title": title})  # fmt: skip

    def lookup_case(self):
        i, r = self.resident()
        with self.lock:
            mine = list(self.cases[i])
        if not mine:
            self.call("resident_cases_api", "GET", "/api/v1/cases", token=r["token"])
            return
        self.call("lookup_case_api", "GET", f"/api/v1/cases/{self.rng.choice(mine)['code']}", token=r["token"])

    def track_public(self):
        with self.lock:
            filed = [c for cases in self.cases.values() for c in cases]
        if not filed:
            self.call("public_board", "GET", f"/r/board/{self.fx['compound']}/")
            return
        case = self.rng.choice(filed)
        ip = f"10.{self.rng.randrange(256)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"
        self.call("track_public_api", "POST", "/api/v1/public/track", body={"code": case["code"],
                  "secret": case["secret"]}, xff=ip)  # fmt: skip

    def _pair(self, what: str, codes: list[str]):
        for _ in range(50):
            i, r = self.resident()
            code = self.rng.choice(codes)
            with self.lock:
                if (i, code) not in self.pairs[what]:
                    self.pairs[what].add((i, code))
                    return r, code
        return None, None

    def support_topic(self):
        r, code = self._pair("support", self.fx["topics"])
        if r is None:
            return self.call("topics_api", "GET", "/api/v1/topics", token=self.resident()[1]["token"])
        self.call("support_topic_api", "POST", f"/api/v1/topics/{code}/support", token=r["token"], body={},
                  write={"kind": "support", "topic": code, "person": r["person"]})  # fmt: skip

    def sign_up(self):
        r, code = self._pair("signup", self.fx["activities"])
        if r is None:
            return self.call(
                "activities_api", "GET", "/api/v1/volunteers/activities", token=self.resident()[1]["token"]
            )
        self.call("sign_up_api", "POST", f"/api/v1/volunteers/activities/{code}/sign-up", token=r["token"], body={},
                  write={"kind": "signup", "activity": code, "person": r["person"]})  # fmt: skip

    def topics(self):
        self.call("topics_api", "GET", "/api/v1/topics", token=self.resident()[1]["token"])

    def activities(self):
        self.call("activities_api", "GET", "/api/v1/volunteers/activities", token=self.resident()[1]["token"])

    def notices(self):
        token = self.resident()[1]["token"]
        if self.rng.random() < 0.5:
            self.call("notices_api", "GET", "/api/v1/notices", token=token)
        else:
            self.call("announcements_api", "GET", "/api/v1/notices/announcements", token=token)

    def resident_home(self):
        self.call("resident_home", "GET", "/", actor="bench-resident")

    # --- the building leader
    def leader_stairwell(self):
        self.call("leader_stairwell", "GET", f"/places/stairwell/{self.fx['stairwell']}/", actor="bench-leader")

    def record_visit(self):
        homes = self.fx["visit_homes"]
        if not homes:
            return self.call(
                "leader_campaigns_api", "GET", "/api/v1/campaigns/mine", token=self.fx["tokens"]["bench-leader"]
            )
        client_id = str(uuid.uuid4())
        body = {
            "campaign_id": self.fx["campaign"],
            "home_id": homes[next(self.visit_turn) % len(homes)],
            "client_id": client_id,
            "outcome": "reached",
            "answers": {"people": self.rng.randint(1, 5), "ebike": False},
        }
        self.call("record_visit_api", "POST", "/api/v1/campaigns/visits", token=self.fx["tokens"]["bench-leader"],
                  body=body, expect=(201,), write={"kind": "visit", "client_id": client_id})  # fmt: skip

    def leader_campaigns(self):
        self.call("leader_campaigns_api", "GET", "/api/v1/campaigns/mine", token=self.fx["tokens"]["bench-leader"])

    # --- the property-company clerk
    def clerk_queue(self):
        self.call("clerk_queue", "GET", "/cases/", actor="bench-clerk")

    def clerk_case_page(self):
        with self.lock:
            code = self.to_reply[-1][0] if self.to_reply else (self.to_accept[-1][0] if self.to_accept else None)
        if code:
            self.call("clerk_case_page", "GET", f"/cases/{code}/", actor="bench-clerk")
        else:
            self.clerk_queue()

    def accept(self):
        with self.lock:
            item = self.to_accept.popleft() if self.to_accept else None
        if item is None:
            return self.clerk_queue()
        code, version = item
        write = {"kind": "accept", "code": code}
        if self.rng.random() < 0.5:
            got = self.call("accept_html", "POST", f"/cases/{code}/act/accept/", actor="bench-clerk",
                            body=f"accept-version={version}&accept-note=", expect=(302,), write=write)  # fmt: skip
        else:
            got = self.call("accept_api", "POST", f"/api/v1/cases/{code}/actions/accept",
                            token=self.fx["tokens"]["bench-clerk"], body={"version": version}, write=write)  # fmt: skip
        if got:
            with self.lock:
                self.to_reply.append((code, None))

    def reply(self):
        with self.lock:
            item = self.to_reply.popleft() if self.to_reply else None
        if item is None:
            return self.clerk_queue()
        text = f"已安排师傅上门维修 ({uuid.uuid4().hex[:10]})"
        write = {"kind": "reply", "code": item[0], "text": text}
        self.call("reply_api", "POST", f"/api/v1/cases/{item[0]}/replies", token=self.fx["tokens"]["bench-clerk"],
                  body={"text": text}, expect=(201,), write=write)  # fmt: skip

    # --- the community worker and the subdistrict administrator
    def worker_results(self):
        self.call("worker_results", "GET", "/results/", actor="bench-worker")

    def worker_campaign(self):
        if not self.fx["campaign"]:
            return self.worker_results()
        if self.rng.random() < 0.5:
            self.call("worker_campaign", "GET", f"/campaigns/{self.fx['campaign']}/", actor="bench-worker")
        else:
            self.call("campaign_progress_api", "GET", f"/api/v1/campaigns/{self.fx['campaign']}/progress",
                      token=self.fx["tokens"]["bench-worker"])  # fmt: skip

    def worker_api(self):
        path = self.rng.choice(["/api/v1/cases", "/api/v1/homes", "/api/v1/residents"])
        self.call("worker_api" + path.replace("/api/v1/", "_"), "GET", path, token=self.fx["tokens"]["bench-worker"])

    def admin_results(self):
        self.call("admin_results", "GET", "/results/", actor="bench-admin")

    def admin_api(self):
        self.call("admin_cases_api", "GET", "/api/v1/cases", token=self.fx["tokens"]["bench-admin"])

    def public_board(self):
        self.call("public_board", "GET", f"/r/board/{self.fx['compound']}/")


MIX = {  # action: weight (out of 100)
    "submit_case_api": 8, "submit_case_html": 2, "lookup_case": 6, "track_public": 4, "support_topic": 6,
    "sign_up": 6, "topics": 3, "activities": 3, "notices": 5, "resident_home": 4,
    "leader_stairwell": 5, "record_visit": 6, "leader_campaigns": 2,
    "clerk_queue": 5, "clerk_case_page": 4, "accept": 8, "reply": 6,
    "worker_results": 4, "worker_campaign": 4, "worker_api": 4, "admin_results": 2, "admin_api": 2,
    "public_board": 1,
}  # fmt: skip


# --- memory ---------------------------------------------------------------------------------------


class Sampler(threading.Thread):
    def __init__(self, servers: list[Server], t0: float):
        super().__init__(daemon=True)
        self.servers, self.t0, self.samples, self.running = servers, t0, [], True

    def run(self):
        while self.running:
            row = {"t": round(time.monotonic() - self.t0), "load": round(os.getloadavg()[0], 2)}
            for s in self.servers:
                row[s.name] = round(s.worker_rss() / 2**20, 1)
            self.samples.append(row)
            for _ in range(SAMPLE_EVERY * 10):
                if not self.running:
                    return
                time.sleep(0.1)


def flatness(samples: list[dict], seconds: int, restarted: str, restart_t: float | None) -> dict:
    """Per app process: the mean of its workers' RSS in the last minute against its mean in the
    minute after the 2nd (for the restarted one: the same span counted from its restart)."""
    span, base_from = seconds * 0.1, seconds * 0.2  # 60 s and 120 s of a 10-minute run
    last_from = seconds - span
    out = {}
    for name in {k for s in samples for k in s} - {"t", "load"}:
        start = base_from + (restart_t if name == restarted and restart_t is not None else 0)
        base = [s[name] for s in samples if start <= s["t"] < start + span and s[name]]
        last = [s[name] for s in samples if s["t"] >= last_from and s[name]]
        if not base or not last or start + span > last_from:
            out[name] = {"judged": False, "why": "no warm window before the last one"}
            continue
        b, lt = sum(base) / len(base), sum(last) / len(last)
        out[name] = {"judged": True, "baseline_mb": round(b, 1), "last_mb": round(lt, 1),
                     "growth": round(lt / b - 1, 3), "flat": lt <= b * (1 + RSS_GROWTH)}  # fmt: skip
    return out


# --- checking the writes --------------------------------------------------------------------------


def verify(writes: list[dict]) -> dict:
    """Each accepted write exactly once; an uncertain one (the connection broke after sending)
    at most once and, if there, whole."""
    from django.db import connection

    from linli.campaigns.models import CampaignVisit
    from linli.cases.models import Case, Event
    from linli.topics.models import Support
    from linli.volunteers.models import SignUp

    connection.close()
    counts = collections.Counter()
    problems = []
    for w in writes:
        kind = w["kind"]
        if kind == "case":
            found = list(Case.objects.filter(title=w["title"]).values_list("pk", "code"))
            n = len(found)
            whole = all(Event.objects.filter(case_id=pk).exists() for pk, _c in found)  # its submission event
            if w.get("code") and found and found[0][1] != w["code"]:
                whole = False
        elif kind == "support":
            n = Support.objects.filter(topic__code=w["topic"], person_id=w["person"]).count()
            whole = True
        elif kind == "signup":
            n = SignUp.objects.filter(activity__code=w["activity"], person_id=w["person"]).count()
            whole = True
        elif kind == "visit":
            n = CampaignVisit.objects.filter(client_id=w["client_id"]).count()
            whole = True
        elif kind == "accept":
            n = Event.objects.filter(case__code=w["code"], action="accept").count()
            whole = n == 0 or Case.objects.filter(code=w["code"]).exclude(status="submitted").exists()
        elif kind == "reply":
            n = Event.objects.filter(case__code=w["code"], note=w["text"]).count()
            whole = True
        else:
            raise ValueError(kind)
        ok = (n <= 1 if w["uncertain"] else n == 1) and whole
        label = "uncertain" if w["uncertain"] else "accepted"
        counts[f"{kind} {label}"] += 1
        counts[f"{kind} {label} found"] += n == 1
        if not ok:
            problems.append({**w, "found": n, "whole": whole})
    accepted = [w for w in writes if not w["uncertain"]]
    missing = [p for p in problems if not p["uncertain"] and p["found"] == 0]
    return {
        "accepted": len(accepted),
        "verified": sum(1 for w in accepted) - sum(1 for p in problems if not p["uncertain"]),
        "missing": len(missing),
        "duplicated": sum(1 for p in problems if p["found"] > 1),
        "half_written": sum(1 for p in problems if not p["whole"]),
        "uncertain": len(writes) - len(accepted),
        "uncertain_found": sum(1 for w in writes if w["uncertain"]) - sum(1 for p in problems if p["uncertain"]),
        "by_kind": dict(sorted(counts.items())),
        "problems": problems[:50],
    }


# --- the run --------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", "600")))
    parser.add_argument("--rate", type=float, default=float(os.environ.get("SOAK_RATE", "10")), help="requests/s")
    parser.add_argument("--workers", type=int, default=2, help="sync workers per app process")
    parser.add_argument("--ports", default="8771,8772")
    parser.add_argument("--redis-port", type=int, default=int(os.environ.get("SOAK_REDIS_PORT", "6391")))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-faults", action="store_true", help="only the traffic (to find a steady rate)")
    parser.add_argument("--out", default=str(ROOT / "bench"))
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    env.setdefault("LINLI_VAR_DIR", str(ROOT / "var" / "soak"))
    env["DJANGO_SETTINGS_MODULE"] = "linli.settings"
    django_setup(env)
    run_id = dt.datetime.now().strftime("%m%d%H%M%S")
    fx = fixtures(run_id)
    from django.db import connection

    connection.close()
    from linli.demo.scale import PASSWORD

    folder = tempfile.mkdtemp(prefix="soak-redis-")
    redis = Redis(args.redis_port, folder)
    notes = []
    server_env = dict(env, DEBUG="0", LINLI_BENCH="0", LINLI_TRUSTED_PROXIES="1")
    server_env.pop("REDIS_URL", None)
    server_env.pop("CELERY_BROKER_URL", None)
    if redis.available:
        redis.start()
        server_env["REDIS_URL"] = f"redis://127.0.0.1:{args.redis_port}/0"
        server_env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{args.redis_port}/1"
    else:
        notes.append("Redis is not installed: the app processes used the local-memory cache and in-process "
                     "tasks, and the Redis fault was skipped.")  # fmt: skip
    ports = [int(p) for p in args.ports.split(",")]
    servers = [Server(name, port, server_env, args.workers) for name, port in zip("ab", ports, strict=True)]
    timeline, load_start, clock = [], os.getloadavg(), {"t0": time.monotonic()}

    def note(event: str) -> None:
        timeline.append({"t": round(time.monotonic() - clock["t0"], 1), "event": event})
        print(f"soak: {timeline[-1]['t']:>6} s  {event}", flush=True)

    sampler = balancer = None
    try:
        for s in servers:
            s.start()
        sessions = {}
        for actor in ("bench-resident", "bench-leader", "bench-clerk", "bench-worker", "bench-admin"):
            sessions[actor] = Client(f"http://127.0.0.1:{ports[0]}")
            sessions[actor].login(actor, PASSWORD)
        balancer = Balancer(ports, note)
        soak = Soak(fx, balancer, sessions, args.seed)
        soak.t0 = t0 = clock["t0"] = time.monotonic()
        sampler = Sampler(servers, t0)
        sampler.start()
        faults = threading.Thread(target=run_faults, args=(args, servers[0], redis, t0, note), daemon=True)
        faults.start()
        drive(soak, args, t0)
        faults.join(timeout=60)
    finally:
        if sampler:
            sampler.running = False
        if balancer:
            balancer.running = False
        for s in servers:
            s.stop()
        if redis.available:
            redis.shutdown()
    django_setup(env)
    checked = verify(soak.writes)
    restart_t = next((e["t"] for e in timeline if e["event"].startswith("app a restarted")), None)
    memory = flatness(sampler.samples, args.seconds, "a", restart_t)
    result = summarise(args, soak, balancer, checked, memory, sampler.samples, timeline, load_start, notes)
    out = Path(args.out)
    (out / "soak.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (out / "SOAK.md").write_text(markdown(result))
    print(f"soak: {result['verdict']}" + "".join(f"\n  - {r}" for r in result["reasons"]))
    print(f"wrote {out}/SOAK.md and {out}/soak.json")
    return 0 if result["verdict"] == "PASS" else 1


def drive(soak: Soak, args, t0: float) -> None:
    """Open loop: request i is due at t0 + i / rate, whatever the earlier ones are doing."""
    names = list(MIX)
    weights = [MIX[n] for n in names]
    total = int(args.seconds * args.rate)
    pick = random.Random(args.seed + 1)

    def run(name: str, due: float) -> None:
        soak.lateness_ms.append((time.monotonic() - due) * 1000)
        try:
            getattr(soak, name)()
        except Exception:  # a bug in the driver must show, not stop the run
            soak._error(name, "", time.monotonic(), "driver", traceback.format_exc()[-500:])

    with ThreadPoolExecutor(max_workers=96) as pool:
        for i in range(total):
            due = t0 + i / args.rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            pool.submit(run, pick.choices(names, weights)[0], due)
            if i and i % int(args.rate * 60) == 0:
                print(f"soak: {i / args.rate:.0f} s, {len(soak.errors)} errors, {balancer_retries(soak)} retries",
                      flush=True)  # fmt: skip


def balancer_retries(soak: Soak) -> int:
    return soak.lb.retries


def run_faults(args, server: Server, redis: Redis, t0: float, note) -> None:
    def at(moment: float) -> None:
        time.sleep(max(0.0, t0 + moment - time.monotonic()))

    if args.no_faults:
        return
    at(args.seconds / 3)
    server.kill()
    note(f"app a (port {server.port}) killed with SIGKILL, master and workers")
    at(args.seconds / 3 + 10)
    note("app a starting")
    server.start()
    note("app a restarted and healthy")
    if redis.available:
        at(args.seconds * 2 / 3)
        redis.shutdown()
        note("redis shut down (shutdown nosave)")
        time.sleep(5)
        redis.start()
        note("redis started again")


def during_faults(log: list, timeline: list) -> dict:
    """What was asked while app a was out of rotation and while Redis was down."""

    def window(start: str, end: str) -> dict | None:
        t1 = next((e["t"] for e in timeline if start in e["event"]), None)
        t2 = next((e["t"] for e in timeline if end in e["event"] and e["t"] >= (t1 or 0)), None)
        if t1 is None or t2 is None:
            return None
        inside = [(kind, status) for t, kind, status in log if t1 <= t < t2]
        return {"from": t1, "to": t2, "answered": len(inside), "statuses": dict(collections.Counter(
            str(status) for _kind, status in inside)), "public_track_counting_in_redis": sum(
            1 for kind, _s in inside if kind == "track_public_api")}  # fmt: skip

    return {
        "app_a_down": window("killed with SIGKILL", "back in rotation"),
        "redis_down": window("redis shut down", "redis started"),
    }


def summarise(args, soak, balancer, checked, memory, samples, timeline, load_start, notes) -> dict:
    kinds = {}
    all_ms = []
    for kind, s in sorted(soak.stats.items()):
        all_ms += s["ms"]
        kinds[kind] = {"n": s["n"], "status": dict(s["status"]), "p50": pct(s["ms"], 0.5), "p95": pct(s["ms"], 0.95),
                       "p99": pct(s["ms"], 0.99)}  # fmt: skip
    by_error = collections.Counter(
        f"{e['kind']}: {'HTTP ' + str(e['status']) if isinstance(e['status'], int) else e['status']}"
        for e in soak.errors
    )
    reasons = []
    five = sum(1 for e in soak.errors if isinstance(e["status"], int) and e["status"] >= 500)
    four = sum(1 for e in soak.errors if isinstance(e["status"], int) and 400 <= e["status"] < 500)
    other = sum(1 for e in soak.errors if not isinstance(e["status"], int))
    if five:
        reasons.append(f"{five} responses 5xx")
    if four:
        reasons.append(f"{four} unexpected 4xx")
    if other:
        how = sorted({str(e["status"]) for e in soak.errors if not isinstance(e["status"], int)})
        reasons.append(f"{other} requests failed otherwise ({', '.join(how)})")
    if checked["missing"]:
        reasons.append(f"{checked['missing']} accepted writes missing")
    if checked["duplicated"]:
        reasons.append(f"{checked['duplicated']} writes found more than once")
    if checked["half_written"]:
        reasons.append(f"{checked['half_written']} writes half-written")
    for name, m in memory.items():
        if m.get("judged") and not m["flat"]:
            reasons.append(f"app {name}: workers' RSS grew {m['growth']:.0%} (limit {RSS_GROWTH:.0%})")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    lateness = soak.lateness_ms
    total = sum(k["n"] for k in kinds.values())
    return {
        "verdict": "FAIL" if reasons else "PASS",
        "reasons": reasons or ["no 5xx, no unexpected 4xx, every accepted write found once, memory flat"],
        "meta": {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": commit.stdout.strip(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "seconds": args.seconds,
            "rate_planned": args.rate,
            "rate_achieved": round(total / args.seconds, 1),
            "app_processes": 2,
            "workers_each": args.workers,
            "load_average_start": [round(x, 2) for x in load_start],
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "notes": notes,
        },
        "requests": total,
        "latency_all": {"p50": pct(all_ms, 0.5), "p95": pct(all_ms, 0.95), "p99": pct(all_ms, 0.99)},
        "start_lateness_ms": {"p50": pct(lateness, 0.5), "p99": pct(lateness, 0.99),
                              "max": round(max(lateness or [0]), 1)},
        "kinds": kinds,
        "retries_on_refused": balancer.retries,
        "errors_by_kind": dict(by_error),
        "errors": soak.errors[:100],
        "in_flight": soak.inflight,
        "writes": checked,
        "memory": memory,
        "rss_series_mb": samples,
        "latency_series": [{"t": k * SAMPLE_EVERY, "n": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95)}
                           for k, v in sorted(soak.series.items())],
        "timeline": timeline,
        "during_faults": during_faults(soak.log, timeline),
    }  # fmt: skip


def markdown(r: dict) -> str:
    m = r["meta"]
    w = r["writes"]
    lines = [
        "# make soak: results",
        "",
        f"**{r['verdict']}**: " + "; ".join(r["reasons"]) + ".",
        "",
        f"{m['date']}, commit {m['commit']}, {m['machine']}, shared with PostgreSQL, Redis, the driver and other "
        f"work. Two gunicorn processes × {m['workers_each']} sync workers, DEBUG off, PostgreSQL, Redis. "
        f"{m['seconds']} s at {m['rate_planned']:g} requests/s planned (open loop), {m['rate_achieved']:g} achieved, "
        f"{r['requests']:,} requests. Load average (1, 5, 15 min) at the start {m['load_average_start']}, at the end "
        f"{m['load_average_end']}.",
        *[f"\n{n}" for n in m["notes"]],
        "",
        "## Faults",
        "",
        *[f"- {e['t']} s: {e['event']}" for e in r["timeline"]],
        f"- connections refused and sent to the other process instead: {r['retries_on_refused']}",
        f"- requests whose connection broke after they were sent (in flight on the killed process): "
        f"{len(r['in_flight'])}",
        *[
            f"- answered while {what} ({w['from']}–{w['to']} s): {w['answered']} ("
            + ", ".join(f"HTTP {k}: {n}" for k, n in sorted(w["statuses"].items()))
            + f"; {w['public_track_counting_in_redis']} of them public case lookups, limited through Redis)"
            for what, w in (
                ("app a was down", r["during_faults"]["app_a_down"]),
                ("Redis was down", r["during_faults"]["redis_down"]),
            )
            if w
        ],
        "",
        "## Writes",
        "",
        f"{w['accepted']:,} writes answered 2xx, {w['verified']:,} found exactly once, {w['missing']} missing, "
        f"{w['duplicated']} duplicated, {w['half_written']} half-written. {w['uncertain']} writes were in flight "
        f"when their connection broke: {w['uncertain_found']} of them were done (whole, once), the rest not at all.",
        "",
        "| write | answered 2xx | found once |",
        "|---|---:|---:|",
    ]
    kinds = sorted({k.split(" ")[0] for k in w["by_kind"]})
    for k in kinds:
        lines.append(f"| {k} | {w['by_kind'].get(f'{k} accepted', 0)} | {w['by_kind'].get(f'{k} accepted found', 0)} |")
    lines += [
        "",
        "## Requests",
        "",
        f"All: p50 {r['latency_all']['p50']} ms, p95 {r['latency_all']['p95']} ms, p99 {r['latency_all']['p99']} ms. "
        f"Start lateness against the schedule: p50 {r['start_lateness_ms']['p50']} ms, p99 "
        f"{r['start_lateness_ms']['p99']} ms.",
        "",
        "| request | n | statuses | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for kind, k in r["kinds"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(k["status"].items()))
        lines.append(f"| {kind} | {k['n']} | {statuses} | {k['p50']} | {k['p95']} | {k['p99']} |")
    lines += ["", "## Errors", ""]
    lines += [f"- {k}: {n}" for k, n in sorted(r["errors_by_kind"].items())] or ["None."]
    for e in r["errors"][:20]:
        lines.append(f"  - {e['t']} s {e['kind']} {e['path']}: {e['status']} {e['detail'][:160]!r}")
    lines += [
        "",
        "## Latency over time (requests started in each 10 s)",
        "",
        "| s | n | p50 ms | p95 ms |",
        "|---:|---:|---:|---:|",
    ]
    lines += [f"| {x['t']} | {x['n']} | {x['p50']} | {x['p95']} |" for x in r["latency_series"]]
    lines += ["", "## Memory (RSS of each app process's workers, MB)", ""]
    for name, mm in sorted(r["memory"].items()):
        if mm.get("judged"):
            lines.append(f"- app {name}: {mm['baseline_mb']} MB after warm-up, {mm['last_mb']} MB in the last "
                         f"minute ({mm['growth']:+.1%}): {'flat' if mm['flat'] else 'GREW'}")  # fmt: skip
        else:
            lines.append(f"- app {name}: not judged ({mm['why']})")
    lines += ["", "| s | app a | app b | load |", "|---:|---:|---:|---:|"]
    lines += [f"| {s['t']} | {s.get('a', 0)} | {s.get('b', 0)} | {s['load']} |" for s in r["rss_series_mb"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
