"""Plans of the demo cases: what each case is about, where, who reports it, which story it
lives through and the moment of each step. cases.py reads the compounds, residents and
handlers from the database, asks the Planner for the plans, then plays them through the real
services in the order of time.

A story is the state a case ends in; its script is the steps that lead there ("x?" happens
half the time). Open states are recent (submitted in the last days, in progress for a week or
two, a few overdue for weeks); closed ones are spread over the 120 days, more of them recent.
Some cases are pinned, so that each demo account finds something to do (see pinned()).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from linli.accounts.models import User
from linli.cases import deadlines
from linli.cases.models import Case, Channel, Mediation
from linli.demo import case_texts as texts
from linli.demo.accounts import ACCOUNTS
from linli.lib import workdays
from linli.people.models import LeaderAssignment, Occupancy, Organisation
from linli.places.models import Compound, Home, Stairwell

K = Organisation.Kind
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
FOLLOW_UP_DAYS = 14  # after a mediated agreement, a visit to see that it holds
DEMO_USERNAMES = {a.username for a in ACCOUNTS}


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


class Planner:
    """The planning half of cases._Loader, which sets what it reads: rng, now, start, the
    compounds and their stairwells, the residents living in each, categories, routes and the
    handlers' logins."""

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
        """A second report of an open case by a neighbour in the same stairwell, merged into it."""
        now = self.now

        def neighbours(p):
            return [r for r in self.living[p.origin.pk] if r[0] != p.reporter]

        originals = [
            p
            for p in plans
            if p.story in ("accepted", "dispatched", "in_progress", "overdue", "on_hold")
            and p.text.level in ("stairwell", "building")
            and p.target is None
            and neighbours(p)
            and self.schedule(p) < now - dt.timedelta(days=1)
        ]
        if not originals:
            return None
        original = self.rng.choice(originals)
        plan = self.new_plan(
            original.key,
            "merged",
            stairwell=original.origin,
            text=original.text,
            reporter=self.rng.choice(neighbours(original)),
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
        elif plan.keep_revisit:
            # Resolved over 7 days ago (closed by the tick) and 4+ working days ago (so the
            # tick opened a revisit task), even across the Spring Festival.
            resolved = min(now - dt.timedelta(days=7.5), self.workdays_back(4)) - dt.timedelta(hours=rng.uniform(0, 30))
            t0 = resolved - duration
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

    def workdays_back(self, n: int) -> dt.datetime:
        """The start of the day n working days before today."""
        calendar, day, seen = deadlines.overrides(), timezone.localdate(self.now), 0
        while seen < n:
            day -= dt.timedelta(days=1)
            seen += workdays.is_workday(day, calendar)
        return timezone.make_aware(dt.datetime.combine(day, dt.time()))

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
