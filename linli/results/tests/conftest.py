"""The results world: the shared world (linli/conftest.py) plus a few organisations, leaders,
cases, votes, elevators, hours, a campaign and visits, most in November 2026 and some just
outside it. The expected figures in the tests are counted by hand from this list.

富丰新城 (大新社区)                                 颐景园 (翠颐社区)
  organisations: branch, association (world),       party branch, leader team
    self-governance group (founded 2026-10-01; a
    second founded 2026-12-05), two clubs; 大新社区
    has a community-level club
  members: henry (association), alice (both clubs),  olga (leader team)
    王邻 (self-governance); 钱二单元 (community club);
    赵二栋 left club 1 on 2026-10-31
  leaders: bob (1栋 and 2栋), frank (party, 2栋);     olga (1座)
    王邻 (2栋, ended 2026-10-15)
  cases: c1 dispute (on time, 5★, mediated),        c7 public order (on time, 4★)
    c2 hygiene (late, 3★), c3 parking (overdue),     c8 e-bikes (no reply, overdue)
    c4 maintenance (rejected), c5 safety (October,
    mediated in October), c6 merged into c1
  votes: v1 passed, v2 failed (November),
    v3 passed (October), v4 still open
  elevators: 1单元 in service 2026-11-25; 2单元 in   颐景园 1单元: only construction
    service 2026-12-02
  hours: 120 + 90 minutes (Nov 8), 60 (Oct 30),     30 minutes (Nov 12, team's place)
    an adjustment of -30
  campaign (Nov): 101 and 201 reached, 102 not at   a draft campaign
    home, 1栋2单元101 pending; a September campaign
  visits: 101 (twice), 201 in November; 2栋101 in   101 on Nov 30 at 23:30
    October
  occupancy: 2栋101's resident left 2026-10-31
"""

import datetime as dt

import pytest
from django.utils import timezone

from linli.campaigns.models import Assignment, Campaign, CampaignStatus, CampaignVisit, HomeState
from linli.cases.models import Case, Category, Mediation, Status
from linli.elevators.models import ElevatorProject, Milestone
from linli.people.models import LeaderAssignment, Membership, Occupancy, Organisation, Visit
from linli.volunteers.models import Activity, ActivityKind, HoursEntry
from linli.votes.models import RuleSet, Vote

K = Organisation.Kind


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def at(day: str, time: str = "10:00") -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day}T{time}"))


def _org(w, kind, name, compound=None, community=None, founded=None):
    compound_community = compound.community if compound else community
    return Organisation.objects.create(
        kind=kind, name=name, subdistrict=w.guicheng, community=compound_community, compound=compound, founded=founded
    )


def _case(w, compound, code, title, submitted, *, status=Status.IN_PROGRESS, reply=None, resolved=None, **kw):
    """A case of category `code` submitted on `submitted`, due a day and ten days later; `reply`
    and `resolved` are days counted from submission (negative: late is beyond the deadline)."""
    start = at(submitted)
    reply_due, resolve_due = start + dt.timedelta(days=1), start + dt.timedelta(days=10)
    return Case.objects.create(
        category=Category.objects.get(code=code),
        title=title,
        description=title,
        compound=compound,
        secret_hash="x",
        submitted_at=start,
        reply_due=kw.pop("reply_due", reply_due),
        resolve_due=kw.pop("resolve_due", resolve_due),
        status=status,
        first_reply_at=start + dt.timedelta(hours=reply) if reply is not None else None,
        resolved_at=start + dt.timedelta(days=resolved) if resolved is not None else None,
        **kw,
    )


