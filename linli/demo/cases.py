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

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.cases import deadlines, mediation, routing, services, taxonomy
from linli.cases.lifecycle import CaseError, perform
from linli.cases.models import (
    CODE_ALPHABET,
    Case,
    Category,
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
from linli.demo.case_plans import DAYS, DEMO_USERNAMES, FOLLOW_UP_DAYS, Plan, Planner
from linli.demo.names import SEED_NAMES
from linli.people.models import Membership, Occupancy, Organisation, Person, PropertyServicePeriod
from linli.places.models import Compound, Home, Stairwell

K, R = Organisation.Kind, Membership.Role
USERNAME_PREFIX = {
    K.PROPERTY_COMPANY: "clerk",
    K.RESIDENTS_COMMITTEE: "worker",
    K.OWNERS_COMMITTEE: "owners",
    K.ASSOCIATION: "assoc",
    K.SELF_GOVERNANCE: "group",
    K.DEPARTMENT: "dept",
}
HANDLER_USERNAMES = r"^(clerk|worker|owners|assoc|group|dept)-"
DEPARTMENT_KEYS = ("chengguan", "zhujian", "shegong")  # for data.DEPARTMENTS, in its order


class _Loader(Planner):
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
        elsewhere), with a phone, without a login (the demo accounts report their own) and not
        named in the seed articles."""
        with_users = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        rows = list(
            Occupancy.objects.filter(
                end__isnull=True,
                home__is_vacant=False,
                home__stairwell__building__compound__in=self.compounds.values(),
                person__birth_year__lte=data.REFERENCE_YEAR - 18,
            )
            .exclude(person__phone_hash="")
            .exclude(person__name__in=SEED_NAMES)  # real people: no made-up complaints in their name
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
            if services.tick(now=now)["revisits"]:
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
            now=now,
        )
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


def load_cases(*, rng: random.Random, now: dt.datetime | None = None, scale: float = 1.0) -> dict[str, int]:
    """About 400 cases × scale (at least 40) over the DAYS before `now`; returns counts."""
    now = now or timezone.now()
    taxonomy.ensure()  # the categories come with a migration; a flushed database lost them
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
