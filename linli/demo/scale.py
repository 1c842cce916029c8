"""The scale generator: a compound, a subdistrict or a whole district of made-up but realistic
data, loaded with PostgreSQL COPY for `make bench` (issue 10).

Sizes (`SIZES`): a compound of 3,218 homes; a subdistrict (street) of 300,000 homes in ~30
communities; a district of 1,200,000 homes, ~3.6 million residents in ~290 communities and
5,000,000 cases over five years. Only the entities that exist today are made: the grid,
people and their homes, organisations with memberships and service periods, building leaders,
a login per bench actor (`ACTORS`, password `PASSWORD`), cases with their history, a
door-to-door campaign over every community with its assignments and visits, owners' votes with
their electorate, ballots and (when closed) result and hash chain, meetings with invitations,
attendance and minutes, and volunteer teams' activities with sign-ups, attendance and hours
(docs/bench.md).

How it stays fast on two cores:
- ids are computed, not read back: the grid and the size of every household are planned
  first, then people and cases are written in chunks by two forked workers, each chunk from
  its own seeded generator, and copied in chunk order. So a seed and a day give the same
  data, with one process or two;
- each table is emptied and filled in one transaction with COPY FREEZE (no later hint-bit or
  freeze pass over gigabytes), while the workers make the next chunks on the other core;
- foreign keys, unique constraints and indexes of the filled tables are dropped first and
  built once at the end; their definitions wait in `bench_saved_ddl`, so a load that dies
  half-way is repaired by the next one;
- phones are encrypted by a fast path that writes the Fernet tokens `linli.lib.crypto`
  reads (one AES block and one HMAC for a phone number).

Inside a transaction (a test) the same rows go through that one connection, without FREEZE
and without workers. PostgreSQL only: SQLite has no COPY.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import hmac
import json
import multiprocessing
import random
import struct
import tempfile
import time
import uuid
from array import array
from collections import deque
from dataclasses import dataclass, field
from types import SimpleNamespace

import psycopg
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection

from linli.cases.models import CODE_ALPHABET, CalendarDay, Category, DeadlineRule
from linli.demo import case_texts
from linli.demo.names import Faker
from linli.lib import workdays
from linli.votes import chain, tally
from linli.votes.defaults import DEFAULTS as RULE_SETS
from linli.votes.models import ALPHABET as VOTE_ALPHABET
from linli.votes.models import RuleSet

PASSWORD = "linli-bench-2026"
ACTORS = {  # username -> who it is
    "bench-resident": "a resident of the bench building (own home, own cases)",
    "bench-leader": "the building leader of the bench building",
    "bench-clerk": "a clerk of the property company serving the bench compound",
    "bench-worker": "a community worker of the bench compound's community",
    "bench-admin": "an administrator of the bench compound's subdistrict",
}


@dataclass(frozen=True)
class Size:
    homes: int
    communities: int
    subdistricts: int


SIZES = {
    "compound": Size(homes=3_218, communities=1, subdistricts=1),
    "street": Size(homes=300_000, communities=30, subdistricts=1),
    "district": Size(homes=1_200_000, communities=290, subdistricts=7),
}
CASES_PER_HOME = 5_000_000 / 1_200_000  # over YEARS
YEARS = 5
WORKERS = 2
HOMES_PER_CHUNK, CASES_PER_CHUNK = 10_000, 20_000
EVENTS_PER_CASE = 20  # event ids are case id × 20 + step: known without counting
SUBDISTRICT_NAMES = ("桂城街道", "大沥镇", "里水镇", "狮山镇", "丹灶镇", "九江镇", "西樵镇")
SYLLABLES = (
    "桂华平翠颐灯湖同德海逸文翰夏南东西北金沙石岗新安福宁丰乐康和兴隆泰永盛嘉荣祥瑞明辉锦绣怡景"
    "碧水云山江滨凤鸣雅居映月桃源松柏竹韵兰亭荷塘榕树岭春秋晴川清溪"
)
COMPOUND_SUFFIXES = ("花园", "新城", "名苑", "豪庭", "雅居", "华府", "公馆", "山庄", "小区", "广场", "家园", "雅苑")
COMPANY_SUFFIXES = ("物业服务有限公司", "物业管理有限公司", "物业发展有限公司")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                   "157", "158", "159", "166", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188",
                   "189", "191", "198", "199")  # fmt: skip
TZ_OFFSET, DAY = 8 * 3600, 86400  # Beijing has no daylight saving
EPOCH = dt.date(1970, 1, 1)
N = r"\N"
VACANT, TENANT = 1, 2  # home flags: the owner of a vacant or rented home lives elsewhere

# Columns written per table, in COPY order. A NOT NULL column missing here stops the load with
# a message (`_check_columns`), so a field added to a model later cannot be forgotten silently.
COLUMNS = {
    "places_subdistrict": "id name code",
    "places_community": "id subdistrict_id name code",
    "places_compound": "id community_id name alias kind built_year address",
    "places_building": "id compound_id name kind floors sort_key",
    "places_stairwell": "id building_id name sort_key",
    "places_home": "id stairwell_id number floor area area_source is_vacant",
    "people_person": "id name gender birth_year phone phone_hash id_number id_hash hukou_registered lives_alone "
    "disabled care_note created updated",
    "people_occupancy": "id person_id home_id relation start end",
    "people_organisation": "id kind name parent_id subdistrict_id community_id compound_id building_id stairwell_id "
    "founded registered description",
    "people_membership": "id organisation_id person_id role start end",
    "people_propertyserviceperiod": "id company_id compound_id start end",
    "people_leaderassignment": "id person_id kind building_id grid_cell_id start end",
    "people_leaderassignment_stairwells": "id leaderassignment_id stairwell_id",
    "accounts_user": "id password last_login is_superuser username first_name last_name email is_staff is_active "
    "date_joined person_id elderly_mode",
    "cases_case": "id code kind category_id title description community_id compound_id building_id stairwell_id "
    "home_id location reporter_id reporter_name reporter_phone phone_last4 secret_hash channel recorded_by_id "
    "on_public_board public_details status held_from hold_started organisation_id assignee_id first_receiver_id "
    "escalation merged_into_id supporters version submitted_at accepted_at first_reply_at resolved_at closed_at "
    "reply_due resolve_due soon_due_notified rating rating_comment rated_at",
    "cases_event": "id case_id type action from_status to_status actor_id actor_label at note public organisation_id",
    "campaigns_campaign": "id title description level subdistrict_id community_id compound_id target form starts_on "
    "ends_on status created_by_id created",
    "campaigns_assignment": "id campaign_id home_id visitor_id source state last_visited_at revisit_on visits",
    "campaigns_campaignvisit": "id client_id campaign_id assignment_id home_id visitor_id recorded_by_id outcome "
    "answers note visited_at received_at case_id",
    "votes_ruleset": "id name kind subdistrict_id community_id participation_area participation_heads ordinary_area "
    "ordinary_heads special_area special_heads special_items affected_consent notice_days objection_days seats_min "
    "seats_max term_years_max active",
    "votes_vote": "id code title description rule_set_id rules community_id compound_id building_id stairwell_id "
    "organiser_id status opens_at closes_at announced_at objection_until closed_at published_at result chain_head salt "
    "created_by_id created version",
    "votes_matter": "id vote_id position kind item title text seats term_years",
    "votes_candidate": "id matter_id person_id name statement position",
    "votes_elector": "id vote_id home_id area area_source head developer_held affected compensation_agreed voter_id",
    "votes_owner": "id elector_id person_id",
    "votes_correction": "id elector_id field old new reason by_id at",
    "votes_ballot": "id vote_id elector_id home_id choices channel voter_id receipt cast_at changes",
    "votes_ballotrecord": "id vote_id elector_id choices channel voter_id entered_by_id receipt cast_at",
    "meetings_meeting": "id code kind title description community_id compound_id building_id stairwell_id organiser_id "
    "mode venue_id booking_id location online_url starts ends status checkin_token created_by_id created",
    "meetings_invitation": "id meeting_id person_id as_what reply replied_at",
    "meetings_attendance": "id meeting_id person_id how at marked_by_id",
    "meetings_agendaitem": "id meeting_id position title text topic_id case_id",
    "meetings_minutes": "id meeting_id summary approved_at approved_by_id version updated",
    "meetings_minutesitem": "id minutes_id agenda_item_id summary positions decision",
    "volunteers_activity": "id organisation_id kind title description venue compound_id building_id capacity "
    "created_by_id created code series_id starts_at ends_at state cancelled_reason checkin_token reminded_at "
    "moved_from",
    "volunteers_signup": "id activity_id person_id state created updated",
    "volunteers_attendance": "id activity_id person_id how checked_in_at checked_out_at",
    "volunteers_hoursentry": "id person_id activity_id minutes kind reason by_id at on",
}
CAMPAIGN_TABLES = ("campaigns_campaign", "campaigns_assignment", "campaigns_campaignvisit")
VOTE_TABLES = ("votes_ruleset", "votes_vote", "votes_matter", "votes_candidate", "votes_elector", "votes_owner",
               "votes_correction", "votes_ballot", "votes_ballotrecord")  # fmt: skip
VOTES_PER_HOME = 2_000 / 1_200_000  # over VOTE_YEARS, issue 10's district: 2,000 votes
VOTE_YEARS = 3
AREA_SOURCES = ("register", "survey", "contract", "unknown")
MEETING_TABLES = ("meetings_meeting", "meetings_invitation", "meetings_attendance", "meetings_agendaitem",
                  "meetings_minutes", "meetings_minutesitem")  # fmt: skip
MEETINGS_PER_HOME = 20_000 / 1_200_000  # over YEARS, issue 10's district: 20,000 meetings
MEETING_KINDS = (  # (kind, title, where it is held, weight)
    ("stairwell", "楼道会议：电动车停放与充电", "stairwell", 4),
    ("tea_party", "楼道茶话会：物业服务面对面", "stairwell", 2),
    ("hall", "居民议事厅：小区停车难怎么办", "compound", 3), ("joint", "三方联席会议：外墙渗水维修", "compound", 2),
    ("assembly_prep", "业主大会筹备会", "compound", 1),
)  # fmt: skip
AGENDA = ("通报上次议定事项的落实情况", "电动自行车集中充电点选址", "楼道杂物清理安排", "物业费收缴与公示",
          "外墙渗水维修方案", "停车位分配规则", "垃圾分类投放点调整", "加装电梯意向摸底")  # fmt: skip
ACTIVITY_TABLES = ("volunteers_activity", "volunteers_signup", "volunteers_attendance", "volunteers_hoursentry")
# Issue 10's district: "500,000 activities and sign-ups", read as 100,000 activities over YEARS
# with about 400,000 sign-ups.
ACTIVITIES_PER_HOME = 100_000 / 1_200_000
ACTIVITY_KINDS = (  # (kind, title, minutes, weight)
    ("service_day", "学雷锋便民服务日", 180, 2), ("stairwell_patrol", "楼道消防通道巡查", 60, 4),
    ("ebike_patrol", "电动车飞线充电夜间巡查", 90, 4), ("hygiene_inspection", "环境卫生检查", 60, 3),
    ("event", "关爱独居老人上门探访", 120, 2), ("class", "垃圾分类宣传课堂", 90, 1),
)  # fmt: skip
TEAM_NAMES = ("志愿服务队", "平安巡逻队")
ASSEMBLY_MATTERS = (  # (title, art. 278 item)
    ("续聘物业服务企业", 4), ("修订管理规约", 2), ("使用专项维修资金更换电梯", 5), ("筹集专项维修资金", 6),
    ("地面停车位收费及收益使用方案", 8), ("外墙及屋面防水维修方案", 5), ("修订业主大会议事规则", 1),
    ("小区充电桩建设及收费方案", 9),
)  # fmt: skip
CAMPAIGN_FORM = (
    '[{"key": "people", "label": "家里住几口人？", "kind": "number", "required": true}, '
    '{"key": "ebike", "label": "有没有电动自行车？", "kind": "yesno", "required": true}]'
)
# A visit's outcome, weighted as door-to-door work goes (most doors open, some nobody home).
VISIT_OUTCOMES = ("reached",) * 80 + ("not_home",) * 14 + ("refused",) * 3 + ("empty",) * 3
VISITED_SHARE = 0.6
LOADED = tuple(COLUMNS)
# Filled by the workers: streamed while they work (the small tables are spooled to a file first).
LIVE = {"places_home", "people_person", "people_occupancy", "cases_case", "cases_event"}


def _check_columns(cur) -> None:
    for table, cols in COLUMNS.items():
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            [table],
        )
        missing = {r[0] for r in cur.fetchall()} - set(cols.split())
        if missing:
            raise RuntimeError(f"linli/demo/scale.py does not fill {table}.{', '.join(sorted(missing))}: add it")


# --- values ------------------------------------------------------------------------------------


class FieldCipher:
    """Fernet tokens (version, time, IV, AES-128-CBC, HMAC-SHA256) as `linli.lib.crypto.decrypt`
    reads them, with IVs from a seeded generator. A phone number is one block, and CBC over one
    block is AES of (block XOR IV): one ECB context serves every value."""

    def __init__(self, at: int):
        raw = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEYS[0])
        self.sign_key, self.ecb = raw[:16], Cipher(algorithms.AES(raw[16:]), modes.ECB()).encryptor()
        self.head = b"\x80" + struct.pack(">Q", at)
        self.hash_key = settings.FIELD_HASH_KEY.encode()
        self.rng = random.Random(0)

    def encrypt(self, value: str) -> str:
        data = value.encode()
        pad = 16 - len(data) % 16
        data += bytes([pad]) * pad
        iv = prev = self.rng.randbytes(16)
        out = b""
        for i in range(0, len(data), 16):
            prev = self.ecb.update((int.from_bytes(data[i : i + 16]) ^ int.from_bytes(prev)).to_bytes(16))
            out += prev
        body = self.head + iv + out
        return base64.urlsafe_b64encode(body + hmac.digest(self.sign_key, body, "sha256")).decode()

    def hash(self, value: str) -> str:
        return hmac.digest(self.hash_key, value.encode(), "sha256").hex() if value else ""


def phone_of(pid: int) -> str:
    """A mobile number per person id, unique below 10^8 ids (the multiplier is invertible
    modulo 10^8): a case can carry its reporter's number without looking it up."""
    return MOBILE_PREFIXES[pid % 32] + f"{(pid * 48_271 + 7_654_321) % 100_000_000:08d}"