@pytest.fixture
def data(world):
    w = world
    now = timezone.now()
    # Organisations.
    _org(w, K.SELF_GOVERNANCE, "富丰自治小组", compound=w.fufeng, founded=dt.date(2026, 10, 1))
    w.selfgov = Organisation.objects.get(name="富丰自治小组")
    _org(w, K.SELF_GOVERNANCE, "富丰新自治小组", compound=w.fufeng, founded=dt.date(2026, 12, 5))
    w.club1 = _org(w, K.CLUB, "富丰书法社", compound=w.fufeng)
    w.club2 = _org(w, K.CLUB, "富丰太极社", compound=w.fufeng)
    w.daxin_club = _org(w, K.CLUB, "大新合唱团", community=w.daxin)
    w.yj_branch = _org(w, K.PARTY_BRANCH, "颐景园党支部", compound=w.yijing)
    w.yj_leaders = _org(w, K.LEADER_TEAM, "颐景园楼长队", compound=w.yijing)
    # Members.
    Membership.objects.create(organisation=w.club1, person=w.p_alice)
    Membership.objects.create(organisation=w.club2, person=w.p_alice)
    Membership.objects.create(organisation=w.selfgov, person=w.p_neighbour)
    Membership.objects.create(organisation=w.daxin_club, person=w.p_s12)
    Membership.objects.create(organisation=w.club1, person=w.p_b2, end=dt.date(2026, 10, 31))
    Membership.objects.create(organisation=w.yj_leaders, person=w.p_olga)
    # Leaders.
    LB = LeaderAssignment.Kind.BUILDING
    LeaderAssignment.objects.create(person=w.p_bob, kind=LB, building=w.b2)
    LeaderAssignment.objects.create(person=w.p_frank, kind=LB, building=w.b2)
    LeaderAssignment.objects.create(
        person=w.p_neighbour, kind=LeaderAssignment.Kind.LANE, building=w.b2, end=dt.date(2026, 10, 15)
    )
    LeaderAssignment.objects.create(person=w.p_olga, kind=LB, building=w.y1)
    # Cases.
    past = at("2026-11-20")  # overdue at November's end, and now
    w.c1 = _case(w, w.fufeng, "neighbour-dispute", "邻居漏水", "2026-11-02", status=Status.CLOSED, reply=2,
                 resolved=3, rating=5)  # fmt: skip
    w.c2 = _case(w, w.fufeng, "hygiene", "垃圾未清", "2026-11-03", status=Status.CLOSED, reply=30, resolved=12,
                 rating=3)  # fmt: skip
    w.c3 = _case(w, w.fufeng, "parking", "占用车位", "2026-11-04", reply=1, resolve_due=past)
    w.c4 = _case(w, w.fufeng, "maintenance", "门禁坏了", "2026-11-05", status=Status.REJECTED, reply=3)
    w.c5 = _case(w, w.fufeng, "safety", "消防通道堵塞", "2026-10-20", resolve_due=now + dt.timedelta(days=5))
    w.c6 = _case(w, w.fufeng, "public-order", "重复：邻居漏水", "2026-11-06", status=Status.MERGED, merged_into=w.c1)
    w.c7 = _case(w, w.yijing, "public-order", "夜间喧哗", "2026-11-07", status=Status.CLOSED, reply=1, resolved=2,
                 rating=4)  # fmt: skip
    w.c8 = _case(w, w.yijing, "e-bikes", "楼道充电", "2026-11-08", status=Status.SUBMITTED, resolve_due=past)
    Mediation.objects.create(case=w.c1, mediator=w.association, outcome=Mediation.Outcome.AGREED, agreement="赔偿",
                             concluded_at=at("2026-11-20"))  # fmt: skip
    Mediation.objects.create(case=w.c5, mediator=w.association, outcome=Mediation.Outcome.AGREED, agreement="清理",
                             concluded_at=at("2026-10-21"))  # fmt: skip
    # Votes.
    rules = RuleSet.objects.order_by("pk").first()

    def vote(title, status, closed, passed):
        return Vote.objects.create(
            title=title, rule_set=rules, compound=w.fufeng, status=status, opens_at=at("2026-09-01"),
            closes_at=at("2026-12-31"), closed_at=at(closed) if closed else None,
            result={"matters": [{"passed": passed}]} if closed else {},
        )  # fmt: skip

    vote("选聘物业", Vote.Status.PUBLISHED, "2026-11-15", True)
    vote("维修资金", Vote.Status.CLOSED, "2026-11-20", False)
    vote("停车收费", Vote.Status.PUBLISHED, "2026-10-01", True)
    vote("改造方案", Vote.Status.OPEN, None, False)
    # Elevators.
    for stairwell, kind, day in [
        (w.s11, Milestone.Kind.IN_SERVICE, dt.date(2026, 11, 25)),
        (w.s12, Milestone.Kind.IN_SERVICE, dt.date(2026, 12, 2)),
        (w.ys, Milestone.Kind.CONSTRUCTION, dt.date(2026, 11, 10)),
    ]:
        project = ElevatorProject.objects.create(stairwell=stairwell, title=f"{stairwell} 加装电梯")
        Milestone.objects.create(project=project, kind=kind, actual=day)
    # Volunteer hours.
    w.yj_team = _org(w, K.VOLUNTEER_TEAM, "颐景志愿队", compound=w.yijing)

    def activity(team, compound, day, title):
        return Activity.objects.create(
            organisation=team, kind=ActivityKind.SERVICE_DAY, title=title, venue="广场", compound=compound,
            starts_at=at(day), ends_at=at(day, "12:00"),
        )  # fmt: skip

    def hours(person, act, minutes, day):
        HoursEntry.objects.create(person=person, activity=act, minutes=minutes, kind="earned", at=at(day), on=day)

    a1 = activity(w.team, w.fufeng, "2026-11-08", "周日清洁")
    hours(w.p_grace, a1, 120, "2026-11-08")
    hours(w.p_alice, a1, 90, "2026-11-08")
    HoursEntry.objects.create(person=w.p_grace, minutes=-30, kind="adjustment", reason="记错", at=at("2026-11-09"),
                              on="2026-11-09")  # fmt: skip
    a2 = activity(w.team, None, "2026-10-30", "十月巡逻")
    hours(w.p_grace, a2, 60, "2026-10-30")
    a3 = activity(w.yj_team, None, "2026-11-12", "颐景探访")
    hours(w.p_olga, a3, 30, "2026-11-12")

    # Campaigns and visits.
    def campaign(compound, status, start, end):
        return Campaign.objects.create(
            title=f"{compound} 走访", level="compound", subdistrict=w.guicheng, community=compound.community,
            compound=compound, starts_on=start, ends_on=end, status=status, created_by=w.carol,
        )  # fmt: skip

    nov = campaign(w.fufeng, CampaignStatus.RUNNING, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assignments = {}
    for home, state in [(w.h101, HomeState.REACHED), (w.h102, HomeState.NOT_HOME), (w.h201, HomeState.REACHED),
                        (w.h_s12, HomeState.PENDING)]:  # fmt: skip
        assignments[home.pk] = Assignment.objects.create(campaign=nov, home=home, state=state)
    sept = campaign(w.fufeng, CampaignStatus.ENDED, dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    Assignment.objects.create(campaign=sept, home=w.h_b2, state=HomeState.REACHED)
    draft = campaign(w.yijing, CampaignStatus.DRAFT, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    Assignment.objects.create(campaign=draft, home=w.h_yj)
    Visit.objects.create(home=w.h101, visitor=w.p_bob, visited_at=at("2026-11-03"), outcome="reached")
    for home, day in [(w.h101, "2026-11-05"), (w.h201, "2026-11-06")]:
        CampaignVisit.objects.create(campaign=nov, assignment=assignments[home.pk], home=home, visitor=w.p_bob,
                                     recorded_by=w.bob, outcome="reached", visited_at=at(day))  # fmt: skip
    Visit.objects.create(home=w.h_b2, visitor=w.p_bob, visited_at=at("2026-10-02"), outcome="reached")
    Visit.objects.create(home=w.h_yj, visitor=w.p_olga, visited_at=at("2026-11-30", "23:30"), outcome="reached")
    # Occupancy: 2栋101's resident left at the end of October; someone moves in in December.
    Occupancy.objects.filter(person=w.p_b2).update(end=dt.date(2026, 10, 31))
    Occupancy.objects.create(person=w.p_neighbour, home=w.h_b2, relation="tenant", start=dt.date(2026, 12, 10))
    return w
