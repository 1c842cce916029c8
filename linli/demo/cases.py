"""The demo cases: a few hundred requests and disputes across the demo compounds, in every state.

`load_cases(rng=, now=, scale=)` first plans every case (what, where, who reports it, which
story it lives through and when each step happens, over the last 120 days), then plays all
the steps of all the cases in the order of time through the real functions: services.submit,
lifecycle.perform, services.reply / add_note / support / rate / record_revisit, and
services.tick every morning, each with `now` set to the step's moment. So histories, deadlines
in working days, escalations of overdue cases, automatic closing and revisit tasks are what
the system itself would have produced; nothing is written around it except the codes, which
follow the month of submission and come from the seeded generator.

Runs after generator.write(): it reads the compounds, residents and organisations from the
database, adds a few routing rules and a login for the people who handle cases (clerks of each
property company, workers of each residents' committee, the officer of each organisation
cases are routed to) where none exists.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.cases import deadlines, mediation, routing, services
from linli.cases.lifecycle import CaseError, perform
from linli.cases.models import (
    CODE_ALPHABET,
    Case,
    Category,
    Channel,
    Event,
    Mediation,
    MediationParty,
    MediationSession,
    Photo,
    Revisit,
    RoutingRule,
    Status,
    Support,
)
from linli.demo import case_texts as texts
from linli.demo import data
from linli.demo.accounts import ACCOUNTS
from linli.people.models import LeaderAssignment, Membership, Occupancy, Organisation, Person, PropertyServicePeriod
from linli.places.models import Compound, Home, Stairwell

K, R = Organisation.Kind, Membership.Role
CASES = 400  # at scale 1
MIN_CASES = 40  # at any scale: enough for every state
DAYS = 120

COMPOUND_SHARE = {"fufeng": 0.30, "yijing": 0.27, "binjiang": 0.22, "guihua": 0.09, "pingnan": 0.09, "b46": 0.03}
# The state each case ends in (closed ones rated or closed automatically), and how often.
STORY_SHARE = {
    "submitted": 0.06,
    "accepted": 0.04,
    "dispatched": 0.05,
    "in_progress": 0.09,
    "overdue": 0.04,  # in progress for weeks: escalated by the tick
    "on_hold": 0.04,
    "returned": 0.03,
    "resolved": 0.06,
    "rated": 0.31,
    "auto_closed": 0.13,
    "rejected": 0.05,
    "merged": 0.05,
    "reopened": 0.03,
}
# Steps of each story after submission; "x?" happens half the time.
SCRIPTS = {
    "submitted": [],
    "accepted": ["accept", "ack?"],
    "dispatched": ["accept", "ack", "dispatch"],
    "in_progress": ["accept", "ack", "dispatch?", "start", "note?"],
    "overdue": ["accept", "ack", "dispatch?", "start", "note"],
    "on_hold": ["accept", "ack", "dispatch?", "start", "hold"],
    "returned": ["accept?", "return"],
    "resolved": ["accept", "ack", "dispatch?", "start", "resolve"],
    "rated": ["accept", "ack?", "dispatch?", "start", "note?", "resolve", "rate"],
    "auto_closed": ["accept", "ack?", "dispatch?", "start", "resolve"],
    "rejected": ["accept?", "reject"],
    "merged": ["accept?", "merge"],
    "reopened": ["accept", "ack", "start", "resolve", "reopen"],
}
# Hours from the step before.
DELAY = {
    "accept": (0.2, 18),
    "ack": (0.05, 4),
    "dispatch": (0.3, 20),
    "start": (1, 40),
    "note": (2, 40),
    "mediate": (24, 120),
    "hold": (12, 72),
    "resume": (72, 300),
    "resolve": (20, 160),
    "rate": (2, 110),
    "reopen": (6, 90),
    "return": (1, 24),
    "redispatch": (2, 30),
    "reject": (3, 40),
    "merge": (1, 30),
}
RESIDENT_STEPS = {"submit", "rate", "reopen", "support"}
CHANNELS = {
    Channel.MOBILE: 0.42,
    Channel.POSTER: 0.2,
    Channel.PHONE_CALL: 0.14,
    Channel.MEETING: 0.1,
    Channel.VISIT: 0.1,
    Channel.WALK_IN: 0.04,
}
USERNAME_PREFIX = {
    K.PROPERTY_COMPANY: "clerk",
    K.RESIDENTS_COMMITTEE: "worker",
    K.OWNERS_COMMITTEE: "owners",
    K.ASSOCIATION: "assoc",
    K.SELF_GOVERNANCE: "group",
    K.DEPARTMENT: "dept",
}
HANDLER_USERNAMES = r"^(clerk|worker|owners|assoc|group|dept)-"
FOLLOW_UP_DAYS = 14  # after a mediated agreement, a visit to see that it holds
DEPARTMENT_KEYS = ("chengguan", "zhujian", "shegong")  # for data.DEPARTMENTS, in its order


@dataclass(eq=False)
class Plan:
    key: str  # the compound's key in data.COMPOUNDS
    text: texts.Text
    story: str
    compound: Compound
    stairwell: Stairwell | None
    building: object
    home: Home | None
    reporter: int | None  # person id
    fill: dict
    origin: Stairwell  # where the reporter lives (the case may be placed less precisely)
    channel: str = Channel.MOBILE
    recorded_by: User | None = None
    steps: list = field(default_factory=list)  # (moment, action)
    target: Plan | None = None  # the original, for a duplicate
    keep_revisit: bool = False  # a revisit task left open for the demo worker
    case: Case | None = None
    mediation: Mediation | None = None
    code: str = ""
    org_id: int | None = None


class _Loader:
    def __init__(self, rng: random.Random, now: dt.datetime, scale: float):
        self.rng, self.now, self.scale = rng, now, scale
        self.start = now - dt.timedelta(days=DAYS)
        self.categories = {c.code: c for c in Category.objects.filter(active=True)}
        self.skipped: list[str] = []
        self.codes = set(Case.objects.values_list("code", flat=True))
        self._seq = 0

    # --- the world as the generator wrote it ----------------------------------------------

    def read_world(self) -> bool:
        by_name = {spec.name: spec for spec in data.COMPOUNDS}
        self.compounds = {
            by_name[c.name].key: c
            for c in Compound.objects.filter(name__in=by_name).order_by("pk")
            if c.name in by_name
        }
        if not self.compounds:
            return False
        self.spec = {spec.key: spec for spec in data.COMPOUNDS}
        self.stairwells: dict[str, list[Stairwell]] = defaultdict(list)
        for s in Stairwell.objects.filter(building__compound__in=self.compounds.values()).select_related(
            "building__compound"
        ):
            self.stairwells[by_name[s.building.compound.name].key].append(s)
        for rows in self.stairwells.values():
            rows.sort(key=lambda s: (s.building.sort_key, s.building.name, s.sort_key, s.pk))
        self._residents()
        return True

    def _residents(self) -> None:
        """Adults living in each stairwell (not owners of a rented or vacant home, who live
        elsewhere), with a phone, and without a login (the demo accounts report their own)."""
        with_users = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        rows = list(
            Occupancy.objects.filter(
                end__isnull=True,
                home__is_vacant=False,
                home__stairwell__building__compound__in=self.compounds.values(),
                person__birth_year__lte=data.REFERENCE_YEAR - 18,
            )
            .exclude(person__phone_hash="")
            .order_by("home_id", "person_id")
            .values_list("person_id", "home_id", "home__stairwell_id", "relation", "home__floor", "home__number")
        )
        rented = {home for _p, home, _s, relation, _f, _n in rows if relation == Occupancy.Relation.TENANT}
        self.living: dict[int, list[tuple]] = defaultdict(list)  # stairwell id -> (person, home, floor, number)
        for person, home, stairwell, relation, floor, number in rows:
            if person in with_users or (relation == Occupancy.Relation.OWNER and home in rented):
                continue
            self.living[stairwell].append((person, home, floor, number))

    # --- who handles cases ------------------------------------------------------------------

    def routing_rules(self) -> int:
        """A few compounds route some categories away from the default organisation."""
        c = self.compounds
        orgs = Organisation.objects.filter(compound__in=c.values())

        def org(key, kind):
            return orgs.filter(compound=c.get(key), kind=kind).order_by("pk").first()

        departments = {o.name: o for o in Organisation.objects.filter(kind=K.DEPARTMENT)}
        wanted = [
            ("fufeng", "property-service", org("fufeng", K.OWNERS_COMMITTEE)),
            ("fufeng", "neighbour-dispute", org("fufeng", K.ASSOCIATION)),
            ("yijing", "property-service", org("yijing", K.ASSOCIATION)),
            ("binjiang", "property-service", org("binjiang", K.ASSOCIATION)),
            ("guihua", "neighbour-dispute", org("guihua", K.SELF_GOVERNANCE)),
            ("guihua", "noise", org("guihua", K.SELF_GOVERNANCE)),
            ("guihua", "property-service", org("guihua", K.SELF_GOVERNANCE)),
            ("b46", "elevator", departments.get(data.DEPARTMENTS[1])),
            ("pingnan", "hygiene", departments.get(data.DEPARTMENTS[0])),
            ("pingnan", "environment", departments.get(data.DEPARTMENTS[0])),
        ]
        made = 0
        for key, code, organisation in wanted:
            if key in c and organisation is not None and code in self.categories:
                made += RoutingRule.objects.get_or_create(
                    compound=c[key], category=self.categories[code], defaults={"organisation": organisation}
                )[1]
        return made

    def handlers(self) -> int:
        """Logins for the people who handle each compound's cases, reusing any that exist."""
        self.routes: dict[tuple[str, str], Organisation] = {}
        for key, compound in self.compounds.items():
            for code, category in self.categories.items():
                probe = Case(compound=compound, community_id=compound.community_id, category=category)
                self.routes[key, code] = routing.route(probe)
        committees = {
            key: routing.by_kind(Case(compound=c, community_id=c.community_id), K.RESIDENTS_COMMITTEE)
            for key, c in self.compounds.items()
        }
        self.workers: dict[str, list[User]] = {}
        self.users: dict[int, list[User]] = {}  # organisation id -> its handlers' logins
        password = User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list("password", flat=True)
        self._password = password.first() or "!"  # the demo password, or none
        self._created = 0
        served = dict(PropertyServicePeriod.objects.active().values_list("company_id", "compound_id"))
        key_of = {c.pk: key for key, c in self.compounds.items()}
        orgs = {o.pk: o for o in self.routes.values() if o is not None}
        orgs.update({o.pk: o for o in committees.values() if o is not None})
        for org in sorted(orgs.values(), key=lambda o: o.pk):
            if org.kind == K.DEPARTMENT:
                key = dict(zip(data.DEPARTMENTS, DEPARTMENT_KEYS, strict=True)).get(org.name, str(org.pk))
            elif org.kind == K.RESIDENTS_COMMITTEE:
                key = next(k for k, o in committees.items() if o == org)
            else:
                key = key_of.get(org.compound_id) or key_of.get(served.get(org.pk), str(org.pk))
            self.users[org.pk] = self._logins(org, key)
        self.committees = committees
        for key, org in committees.items():
            self.workers[key] = self.users.get(org.pk, []) if org else []
        # One object per login, so that each computes its scope once (accounts.scope caches it).
        self.user_by_id = {u.pk: u for users in self.users.values() for u in users}
        return self._created

    def _logins(self, org: Organisation, key: str) -> list[User]:
        roles = {
            K.PROPERTY_COMPANY: [R.CLERK],
            K.RESIDENTS_COMMITTEE: [R.WORKER],
        }.get(org.kind, [R.CHAIR, R.VICE_CHAIR, R.OFFICER, R.LEADER])
        wanted = 2 if org.kind in (K.PROPERTY_COMPANY, K.RESIDENTS_COMMITTEE) else 1
        people = list(
            Membership.objects.active()
            .filter(organisation=org, role__in=roles)
            .order_by("pk")
            .values_list("person_id", flat=True)
            .distinct()
        )
        existing = {u.person_id: u for u in User.objects.filter(person_id__in=people).select_related("person")}
        chosen = [existing[p] for p in people if p in existing][:wanted]
        prefix = USERNAME_PREFIX.get(org.kind, "handler")
        number = 1
        for person in [p for p in people if p not in existing][: wanted - len(chosen)]:
            while User.objects.filter(username=f"{prefix}-{key}-{number}").exists():
                number += 1
            user = User.objects.create(username=f"{prefix}-{key}-{number}", person_id=person, password=self._password)
            self._created += 1
            chosen.append(User.objects.select_related("person").get(pk=user.pk))
        return chosen

    def handler(self, plan: Plan) -> User | None:
        """Someone of the organisation responsible now (a demo account more often than not),
        or a community worker when it has no login."""
        users = self.users.get(plan.org_id) or self.workers.get(plan.key) or []
        if not users:
            return None
        demo = [u for u in users if u.username in DEMO_USERNAMES]
        if demo and self.rng.random() < 0.7:
            return demo[0]
        return self.rng.choice(users)

    def worker(self, plan: Plan) -> User | None:
        users = self.workers.get(plan.key) or []
        demo = [u for u in users if u.username in DEMO_USERNAMES]
        if demo and self.rng.random() < 0.6:
            return demo[0]
        return self.rng.choice(users) if users else None

    # --- planning -------------------------------------------------------------------------

    def plan_all(self) -> list[Plan]:
        pinned = self.pinned()
        total = max(MIN_CASES, round(CASES * self.scale)) - len(pinned)
        stories = _quota(STORY_SHARE, total, minimum=1)
        shares = {k: v for k, v in COMPOUND_SHARE.items() if k in self.compounds}
        places = _quota(shares, sum(stories.values()), minimum=1)
        story_list = [s for s, n in stories.items() for _ in range(n) if s != "merged"]
        self.rng.shuffle(story_list)
        keys = [k for k, n in places.items() for _ in range(n)]
        self.rng.shuffle(keys)
        plans = list(pinned)
        for story, key in zip(story_list, keys, strict=False):
            plans.append(self.new_plan(key, story))
        plans = [p for p in plans if p is not None]
        for _merge in range(stories["merged"]):
            duplicate = self.duplicate(plans)
            if duplicate is not None:
                plans.append(duplicate)
        for plan in plans:
            if not plan.steps:
                self.schedule(plan)
        return plans

    def new_plan(self, key: str, story: str, *, code: str | None = None, stairwell=None, text=None, reporter=None):
        """A case of a compound: a text that fits one of its stairwells, and a resident there."""
        rng = self.rng
        weights = dict(texts.CATEGORY_WEIGHTS[key])
        if story == "returned":  # only a property company sends a case back as not theirs
            weights = {c: w for c, w in weights.items() if self._returnable(key, c)}
            if not weights:
                story, weights = "rejected", dict(texts.CATEGORY_WEIGHTS[key])
        for _attempt in range(30):
            if text is None or _attempt:
                wanted = code or rng.choices(list(weights), list(weights.values()))[0]
                fitting = [t for t in TEXTS_BY_CATEGORY[wanted] if _fits(t, key, None)]
                if not fitting:
                    continue
                text = rng.choice(fitting)
            if stairwell is not None:
                break
            candidates = [s for s in self.stairwells[key] if _fits(text, key, s.building) and self.living[s.pk]]
            if candidates:
                stairwell = rng.choice(candidates)
                break
        if stairwell is None or not (reporter or self.living[stairwell.pk]):
            return None
        people = self.living[stairwell.pk]
        if text.level == "home" and "f" in text.tags:  # someone with a home above his
            people = [p for p in people if p[2] < (stairwell.building.floors or 1)] or people
        person, home_id, floor, number = reporter or rng.choice(people)
        plan = Plan(
            key=key,
            text=text,
            story=story,
            compound=self.compounds[key],
            stairwell=stairwell if text.level in ("home", "stairwell") else None,
            building=stairwell.building if text.level != "compound" else None,
            home=Home(pk=home_id, stairwell=stairwell) if text.level == "home" else None,
            reporter=person,
            fill=self.fill(key, stairwell, floor, number),
            origin=stairwell,
        )
        self.choose_channel(plan)
        return plan

    def _returnable(self, key: str, code: str) -> bool:
        org = self.routes.get((key, code))
        return org is not None and org.kind == K.PROPERTY_COMPANY and bool(self.users.get(org.pk))

    def fill(self, key: str, stairwell: Stairwell, floor: int, number: str) -> dict:
        rng, building = self.rng, stairwell.building
        top = building.floors or 1
        village = self.spec[key].kind == "village"
        f = rng.randint(2, max(2, top - 1)) if top > 2 else 1
        up = f"{floor + 1}{number[-2:]}" if number.isdigit() and len(number) > 2 else number
        return {
            "b": building.name,
            "s": "" if village else stairwell.name,
            "here": building.name if village else f"{building.name}{stairwell.name}",
            "f": f,
            "f2": min(top, f + 1),
            "up": f + 1,
            "top": top,
            "home": number,
            "home_up": up,
            "spot": rng.choice(texts.SPOTS.get(key, ("小区正门",))),
            "compound": self.compounds[key].name,
            "n": rng.randint(2, 5),
            "lot": f"B{rng.randint(1, 2)}-{rng.randint(1, 380):03d}",
            "when": rng.choice(texts.WHEN),
        }

    def choose_channel(self, plan: Plan) -> None:
        rng = self.rng
        plan.channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
        org = self.routes.get((plan.key, plan.text.category))
        if plan.channel == Channel.PHONE_CALL and org is not None and org.kind == K.PROPERTY_COMPANY:
            plan.recorded_by = (self.users.get(org.pk) or [None])[0]
        elif plan.channel == Channel.MEETING and plan.building is not None and self._leads(plan):
            plan.recorded_by = self.leader
        elif plan.channel in (Channel.PHONE_CALL, Channel.MEETING, Channel.VISIT, Channel.WALK_IN):
            users = self.workers.get(plan.key) or []
            plan.recorded_by = rng.choice(users) if users else None
        if plan.channel != Channel.MOBILE and plan.channel != Channel.POSTER and plan.recorded_by is None:
            plan.channel = Channel.MOBILE

    def _leads(self, plan: Plan) -> bool:
        return self.leader is not None and plan.building is not None and plan.building.pk in self.leader_buildings

    def duplicate(self, plans: list[Plan]) -> Plan | None:
        """A second report of an open case in the same stairwell, merged into it."""
        now = self.now
        originals = [
            p
            for p in plans
            if p.story in ("accepted", "dispatched", "in_progress", "overdue", "on_hold")
            and p.text.level in ("stairwell", "building")
            and p.target is None
            and self.schedule(p) < now - dt.timedelta(days=1)
        ]
        if not originals:
            return None
        original = self.rng.choice(originals)
        people = [r for r in self.living[original.origin.pk] if r[0] != original.reporter]
        if not people:
            return None
        plan = self.new_plan(
            original.key,
            "merged",
            stairwell=original.origin,
            text=original.text,
            reporter=self.rng.choice(people),
        )
        plan.target = original
        return plan

    # --- the story's steps in time ------------------------------------------------------------

    def schedule(self, plan: Plan) -> dt.datetime:
        """Moments of the plan's steps; returns the submission moment."""
        if plan.steps:
            return plan.steps[0][0]
        rng, now = self.rng, self.now
        actions = self.actions(plan)
        hours = [self.delay(plan, a) for a in actions]
        duration = dt.timedelta(hours=sum(hours))
        story = plan.story
        if plan.target is not None:
            origin = plan.target.steps[0][0]
            room = (now - origin).total_seconds() / 3600 - 2
            t0 = origin + dt.timedelta(hours=rng.uniform(min(3, room / 3), min(120, room / 2)))
            hours = [min(h, (now - t0).total_seconds() / 3600 / 3) for h in hours]
        elif story in ("rated", "auto_closed", "rejected") and not plan.keep_revisit:
            t0 = now - dt.timedelta(days=self.age()) - dt.timedelta(hours=rng.uniform(0, 10))
            t0 = min(t0, now - duration - dt.timedelta(hours=2))
        elif story == "overdue":
            t0 = now - dt.timedelta(days=rng.uniform(28, 60))
        else:
            gap = {
                "submitted": (0.3, 50),
                "accepted": (1, 60),
                "dispatched": (2, 120),
                "in_progress": (6, 200),
                "on_hold": (24, 480),
                "returned": (2, 96),
                "resolved": (2, 150),
                "reopened": (2, 190),
                "auto_closed": (180, 215),  # resolved 7½–9 days ago: closed by the tick, revisit open
            }[story]
            t0 = now - dt.timedelta(hours=rng.uniform(*gap)) - duration
        t0 = max(t0, self.start + dt.timedelta(hours=rng.uniform(0, 12)))
        moments, t = [t0], t0
        for h in hours:
            t = t + dt.timedelta(hours=h)
            moments.append(t)
        if moments[-1] >= now:  # squeeze the steps into the time there was
            span = (now - t0) * rng.uniform(0.6, 0.95)
            total = moments[-1] - t0
            moments = [t0 + (m - t0) * (span / total) for m in moments]
        moments = self.office_hours(moments, ["submit", *actions], staff_submits=plan.recorded_by is not None)
        plan.steps = list(zip(moments, ["submit", *actions], strict=True))
        resolved = [m for m, a in plan.steps if a == "resolve"]
        if "mediate" in actions and resolved and rng.random() < 0.8:
            day = timezone.localdate(resolved[-1]) + dt.timedelta(days=FOLLOW_UP_DAYS)
            visit = timezone.make_aware(dt.datetime.combine(day, dt.time(10))) + dt.timedelta(hours=rng.uniform(0, 7))
            if visit < now:
                plan.steps.append((visit, "follow_up"))
        self.supporters(plan)
        return t0

    def actions(self, plan: Plan) -> list[str]:
        rng = self.rng
        script = list(SCRIPTS[plan.story])
        dispute = self.categories[plan.text.category].is_dispute or plan.text.kind == "dispute"
        if plan.story in ("rated", "auto_closed"):
            roll = rng.random()
            if roll < 0.1 and self._returnable(plan.key, plan.text.category):
                script = ["return", "redispatch", "ack", "start", *script[script.index("start") + 1 :]]
            elif roll < 0.22:
                script.insert(script.index("resolve"), "hold")
                script.insert(script.index("resolve"), "resume")
            elif roll < 0.28 and plan.story == "rated":
                script[script.index("resolve") + 1 : script.index("resolve") + 1] = ["reopen", "start", "resolve"]
        if dispute and "start" in script and plan.story not in ("reopened",):
            # A dispute is mediated: a session after work starts, and for a resolved one a
            # second session, the agreement and, two weeks later, a visit to see it holds.
            script.insert(script.index("start") + 1, "mediate")
            if "resolve" in script:
                script.insert(script.index("resolve"), "mediate")
        steps = []
        for step in script:
            if step.endswith("?"):
                if rng.random() < 0.5:
                    steps.append(step[:-1])
            else:
                steps.append(step)
        return steps

    def delay(self, plan: Plan, action: str) -> float:
        rng = self.rng
        low, high = DELAY[action]
        if action == "accept" and rng.random() < 0.08:
            low, high = 26, 60  # a late first response
        if action == "resolve" and (plan.text.kind or self.categories[plan.text.category].default_kind) == (
            "consultation"
        ):
            low, high = 2, 30
        if action == "rate" and rng.random() < 0.2:
            low, high = 175, 300  # after the automatic closing
        return rng.uniform(low, high)

    def age(self) -> float:
        """Days since submission of a closed case: more of them recent."""
        return min(DAYS - 1, 3 + DAYS * self.rng.random() ** 1.3)

    def office_hours(self, moments: list, actions: list[str], *, staff_submits: bool = False) -> list:
        """Staff act between 8:00 and 21:00: a step outside is moved to the next morning
        when that keeps the order."""
        out = list(moments)
        for i, (moment, action) in enumerate(zip(moments, actions, strict=True)):
            if action in RESIDENT_STEPS and not (action == "submit" and staff_submits):
                continue
            local = timezone.localtime(moment)
            if 8 <= local.hour < 21:
                continue
            day = local.date() + dt.timedelta(days=1 if local.hour >= 21 else 0)
            morning = timezone.make_aware(dt.datetime.combine(day, dt.time(8)))
            bound = moments[i + 1] if i + 1 < len(moments) else self.now - dt.timedelta(minutes=1)
            if morning >= bound:
                continue
            moved = morning + min(dt.timedelta(minutes=90), bound - morning) * self.rng.uniform(0.1, 0.9)
            if moved > out[i - 1 if i else 0]:
                out[i] = moved
        return out

    def supporters(self, plan: Plan) -> None:
        rng = self.rng
        if plan.text.level == "home" or plan.story in ("merged", "rejected") or rng.random() > 0.25:
            return
        end = next((m for m, a in plan.steps if a in ("resolve", "reject", "merge")), self.now)
        start = plan.steps[0][0]
        if end - start < dt.timedelta(hours=6):
            return
        if plan.text.level == "compound":
            pool = [r[0] for s in self.stairwells[plan.key] for r in self.living[s.pk]]
            count = rng.randint(2, 7)
        else:
            stairwells = [s for s in self.stairwells[plan.key] if s.building_id == plan.origin.building_id]
            pool = [r[0] for s in stairwells for r in self.living[s.pk]]
            count = rng.randint(1, 3)
        pool = sorted(set(pool) - {plan.reporter})
        for person in rng.sample(pool, min(count, len(pool))):
            moment = start + (end - start) * rng.uniform(0.05, 0.9)
            plan.steps.append((moment, f"support:{person}"))

    # --- pinned cases: what each demo account finds --------------------------------------------

    def pinned(self) -> list[Plan]:
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("person")}
        self.leader = users.get("leader")
        self.leader_buildings = set()
        if self.leader is not None:
            self.leader_buildings = set(
                LeaderAssignment.objects.active()
                .filter(person_id=self.leader.person_id)
                .exclude(building=None)
                .values_list("building_id", flat=True)
            )
        if "fufeng" not in self.compounds:
            return []
        plans = []

        def pin(story, code, *, stairwell=None, reporter=None, **kw):
            text = next((t for t in TEXTS_BY_CATEGORY.get(code, ()) if _fits(t, "fufeng", None)), None)
            plan = self.new_plan("fufeng", story, code=code, stairwell=stairwell, reporter=reporter, text=text)
            if plan is not None:
                for name, value in kw.items():
                    setattr(plan, name, value)
                if "channel" in kw:  # recorded by the leader at his stairwell meeting, else by nobody
                    plan.recorded_by = self.leader if plan.channel == Channel.MEETING and self._leads(plan) else None
                    plan.channel = (
                        plan.channel if plan.recorded_by or plan.channel == Channel.POSTER else Channel.MOBILE
                    )
                plans.append(plan)
            return plan

        resident = users.get("resident")
        home = Occupancy.objects.filter(person=resident.person_id).select_related("home").first() if resident else None
        if home is not None:
            stairwell = next(s for s in self.stairwells["fufeng"] if s.pk == home.home.stairwell_id)
            me = (resident.person_id, home.home_id, home.home.floor, home.home.number)
            pin("resolved", "maintenance", stairwell=stairwell, reporter=me, channel=Channel.POSTER)
            pin("in_progress", "elevator", stairwell=stairwell, reporter=me)
        for code in ("hygiene", "e-bikes", "safety"):
            pin("submitted", code)  # for the property clerk to accept
        pin("overdue", "thrown-from-height")
        pin("overdue", "e-bikes")
        pin("returned", None)  # sent back by the property company
        for code in ("hygiene", "maintenance"):
            pin("auto_closed", code, keep_revisit=True)
        led = [s for s in self.stairwells["fufeng"] if s.building_id in self.leader_buildings and self.living[s.pk]]
        if led:
            pin("in_progress", "noise", stairwell=self.rng.choice(led), channel=Channel.MEETING)
            pin("rated", "hygiene", stairwell=self.rng.choice(led))
            pin("accepted", "e-bikes", stairwell=self.rng.choice(led))
        return plans

    # --- playing the steps ----------------------------------------------------------------------

    def play(self, plans: list[Plan]) -> None:
        queue = []
        for plan in plans:
            for moment, action in plan.steps:
                self._push(queue, moment, action, plan)
        day = timezone.localtime(min(m for m, *_ in queue) if queue else self.now).date()
        while True:
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(7)))
            if moment >= self.now:
                break
            self._push(queue, moment, "tick", None)
            day += dt.timedelta(days=1)
        self._push(queue, self.now, "tick", None)
        self.last_revisit = Revisit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        while queue:
            moment, _seq, action, plan = heapq.heappop(queue)
            try:
                self.step(queue, moment, action, plan)
            except (CaseError, ValidationError, PermissionDenied) as error:
                self.skipped.append(f"{plan.text.title if plan else ''} {action}: {error}")

    def _push(self, queue, moment, action, plan) -> None:
        self._seq += 1
        heapq.heappush(queue, (moment, self._seq, action, plan))

    def step(self, queue, now, action, plan: Plan | None) -> None:
        rng = self.rng
        if action == "tick":
            services.tick(now=now)
            self.revisits(queue, now)
            return
        if action.startswith("revisit:"):
            self.revisit(int(action.split(":")[1]), now)
            return
        if action == "submit":
            self.submit(plan, now)
            return
        if plan.case is None:
            return
        if action.startswith("support:"):
            services.support(case=plan.case, person=Person(pk=int(action.split(":")[1])), now=now)
        elif action == "ack":
            kind = self.org_kind(plan)
            services.reply(case=plan.case, user=self.handler(plan), text=rng.choice(texts.ACKNOWLEDGE[kind]), now=now)
        elif action == "note":
            user = self.leader if self._leads(plan) and rng.random() < 0.6 else None
            lines = texts.LEADER_NOTES if user else texts.NOTES
            services.add_note(case=plan.case, user=user or self.handler(plan), text=rng.choice(lines), now=now)
        elif action == "mediate":
            self.mediate(plan, now)
        elif action == "follow_up":
            if plan.mediation is not None and plan.mediation.outcome != Mediation.Outcome.OPEN:
                note = rng.choice(texts.MEDIATION_FOLLOW_UPS)
                mediation.record_follow_up(mediation=plan.mediation, user=self.handler(plan), note=note, now=now)
        elif action == "rate":
            stars = rng.choices((5, 4, 3, 2, 1), (45, 30, 12, 8, 5))[0]
            if any(a == "reopen" for _m, a in plan.steps):
                stars = rng.choice((3, 4))
            comments = (
                texts.COMMENTS_GOOD if stars >= 4 else texts.COMMENTS_MIDDLE if stars == 3 else texts.COMMENTS_BAD
            )
            plan.case = services.rate(
                case=plan.case, stars=stars, comment=rng.choice(comments), as_reporter=True, now=now
            )
        elif action == "reopen":
            plan.case = perform(plan.case, "reopen", as_reporter=True, note=rng.choice(texts.REOPEN_REASONS), now=now)
        else:
            self.transition(plan, action, now)

    def transition(self, plan: Plan, action: str, now) -> None:
        rng, text, kw = self.rng, plan.text, {}
        user = self.handler(plan)
        if action == "dispatch":
            users = self.users.get(plan.org_id) or []
            kw["assignee"] = rng.choice(users) if users else None
        elif action == "start":
            user = self.user_by_id.get(plan.case.assignee_id, user)
        elif action == "hold":
            kw["note"] = text.hold or rng.choice(texts.HOLD_DISPUTE if plan.mediation else texts.HOLD_WORK)
        elif action == "resolve":
            kw["note"] = text.reply.format(**plan.fill)
            if any(a == "reopen" for m, a in plan.steps if m < now):
                kw["note"] = "再次上门处理：" + kw["note"]
            if plan.mediation is not None and plan.mediation.outcome == Mediation.Outcome.OPEN:
                follow_up = timezone.localdate(now) + dt.timedelta(days=FOLLOW_UP_DAYS)
                plan.mediation = mediation.conclude(
                    mediation=plan.mediation,
                    user=user,
                    outcome=Mediation.Outcome.AGREED,
                    agreement=kw["note"],
                    follow_up_on=follow_up,
                    now=now,
                )
        elif action == "return":
            user = self.handler(plan)
            kw["note"] = rng.choice(texts.RETURN_REASONS)
        elif action == "redispatch":
            action, user = "dispatch", self.worker(plan)
            kw["organisation"] = self.other_org(plan)
            kw["note"] = rng.choice(texts.REDISPATCH_NOTES)
        elif action == "reject":
            user = self.worker(plan)
            kw["note"] = rng.choice(texts.REJECT_REASONS)
        elif action == "merge":
            kw["target"], kw["note"] = plan.target.case, texts.MERGE_NOTE.format(code=plan.target.code)
        plan.case = perform(plan.case, action, user=user, now=now, **kw)
        plan.org_id = plan.case.organisation_id

    def mediate(self, plan: Plan, now) -> None:
        """A mediation session; the first one opens the mediation with both parties."""
        rng, user = self.rng, self.handler(plan)
        if plan.mediation is None:
            mediator = self.orgs.get(plan.org_id)
            if mediator is None or mediator.kind not in mediation.MEDIATOR_KINDS:
                mediator = self.committees[plan.key]
            reporter = self.people[plan.reporter]
            parties = [{"name": reporter.name, "side": "a", "person": reporter, "home": plan.home}]
            parties.append(self.other_party(plan))
            plan.mediation = mediation.open_mediation(
                case=plan.case, user=user, mediator=mediator, parties=parties, now=now
            )
        session = mediation.add_session(
            mediation=plan.mediation,
            user=user,
            held_at=now,
            place=rng.choice(texts.MEDIATION_PLACES.get(plan.key, texts.MEDIATION_PLACES[""])),
            mediators=f"{user.display_name()}、{texts.LEADER}",
            attendees=texts.ATTENDEES,
            summary=rng.choice(texts.SESSION_LATER if plan.mediation.sessions.exists() else texts.SESSION_FIRST),
            next_step=rng.choice(texts.MEDIATION_NEXT),
        )
        # add_session logs the session at the wall clock's time; the demo's clock is `now`.
        Event.objects.filter(case=plan.case, action="mediation", at__gt=now + dt.timedelta(hours=1)).update(at=now)
        return session

    def other_party(self, plan: Plan) -> dict:
        """The neighbour upstairs when the text names him, else a neighbour without a name."""
        above = plan.fill["home_up"]
        if "{home_up}" in plan.text.text and plan.home is not None:
            for person, home, _floor, number in self.living[plan.origin.pk]:
                if number == above:
                    neighbour = Person.objects.only("name").get(pk=person)
                    return {"name": neighbour.name, "side": "b", "person": neighbour, "home": Home.objects.get(pk=home)}
        return {"name": texts.NEIGHBOUR, "side": "b"}

    def submit(self, plan: Plan, now) -> None:
        rng, text = self.rng, self.texts_for(plan)
        category = self.categories[plan.text.category]
        reporter = self.people.get(plan.reporter)
        case, _secret = services.submit(
            compound=plan.compound,
            category=category,
            kind=plan.text.kind or None,
            title=text[0][:80],
            description=text[1],
            building=plan.building,
            stairwell=plan.stairwell,
            home=plan.home,
            location=plan.fill["spot"] if plan.text.level == "compound" else "",
            reporter=reporter,
            channel=plan.channel,
            recorded_by=plan.recorded_by,
            on_public_board=not category.is_dispute and plan.text.level != "home" and rng.random() > 0.1,
            public_details=rng.random() < 0.08,
            now=now,
        )
        plan.code = self.code(now)
        if plan.target is not None:  # the merge writes its code into the original's history
            Case.objects.filter(pk=case.pk).update(code=plan.code)
            case.code = plan.code
        plan.case, plan.org_id = case, case.organisation_id
        self.by_case[case.pk] = plan

    def texts_for(self, plan: Plan) -> tuple[str, str]:
        return plan.text.title.format(**plan.fill), plan.text.text.format(**plan.fill)

    def code(self, now) -> str:
        stamp = timezone.localtime(now).strftime("%y%m")
        while True:
            code = stamp + "-" + "".join(self.rng.choice(CODE_ALPHABET) for _ in range(6))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def org_kind(self, plan: Plan) -> str:
        org = self.orgs.get(plan.org_id)
        kind = org.kind if org else K.RESIDENTS_COMMITTEE
        return kind if kind in texts.ACKNOWLEDGE else K.RESIDENTS_COMMITTEE

    def other_org(self, plan: Plan) -> Organisation | None:
        """Where a case the property company sent back goes: the association or
        self-governance group when there is one, else the residents' committee."""
        for code in ("neighbour-dispute", "other"):
            org = self.routes.get((plan.key, code))
            if org is not None and org.pk != plan.org_id and self.users.get(org.pk):
                return org
        return None

    def revisits(self, queue, now) -> None:
        """The tick opened revisit tasks: a worker calls most residents within a few days."""
        new = list(Revisit.objects.filter(pk__gt=self.last_revisit).order_by("pk").values_list("pk", "case_id"))
        if not new:
            return
        self.last_revisit = new[-1][0]
        for pk, case_id in new:
            plan = self.by_case.get(case_id)
            if plan is None or plan.keep_revisit or self.rng.random() < 0.1:
                continue
            if any(action == "rate" and moment > now for moment, action in plan.steps):
                continue  # the resident rates it himself, which closes the task
            moment = now + dt.timedelta(hours=self.rng.uniform(2, 110))
            moment = self.office_hours([now, moment], ["tick", "revisit"])[1]
            if moment < self.now:
                self._push(queue, moment, f"revisit:{pk}", plan)

    def revisit(self, pk: int, now) -> None:
        revisit = Revisit.objects.select_related("case").get(pk=pk)
        if revisit.done_at is not None:
            return  # the resident rated it in the meantime
        plan = self.by_case[revisit.case_id]
        reached = self.rng.random() < 0.75
        outcomes = texts.REVISIT_REACHED if reached else texts.REVISIT_UNREACHED
        if revisit.case.status not in (Status.RESOLVED, Status.CLOSED):  # reopened since
            reached, outcomes = False, texts.REVISIT_REOPENED
        services.record_revisit(
            revisit=revisit,
            user=self.worker(plan),
            outcome=self.rng.choice(outcomes),
            stars=self.rng.choice((5, 5, 4, 4, 3)) if reached else None,
            now=now,
        )


