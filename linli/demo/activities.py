"""Demo volunteering and patrols after the seeds, dated back from `now`: the “大新之心” team's
Sunday service day (8 weeks past, the horizon ahead) with sign-ups, attendance and confirmed
hours; the e-bike patrol evenings of 翠颐社区摩电安全巡查队 at 颐景园; a 百家宴 potluck and a
class of a 滨江一号 club coming up; patrols with findings; the hygiene squad's monthly
inspections of the property company's cleaning over the last six months.

Series, one-off activities, patrols and inspections go through the apps' services (they
enforce the rules); the many rows of the past (sign-ups, attendance, ledger entries) are
written with bulk_create. Past events notify nobody: what they queue is dropped."""

from __future__ import annotations

import datetime as dt
import importlib
import random

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.cases.models import Case
from linli.patrols import services as patrols
from linli.patrols.models import (
    Checklist,
    ChecklistItem,
    Finding,
    Inspection,
    ItemScore,
    Patrol,
    PatrolKind,
    Severity,
)
from linli.people.models import Membership, Organisation, Person
from linli.places.models import Building, Compound
from linli.volunteers import services as volunteers
from linli.volunteers.models import (
    Activity,
    ActivityKind,
    ActivitySeries,
    Attendance,
    Certificate,
    HoursEntry,
    JoinRequest,
    SignUp,
    VolunteerProfile,
)

TZ = volunteers.TZ
K = Organisation.Kind
SUNDAY, WEDNESDAY, SATURDAY = 6, 2, 5