def has_phone(pid: int, adult: bool) -> bool:
    """Nine adults in ten have a phone on record, children none."""
    return adult and (pid * 2_654_435_761 >> 7) % 100 < 90


def _gender(pid: int) -> str:
    return "MF"[(pid * 2_654_435_761 >> 13) & 1]


_HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(DAY)]
_DAYS: dict[int, str] = {}


def _timestamp(sec: int) -> str:
    day, rem = divmod(sec, DAY)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = (EPOCH + dt.timedelta(days=day)).isoformat() + " "
    return prefix + _HMS[rem]


def _date(day: int) -> str:
    return (EPOCH + dt.timedelta(days=day)).isoformat()


def _text(value) -> str:
    if value is None:
        return N
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", "")


_CODE3 = ["".join(CODE_ALPHABET[(n >> s) & 31] for s in (10, 5, 0)) for n in range(1 << 15)]


def owner_since(h: int, start: int) -> int:
    """The day the owner of a rented or vacant home (who lives elsewhere) bought it: up to
    2,000 days before its household moved in, following from the home (the votes' electorate
    needs it again)."""
    return start - (h * 7_919 + 13) % 2000


def _b32(n: int, width: int) -> str:
    return "".join(VOTE_ALPHABET[(n >> (5 * k)) & 31] for k in range(width - 1, -1, -1))


def _vote_code(i: int) -> str:
    """Eight characters of the votes' alphabet: i times an odd multiplier modulo 32^8, unique."""
    return _b32((i * 0xC2B2AE3D27 + 0x5A5A5) & ((1 << 40) - 1), 8)


def _receipt(i: int) -> str:
    """A ballot's receipt, ten characters: unique over all ballots as the vote codes are."""
    return _b32((i * 0x2545F4914F6CDD1D + 0x3C6EF372) & ((1 << 50) - 1), 10)


def _meeting_code(i: int) -> str:
    return _b32((i * 0xB492B66FBF + 0x2F2F2F) & ((1 << 40) - 1), 8)


def _activity_code(i: int) -> str:
    return _b32((i * 0x9FB21C651E98DF25 + 0x7A7A7A) & ((1 << 50) - 1), 10)


def _code(t0: int, i: int) -> str:
    """YYMM-XXXXXX as Case.new_code makes them; the six characters are i times an odd
    multiplier modulo 32^6: unique for every case without remembering the codes made."""
    day = EPOCH + dt.timedelta(days=(t0 + TZ_OFFSET) // DAY)
    n = (i * 387_420_489 + 12_345_678) & ((1 << 30) - 1)
    return f"{day:%y%m}-{_CODE3[n >> 15]}{_CODE3[n & 32767]}"


def _split(total: int, parts: int, rng: random.Random, spread: float) -> list[int]:
    """total in `parts` parts of at least 1, each within ±spread of the mean, summing exactly."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    sizes = [max(1, int(w * total / sum(weights))) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    while sum(sizes) > total:
        sizes[sizes.index(max(sizes))] -= 1
    return sizes


def _text_pool(rng: random.Random) -> dict[str, list]:
    """The demo's case texts with their blanks filled a few ways each, escaped for COPY."""
    pool: dict[str, list] = {}
    spots = [s for spots in case_texts.SPOTS.values() for s in spots]
    for text in case_texts.TEXTS:
        for _ in range(4):
            floor = rng.randint(2, 17)
            b, s = f"{rng.randint(1, 20)}栋", f"{rng.randint(1, 3)}单元"
            blanks = {
                "b": b, "s": s, "here": b + s, "f": floor, "f2": floor + 1, "up": floor + 1, "top": 18,
                "home": f"{b}{floor}0{rng.randint(1, 4)}", "home_up": f"{b}{floor + 1}0{rng.randint(1, 4)}",
                "spot": rng.choice(spots), "compound": "本小区", "n": rng.randint(2, 6),
                "lot": f"B{rng.randint(1, 400):03d}", "when": rng.choice(case_texts.WHEN),
            }  # fmt: skip
            filled = (_text(text.title.format_map(blanks))[:80], _text(text.text.format_map(blanks)),
                      _text(text.reply.format_map(blanks)), text.kind, text.level)  # fmt: skip
            pool.setdefault(text.category, []).append(filled)
    return pool


# --- writing -----------------------------------------------------------------------------------


class Sink:
    """Rows of one table. Live tables stream into COPY FREEZE on their own connection; the small
    ones are spooled to a file and copied when closed. Inside a transaction everything is
    spooled and copied through the one connection."""

    def __init__(self, loader: Loader, table: str):
        self.loader, self.table, self.rows, self.buf = loader, table, 0, []
        self.started, self.copy = time.monotonic(), None
        if loader.parallel and table in LIVE:
            self.conn = loader.connect()
            self.copy_cm = self._begin(self.conn.cursor())
            self.copy = self.copy_cm.__enter__()
        else:
            self.spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())

    def _begin(self, cur):
        cur.execute(f"TRUNCATE {self.table}")
        columns = ", ".join(f'"{c}"' for c in COLUMNS[self.table].split())
        return cur.copy(f"COPY {self.table} ({columns}) FROM STDIN{' (FREEZE)' if self.loader.parallel else ''}")

    def row(self, *values) -> None:
        self.buf.append("\t".join(map(_text, values)) + "\n")
        self.rows += 1
        if len(self.buf) >= 2000:
            self.write("".join(self.buf).encode(), 0)
            self.buf = []

    def write(self, data: bytes, rows: int) -> None:
        self.rows += rows
        (self.copy or self.spool).write(data)

    def close(self) -> None:
        if self.buf:
            self.write("".join(self.buf).encode(), 0)
        if self.copy is not None:
            self.copy_cm.__exit__(None, None, None)
            self.conn.commit()
            self.conn.close()
        else:
            conn = self.loader.connect() if self.loader.parallel else self.loader.main
            self.spool.seek(0)
            with self._begin(conn.cursor()) as copy:
                while chunk := self.spool.read(1 << 20):
                    copy.write(chunk)
            self.spool.close()
            if self.loader.parallel:
                conn.commit()
                conn.close()
        self.loader.report(self.table, self.rows, time.monotonic() - self.started)


