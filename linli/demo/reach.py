"""Demo reach-every-home campaign and duty roster at 富丰新城, dated back from `now`:

- 2026冬季入户走访, started two weeks ago over every home of the compound (elderly people
  living alone visited first), about 40% of the homes visited with realistic outcomes, homes
  found out revisited, one registry change (a new phone number) waiting for a worker's review;
- a gate post (东门门岗) with the morning and evening shifts of this week, volunteers on duty,
  one shift in the next 48 hours short of a person, one swap waiting for approval.

Campaign, start, post, shifts, the last visits, the gap and the swap go through the apps'
services; the many visits and duties of the past are written with bulk_create."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from auditlog.context import disable_auditlog
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from linli.accounts.models import User
from linli.campaigns import services as campaigns
from linli.campaigns.models import Assignment, Campaign, CampaignVisit, Outcome, ProposedChange, Target
from linli.people.models import Occupancy, Organisation, Person
from linli.places.models import Compound, Home
from linli.rosters import services as rosters
from linli.rosters.models import Duty, Post, Shift, SwapRequest

from .activities import drop_queued, local, members, staff_user
from .names import MOBILE_PREFIXES

SHARE_VISITED = 0.4
FORM = [
    {"key": "elderly", "label": "家中是否有独居或高龄老人", "kind": "yesno"},
    {"key": "help", "label": "是否需要上门服务（送餐、陪诊、维修）", "kind": "yesno"},
    {
        "key": "power",
        "label": "冬季用电取暖安全",
        "kind": "choice",
        "choices": ["正常", "存在隐患已提醒", "需物业上门"],
    },
    {"key": "remarks", "label": "居民意见建议", "kind": "text", "required": False},
]
REMARKS = (
    "希望小区多装几个电动车充电桩。",
    "楼下垃圾桶晚上太满。",
    "电梯夜间噪音大。",
    "希望社区多办长者饭堂活动。",
    "孩子放学后无人照看，希望有四点半课堂。",
    "人工湖边路灯不亮。",
)
NOTES = {
    Outcome.NOT_HOME: ("敲门无人应答，已留联系卡。", "邻居说白天上班，晚上再来。"),
    Outcome.REFUSED: ("住户表示不需要，婉拒登记。",),
    Outcome.MOVED_OUT: ("租客已搬走，房屋待租。",),
    Outcome.EMPTY: ("房屋空置，信报箱积压。",),
}
GATE_PATTERN = ((dt.time(7, 0), dt.time(9, 0)), (dt.time(17, 0), dt.time(19, 0)))


class Reach:
    def __init__(self, *, rng: random.Random, now: dt.datetime):
        self.rng, self.now = rng, now
        self.today = timezone.localdate(now)
        self.compound = Compound.objects.select_related("community__subdistrict").filter(name="富丰新城").first()
        self.users = {u.username: u for u in User.objects.filter(username__in=["volunteer", "leader", "partymember"])}
        self.worker = staff_user("大新社区")

    # --- the campaign ------------------------------------------------------------------

    def _outcome(self, home_id, elderly, vacant) -> str:
        roll = self.rng.random()
        if home_id in vacant:
            return Outcome.EMPTY if roll < 0.7 else Outcome.NOT_HOME
        if home_id in elderly:
            return Outcome.REACHED if roll < 0.92 else Outcome.NOT_HOME
        for outcome, share in ((Outcome.REACHED, 0.72), (Outcome.NOT_HOME, 0.2), (Outcome.REFUSED, 0.04)):
            if roll < share:
                return outcome
            roll -= share
        return Outcome.MOVED_OUT

    def _answers(self, home_id, elderly) -> dict:
        rng = self.rng
        answers = {
            "elderly": home_id in elderly,
            "help": rng.random() < (0.45 if home_id in elderly else 0.08),
            "power": rng.choices(FORM[2]["choices"], (85, 11, 4))[0],
        }
        if rng.random() < 0.2:
            answers["remarks"] = rng.choice(REMARKS)
        return answers

    def _visit(self, row, when, outcome, elderly, recorded_by) -> CampaignVisit:
        rng = self.rng
        return CampaignVisit(
            client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            campaign_id=row.campaign_id,
            assignment=row,
            home_id=row.home_id,
            visitor_id=row.visitor_id or self.worker.person_id,
            recorded_by=recorded_by.get(row.visitor_id, self.worker),
            outcome=outcome,
            answers=self._answers(row.home_id, elderly) if outcome == Outcome.REACHED else {},
            note=rng.choice(NOTES[outcome]) if outcome in NOTES and rng.random() < 0.6 else "",
            visited_at=when,
            received_at=when + dt.timedelta(minutes=rng.randint(0, 90)),
        )

    def campaign(self) -> Campaign | None:
        if self.compound is None or self.worker is None:
            return None
        rng = self.rng
        started = self.today - dt.timedelta(days=14)
        campaign = campaigns.create_campaign(
            user=self.worker, place=self.compound, title="2026冬季入户走访", form=FORM, target=Target.ALL,
            starts_on=started, ends_on=started + dt.timedelta(days=45),
            description="独居长者优先。了解冬季用电取暖安全和生活需要，核对住户信息，有困难的登记上门服务。",
        )  # fmt: skip
        campaigns.start(user=self.worker, campaign=campaign)
        rows = list(Assignment.objects.filter(campaign=campaign).order_by("home_id"))
        born_by = self.today.year - 60
        elderly = set(
            Occupancy.objects.active()
            .filter(person__lives_alone=True, person__birth_year__lte=born_by, home_id__in=[r.home_id for r in rows])
            .values_list("home_id", flat=True)
        )
        vacant = set(Home.objects.filter(pk__in=[r.home_id for r in rows], is_vacant=True).values_list("pk", flat=True))
        recorded_by = {u.person_id: u for u in User.objects.filter(person_id__in={r.visitor_id for r in rows})}
        # Elderly people living alone first, then the others in no particular order.
        first, rest = [r for r in rows if r.home_id in elderly], [r for r in rows if r.home_id not in elderly]
        rng.shuffle(rest)
        keep_open = self._service_homes(rows)
        visited = [r for r in first + rest if r.pk not in keep_open][: round(len(rows) * SHARE_VISITED)]
        days = max(1, (self.today - started).days)
        visits, revisit = [], {}
        for row in visited:
            early = row.home_id in elderly
            day = started + dt.timedelta(days=rng.randrange(min(4, days) if early else days))
            when = local(day, rng.randint(9, 19), rng.randrange(60))
            when = min(when, self.now - dt.timedelta(hours=1))
            outcome = self._outcome(row.home_id, elderly, vacant)
            history = [(when, outcome)]
            # Not at home two days or more ago: most were tried again, in the evening.
            if outcome == Outcome.NOT_HOME and (self.today - day).days >= 2 and rng.random() < 0.6:
                again = local(day + dt.timedelta(days=rng.randint(2, (self.today - day).days)), 19, rng.randrange(60))
                again = min(again, self.now - dt.timedelta(minutes=30))
                history.append((again, Outcome.REACHED if rng.random() < 0.7 else Outcome.NOT_HOME))
            for when, outcome in history:
                visits.append(self._visit(row, when, outcome, elderly, recorded_by))
            if outcome == Outcome.NOT_HOME:  # the latest visit: come again in a few days
                due = timezone.localtime(when).date() + dt.timedelta(days=campaigns.revisit_days())
                revisit.setdefault(due, []).append(row.pk)
        CampaignVisit.objects.bulk_create(visits, batch_size=1000)
        # Each home's state is the outcome of its latest visit, as record_visit keeps it: one
        # UPDATE with subqueries (bulk_update's CASE over a thousand rows costs seconds).
        latest = CampaignVisit.objects.filter(assignment=OuterRef("pk")).order_by("-visited_at", "-pk")
        count = CampaignVisit.objects.filter(assignment=OuterRef("pk")).order_by().values("assignment")
        Assignment.objects.filter(Exists(latest), campaign=campaign).update(
            state=Subquery(latest.values("outcome")[:1]),
            last_visited_at=Subquery(latest.values("visited_at")[:1]),
            visits=Subquery(count.annotate(n=Count("pk")).values("n")),
        )
        for day, ids in revisit.items():
            Assignment.objects.filter(pk__in=ids).update(revisit_on=day)
        self._service_visits(campaign, rows, keep_open)
        return campaign

    def _service_homes(self, rows) -> dict[int, User]:
        """Two homes of the demo `partymember`'s list (else a worker's) visited today through the
        service: one reached with a new phone number to review, one not at home."""
        mine = self.users.get("partymember")
        chosen = [r for r in rows if mine is not None and r.visitor_id == mine.person_id][:2]
        user = mine if chosen else self.worker
        if not chosen:
            lived_in = set(Occupancy.objects.active().filter(home_id__in=[r.home_id for r in rows[:50]])
                           .values_list("home_id", flat=True))  # fmt: skip
            chosen = [r for r in rows[:50] if r.home_id in lived_in][:2]
        return {r.pk: user for r in chosen}

    def _service_visits(self, campaign, rows, keep_open) -> None:
        rng = self.rng
        for i, row in enumerate(r for r in rows if r.pk in keep_open):
            user = keep_open[row.pk]
            when = self.now - dt.timedelta(hours=2 + i)
            resident = Occupancy.objects.active().filter(home_id=row.home_id).order_by("pk").first()
            if i == 0 and resident is not None:
                phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
                campaigns.record_visit(
                    user=user, campaign=campaign, home_id=row.home_id, client_id=uuid.UUID(int=rng.getrandbits(128)),
                    outcome=Outcome.REACHED, visited_at=when, now=self.now,
                    answers={"elderly": False, "help": False, "power": "正常", "remarks": "换了新手机号，请更新登记。"},
                    changes=[{"kind": "new_phone", "person_id": resident.person_id, "phone": phone}],
                )  # fmt: skip
            else:
                campaigns.record_visit(
                    user=user, campaign=campaign, home_id=row.home_id, client_id=uuid.UUID(int=rng.getrandbits(128)),
                    outcome=Outcome.NOT_HOME, visited_at=when, now=self.now, note="敲门无人应答，已留联系卡。",
                )  # fmt: skip

    # --- the duty roster ---------------------------------------------------------------

    def roster(self) -> Post | None:
        if self.compound is None or self.worker is None:
            return None
        rng = self.rng
        orgs = {o.name: o for o in Organisation.objects.filter(compound=self.compound)}
        pool = list(
            dict.fromkeys(members(orgs.get("富丰新城街坊志愿互助会")) + members(orgs.get("“大新之心”党员志愿队")))
        )
        volunteer = self.users.get("volunteer")
        pool = [p for p in pool if not volunteer or p != volunteer.person_id]
        pool = rng.sample(pool, min(12, len(pool)))
        if len(pool) < 3:
            return None
        post = rosters.create_post(user=self.worker, compound=self.compound, name="东门门岗",
                                   description="早晚高峰出入登记、外来车辆引导、电动车进楼劝导。")  # fmt: skip
        monday = self.today - dt.timedelta(days=self.today.weekday())
        last = max(monday + dt.timedelta(days=6), self.today + dt.timedelta(days=3))
        rosters.bulk_create_shifts(user=self.worker, post=post, first=monday, last=last, pattern=GATE_PATTERN, needed=2)
        shifts = list(Shift.objects.filter(post=post).order_by("starts"))
        coming = [s for s in shifts if s.starts > self.now + dt.timedelta(minutes=30)]
        gap = coming[0] if coming else None
        swap_shift = coming[3] if len(coming) > 3 else None
        duties, turn = [], 0
        for shift in shifts:
            people = [pool[(turn + j) % len(pool)] for j in range(shift.needed)]
            turn += shift.needed
            if shift is swap_shift and volunteer is not None and volunteer.person_id:
                people[0] = volunteer.person_id
            if shift is gap:
                people = people[:1]  # someone fell ill: one short
            for person_id in people:
                checked = shift.ends <= self.now and rng.random() < 0.9
                at = shift.starts + dt.timedelta(minutes=rng.randint(-12, 8)) if checked else None
                duties.append(Duty(shift=shift, person_id=person_id, assigned_by=self.worker, checked_in_at=at))
        Duty.objects.bulk_create(duties)
        if swap_shift is not None and volunteer is not None:
            duty = Duty.objects.filter(shift=swap_shift, person_id=volunteer.person_id).first()
            taken = set(Duty.objects.filter(shift=swap_shift).values_list("person_id", flat=True))
            to = next(p for p in pool if p not in taken)
            rosters.request_swap(user=volunteer, duty=duty, to_person=Person.objects.get(pk=to),
                                 reason="那天要陪孩子去医院复诊，请帮忙换班。")  # fmt: skip
        return post


def load_reach(*, rng: random.Random, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    with disable_auditlog(), transaction.atomic():
        queued = len(transaction.get_connection().run_on_commit)
        reach = Reach(rng=rng, now=now)
        reach.campaign()
        reach.roster()
        drop_queued(queued)
    return {
        str(m._meta.verbose_name_plural): m.objects.count()
        for m in (Campaign, Assignment, CampaignVisit, ProposedChange, Post, Shift, Duty)
    }


def clear_reach() -> None:
    """Remove the demo campaigns and rosters (tests: raw deletes, children first)."""
    for model in (ProposedChange, CampaignVisit, Assignment, Campaign, SwapRequest, Duty, Shift, Post):
        model.objects.all()._raw_delete("default")