EBIKE_FINDINGS = (
    ("楼道内停放电动车1辆，已劝导车主移至充电棚。", Severity.MEDIUM),
    ("楼道插座私拉电线为电动车充电，存在火灾隐患，已拍照告知业主。", Severity.HIGH),
    ("单元门口电动车占用消防通道，已挪开。", Severity.MEDIUM),
    ("电动车充电棚两个插座损坏，需物业维修。", Severity.LOW),
    ("地下车库充电桩旁堆放纸箱杂物。", Severity.MEDIUM),
    ("电梯内有人推电动车上楼，已劝阻。", Severity.MEDIUM),
)
STAIRWELL_FINDINGS = (
    ("楼道堆放旧家具和纸箱，堵塞安全出口。", Severity.MEDIUM),
    ("7楼楼道声控灯不亮。", Severity.LOW),
)
INSPECTION_AREAS = ("1–10栋公共区域", "11–20栋及中心花园")
LOW_NOTES = {
    "地下车库": "车库角落积水，垃圾未及时清运。",
    "垃圾分类点": "厨余垃圾桶满溢，周边有异味。",
    "楼道地面": "部分楼层楼道未按时清扫。",
}


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def last_weekday(today: dt.date, weekday: int) -> dt.date:
    """The latest day on or before `today` falling on this weekday (Monday 0)."""
    return today - dt.timedelta(days=(today.weekday() - weekday) % 7)


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    """The first day on or after `day` falling on this weekday."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def members(org: Organisation | None) -> list[int]:
    if org is None:
        return []
    qs = Membership.objects.active().filter(organisation=org).order_by("pk").values_list("person_id", flat=True)
    return list(dict.fromkeys(qs))


def staff_user(community_name: str) -> User | None:
    """A login of a worker of the community's residents' committee (the demo `worker` for
    大新社区; the case handlers' logins elsewhere), else the subdistrict administrator."""
    if community_name == "大新社区" and (worker := User.objects.filter(username="worker").first()):
        return worker
    people = Membership.objects.active().filter(
        organisation__kind=K.RESIDENTS_COMMITTEE,
        organisation__community__name=community_name,
        role=Membership.Role.WORKER,
    )
    user = User.objects.filter(person_id__in=people.values("person_id"), is_active=True).order_by("username").first()
    return user or User.objects.filter(username="subdistrict").first()


def drop_queued(queued: int) -> None:
    """Past events must not notify anybody now: drop what they queued for after the commit."""
    del transaction.get_connection().run_on_commit[queued:]


class Loader:
    def __init__(self, *, rng: random.Random, now: dt.datetime):
        self.rng, self.now = rng, now
        self.today = timezone.localdate(now)
        self.orgs = {o.name: o for o in Organisation.objects.all()}
        self.compounds = {c.name: c for c in Compound.objects.select_related("community")}
        self.users = {u.username: u for u in User.objects.filter(username__in=["volunteer", "leader", "worker"])}

    # --- volunteering ------------------------------------------------------------------

    def series(self, *, user, team, kind, title, venue, rrule, weekday, at, minutes, capacity, description):
        """A weekly series from 8 weeks back, materialised up to the horizon ahead."""
        first = local(last_weekday(self.today, weekday) - dt.timedelta(weeks=7), *at)
        series = volunteers.create_series(
            user=user, organisation=team, kind=kind, title=title, venue=venue, rrule=rrule, first_start=first,
            duration_minutes=minutes, capacity=capacity, description=description, now=first - dt.timedelta(days=1),
        )  # fmt: skip
        step = dt.timedelta(weeks=max(1, settings.VOLUNTEERS_HORIZON_WEEKS - 1))
        moment = first
        while moment < self.now:
            moment = min(moment + step, self.now)
            volunteers.materialise(series, now=moment)
        return series, list(series.activities.order_by("starts_at"))

    def fill_past(self, activities, people, *, confirmer, size, always=()):
        """Sign-ups, attendance (QR or marked by the organiser) and confirmed hours of the
        activities that are over; `always` come every time."""
        rng = self.rng
        signups, attendances, entries = [], [], []
        for activity in activities:
            if activity.ends_at > self.now:
                continue
            k = min(len(people), rng.randint(*size), activity.capacity or 10**6)
            chosen = list(dict.fromkeys([*always, *rng.sample(people, k)]))[: activity.capacity or None]
            for person_id in chosen:
                created = activity.starts_at - dt.timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 600))
                signups.append(SignUp(activity=activity, person_id=person_id, state=SignUp.State.SIGNED_UP,
                                      created=created))  # fmt: skip
                roll = 1.0 if person_id in always else rng.random()
                if roll < 0.08:  # signed up, did not come: no hours
                    continue
                if roll < 0.75:
                    checked_in = activity.starts_at + dt.timedelta(minutes=rng.randint(-20, 15))
                    checked_out = activity.ends_at + dt.timedelta(minutes=rng.randint(-25, 10)) if roll < 0.65 else None
                    attendance = Attendance(activity=activity, person_id=person_id, how=Attendance.How.QR,
                                            checked_in_at=checked_in, checked_out_at=checked_out)  # fmt: skip
                else:
                    attendance = Attendance(activity=activity, person_id=person_id, how=Attendance.How.ORGANISER)
                attendances.append(attendance)
                minutes = volunteers.minutes_for(activity, attendance)
                if minutes > 0:
                    at = min(activity.ends_at + dt.timedelta(hours=rng.randint(1, 30)), self.now)
                    entries.append(
                        HoursEntry(person_id=person_id, activity=activity, minutes=minutes,
                                   kind=HoursEntry.Kind.EARNED, by=confirmer, at=at,
                                   on=timezone.localtime(activity.starts_at, TZ).date())
                    )  # fmt: skip
        SignUp.objects.bulk_create(signups, batch_size=1000)
        Attendance.objects.bulk_create(attendances, batch_size=1000)
        HoursEntry.objects.bulk_create(entries, batch_size=1000)

    def sign_ups_ahead(self, activity, people, k):
        """k sign-ups for a coming activity over the last days; beyond its places, waiting."""
        rng = self.rng
        chosen = rng.sample(people, min(k, len(people)))
        base = self.now - dt.timedelta(days=6)
        rows = []
        for i, person_id in enumerate(chosen):
            free = activity.capacity is None or i < activity.capacity
            rows.append(
                SignUp(activity=activity, person_id=person_id, created=base + dt.timedelta(minutes=37 * i + 5),
                       state=SignUp.State.SIGNED_UP if free else SignUp.State.WAITING)
            )  # fmt: skip
        SignUp.objects.bulk_create(rows)
        return rows

    def heart(self) -> None:
        team = self.orgs.get("“大新之心”党员志愿队")
        worker = staff_user("大新社区")
        volunteer = self.users.get("volunteer")
        if team is None or worker is None:
            return
        people = members(team) + members(self.orgs.get("富丰新城卫生监督小分队"))
        people = list(dict.fromkeys(people))
        series, activities = self.series(
            user=worker, team=team, kind=ActivityKind.SERVICE_DAY, title="“大新之心”周日志愿服务",
            venue="富丰新城人工湖边党群服务站", rrule="FREQ=WEEKLY;BYDAY=SU", weekday=SUNDAY, at=(9, 0),
            minutes=120, capacity=25,
            description="关爱身边人、美化家园、楼道巡查、文明出行引导。每周日上午，党员楼长带领街坊参加。",
        )  # fmt: skip
        always = [volunteer.person_id] if volunteer and volunteer.person_id else []
        self.fill_past(activities, people, confirmer=worker, size=(10, 18), always=always)
        coming = [a for a in activities if a.starts_at > self.now]
        if coming:
            others = [p for p in people if p not in always]
            self.sign_ups_ahead(coming[0], others, 9)
            if len(coming) > 1:
                self.sign_ups_ahead(coming[1], others, 4)
            if volunteer is not None:
                volunteers.sign_up(activity=coming[0], user=volunteer, now=self.now)
        # Names on the leaderboard: 沈霞 and a few others chose to show theirs.
        shown = list(Person.objects.filter(name="沈霞", pk__in=people).values_list("pk", flat=True))
        shown += self.rng.sample(people, min(3, len(people)))
        VolunteerProfile.objects.bulk_create(
            [VolunteerProfile(person_id=p, show_name=True) for p in dict.fromkeys(shown)], ignore_conflicts=True
        )
        earned = list(HoursEntry.objects.filter(activity__series=series).values_list("person_id", flat=True))
        if earned:
            volunteers.adjust_hours(
                user=worker, person=Person.objects.get(pk=self.rng.choice(sorted(set(earned)))), minutes=60,
                reason="补记：协助社区搬运防疫物资（未签到）", now=self.now - dt.timedelta(days=3),
            )  # fmt: skip
        if volunteer is not None and volunteer.person_id:
            volunteers.issue_certificate(
                user=volunteer, person=volunteer.person, start=activities[0].starts_at.astimezone(TZ).date(),
                end=self.today, now=self.now - dt.timedelta(days=1),
            )  # fmt: skip

    def ebike_series(self):
        team = self.orgs.get("翠颐社区摩电安全巡查队")
        staff = staff_user("翠颐社区")
        if team is None or staff is None:
            return []
        _series, activities = self.series(
            user=staff, team=team, kind=ActivityKind.EBIKE_PATROL, title="摩电安全夜间巡查",
            venue="颐景园南门岗亭集合", rrule="FREQ=WEEKLY;BYDAY=WE", weekday=WEDNESDAY, at=(19, 30),
            minutes=90, capacity=12, description="巡查楼道停放、入户充电和飞线充电，劝导车主到充电棚充电。",
        )  # fmt: skip
        self.fill_past(activities, members(team), confirmer=staff, size=(4, 8))
        return activities

    def one_offs(self) -> None:
        association = self.orgs.get("富丰新城街坊志愿互助会")
        worker = staff_user("大新社区")
        if association is not None and worker is not None:
            day = next_weekday(self.today + dt.timedelta(days=8), SATURDAY)
            feast = volunteers.create_activity(
                user=worker, organisation=association, kind=ActivityKind.EVENT, title="冬日百家宴：邻里一家亲",
                venue="富丰新城中心花园", starts_at=local(day, 11, 30), ends_at=local(day, 14, 0), capacity=120,
                description="每户带一道拿手家常菜，街坊会准备桌椅和汤水；志愿者负责布置和收拾。", now=self.now,
            )  # fmt: skip
            people = list(dict.fromkeys(members(association) + members(self.orgs.get("“大新之心”党员志愿队"))))
            self.sign_ups_ahead(feast, people, 34)
        club = self.orgs.get("滨江一号书画社")
        staff = staff_user("灯湖社区")
        if club is not None and staff is not None:
            day = next_weekday(self.today + dt.timedelta(days=2), SATURDAY)
            lesson = volunteers.create_activity(
                user=staff, organisation=club, kind=ActivityKind.CLASS, title="书法入门课（第3期）",
                venue="滨江1号睦邻中心二楼书画室", starts_at=local(day, 15, 0), ends_at=local(day, 16, 30),
                capacity=15, description="社员老师授课，笔墨纸砚由书画社提供，欢迎街坊和孩子报名。", now=self.now,
            )  # fmt: skip
            compound = self.compounds.get("滨江一号")
            residents = list(
                Person.objects.filter(occupancies__home__stairwell__building__compound=compound, birth_year__lte=2016)
                .order_by("pk")
                .values_list("pk", flat=True)[:400]
            )
            self.sign_ups_ahead(lesson, list(dict.fromkeys(members(club) + residents)), 17)

    # --- patrols and inspections -------------------------------------------------------

    def _place(self, compound):
        building = self.rng.choice(list(Building.objects.filter(compound=compound).order_by("sort_key")))
        stairwells = list(building.stairwells.order_by("sort_key"))
        return building, (self.rng.choice(stairwells) if stairwells else None)

    def ebike_patrols(self, activities) -> None:
        compound, team = self.compounds.get("颐景园"), self.orgs.get("翠颐社区摩电安全巡查队")
        staff = staff_user("翠颐社区")
        if compound is None or team is None or staff is None:
            return
        people = members(team)
        past = [a for a in activities if a.ends_at <= self.now][-4:]
        for activity in past:
            patrol = patrols.start_patrol(
                user=staff, compound=compound, kind=PatrolKind.EBIKE, organisation=team, now=activity.starts_at,
                participants=Person.objects.filter(pk__in=self.rng.sample(people, min(5, len(people)))),
                note="夜间摩电安全巡查",
            )  # fmt: skip
            for i, (text, severity) in enumerate(self.rng.sample(EBIKE_FINDINGS, self.rng.randint(1, 2))):
                building, stairwell = self._place(compound)
                patrols.add_finding(
                    user=staff, patrol=patrol, text=text, building=building, stairwell=stairwell, severity=severity,
                    now=activity.starts_at + dt.timedelta(minutes=20 + 25 * i),
                )  # fmt: skip
            patrols.end_patrol(user=staff, patrol=patrol, now=activity.ends_at)
        self.patrol_before_case()

    def patrol_before_case(self) -> None:
        """One finding became a case: a case the demo cases already hold (a new one would change
        their published counts), an e-bike or safety case of 颐景园 if there is one, else an
        e-bike case of 富丰新城, found on a patrol an hour before it was filed."""
        teams = {"颐景园": ("翠颐社区摩电安全巡查队", "翠颐社区"), "富丰新城": ("“大新之心”党员志愿队", "大新社区")}
        for compound_name, code in (("颐景园", "e-bikes"), ("颐景园", "safety"), ("富丰新城", "e-bikes")):
            case = (
                Case.objects.filter(compound__name=compound_name, category__code=code, building__isnull=False)
                .filter(submitted_at__gte=self.now - dt.timedelta(days=120), submitted_at__lte=self.now)
                .order_by("submitted_at", "pk")
                .first()
            )
            if case is not None:
                break
        else:
            return
        team_name, community = teams[compound_name]
        staff, team = staff_user(community), self.orgs.get(team_name)
        if staff is None:
            return
        kind = PatrolKind.EBIKE if code == "e-bikes" else PatrolKind.STAIRWELL
        start = case.submitted_at - dt.timedelta(hours=1)
        patrol = patrols.start_patrol(user=staff, compound=case.compound, kind=kind, organisation=team, now=start,
                                      note="接到街坊反映后专项巡查")  # fmt: skip
        finding = patrols.add_finding(
            user=staff, patrol=patrol, text=case.description[:2000] or case.title, building=case.building,
            stairwell=case.stairwell, severity=Severity.HIGH, now=start + dt.timedelta(minutes=20),
        )  # fmt: skip
        patrols.end_patrol(user=staff, patrol=patrol, now=start + dt.timedelta(minutes=50))
        Finding.objects.filter(pk=finding.pk).update(case=case)

    def stairwell_patrol(self) -> None:
        """The demo `leader` walked his building a week ago: a finding he can still file as a case."""
        leader, compound = self.users.get("leader"), self.compounds.get("富丰新城")
        if leader is None or compound is None:
            return
        building = Building.objects.filter(compound=compound).order_by("sort_key").first()
        start = local(self.today - dt.timedelta(days=7), 19, 0)
        team = self.orgs.get("“大新之心”党员志愿队")
        patrol = patrols.start_patrol(user=leader, compound=compound, kind=PatrolKind.STAIRWELL, now=start,
                                      organisation=team, note="每周楼道巡查")  # fmt: skip
        stairwell = building.stairwells.order_by("sort_key").first() if building else None
        for i, (text, severity) in enumerate(STAIRWELL_FINDINGS):
            patrols.add_finding(user=leader, patrol=patrol, text=text, building=building, stairwell=stairwell,
                                severity=severity, now=start + dt.timedelta(minutes=15 + 20 * i))  # fmt: skip
        patrols.end_patrol(user=leader, patrol=patrol, now=start + dt.timedelta(hours=1))

    def checklist(self, compound) -> Checklist:
        found = patrols.checklist_for(compound)
        if found is not None and found.items.exists():
            return found
        # A flushed database lost the default checklist its migration made: make it again.
        migration = importlib.import_module("linli.patrols.migrations.0002_default_hygiene_checklist")
        checklist = Checklist.objects.create(name=migration.NAME)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(checklist=checklist, text=text, max_score=10, order=i)
            for i, text in enumerate(migration.ITEMS, 1)
        )
        return checklist

    def inspections(self) -> None:
        """The hygiene squad scores the property company's cleaning once a month, two areas,
        for the last six months: from about 68% up to about 86%."""
        compound, inspector = self.compounds.get("富丰新城"), self.users.get("volunteer")
        if compound is None or inspector is None:
            return
        rng = self.rng
        checklist = self.checklist(compound)
        items = list(checklist.items.all())
        month = self.today.replace(day=1)
        months = []
        for _i in range(6):
            months.append(month)
            month = (month - dt.timedelta(days=1)).replace(day=1)
        for k, first in enumerate(reversed(months)):
            day = min(first + dt.timedelta(days=rng.randint(8, 20)), self.today)
            for area in INSPECTION_AREAS:
                level = 6.8 + 0.36 * k
                inspection = patrols.start_inspection(user=inspector, compound=compound, area=area, date=day,
                                                      checklist=checklist)  # fmt: skip
                scores, notes = {}, {}
                for item in items:
                    scores[item.pk] = max(3, min(item.max_score, round(level + rng.choice((-1, -0.5, 0, 0.5, 1)))))
                if k == 5 and area == INSPECTION_AREAS[0]:
                    low = next((i for i in items if i.text in LOW_NOTES), items[0])
                    scores[low.pk], notes[low.pk] = 4, LOW_NOTES.get(low.text, "")
                patrols.score(user=inspector, inspection=inspection, scores=scores, notes=notes)
                patrols.submit_inspection(user=inspector, inspection=inspection, now=local(day, 11, 0))


def load_activities(*, rng: random.Random, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    with disable_auditlog(), transaction.atomic():
        queued = len(transaction.get_connection().run_on_commit)
        loader = Loader(rng=rng, now=now)
        loader.heart()
        ebike = loader.ebike_series()
        loader.one_offs()
        loader.ebike_patrols(ebike)
        loader.stairwell_patrol()
        loader.inspections()
        drop_queued(queued)
    return {
        str(m._meta.verbose_name_plural): m.objects.count()
        for m in (ActivitySeries, Activity, SignUp, HoursEntry, Patrol, Finding, Inspection)
    }


def clear_activities() -> None:
    """Remove the demo activities, hours, patrols and inspections (tests: raw deletes, children first)."""
    for model in (Certificate, VolunteerProfile, HoursEntry, Attendance, SignUp, JoinRequest, Activity,
                  ActivitySeries, ItemScore, Inspection, Finding, Patrol.participants.through, Patrol):  # fmt: skip
        model.objects.all()._raw_delete("default")