_LOADER: Loader | None = None  # what a forked worker works from


def _work(job: tuple[str, int]) -> list[tuple[str, bytes, int]]:
    kind, chunk = job
    return getattr(_LOADER, kind)(chunk)


# --- the load ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Place:
    """A compound: its homes (a range of home indexes), buildings and organisations."""

    id: int
    community: int  # index into Loader.communities
    village: bool
    built: int
    name: str
    homes: range = range(0)
    buildings: list = field(default_factory=list)  # (building id, homes range, stairwell ids, kind)
    orgs: dict = field(default_factory=dict)  # organisation kind -> id


class Loader:
    def __init__(self, *, size: Size, seed: int, now: dt.datetime, cases: int | None = None, out=print):
        self.size, self.seed, self.out, self.rng = size, seed, out, random.Random(seed)
        self.now = int(now.timestamp())
        self.stamp = _timestamp(self.now)
        self.year = (EPOCH + dt.timedelta(days=(self.now + TZ_OFFSET) // DAY)).year
        self.n_cases = round(size.homes * CASES_PER_HOME) if cases is None else cases
        self.cipher = FieldCipher(self.now)
        self.ids = dict.fromkeys(LOADED, 0)
        self.sinks: dict[str, Sink] = {}
        self.timings: list[tuple[str, int, float]] = []
        self.reserved: set[int] = set()
        self._members: set[tuple[int, int, str]] = set()
        self.building_leader: dict[int, int] = {}  # building id -> its leader's person id
        self.stairwell_leader: dict[int, int] = {}  # stairwell id -> its own leader's person id
        self.users: dict[str, int] = {}  # bench login -> user id
        # Outside a transaction each table gets its own connection and the workers run; inside
        # one (a test) all goes through Django's, or rows would outlive the test's rollback.
        self.parallel = not connection.in_atomic_block
        connection.ensure_connection()
        self.main = connection.connection
        db = connection.settings_dict
        self.params = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"] or None,
                       "host": db["HOST"] or None, "port": db["PORT"] or None}  # fmt: skip
        fake = Faker(random.Random(seed + 2))
        self.names = {(g, c): [fake.name(g, 2014 if c else 1975) for _ in range(4096)] for g in "MF" for c in (0, 1)}

    def name_of(self, pid: int, gender: str, child: bool = False) -> str:
        """Names follow from the person's id, so a case names its reporter without a lookup."""
        return self.names[gender, child][(pid * 40_503 >> 3) & 4095]

    def connect(self):
        conn = psycopg.connect(**self.params)
        conn.execute("SET synchronous_commit = off")
        return conn

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def open(self, *tables: str) -> None:
        for table in tables:
            self.sinks[table] = Sink(self, table)

    def close(self, *tables: str) -> None:
        for table in tables:
            self.sinks.pop(table).close()

    def report(self, table: str, rows: int, seconds: float) -> None:
        self.timings.append((table, rows, seconds))
        self.out(f"  {table:<36} {rows:>11,} rows {seconds:8.1f} s")

    def run(self) -> dict[str, int]:
        started = time.monotonic()
        with self.main.cursor() as cur:
            _check_columns(cur)
        self.out("emptying the tables to fill; dropping their indexes and keys")
        ddl = prepare(self.main, commit=self.parallel)
        self.categories = list(Category.objects.filter(active=True).order_by("position", "code"))
        calendar = dict(CalendarDay.objects.values_list("date", "is_workday"))
        self.deadline_days = {
            k: (r, v) for k, r, v in DeadlineRule.objects.values_list("kind", "reply_days", "resolve_days")
        }
        first = (self.now + TZ_OFFSET) // DAY - YEARS * 366
        self.workdays = [d for d in range(first, first + YEARS * 366 + 120)
                         if workdays.is_workday(EPOCH + dt.timedelta(days=d), calendar)]  # fmt: skip
        self.out("generating and copying (seconds from the first row to the commit)")
        places = ("places_subdistrict", "places_community", "places_compound", "places_building", "places_stairwell")
        orgs = ("people_organisation", "people_membership", "people_propertyserviceperiod",
                "people_leaderassignment", "people_leaderassignment_stairwells", "accounts_user")  # fmt: skip
        self.open(*places, "places_home")
        self.grid()
        self.close(*places, "places_home")
        self.open("people_person", "people_occupancy")
        self.in_chunks("people", -(-len(self.home_size) // HOMES_PER_CHUNK))
        self.close("people_occupancy")
        self.cipher.rng = random.Random(f"{self.seed}:staff")
        self.pick_bench()
        self.open(*orgs)
        self.organisations()
        self.actors()
        self.teams()
        self.close("people_person", *orgs)
        self.open(*CAMPAIGN_TABLES)
        self.campaigns()
        self.close(*CAMPAIGN_TABLES)
        self.open(*VOTE_TABLES)
        self.votes()
        self.close(*VOTE_TABLES)
        self.open(*MEETING_TABLES)
        self.meetings()
        self.close(*MEETING_TABLES)
        self.open(*ACTIVITY_TABLES)
        self.activities()
        self.close(*ACTIVITY_TABLES)
        self.open("cases_case", "cases_event")
        self.text_pool = _text_pool(self.rng)
        self.in_chunks("cases", -(-self.n_cases // CASES_PER_CHUNK))
        self.close("cases_case", "cases_event")
        self.out("building indexes and keys")
        restore(self.main, ddl, out=self.out, commit=self.parallel)
        t = time.monotonic()
        with self.main.cursor() as cur:
            for table in LOADED:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(MAX(id), 1)) FROM {table}"
                )
                cur.execute(f"ANALYZE {table}")
        self.out(f"  {'analyze':<36} {'':>16} {time.monotonic() - t:8.1f} s")
        self.out(f"done in {time.monotonic() - started:.0f} s")
        return {table: rows for table, rows, _s in self.timings}

    def in_chunks(self, kind: str, chunks: int) -> None:
        """Make `chunks` chunks with `getattr(self, kind)` in forked workers (a few ahead of the
        writer, no more, so memory stays flat) and copy them in order."""
        global _LOADER
        if not self.parallel:
            for chunk in range(chunks):
                self._write(getattr(self, kind)(chunk))
            return
        _LOADER = self
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            pending = deque()
            for chunk in range(chunks):
                pending.append(pool.apply_async(_work, ((kind, chunk),)))
                if len(pending) > 2 * WORKERS:
                    self._write(pending.popleft().get())
            while pending:
                self._write(pending.popleft().get())
        _LOADER = None

    def _write(self, parts: list[tuple[str, bytes, int]]) -> None:
        for table, data, rows in parts:
            self.sinks[table].write(data, rows)

    # --- the grid: planned here, its people made by the workers ------------------------------

    def grid(self) -> None:
        rng, size, sinks = self.rng, self.size, self.sinks
        self.places: list[Place] = []
        self.communities: list[tuple[int, int]] = []  # (community id, subdistrict id)
        # Per home index (id - 1): stairwell, building, first person id, the day people moved
        # in, how many live there, whether its owner lives elsewhere.
        self.home_stairwell, self.home_building = array("q"), array("q")
        self.home_first, self.home_start = array("q"), array("q")
        self.home_size, self.home_flags = bytearray(), bytearray()
        self.home_area, self.home_floor = array("q"), bytearray()  # hundredths of m² (-1: unknown)
        self.home_source = bytearray()  # index into AREA_SOURCES
        self.persons = 0
        per_sub = _split(size.communities, size.subdistricts, rng, 0.3)
        per_community = iter(_split(size.homes, size.communities, rng, 0.5))
        for s in range(size.subdistricts):
            sid = self.next_id("places_subdistrict")
            sinks["places_subdistrict"].row(sid, SUBDISTRICT_NAMES[s], f"4406050{s + 1:02d}")
            used = set()  # names of communities and compounds: unique within the subdistrict
            for _ in range(per_sub[s]):
                homes = next(per_community)
                cid = self.next_id("places_community")
                sinks["places_community"].row(cid, sid, self._unique_name(used, "社区"), "")
                self.communities.append((cid, sid))
                one = size.communities == 1 and size.homes < 5000  # the compound size is one compound
                parts = [homes] if one else _split(homes, max(1, round(homes / rng.uniform(700, 1400))), rng, 0.6)
                for n in parts:
                    self.compound(len(self.communities) - 1, n, used)

    def _unique_name(self, used: set, suffix: str) -> str:
        while True:
            name = "".join(self.rng.sample(SYLLABLES, 2)) + suffix
            if name not in used:
                used.add(name)
                return name

    def compound(self, community: int, homes: int, used: set) -> None:
        rng = self.rng
        village = homes < 900 and self.size.homes > 5000 and rng.random() < 0.12
        built = rng.randint(1986, 2021)
        name = self._unique_name(used, "村" if village else rng.choice(COMPOUND_SUFFIXES))
        place = Place(self.next_id("places_compound"), community, village, built, name)
        self.sinks["places_compound"].row(
            place.id, self.communities[community][0], name, "", "village" if village else "compound", built, ""
        )
        first, number = len(self.home_size), 0
        while (left := homes - (len(self.home_size) - first)) > 0:
            number += 1
            if village:
                self.building(place, f"{number}巷", "lane", 1, 1, 1, min(left, rng.randint(15, 60)))
            elif built < 2000:  # walk-ups
                self.building(place, f"{number}栋", "building", rng.randint(6, 8), rng.choice((2, 2, 3)), 2, left)
            else:
                stairs, per = rng.choice(((1, 2), (1, 4), (2, 2), (2, 3), (1, 3), (2, 4)))
                self.building(place, f"{number}栋", "building", rng.randint(18, 33), stairs, per, left)
        place.homes = range(first, len(self.home_size))
        self.places.append(place)

    def building(self, place: Place, name: str, kind: str, floors: int, stairs: int, per: int, left: int) -> None:
        rng, sinks = self.rng, self.sinks
        bid = self.next_id("places_building")
        sinks["places_building"].row(bid, place.id, name, kind, floors if kind == "building" else None, name[:-1])
        stairwells = []
        for s in range(stairs):
            stairwells.append(self.next_id("places_stairwell"))
            sinks["places_stairwell"].row(stairwells[-1], bid, "全巷" if kind == "lane" else f"{s + 1}单元", s + 1)
        first = len(self.home_size)
        homes = min(left, floors * stairs * per)
        lines = []
        moved_in = (max(place.built, 1995) - 1970) * 365
        last_day = (self.now + TZ_OFFSET) // DAY - 30
        for i in range(homes):
            if kind == "lane":
                stairwell, number, floor, large = stairwells[0], f"{i + 1}号", 1, True
            else:  # round the stairwells, bottom up: a short last building lacks its top floors
                floor, pos = divmod(i // stairs, per)
                stairwell, number, floor, large = (
                    stairwells[i % stairs],
                    f"{floor + 1}{pos + 1:02d}",
                    floor + 1,
                    per <= 2,
                )
            r = rng.random()
            source = "register" if r < 0.86 else "survey" if r < 0.93 else "contract" if r < 0.98 else "unknown"
            area = N
            if source != "unknown":
                cents = rng.randrange(9500, 16000) if large else rng.randrange(6000, 12500)
                area = f"{cents // 100}.{cents % 100:02d}"
            vacant = rng.random() < 0.04
            r = rng.random()  # about 3 people per occupied home, 12% alone
            size = 0 if vacant else 1 if r < 0.12 else 2 if r < 0.32 else 3 if r < 0.59 else 4 if r < 0.83 else 5
            flags = VACANT if vacant else TENANT if rng.random() < 0.22 else 0
            lines.append(f"{first + i + 1}\t{stairwell}\t{number}\t{floor}\t{area}\t{source}\t{'ft'[vacant]}\n")
            self.home_stairwell.append(stairwell)
            self.home_building.append(bid)
            self.home_first.append(self.persons + 1)
            self.home_start.append(min(moved_in + rng.randrange(3000), last_day))
            self.home_size.append(size)
            self.home_flags.append(flags)
            self.home_area.append(-1 if area == N else int(area.replace(".", "")))
            self.home_source.append(AREA_SOURCES.index(source))
            self.home_floor.append(floor)
            self.persons += size + (flags != 0)
        sinks["places_home"].write("".join(lines).encode(), homes)
        place.buildings.append((bid, range(first, first + homes), stairwells, kind))

    def people(self, chunk: int) -> list[tuple[str, bytes, int]]:
        """The people of a chunk of homes with one occupancy each (its id is the person's): the
        household in the order the plan counted them, then the owner living elsewhere."""
        rng = self.cipher.rng = random.Random(f"{self.seed}:people:{chunk}")
        year, stamp, enc, hsh, name_of = self.year, self.stamp, self.cipher.encrypt, self.cipher.hash, self.name_of
        people, occupancies = [], []

        def person(pid, hid, relation, born, start, gender, alone=False):
            adult = year - born >= 18
            phone = phone_of(pid) if has_phone(pid, adult) else ""
            disabled = rng.random() < 0.01
            care = "独居老人，需定期探访" if alone and rng.random() < 0.4 else "行动不便" if disabled else ""
            people.append(
                f"{pid}\t{name_of(pid, gender, not adult)}\t{gender}\t{born}\t{enc(phone) if phone else ''}"
                f"\t{hsh(phone)}\t\t\t{'ft'[rng.random() < 0.5]}\t{'ft'[alone]}\t{'ft'[disabled]}\t{care}\t{stamp}"
                f"\t{stamp}\n"
            )
            occupancies.append(f"{pid}\t{pid}\t{hid}\t{relation}\t{start}\t\\N\n")

        homes = range(chunk * HOMES_PER_CHUNK, min(len(self.home_size), (chunk + 1) * HOMES_PER_CHUNK))
        for h in homes:
            pid, size, flags, start = self.home_first[h], self.home_size[h], self.home_flags[h], self.home_start[h]
            since = _date(start)
            head_relation = "tenant" if flags == TENANT else "owner"
            if size == 1 and rng.random() < 0.7:
                person(pid, h + 1, head_relation, rng.randint(1936, 1962), since, _gender(pid), alone=True)
            elif size:
                head = rng.randint(1955, 1998)
                person(pid, h + 1, head_relation, head, since, _gender(pid))
                if size > 1:  # the spouse
                    person(pid + 1, h + 1, "family", head + rng.randint(-4, 4), since, "MF"[_gender(pid) == "M"])
                for k in range(2, size):
                    born = min(year - 1, head + rng.randint(22, 38))
                    person(pid + k, h + 1, "family", born, since, _gender(pid + k))
            if flags:
                person(pid + size, h + 1, "owner", rng.randint(1950, 1990), _date(owner_since(h, start)),
                       _gender(pid + size))  # fmt: skip
        return [("people_person", "".join(people).encode(), len(people)),
                ("people_occupancy", "".join(occupancies).encode(), len(occupancies))]  # fmt: skip

    # --- organisations, leaders, the bench actors ----------------------------------------------

    def staff(self) -> int:
        """Someone who works here and lives elsewhere (a worker, a clerk): after the residents."""
        self.persons += 1
        pid, born = self.persons, self.rng.randint(1968, 1998)
        phone = phone_of(pid) if has_phone(pid, True) else ""
        self.sinks["people_person"].row(pid, self.name_of(pid, _gender(pid)), _gender(pid), born,
                                        self.cipher.encrypt(phone) if phone else "", self.cipher.hash(phone), "", "",
                                        True, False, False, "", self.stamp, self.stamp)  # fmt: skip
        return pid

    def resident_of(self, homes: range) -> int | None:
        """The head of a random occupied home among `homes` (never a bench actor)."""
        for _ in range(20 if homes else 0):
            h = self.rng.choice(homes)
            if self.home_size[h] and self.home_first[h] not in self.reserved:
                return self.home_first[h]
        return None

    def org(self, kind, name, sub, community=None, compound=None, founded=None) -> int:
        oid = self.next_id("people_organisation")
        self.sinks["people_organisation"].row(oid, kind, name, None, sub, community, compound, None, None, founded,
                                              None, "")  # fmt: skip
        return oid

    def member(self, org: int, person: int | None, role: str) -> None:
        if person is not None and (org, person, role) not in self._members:
            self._members.add((org, person, role))
            self.sinks["people_membership"].row(self.next_id("people_membership"), org, person, role, None, None)

    def pick_bench(self) -> None:
        """Where the bench actors live and work: the largest building of the largest compound of
        the first community, with a resident and the building's leader (both with a phone)."""
        self.bench_place = max(
            (p for p in self.places if p.community == 0 and not p.village), key=lambda p: len(p.homes)
        )
        self.bench_building = max(self.bench_place.buildings, key=lambda b: len(b[1]))
        homes = [h for h in self.bench_building[1] if self.home_size[h] and has_phone(self.home_first[h], True)]
        self.bench_home, self.bench_leader = homes[len(homes) // 2], self.home_first[homes[0]]
        self.reserved = {self.bench_leader, self.home_first[self.bench_home]}

    def organisations(self) -> None:
        """Per subdistrict its office and departments; per community its residents' committee
        (a chair, five workers) and party committee; property companies serving about four
        compounds each, some after an earlier company left; owners' committees and
        associations in many compounds; a leader for every building."""
        rng = self.rng
        self.office, self.rc_of, companies, used = {}, {}, {}, set()
        for sid in sorted({sid for _cid, sid in self.communities}):
            name = SUBDISTRICT_NAMES[sid - 1]
            self.office[sid] = self.org("subdistrict_office", name + "办事处", sid)
            self.member(self.office[sid], self.staff(), "admin")
            for dept in ("城市管理和综合执法办公室", "住房城乡建设和水利办公室", "社会工作办公室"):
                self.org("department", name + dept, sid)
        for index, (cid, sid) in enumerate(self.communities):
            rc = self.rc_of[index] = self.org("residents_committee", f"第{index + 1}社区居民委员会", sid, cid)
            pc = self.org("party_committee", f"第{index + 1}社区党委", sid, cid)
            chair = self.staff()
            self.member(rc, chair, "chair")
            self.member(pc, chair, "secretary")  # 一肩挑: one person chairs both
            for _ in range(5):
                self.member(rc, self.staff(), "worker")
        for place in self.places:
            cid, sid = self.communities[place.community]
            place.orgs["residents_committee"] = place.orgs["party_committee"] = self.rc_of[place.community]
            if not place.village:
                pool = companies.setdefault(sid, [])
                if not pool or rng.random() < 0.25:
                    pool.append(
                        self.org("property_company", self._unique_name(used, rng.choice(COMPANY_SUFFIXES)), sid)
                    )
                    for role in ("manager", "clerk", "clerk"):
                        self.member(pool[-1], self.staff(), role)
                company = place.orgs["property_company"] = rng.choice(pool)
                start = f"{max(place.built, 2000)}-01-01"
                if len(pool) > 1 and rng.random() < 0.2:  # an earlier company left (撤场)
                    left = f"{rng.randint(max(place.built, 2000), 2022)}-06-30"
                    earlier = rng.choice([c for c in pool if c != company])
                    self.sinks["people_propertyserviceperiod"].row(
                        self.next_id("people_propertyserviceperiod"), earlier, place.id, start, left
                    )
                    start = left[:4] + "-07-01"
                self.sinks["people_propertyserviceperiod"].row(
                    self.next_id("people_propertyserviceperiod"), company, place.id, start, None
                )
                if rng.random() < 0.6:
                    founded = f"{rng.randint(2010, 2024)}-03-01"
                    oc = self.org("owners_committee", place.name + "业主委员会", sid, cid, place.id, founded=founded)
                    place.orgs["owners_committee"] = oc
                    for role in ("chair",) + ("officer",) * 4:
                        self.member(oc, self.resident_of(place.homes), role)
            if rng.random() < 0.5:
                assoc = place.orgs["association"] = self.org("association", place.name + "街坊会", sid, cid, place.id)
                for role in ("chair", "officer", "officer") + ("member",) * 8:
                    self.member(assoc, self.resident_of(place.homes), role)
            for building in place.buildings:
                if building is not self.bench_building:
                    self.leaders(*building)

    def leaders(self, bid: int, homes: range, stairwells: list, kind: str, person: int | None = None) -> None:
        rng, sinks = self.rng, self.sinks
        start, kind = f"{rng.randint(2019, 2024)}-01-01", "lane" if kind == "lane" else "building"
        if person is None and len(stairwells) > 1 and rng.random() < 0.3:  # one leader per stairwell
            for i, wid in enumerate(stairwells):
                if (leader := self.resident_of(homes[i :: len(stairwells)])) is not None:
                    aid = self.next_id("people_leaderassignment")
                    sinks["people_leaderassignment"].row(aid, leader, kind, bid, None, start, None)
                    self.stairwell_leader[wid] = leader
                    sinks["people_leaderassignment_stairwells"].row(
                        self.next_id("people_leaderassignment_stairwells"), aid, wid
                    )
        elif (leader := person or self.resident_of(homes)) is not None:
            aid = self.next_id("people_leaderassignment")
            sinks["people_leaderassignment"].row(aid, leader, kind, bid, None, start, None)
            self.building_leader[bid] = leader

    def actors(self) -> None:
        """The bench logins (ACTORS): the resident, the building's leader, the clerk of the company
        serving the compound, a worker of its community, an administrator of its subdistrict."""
        place = self.bench_place
        self.leaders(*self.bench_building, person=self.bench_leader)
        clerk, worker, admin = self.staff(), self.staff(), self.staff()
        self.member(place.orgs["property_company"], clerk, "clerk")
        self.member(self.rc_of[place.community], worker, "worker")
        self.member(self.office[self.communities[place.community][1]], admin, "admin")
        people = {"bench-resident": self.home_first[self.bench_home], "bench-leader": self.bench_leader,
                  "bench-clerk": clerk, "bench-worker": worker, "bench-admin": admin}  # fmt: skip
        password = make_password(PASSWORD)
        for username, person in people.items():
            self.users[username] = self.next_id("accounts_user")
            self.sinks["accounts_user"].row(self.users[username], password, None, False, username, "", "",
                                            "", False, True, self.stamp, person, False)  # fmt: skip

    # --- door-to-door campaigns ----------------------------------------------------------------

    def campaigns(self) -> None:
        """A campaign over every community, running for 30 days, organised by the bench worker:
        each home assigned by the rule (its stairwell's leader, else its building's; the scale
        data has no household contacts), 60% of homes visited once, the state of each as
        `record_visit` leaves it."""
        rng, sinks = random.Random(f"{self.seed}:campaigns"), self.sinks
        today = (self.now + TZ_OFFSET) // DAY
        recorder = self.users["bench-worker"]
        ranges: dict[int, list[range]] = {}
        for place in self.places:
            ranges.setdefault(place.community, []).append(place.homes)
        for index, (cid, sid) in enumerate(self.communities):
            camp = self.next_id("campaigns_campaign")
            sinks["campaigns_campaign"].row(camp, "电动自行车安全入户走访", "", "community", sid, cid, None, "all",
                                            CAMPAIGN_FORM, _date(today - 30), _date(today + 30), "running",
                                            recorder, _timestamp(self.now - 30 * DAY))  # fmt: skip
            for homes in ranges.get(index, ()):
                for h in homes:
                    self.campaign_home(rng, camp, h, recorder)

    def campaign_home(self, rng: random.Random, camp: int, h: int, recorder: int) -> None:
        sinks, aid = self.sinks, self.next_id("campaigns_assignment")
        stairwell, building = self.home_stairwell[h], self.home_building[h]
        visitor, source = self.stairwell_leader.get(stairwell), "stairwell_leader"
        if visitor is None:
            visitor, source = self.building_leader.get(building), "building_leader"
        if visitor is None:
            source = "none"
        if rng.random() >= VISITED_SHARE:
            sinks["campaigns_assignment"].row(aid, camp, h + 1, visitor, source, "pending", None, None, 0)
            return
        outcome = rng.choice(VISIT_OUTCOMES)
        at = self.now - rng.randrange(30 * DAY)
        revisit = _date((at + TZ_OFFSET) // DAY + 2) if outcome == "not_home" else None
        answers = f'{{"people": {rng.randint(1, 5)}, "ebike": {"true" if rng.random() < 0.4 else "false"}}}'
        sinks["campaigns_assignment"].row(aid, camp, h + 1, visitor, source, outcome, _timestamp(at), revisit, 1)
        client_id = uuid.UUID(int=rng.getrandbits(128))
        sinks["campaigns_campaignvisit"].row(self.next_id("campaigns_campaignvisit"), client_id,
                                             camp, aid, h + 1, visitor, recorder, outcome,
                                             answers if outcome == "reached" else "{}", "", _timestamp(at),
                                             _timestamp(at), None)  # fmt: skip

    # --- owners' votes -------------------------------------------------------------------------

    def votes(self) -> None:
        """Owners' votes over the last VOTE_YEARS years (2,000 in the district): assemblies of a
        compound (proposals, now and then an owners' committee election) and elevator consents of
        a stairwell, each as the votes services leave it. The electorate as `snapshot` freezes it
        on the day of the notice (the owners then, an area the survey filled in by a correction
        where the register had none, the ground floor affected under an elevator consent, half of
        those with a compensation agreement by correction); ballots with their records and
        receipts; the past ones closed and published with the result and the chain counted by
        tally.compute and chain.lines, as services.count counts them. The last three are in the
        bench compound: published, announced, open."""
        rng, sinks = random.Random(f"{self.seed}:votes"), self.sinks
        today = (self.now + TZ_OFFSET) // DAY
        worker = self.users["bench-worker"]
        frozen = {}
        for data in RULE_SETS:  # the default rule sets (the load empties their table)
            rs = RuleSet(**data, pk=self.next_id("votes_ruleset"))
            sinks["votes_ruleset"].row(rs.pk, rs.name, rs.kind, None, None, rs.participation_area,
                                       rs.participation_heads, rs.ordinary_area, rs.ordinary_heads, rs.special_area,
                                       rs.special_heads, json.dumps(rs.special_items), rs.affected_consent,
                                       rs.notice_days, rs.objection_days, rs.seats_min, rs.seats_max,
                                       rs.term_years_max, rs.active)  # fmt: skip
            frozen[rs.kind] = rs.frozen()
        self.vote_counts = {"published": 0, "closed": 0, "open": 0, "announced": 0}
        self.ballot_number = 0
        n = max(3, round(self.size.homes * VOTES_PER_HOME))
        compounds = [p for p in self.places if not p.village and len(p.homes)] or self.places
        for i in range(n):
            place = self.bench_place if i >= n - 3 else rng.choice(compounds)  # bench/run.py's pages
            state = "open" if i == n - 1 else "announced" if i == n - 2 else "published"
            if state == "published" and i < n - 3 and rng.random() < 0.05:
                state = "closed"  # counted, the result not yet published
            stairwell = building = None
            walkups = [b for b in place.buildings if b[3] == "building"]
            if walkups and (state == "announced" or (state == "published" and rng.random() < 0.5)):
                building, homes_range, stairwells, _kind = rng.choice(walkups)
                stairwell = rng.choice(stairwells)
                homes = [h for h in homes_range if self.home_stairwell[h] == stairwell]
                kind = "elevator"
            else:
                homes, kind = list(place.homes), "assembly"
            self.vote(rng, i, place, kind, building, stairwell, homes, state, frozen[kind], today, worker)

    def vote(self, rng, i, place, kind, building, stairwell, homes, state, rules, today, worker) -> None:
        sinks, at9 = self.sinks, 9 * 3600 - TZ_OFFSET
        notice, objection = rules["notice_days"], rules["objection_days"]
        if state == "open":
            opens = today - 2
        elif state == "announced":
            opens = today + max(1, notice - 3)
        else:
            opens = today - rng.randrange(30, VOTE_YEARS * 365)
        closes = opens + (7 if state == "open" else rng.randint(7, 21))
        announced = opens - notice - rng.randint(0, 3)
        opens_at, closes_at, announced_at = opens * DAY + at9, closes * DAY + at9 + 9 * 3600, announced * DAY + at9
        objection_until = min(announced_at + objection * DAY, opens_at)
        vid, salt = self.next_id("votes_vote"), f"{rng.getrandbits(128):032x}"
        # The matters and their candidates.
        specs, titles = [], []
        if kind == "elevator":
            titles.append(("同意在本单元加装电梯（方案及费用分摊见附件）", 7, "proposal"))
        else:
            for title, item in rng.sample(ASSEMBLY_MATTERS, rng.randint(1, 3)):
                titles.append((title, item, "proposal"))
            if rng.random() < 0.3:
                titles.append(("选举业主委员会委员", 3, "election"))
        for position, (title, item, matter_kind) in enumerate(titles, start=1):
            mid, seats, candidates = self.next_id("votes_matter"), None, ()
            if matter_kind == "election":
                seats = rng.choice((5, 7))
                people = []
                for _ in range(seats * 4):  # heads of occupied homes (as resident_of, on this generator)
                    h = rng.choice(place.homes)
                    pid = self.home_first[h]
                    if self.home_size[h] and pid not in people and pid not in self.reserved:
                        people.append(pid)
                candidates, names = [], set()  # a matter's candidates have distinct names (a constraint)
                for pid in people:
                    name = self.name_of(pid, _gender(pid))
                    if name in names:
                        continue
                    names.add(name)
                    cid = self.next_id("votes_candidate")
                    sinks["votes_candidate"].row(cid, mid, pid, name, "", len(candidates) + 1)
                    candidates.append(cid)
                    if len(candidates) == seats + 2:
                        break
                candidates = tuple(candidates)
            sinks["votes_matter"].row(mid, vid, position, matter_kind, item, title, "", seats,
                                      5 if seats else None)  # fmt: skip
            specs.append(tally.MatterSpec(key=mid, kind=matter_kind, item=item, seats=seats, candidates=candidates))
        # The electorate, frozen on the day of the notice.
        units, voters, electors, elector_lines, owner_lines = [], {}, {}, [], []
        affected_consent = rules["affected_consent"]
        for h in homes:
            size, flags, start = self.home_size[h], self.home_flags[h], self.home_start[h]
            owner, since = (self.home_first[h] + size, owner_since(h, start)) if flags else (self.home_first[h], start)
            if since > announced:
                owner = None  # bought after the notice: not in the frozen electorate
            eid = electors[h] = self.next_id("votes_elector")
            cents, source = self.home_area[h], AREA_SOURCES[self.home_source[h]]
            if cents < 0:  # no area on record: the survey's, entered as a correction
                cents = rng.randint(6000, 14000)
                sinks["votes_correction"].row(self.next_id("votes_correction"), eid, "area", "",
                                              f"{cents // 100}.{cents % 100:02d}", "按测绘报告补录面积", worker,
                                              _timestamp(announced_at + 3600))  # fmt: skip
            affected = affected_consent and self.home_floor[h] <= 1
            compensation = affected and rng.random() < 0.5
            if compensation:
                sinks["votes_correction"].row(self.next_id("votes_correction"), eid, "compensation_agreed", "0",
                                              "1", "一楼补偿协议已签订", worker,
                                              _timestamp(announced_at + 7200))  # fmt: skip
            head = f"o:{owner}" if owner else f"h:{h + 1}"
            # The large tables as lines (Sink.row's escaping is most of the time; nothing here needs it).
            elector_lines.append(f"{eid}\t{vid}\t{h + 1}\t{cents // 100}.{cents % 100:02d}\t{source}\t{head}\tf"
                                 f"\t{'ft'[affected]}\t{'ft'[compensation]}\t{owner or N}\n")  # fmt: skip
            if owner:
                owner_lines.append(f"{self.next_id('votes_owner')}\t{eid}\t{owner}\n")
                voters[h] = owner
            units.append(tally.Unit(h + 1, cents, head, affected, compensation))
        sinks["votes_elector"].write("".join(elector_lines).encode(), len(elector_lines))
        sinks["votes_owner"].write("".join(owner_lines).encode(), len(owner_lines))
        # The ballots: those who voted by now.
        ballots, receipts, ballot_lines, record_lines = {}, {}, [], []
        if state != "announced":
            turnout = rng.uniform(0.8, 0.98) if kind == "elevator" else rng.uniform(0.55, 0.9)
            support = rng.uniform(0.55, 0.95)
            until = min(closes_at, self.now) if state == "open" else closes_at
            for h in homes:
                voter = voters.get(h)
                if voter is None or rng.random() >= turnout:
                    continue
                choices = {}
                for spec in specs:
                    if spec.kind == "proposal":
                        r = rng.random()
                        choices[str(spec.key)] = "yes" if r < support else "abstain" if r < support + 0.05 else "no"
                    else:  # the first candidates popular, any number up to the seats
                        liked = [c for k, c in enumerate(spec.candidates) if rng.random() < 0.9 - 0.08 * k]
                        choices[str(spec.key)] = sorted(liked[: spec.seats])
                self.ballot_number += 1
                receipt, at = _receipt(self.ballot_number), _timestamp(rng.randrange(opens_at, until))
                text = json.dumps(choices)
                ballot_lines.append(f"{self.next_id('votes_ballot')}\t{vid}\t{electors[h]}\t{h + 1}\t{text}\tonline"
                                    f"\t{voter}\t{receipt}\t{at}\t0\n")  # fmt: skip
                record_lines.append(f"{self.next_id('votes_ballotrecord')}\t{vid}\t{electors[h]}\t{text}\tonline"
                                    f"\t{voter}\t{N}\t{receipt}\t{at}\n")  # fmt: skip
                ballots[h + 1], receipts[h + 1] = choices, receipt
            sinks["votes_ballot"].write("".join(ballot_lines).encode(), len(ballot_lines))
            sinks["votes_ballotrecord"].write("".join(record_lines).encode(), len(record_lines))
        result, head, closed_at, published_at, version = {}, "", None, None, {"announced": 2, "open": 3}.get(state, 4)
        if state in ("closed", "published"):
            result = tally.compute(rules, specs, units, ballots)
            whole = result["participation"]
            result["electorate"] = {k: whole[k]["whole"] for k in ("area", "heads", "units")}
            lines = chain.lines(SimpleNamespace(salt=salt), units, ballots, receipts)
            head = chain.head(_vote_code(vid), lines)
            result["chain"] = {"head": head, "ballots": len(lines)}
            closed_at = _timestamp(closes_at)
            if state == "published":
                published_at, version = _timestamp(closes_at + DAY), 5
        self.vote_counts[state] += 1
        title = f"{place.name}业主大会" if kind == "assembly" else f"{place.name}加装电梯业主意见征询"
        cid, _sid = self.communities[place.community]
        sinks["votes_vote"].row(vid, _vote_code(vid), title, "", rules["rule_set_id"],
                                json.dumps(rules, ensure_ascii=False), cid, place.id, building, stairwell,
                                self.rc_of[place.community], state,
                                _timestamp(opens_at), _timestamp(closes_at), _timestamp(announced_at),
                                _timestamp(objection_until), closed_at, published_at,
                                json.dumps(result, ensure_ascii=False), head, salt, worker,
                                _timestamp(announced_at - 2 * DAY), version)  # fmt: skip

    # --- meetings ------------------------------------------------------------------------------

    def meetings(self) -> None:
        """Meetings over the last YEARS years and the next month (20,000 in the district), of
        each community's committee: stairwell meetings and tea parties of a stairwell's
        households, deliberation halls and joint meetings of a compound. Each as the meetings
        services leave it: its agenda, invitations to the heads of the households (replies before
        it starts), the attendance its organiser marked; a past one with minutes, most of them
        approved (the meeting then `held`), some still a draft (still `planned`); a few cancelled."""
        rng, sinks = random.Random(f"{self.seed}:meetings"), self.sinks
        worker = self.users["bench-worker"]
        weights = [k[3] for k in MEETING_KINDS]
        n = max(6, round(self.size.homes * MEETINGS_PER_HOME))
        places = [p for p in self.places if len(p.homes)]
        self.meeting_counts = {"planned": 0, "held": 0, "cancelled": 0}
        for i in range(n):
            place = self.bench_place if i % 10 == 0 else rng.choice(places)
            kind, title, where, _w = rng.choices(MEETING_KINDS, weights)[0]
            building = stairwell = None
            if where == "stairwell":
                building, homes_range, stairwells, _kind = rng.choice(place.buildings)
                stairwell = rng.choice(stairwells)
                homes = [h for h in homes_range if self.home_stairwell[h] == stairwell]
            else:
                homes = place.homes
            upcoming = i >= n - max(2, n // 60)  # the next month's
            day = (self.now + TZ_OFFSET) // DAY + (rng.randint(1, 30) if upcoming else -rng.randint(1, YEARS * 365))
            hour = 19.5 if where == "stairwell" else 9.5
            starts = day * DAY - TZ_OFFSET + int(hour * 3600)
            ends = starts + 90 * 60
            cancelled = not upcoming and rng.random() < 0.04
            past = ends < self.now
            minutes = past and not cancelled and rng.random() < 0.85
            approved = minutes and rng.random() < 0.85 and ends + 3 * DAY < self.now
            status = "cancelled" if cancelled else "held" if approved else "planned"
            self.meeting_counts[status] += 1
            mid = self.next_id("meetings_meeting")
            cid, _sid = self.communities[place.community]
            location = "楼道口" if where == "stairwell" else "社区居民议事厅"
            description = "因故取消。" if cancelled else ""
            sinks["meetings_meeting"].row(mid, _meeting_code(mid), kind, title, description, cid, place.id, building,
                                          stairwell, self.rc_of[place.community], "offline", None, None, location,
                                          "", _timestamp(starts), _timestamp(ends), status,
                                          f"{rng.getrandbits(120):030x}", worker,
                                          _timestamp(starts - rng.randint(3, 14) * DAY))  # fmt: skip
            agenda = []
            for position, item in enumerate(rng.sample(AGENDA, rng.randint(1, 3)), start=1):
                agenda.append(self.next_id("meetings_agendaitem"))
                sinks["meetings_agendaitem"].row(agenda[-1], mid, position, item, "", None, None)
            # Invitations to the heads of the households (a sample of a compound's), then who came.
            heads = list(dict.fromkeys(self.home_first[h] for h in (
                homes if len(homes) <= 40 else rng.sample(homes, 40)) if self.home_size[h]))  # fmt: skip
            for pid in heads:
                r = rng.random()
                reply = "yes" if r < 0.6 else "no" if r < 0.75 else "maybe" if r < 0.8 else "pending"
                if upcoming and rng.random() < 0.5:
                    reply = "pending"
                replied = None if reply == "pending" else _timestamp(starts - rng.randint(3600, 3 * DAY))
                sinks["meetings_invitation"].row(self.next_id("meetings_invitation"), mid, pid, "居民代表", reply,
                                                 replied)  # fmt: skip
                came = {"yes": 0.85, "maybe": 0.5, "pending": 0.2}.get(reply, 0.02)
                if past and not cancelled and rng.random() < came:
                    sinks["meetings_attendance"].row(self.next_id("meetings_attendance"), mid, pid, "organiser",
                                                     _timestamp(starts + rng.randint(-1800, 600)), worker)  # fmt: skip
            if minutes:
                mnid = self.next_id("meetings_minutes")
                at = ends + rng.randint(1, 3) * DAY
                sinks["meetings_minutes"].row(mnid, mid, "会议按议程进行，与会居民充分发言。",
                                              _timestamp(at) if approved else None, worker if approved else None, 1,
                                              _timestamp(at))  # fmt: skip
                for aid in agenda:
                    sinks["meetings_minutesitem"].row(self.next_id("meetings_minutesitem"), mnid, aid,
                                                      "居民逐一发表意见。", "多数赞成，少数担心费用。",
                                                      "原则通过，由居委会跟进落实。")  # fmt: skip

    # --- volunteer teams and their activities -------------------------------------------------

    def teams(self) -> None:
        """Two volunteer teams per community with a leader and 30-60 members, residents of it."""
        rng = random.Random(f"{self.seed}:teams")
        homes: dict[int, list[range]] = {}
        for place in self.places:
            homes.setdefault(place.community, []).append(place.homes)
        self.team_members: dict[int, list[int]] = {}  # team id -> its volunteers (person ids)
        self.team_community: dict[int, int] = {}
        for index, (cid, sid) in enumerate(self.communities):
            ranges = [r for r in homes.get(index, ()) if len(r)]
            for name in TEAM_NAMES:
                team = self.org("volunteer_team", f"第{index + 1}社区{name}", sid, cid)
                people = []
                for _ in range(rng.randint(30, 60) * 2 if ranges else 0):
                    h = rng.choice(rng.choice(ranges))  # a head of a household, as resident_of
                    pid = self.home_first[h] if self.home_size[h] else None
                    if pid is not None and pid not in people and pid not in self.reserved:
                        people.append(pid)
                for k, pid in enumerate(people[:60]):
                    self.member(team, pid, "leader" if k == 0 else "member")
                self.team_members[team], self.team_community[team] = people[:60], index

    def activities(self) -> None:
        """The teams' activities over the last two years and the next month (100,000 in the
        district), as the volunteers services leave them: volunteers signed up up to the
        capacity, the rest waiting; past ones with the attendance the organiser marked and the
        hours he confirmed (the activity's length), a few cancelled without sign-ups."""
        rng, sinks = random.Random(f"{self.seed}:activities"), self.sinks
        worker, today = self.users["bench-worker"], (self.now + TZ_OFFSET) // DAY
        teams = [t for t, people in self.team_members.items() if people]
        places: dict[int, list[Place]] = {}
        for place in self.places:
            places.setdefault(place.community, []).append(place)
        weights = [k[3] for k in ACTIVITY_KINDS]
        n = max(10, round(self.size.homes * ACTIVITIES_PER_HOME)) if teams else 0
        self.activity_counts = {"past": 0, "upcoming": 0, "cancelled": 0}
        for i in range(n):
            team = teams[i % len(teams)] if i < len(teams) else rng.choice(teams)
            people = self.team_members[team]
            kind, title, minutes, _w = rng.choices(ACTIVITY_KINDS, weights)[0]
            upcoming = rng.random() < 0.04
            day = today + (rng.randint(1, 30) if upcoming else -rng.randint(1, 730))
            starts = day * DAY - TZ_OFFSET + rng.choice((9, 10, 14, 15, 19)) * 3600
            ends = starts + minutes * 60
            if ends > self.now and not upcoming:  # today's, not over yet: tomorrow's
                starts, ends, upcoming = starts + DAY, ends + DAY, True
            cancelled = rng.random() < 0.03
            place = rng.choice(places[self.team_community[team]])
            capacity = rng.choice((None, 3, 4, 5, 6, 8, 10))
            aid = self.next_id("volunteers_activity")
            created = starts - rng.randint(7, 20) * DAY
            self.activity_counts["cancelled" if cancelled else "upcoming" if upcoming else "past"] += 1
            sinks["volunteers_activity"].row(aid, team, kind, title, "", place.name, place.id, None, capacity, worker,
                                             _timestamp(created), _activity_code(aid), None, _timestamp(starts),
                                             _timestamp(ends), "cancelled" if cancelled else "scheduled",
                                             "天气原因取消" if cancelled else "", f"{rng.getrandbits(128):032x}",
                                             None if upcoming or cancelled else _timestamp(starts - DAY),
                                             None)  # fmt: skip
            if cancelled:
                continue
            wanted = max(1, round(rng.gauss(4, 1.5)))  # about 4 a time; now and then more than the places
            if capacity and rng.random() < 0.1:
                wanted = capacity + rng.randint(1, 3)
            taken = 0
            for pid in rng.sample(people, min(len(people), wanted)):
                at = _timestamp(rng.randrange(created, starts))
                state = "signed_up" if capacity is None or taken < capacity else "waiting"
                if state == "signed_up" and rng.random() < 0.05:
                    state = "cancelled"
                taken += state == "signed_up"
                sinks["volunteers_signup"].row(self.next_id("volunteers_signup"), aid, pid, state, at, at)
                if state == "signed_up" and not upcoming and rng.random() < 0.9:
                    sinks["volunteers_attendance"].row(self.next_id("volunteers_attendance"), aid, pid, "organiser",
                                                       None, None)  # fmt: skip
                    done = min(ends + rng.randrange(0, 2 * DAY), self.now)
                    sinks["volunteers_hoursentry"].row(self.next_id("volunteers_hoursentry"), pid, aid, minutes,
                                                       "earned", "", worker, _timestamp(done),
                                                       _date((starts + TZ_OFFSET) // DAY))  # fmt: skip

    # --- cases and their history ---------------------------------------------------------------

    def dues(self, t0: int, kind: str) -> tuple[str, str]:
        """(first reply due, resolution due): the end of the n-th working day after the day."""
        day = (t0 + TZ_OFFSET) // DAY
        hit = self._dues.get((day, kind))
        if hit is None:
            at = bisect.bisect_right(self.workdays, day) - 1
            hit = self._dues[day, kind] = tuple(
                _timestamp((self.workdays[at + n] + 1) * DAY - 1 - TZ_OFFSET)
                for n in self.deadline_days.get(kind, (1, 10))
            )
        return hit

    def cases(self, chunk: int) -> list[tuple[str, bytes, int]]:
        """A chunk of the cases, spread evenly over the last five years; twelve of them are the
        bench resident's. Each case lives its whole life (`life`), cut at now."""
        rng = self.cipher.rng = random.Random(f"{self.seed}:cases:{chunk}")
        self.rng, self._dues, self.lines, self.events = rng, {}, [], []
        texts = self.text_pool
        weights = [case_texts.CATEGORY_WEIGHTS["fufeng"].get(c.code, 3) for c in self.categories]
        cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
        cats = [(c, texts.get(c.code) or texts["other"]) for c in self.categories]
        starts = [p.homes.start for p in self.places]
        last: dict[int, tuple[int, str]] = {}  # compound -> a case a later duplicate can be merged into
        span, n_homes, bench_every = YEARS * 365 * DAY, len(self.home_size), max(1, self.n_cases // 12)
        for i in range(chunk * CASES_PER_CHUNK, min(self.n_cases, (chunk + 1) * CASES_PER_CHUNK)):
            t0 = self.now - span + int(span * (i + rng.random()) / self.n_cases)
            bench = i % bench_every == bench_every - 1
            h = self.bench_home if bench else rng.randrange(n_homes)
            place = self.places[bisect.bisect_right(starts, h) - 1]
            category, pool = cats[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]
            self.case(i, t0, h, place, category, rng.choice(pool), last, bench)
        return [("cases_case", "".join(self.lines).encode(), len(self.lines)),
                ("cases_event", "".join(self.events).encode(), len(self.events))]  # fmt: skip

    def life(self, t0: int, reply: str, merge_into: tuple | None) -> list[tuple[str, int, object]]:
        """Every step the case will take, with its time. Most are accepted, worked on, answered,
        resolved and closed (by the resident's rating, or by the system a week later); some are
        merged, rejected, returned, held or reopened, and 2% drag on eight times slower."""
        rng = self.rng
        r, slow = rng.random(), 8 if rng.random() < 0.02 else 1
        t = t0 + int(rng.expovariate(1 / 14_400) * slow) + 300
        if r < 0.04 and merge_into:
            return [("submit", t0, ""), ("merge", t, case_texts.MERGE_NOTE.format(code=merge_into[1]))]
        if r < 0.09:
            steps = [("submit", t0, "")]
            if rng.random() < 0.5:
                steps.append(("accept", t, ""))
                t += rng.randrange(600, DAY)
            return [*steps, ("reject", t, rng.choice(case_texts.REJECT_REASONS))]
        steps = [("submit", t0, ""), ("accept", t, "")]
        if rng.random() < 0.3:
            t += rng.randrange(300, 12 * 3600)
            steps.append(("dispatch", t, ""))
        if r < 0.12:  # not theirs: back to the community, which gives it to the residents' committee
            t += rng.randrange(3600, 2 * DAY)
            steps.append(("return", t, rng.choice(case_texts.RETURN_REASONS)))
            t += rng.randrange(3600, DAY)
            steps.append(("dispatch", t, rng.choice(case_texts.REDISPATCH_NOTES)))
        t += int(rng.expovariate(1 / DAY) * slow) + 600
        steps.append(("start", t, ""))
        if r < 0.16:
            t += rng.randrange(3600, 3 * DAY)
            steps.append(("hold", t, rng.choice(case_texts.HOLD_WORK)))
            t += rng.randrange(2 * DAY, 20 * DAY) * slow
            steps.append(("resume", t, ""))
        t += int(rng.expovariate(1 / (2.5 * DAY)) * slow) + 1800
        steps += [("reply", t, reply), ("resolve", t + 600, "")]
        t += 600
        if r < 0.19:
            t += rng.randrange(3600, 3 * DAY)
            steps += [("reopen", t, rng.choice(case_texts.REOPEN_REASONS)), ("start", t + 3600, "")]
            t += rng.randrange(DAY, 5 * DAY)
            steps += [("reply", t, "已再次上门处理，问题已解决。"), ("resolve", t + 600, "")]
            t += 600
        if rng.random() < 0.55:
            t += rng.randrange(1800, 3 * DAY)
            stars = rng.choice((5, 5, 5, 5, 5, 4, 4, 4, 3, 2, 1))
            comment = rng.choice(case_texts.COMMENTS_GOOD if stars >= 4 else case_texts.COMMENTS_BAD)
            return [*steps, ("rating", t, (stars, comment)), ("close", t, "居民评价即确认办结。")]
        return [*steps, ("autoclose", t + 7 * DAY + rng.randrange(300), "居民7天内未确认，系统自动办结。")]

    def case(self, i, t0, h, place, category, text, last, bench) -> None:
        rng, now, ts, events = self.rng, self.now, _timestamp, self.events
        title, description, reply, kind, level = text
        cid, kind = i + 1, kind or category.default_kind
        org = place.orgs.get(category.handler_kind) or place.orgs["residents_committee"]
        building, stairwell, home = self.home_building[h], self.home_stairwell[h], h + 1
        if level != "home":
            home = None
            if level != "stairwell":
                stairwell = None
                if level != "building":
                    building = None
        reporter = name = None
        phone = ""
        if self.home_size[h] and (bench or rng.random() > 0.03):  # 3% are anonymous tips
            head = self.home_first[h]
            spouse = not bench and self.home_size[h] > 1 and rng.random() < 0.3
            reporter = head + spouse
            name = self.name_of(reporter, "MF"[_gender(head) == "M"] if spouse else _gender(head))
            phone = phone_of(reporter) if has_phone(reporter, True) else ""
        r = rng.random()
        channel = ("mobile" if r < 0.6 else "poster" if r < 0.75 else "phone_call" if r < 0.85 else "visit"
                   if r < 0.9 else "walk_in" if r < 0.95 else "meeting" if r < 0.98 else "patrol")  # fmt: skip
        reply_due, resolve_due = self.dues(t0, kind)
        code, staff_name, merge_into = _code(t0, i), self.name_of(org, _gender(org)), last.get(place.id)

        status, version, eid = "submitted", 1, cid * EVENTS_PER_CASE
        accepted = first_reply = resolved = closed = hold_started = merged = rating = rated = None
        held_from = comment = ""
        for action, at, note in self.life(t0, reply, merge_into):
            if at > now:
                break
            eid += 1
            if action == "reply":
                first_reply = first_reply or at
                events.append(f"{eid}\t{cid}\treply\t\t\t\t\\N\t{staff_name}\t{ts(at)}\t{note}\tt\t{org}\n")
                continue
            if action == "rating":
                (rating, comment), rated = note, at
                note = f"{'★' * rating}{'☆' * (5 - rating)} {comment}".strip()
                events.append(f"{eid}\t{cid}\trating\t\t\t\t\\N\t@resident\t{ts(at)}\t{note}\tt\t\\N\n")
                continue
            before = "" if action == "submit" else status
            if action == "accept":
                status, accepted = "accepted", at
            elif action == "dispatch":
                status = "dispatched"
                if note:  # after a return
                    org = place.orgs["residents_committee"]
            elif action == "start":
                status = "in_progress"
            elif action == "hold":
                status, held_from, hold_started = "on_hold", status, at
            elif action == "resume":
                status, held_from, hold_started = held_from, "", None
            elif action == "return":
                status = "returned"
            elif action == "resolve":
                status, resolved = "resolved", at
            elif action in ("close", "autoclose"):
                status, closed = "closed", at
            elif action == "reject":
                status, closed = "rejected", at
            elif action == "merge":
                status, closed, merged = "merged", at, merge_into[0]
            elif action == "reopen":
                status, resolved, resolve_due = "reopened", None, self.dues(at, kind)[1]
            version += action != "submit"
            actor = ("@resident" if action in ("submit", "close", "reopen") else "@system" if action == "autoclose"
                     else staff_name)  # fmt: skip
            public = "f" if action in ("accept", "dispatch", "start", "resume") else "t"
            action = "close" if action == "autoclose" else action
            events.append(f"{eid}\t{cid}\ttransition\t{action}\t{before}\t{status}\t\\N\t{actor}\t{ts(at)}\t{note}"
                          f"\t{public}\t{org}\n")  # fmt: skip
        if status not in ("merged", "rejected", "closed") or rng.random() < 0.2:
            last[place.id] = (cid, code)
        self.lines.append(
            f"{cid}\t{code}\t{kind}\t{category.pk}\t{title}\t{description}\t{self.communities[place.community][0]}"
            f"\t{place.id}\t{building or N}\t{stairwell or N}\t{home or N}\t\t{reporter or N}\t{name or ''}"
            f"\t{self.cipher.encrypt(phone) if phone else ''}\t{phone[-4:]}\t{self.cipher.hash('case-secret:' + code)}"
            f"\t{channel}\t\\N\t{'ft'[rng.random() < 0.9]}\t{'ft'[rng.random() < 0.1]}\t{status}\t{held_from}"
            f"\t{ts(hold_started) if hold_started else N}\t{org}\t\\N\t\\N\t0\t{merged or N}\t0\t{version}"
            f"\t{ts(t0)}\t{ts(accepted) if accepted else N}\t{ts(first_reply) if first_reply else N}"
            f"\t{ts(resolved) if resolved else N}\t{ts(closed) if closed else N}\t{reply_due}\t{resolve_due}\tf"
            f"\t{rating or N}\t{comment}\t{ts(rated) if rated else N}\n"
        )


# --- indexes and keys: dropped before the load, built after it ---------------------------------

SAVED = "bench_saved_ddl"


def prepare(conn, *, commit: bool) -> list[tuple[str, str, str, str]]:
    """Empty the tables to fill (and, by CASCADE, those that point at them), then drop their
    foreign keys, unique constraints and indexes, keeping the definitions in SAVED."""
    tables = list(LOADED)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [SAVED])
        if cur.fetchone()[0] is not None:  # the last load died before restoring all it saved
            cur.execute(f"TRUNCATE {', '.join(tables)}")
            for what, table, name, _ddl in _saved(cur):  # what it did restore is dropped again
                drop = (
                    f'DROP INDEX IF EXISTS "{name}"'
                    if what == "index"
                    else f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"'
                )
                cur.execute(drop)
        else:
            cur.execute(f"CREATE TABLE {SAVED} (seq serial, what text, tbl text, name text, ddl text)")
            cur.execute(
                f"INSERT INTO {SAVED} (what, tbl, name, ddl) "
                "SELECT 'fk', conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND (conrelid = ANY(%(t)s::regclass[]) OR confrelid = ANY(%(t)s::regclass[])) "
                "UNION ALL SELECT 'unique', conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE contype = 'u' AND conrelid = ANY(%(t)s::regclass[]) "
                "UNION ALL SELECT 'index', i.indrelid::regclass::text, i.indexrelid::regclass::text, "
                "pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = ANY(%(t)s::regclass[]) "
                "AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)",
                {"t": tables},
            )
            cur.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cur.execute("TRUNCATE django_session")
            for what, table, name, _ddl in _saved(cur):
                drop = f'DROP INDEX "{name}"' if what == "index" else f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'
                cur.execute(drop)
        saved = _saved(cur)
    if commit:
        conn.commit()
    return saved


def _saved(cur) -> list[tuple[str, str, str, str]]:
    # Foreign keys first, then the unique constraints they may lean on; `restore` goes backwards.
    cur.execute(f"SELECT what, tbl, name, ddl FROM {SAVED} ORDER BY what = 'fk' DESC, what = 'unique' DESC, seq")
    return cur.fetchall()


def restore(conn, saved, *, out=print, commit: bool) -> None:
    per_table: dict[str, float] = {}
    with conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        for what, table, name, ddl in reversed(saved):
            t = time.monotonic()
            cur.execute(ddl if what == "index" else f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}')
            if commit:
                conn.commit()
            per_table[table] = per_table.get(table, 0) + time.monotonic() - t
        cur.execute(f"DROP TABLE {SAVED}")
    if commit:
        conn.commit()
    for table, seconds in sorted(per_table.items(), key=lambda kv: -kv[1]):
        if table in LOADED:
            out(f"  {table:<36} {'indexes, keys':>16} {seconds:8.1f} s")
    others = sum(seconds for table, seconds in per_table.items() if table not in LOADED)
    out(f"  {'keys of the other tables':<36} {'':>16} {others:8.1f} s")


def load(*, size: Size, seed: int = 2026, now: dt.datetime | None = None, cases: int | None = None, out=print):
    """Fill the connected PostgreSQL database: its tables of the grid, people, users and cases
    are emptied first. Returns the rows written per table."""
    if connection.vendor != "postgresql":
        raise RuntimeError("bench data needs PostgreSQL (COPY): set DATABASE_URL=postgres://…")
    from django.utils import timezone

    now = now or timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    return Loader(size=size, seed=seed, now=now, cases=cases, out=out).run()