DEMO_USERNAMES = {a.username for a in ACCOUNTS}
TEXTS_BY_CATEGORY: dict[str, list[texts.Text]] = defaultdict(list)
for _text in texts.TEXTS:
    TEXTS_BY_CATEGORY[_text.category].append(_text)


def _fits(text: texts.Text, key: str, building) -> bool:
    village, b46 = key == "pingnan", key == "b46"
    tags = text.tags
    if ("village" in tags) != village or ("b46" in tags and not b46):
        return False
    if village and tags & {"f", "tower", "lift", "nolift"}:
        return False
    if building is None:
        return True
    lift = b46 or (building.floors or 0) >= 10
    return not ("lift" in tags and not lift) and not ("nolift" in tags and lift)


def _quota(shares: dict, total: int, *, minimum: int = 0) -> dict:
    """total split by shares (largest remainder), each at least `minimum`."""
    raw = {k: total * v / sum(shares.values()) for k, v in shares.items()}
    counts = {k: max(minimum, int(r)) for k, r in raw.items()}
    order = sorted(raw, key=lambda k: raw[k] - int(raw[k]), reverse=True)
    i = 0
    while sum(counts.values()) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    while sum(counts.values()) > total:
        counts[max(counts, key=counts.get)] -= 1
    return counts


def load_cases(*, rng: random.Random, now: dt.datetime | None = None, scale: float = 1.0) -> dict[str, int]:
    """About 400 cases × scale (at least 40) over the DAYS before `now`; returns counts."""
    now = now or timezone.now()
    loader = _Loader(rng, now, scale)
    with disable_auditlog(), transaction.atomic():
        if not loader.read_world():
            return {}
        connection = transaction.get_connection()
        # A demo load must not announce hundreds of past events to anybody: drop the
        # notifications queued for after the commit.
        queued = len(connection.run_on_commit)
        rules = loader.routing_rules()
        users = loader.handlers()
        loader.orgs = Organisation.objects.in_bulk()
        plans = loader.plan_all()
        loader.people = Person.objects.in_bulk([p.reporter for p in plans if p.reporter])
        homes = Home.objects.in_bulk([p.home.pk for p in plans if p.home is not None])
        for plan in plans:
            if plan.home is not None:
                plan.home = homes[plan.home.pk]
        loader.by_case = {}
        with _lookups_cached():
            loader.play(plans)
        Case.objects.bulk_update(
            [Case(pk=p.case.pk, code=p.code) for p in plans if p.case and p.target is None], ["code"], batch_size=500
        )
        del connection.run_on_commit[queued:]
    cases = Case.objects.filter(pk__in=[p.case.pk for p in plans if p.case])
    states = Counter(cases.values_list("status", flat=True))
    counts = {
        Case._meta.verbose_name_plural: cases.count(),
        Event._meta.verbose_name_plural: Event.objects.filter(case__in=cases).count(),
        RoutingRule._meta.verbose_name_plural: rules,
        _("logins for case handlers"): users,
    }
    counts.update({f"  {label}": states[value] for value, label in Status.choices if states[value]})
    if loader.skipped:  # a step the state of its case did not allow: a bug in the plans
        counts[_("case steps skipped")] = len(loader.skipped)
    return counts


@contextmanager
def _lookups_cached():
    """The working-day calendar, the deadline rules and the routing table do not change
    while the demo loads: look each up once instead of once per case and step."""
    saved = deadlines.overrides, deadlines.days_for, routing.route
    calendar, days, routes = saved[0](), {}, {}

    def days_for(kind):
        if kind not in days:
            days[kind] = saved[1](kind)
        return days[kind]

    def route(case):
        key = case.compound_id, case.category_id
        if key not in routes:
            routes[key] = saved[2](case)
        return routes[key]

    deadlines.overrides, deadlines.days_for, routing.route = (lambda: dict(calendar)), days_for, route
    try:
        yield
    finally:
        deadlines.overrides, deadlines.days_for, routing.route = saved


def clear_cases() -> None:
    """Remove the demo cases, routing rules and handler logins (tests: raw deletes, no signals)."""
    for model in (MediationSession, MediationParty, Mediation, Photo, Support, Revisit, Event):
        model.objects.all()._raw_delete("default")
    for qs in (
        Case.objects.all(),
        RoutingRule.objects.all(),
        User.objects.filter(username__regex=HANDLER_USERNAMES),
    ):
        qs._raw_delete(qs.db)
