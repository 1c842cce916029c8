"""The organisations of the demo set: party organisations, committees, leaders, associations,
clubs, teams, property companies, household contacts and visits.

Each function adds rows to a Builder's plan. People who hold a demo account are "reserved"
as soon as they are chosen, so random picks afterwards never give them a second role and
each account shows one role clearly (besides being a resident).
"""

from __future__ import annotations

import datetime

from linli.demo import data
from linli.demo.generator import TZ, Builder, Site
from linli.people.models import (
    HouseholdContact,
    LeaderAssignment,
    Membership,
    Occupancy,
    Organisation,
    PartyMember,
    PropertyServicePeriod,
    Visit,
)
from linli.places.models import GridCell, Venue

K, R = Organisation.Kind, Membership.Role
KIND = PartyMember.Kind


def _reserve(b: Builder, username: str, person):
    b.reserved.add(id(person))
    b.ensure_phone(person)
    b.plan.accounts[username] = person
    return person


# --- subdistrict and communities ----------------------------------------------------------


def subdistrict_office(b: Builder) -> None:
    office = b.organisation(K.SUBDISTRICT_OFFICE, data.SUBDISTRICT_OFFICE)
    admin = _reserve(b, "subdistrict", b.staff())
    b.membership(office, admin, R.ADMIN, start=datetime.date(2019, 3, 1))
    b.membership(office, b.staff(), R.ADMIN, start=datetime.date(2021, 7, 1))
    for name in data.DEPARTMENTS:
        department = b.organisation(K.DEPARTMENT, name, parent=office)
        b.membership(department, b.staff(), R.OFFICER, start=datetime.date(2020, 1, 1))


def community_organisations(b: Builder, name: str) -> None:
    community = b.communities[name]
    party = b.organisation(K.PARTY_COMMITTEE, f"{name}党委", community=community)
    b.party_committees[name] = party
    secretary = b.staff()
    if name == "大新社区":
        _reserve(b, "secretary", secretary)
    b.make_party(secretary, kind=KIND.LOCAL, organisation=party)
    b.membership(party, secretary, R.SECRETARY, start=b.date(datetime.date(2016, 1, 1), datetime.date(2021, 12, 31)))
    for _ in range(2):
        officer = b.staff()
        b.make_party(officer, kind=KIND.LOCAL, organisation=party)
        b.membership(party, officer, R.OFFICER, start=b.date(datetime.date(2016, 1, 1), datetime.date(2021, 12, 31)))

    committee = b.organisation(K.RESIDENTS_COMMITTEE, f"{name}居委会", community=community)
    b.membership(committee, b.staff(), R.CHAIR, start=datetime.date(2021, 6, 1))
    sites = [s for s in b.sites.values() if s.community is community]
    cells = [cell for site in sites for cell in _grid_cells(b, site)]
    workers = [b.staff() for _ in range(max(3, len(cells) + 1))]
    if name == "大新社区":
        _reserve(b, "worker", workers[0])
    for worker in workers:
        b.membership(committee, worker, R.WORKER, start=b.date(datetime.date(2014, 1, 1), datetime.date(2024, 6, 30)))
    b.workers[name] = workers
    # One grid person per cell, never the demo worker (who stays a plain community worker).
    for i, cell in enumerate(cells):
        b.plan.add(
            LeaderAssignment(
                person=workers[1 + i % (len(workers) - 1)],
                kind=LeaderAssignment.Kind.GRID,
                grid_cell=cell,
                start=datetime.date(2020, 1, 1),
            )
        )


def _grid_cells(b: Builder, site: Site) -> list[GridCell]:
    cells = []
    size = site.spec.grid_buildings
    for i in range(0, len(site.blocks), size):
        cell = b.plan.add(GridCell(community=site.community, name=f"{site.compound.name}第{i // size + 1}网格"))
        cells.append(cell)
        for block in site.blocks[i : i + size]:
            for unit in block.units:
                b.plan.cell_stairwells.append((cell, unit.stairwell))
    return cells


# --- compounds ------------------------------------------------------------------------------


def compound_organisations(b: Builder, site: Site) -> None:
    spec = site.spec
    if spec.buildings == 1:  # a single old building has no branch: its members belong to the community's
        site.branch = b.party_committees[spec.community]
    else:
        site.branch = b.organisation(
            K.PARTY_BRANCH,
            f"{spec.name}党支部",
            community=site.community,
            compound=site.compound,
            parent=b.party_committees[spec.community],
        )
    _leaders(b, site)
    _party_members(b, site)
    SPECIAL[spec.key](b, site)
    for company, start, end in data.PROPERTY.get(spec.key, ()):
        _property(b, site, company, start, end)
    _household_contacts(b, site)
    _party_groups(b, site, limit=12 if spec.key == "fufeng" else 4)


def _party_kind(b: Builder, site: Site) -> str:
    if site.spec.key == "fufeng":  # the seed: in-service members who reported in, and floating members
        return KIND.REPORTED if b.rng.random() < 0.45 else KIND.FLOATING
    return b.rng.choices((KIND.LOCAL, KIND.REPORTED, KIND.FLOATING), (0.5, 0.25, 0.25))[0]


def _leaders(b: Builder, site: Site) -> None:
    spec = site.spec
    team_name = f"{spec.name}三长队伍" if spec.kind == "village" else f"{spec.name}楼长队伍"
    team = b.organisation(K.LEADER_TEAM, team_name, community=site.community, compound=site.compound)
    since = datetime.date(2018, 3, 1) if spec.key == "fufeng" else datetime.date(2013, 6, 1)
    leaders: set[int] = set()

    def leader_age(r):
        return data.REFERENCE_YEAR - 72 <= r.person.birth_year <= data.REFERENCE_YEAR - 28

    def appoint(block, kind, units=()):
        flats = [f for u in units for f in u.flats] if units else block.flats
        chosen = b.pick(site, 1, within=flats, where=leader_age, exclude=leaders)
        if not chosen:  # nobody of the right age there: anyone in the compound
            chosen = b.pick(site, 1, where=leader_age, exclude=leaders)
        resident = chosen[0]
        leaders.add(id(resident.person))
        if b.rng.random() < spec.leader_party:
            b.make_party(resident, kind=_party_kind(b, site), organisation=site.branch)
        assignment = b.plan.add(
            LeaderAssignment(person=resident.person, kind=kind, building=block.building, start=b.date(since))
        )
        for unit in units:
            b.plan.assignment_stairwells.append((assignment, unit.stairwell))
        role = R.LEADER if len(leaders) == 1 else R.MEMBER  # the first one appointed leads the team
        b.membership(team, resident.person, role, start=assignment.start)
        site.leaders[id(block)].append(resident)
        return resident

    if spec.kind == "village":
        for block in site.blocks:
            appoint(block, block.building.kind)  # lane leader 巷长 or street leader 街长
    elif spec.leaders_by == "stairwell":
        units = site.units
        for i in range(spec.leaders):
            unit = units[i % len(units)]
            appoint(unit.block, LeaderAssignment.Kind.BUILDING, units=[unit])
    else:
        for i in range(spec.leaders):
            appoint(site.blocks[i % len(site.blocks)], LeaderAssignment.Kind.BUILDING)


def _party_members(b: Builder, site: Site) -> None:
    """The compound's party members: the party leaders, then others up to the target."""
    spec = site.spec
    adults = sum(1 for r in site.residents if r.living and r.adult)
    target = spec.party_base or max(5, round(adults * spec.party_share))
    already = [r for r in site.residents if b.is_party(r)]
    others = b.pick(site, target - len(already), where=lambda r: r.living and not b.is_party(r))
    for r in others:
        b.make_party(r, kind=_party_kind(b, site), organisation=site.branch)
    site.party = already + others
    secretary = next((r for r in site.party if id(r.person) not in b.reserved), site.party[0])
    for r in site.party:
        # A compound branch has its secretary; the community committee has its own already.
        role = R.SECRETARY if r is secretary and site.branch.kind == K.PARTY_BRANCH else R.MEMBER
        b.membership(site.branch, r.person, role, start=b.date(datetime.date(2017, 3, 1)))


def _property(b: Builder, site: Site, name: str, start, end) -> None:
    company = b.organisation(K.PROPERTY_COMPANY, name)
    b.plan.add(PropertyServicePeriod(company=company, compound=site.compound, start=start, end=end))
    if end is not None:  # a company that left keeps no staff here
        return
    b.membership(company, b.staff(), R.MANAGER, start=start)
    clerks = [b.staff() for _ in range(3)]
    if site.spec.key == "fufeng":
        _reserve(b, "property", clerks[0])
    for clerk in clerks:
        b.membership(company, clerk, R.CLERK, start=b.date(start))


def _officers(b: Builder, org, site: Site, *, chair=None, vice=(), officers=2, members=0, start) -> None:
    """A committee: a chair, vice-chairs, officers and plain members, chosen from residents."""
    taken = {id(p) for p in (chair, *vice) if p is not None}
    if chair is None:
        chair = b.pick(site, 1, where=lambda r: r.living)[0].person
        taken.add(id(chair))
    b.membership(org, chair, R.CHAIR, start=start)
    for person in vice:
        b.membership(org, person, R.VICE_CHAIR, start=start)
    chosen = b.pick(site, officers + members, where=lambda r: r.living, exclude=taken, top_up=False)
    for i, r in enumerate(chosen):
        b.membership(org, r.person, R.OFFICER if i < officers else R.MEMBER, start=b.date(start))


def _team(b: Builder, org, site: Site, members: list, *, start) -> None:
    for i, person in enumerate(members):
        b.membership(org, person, R.LEADER if i == 0 else R.MEMBER, start=start if i == 0 else b.date(start))


def _residents_without_roles(b: Builder, site: Site, k: int, within=None, where=None):
    """k plain residents (not party members, not leaders, not reserved), preferring those who
    match `where`; at a small scale new residents join the flats so the count holds."""
    leaders = {id(r.person) for rs in site.leaders.values() for r in rs}

    def plain(r):
        return r.living and not b.is_party(r) and id(r.person) not in leaders

    chosen = []
    for predicate in ((lambda r: plain(r) and where(r)) if where else plain, plain):
        taken = {id(r.person) for r in chosen}
        chosen += b.pick(site, k - len(chosen), within=within, where=predicate, exclude=taken, top_up=False)
        if len(chosen) >= k:
            return chosen
    taken = {id(r.person) for r in chosen}
    return chosen + b.pick(site, k - len(chosen), within=within, where=plain, exclude=taken)


# --- what the seeds tell of each compound ---------------------------------------------------


def _fufeng(b: Builder, site: Site) -> None:
    c, community = site.compound, site.community
    block1 = site.blocks[0]
    leader = site.leaders[id(block1)][0]
    b.make_party(leader, kind=KIND.REPORTED, organisation=site.branch)
    _reserve(b, "leader", leader.person)

    # 沈霞: party-member building leader, vice-chair of the 街坊会, founder of the 文学社.
    shen = site.leaders[id(site.blocks[min(7, len(site.blocks) - 1)])][0]
    if shen is leader:
        shen = site.leaders[id(site.blocks[-1])][-1]
    b.rename(shen, "沈霞", "F")
    b.make_party(shen, kind=KIND.FLOATING, organisation=site.branch)

    base = b.organisation(
        K.PARTY_BASE,
        "富丰新城党员创熟基地",
        community=community,
        compound=c,
        parent=site.branch,
        founded=datetime.date(2017, 6, 1),
        description="社区党支部组建的党员创熟基地，吸纳辖区居住的机关党员和流动党员。",
    )
    for i, r in enumerate(site.party):
        b.membership(base, r.person, R.LEADER if i == 0 else R.MEMBER, start=b.date(datetime.date(2017, 6, 1)))

    leaders = {id(r.person) for rs in site.leaders.values() for r in rs}
    reported = [r for r in site.party if b.party[id(r.person)].kind == KIND.REPORTED and id(r.person) not in leaders]
    reported = [r for r in reported if id(r.person) not in b.reserved and r.living]
    _reserve(b, "partymember", (reported or [r for r in site.party if id(r.person) not in b.reserved])[0].person)

    # The first owners' committee, registered Feb 2021: 7 members, 4 of them party members.
    owners = b.organisation(
        K.OWNERS_COMMITTEE,
        "富丰新城第一届业主委员会",
        community=community,
        compound=c,
        founded=datetime.date(2021, 1, 16),
        registered=datetime.date(2021, 2, 1),
        description="7名委员中有4名是共产党员。",
    )

    def owner(r):
        return r.living and r.relation == Occupancy.Relation.OWNER

    # Non-leader owners first: the chair (a demo account) should hold no other role.
    free = [r for r in site.party if r.living and id(r.person) not in b.reserved]
    party_owners = sorted(free, key=lambda r: (id(r.person) in leaders, not owner(r)))
    chair, *party_officers = party_owners[:4]
    _reserve(b, "owners", chair.person)
    plain_owners = _residents_without_roles(b, site, 3, where=owner)
    start = datetime.date(2021, 2, 1)
    b.membership(owners, chair.person, R.CHAIR, start=start)
    b.membership(owners, party_officers[0].person, R.VICE_CHAIR, start=start)
    for r in party_officers[1:] + plain_owners:
        b.membership(owners, r.person, R.OFFICER, start=start)

    block1_owner = _residents_without_roles(
        b, site, 1, within=block1.flats, where=lambda r: r.relation == Occupancy.Relation.OWNER
    )
    _reserve(b, "resident", block1_owner[0].person)

    association = b.organisation(
        K.ASSOCIATION, "富丰新城街坊志愿互助会", community=community, compound=c, founded=datetime.date(2019, 6, 1)
    )
    chair = _reserve(b, "association", _residents_without_roles(b, site, 1)[0].person)
    vice = b.pick(site, 1, where=lambda r: r.living and r.person is not shen.person, top_up=False)
    _officers(
        b,
        association,
        site,
        chair=chair,
        vice=[shen.person] + [r.person for r in vice],
        officers=3,
        members=35,
        start=datetime.date(2019, 6, 1),
    )

    heart = b.organisation(
        K.VOLUNTEER_TEAM,
        "“大新之心”党员志愿队",
        community=community,
        compound=c,
        founded=datetime.date(2018, 4, 1),
        description="党员楼长带领街坊，每周日开展志愿服务：关爱身边人、美化家园、楼道巡查、文明出行引导。",
    )
    party_leaders = [r.person for rs in site.leaders.values() for r in rs if b.is_party(r)]
    members = [shen.person] + [p for p in party_leaders if p is not shen.person and id(p) not in b.reserved]
    members += [r.person for r in site.party if r.person not in members and id(r.person) not in b.reserved][:6]
    _team(b, heart, site, members, start=datetime.date(2018, 4, 1))

    squad = b.organisation(
        K.VOLUNTEER_TEAM,
        "富丰新城卫生监督小分队",
        community=community,
        compound=c,
        parent=heart,
        founded=datetime.date(2018, 9, 1),
        description="监督物业保洁工作，劝导乱扔垃圾。",
    )
    volunteer = _reserve(b, "volunteer", _residents_without_roles(b, site, 1)[0].person)
    squad_members = [r.person for r in b.pick(site, 7, where=lambda r: r.living, top_up=False)]
    _team(b, squad, site, squad_members[:1] + [volunteer] + squad_members[1:], start=datetime.date(2018, 9, 1))

    club = b.organisation(K.CLUB, "大新翰林文学社", community=community, compound=c, founded=datetime.date(2019, 9, 1))
    b.membership(club, shen.person, R.CHAIR, start=datetime.date(2019, 9, 1))
    for r in b.pick(site, 14, where=lambda r: r.living, top_up=False):
        b.membership(club, r.person, start=b.date(datetime.date(2019, 9, 1)))


def _yijing(b: Builder, site: Site) -> None:
    c, community = site.compound, site.community
    b.plan.add(
        Venue(
            compound=c,
            name="同心阁",
            capacity=80,
            description="集党建、居民议事、社团自治为一体的多功能阵地，业主可在这里议事、享受便民服务、开展文体活动。",
        )
    )
    association = b.organisation(
        K.ASSOCIATION, "颐景园街坊志愿互助会", community=community, compound=c, founded=datetime.date(2015, 9, 1)
    )
    _officers(b, association, site, officers=4, members=30, start=datetime.date(2015, 9, 1))
    patrol = b.organisation(
        K.VOLUNTEER_TEAM,
        "翠颐社区摩电安全巡查队",
        community=community,
        compound=c,
        founded=datetime.date(2020, 6, 1),
        description="住宅小区摩电安全整治群防群治的第一道防线。",
    )
    _team(b, patrol, site, [r.person for r in b.pick(site, 12, top_up=False)], start=datetime.date(2020, 6, 1))
    pets = b.organisation(
        K.VOLUNTEER_TEAM, "颐景园文明养宠志愿队", community=community, compound=c, founded=datetime.date(2018, 5, 1)
    )
    _team(b, pets, site, [r.person for r in b.pick(site, 10, top_up=False)], start=datetime.date(2018, 5, 1))


def _binjiang(b: Builder, site: Site) -> None:
    c, community = site.compound, site.community
    b.plan.add(
        Venue(
            compound=c,
            name="滨江1号睦邻中心",
            capacity=120,
            description="社区党委提供场地、物业服务公司投入资金建设、街坊志愿互助会负责日常管理的小区党建阵地。",
        )
    )
    association = b.organisation(
        K.ASSOCIATION, "滨江一号街坊志愿互助会", community=community, compound=c, founded=datetime.date(2017, 3, 1)
    )
    zhu = b.rename(
        b.pick(site, 1, where=lambda r: r.living and r.person.birth_year <= data.REFERENCE_YEAR - 40)[0], "朱业根", "M"
    )
    _officers(b, association, site, vice=[zhu], officers=4, members=40, start=datetime.date(2017, 3, 1))
    for name in data.BINJIANG_CLUBS:
        founded = b.date(datetime.date(2016, 1, 1), datetime.date(2020, 6, 30))  # all 11 existed by 2020
        club = b.organisation(K.CLUB, name, community=community, compound=c, founded=founded)
        members = [r.person for r in b.pick(site, b.rng.randint(8, 20), top_up=False)]
        _team(b, club, site, members, start=club.founded)
    vanguard = b.organisation(
        K.VOLUNTEER_TEAM,
        "滨江一号防疫先锋队",
        community=community,
        compound=c,
        founded=datetime.date(2020, 2, 1),
        description="社区支部党员、街坊会党员骨干、党员楼长和水岸新都服务中心组成。",
    )
    vanguard_members = [r.person for r in site.party if id(r.person) not in b.reserved][:15]
    _team(b, vanguard, site, vanguard_members, start=datetime.date(2020, 2, 1))


def _guihua(b: Builder, site: Site) -> None:
    # The first self-governance group, 2014: 5 members elected, 2 of them party members.
    group = b.organisation(
        K.SELF_GOVERNANCE,
        "桂华丽景自治小组",
        community=site.community,
        compound=site.compound,
        founded=datetime.date(2014, 6, 1),
        description="2014年成立第一届自治小组，共选举出5位成员，其中两名是党员。",
    )
    start = datetime.date(2014, 6, 1)
    party = [r for r in site.party if r.living and id(r.person) not in b.reserved][:2]
    plain = _residents_without_roles(b, site, 3)
    b.membership(group, party[0].person, R.CHAIR, start=start)
    b.membership(group, party[1].person, R.VICE_CHAIR, start=start)
    for r in plain:
        b.membership(group, r.person, R.OFFICER, start=start)


def _b46(b: Builder, site: Site) -> None:
    b.rename(site.leaders[id(site.blocks[0])][0], "伦祖铠", "M")


def _pingnan(b: Builder, site: Site) -> None:
    pass  # lane and street leaders come from _leaders


SPECIAL = {
    "fufeng": _fufeng,
    "yijing": _yijing,
    "binjiang": _binjiang,
    "guihua": _guihua,
    "b46": _b46,
    "pingnan": _pingnan,
}


# --- household contacts, stairwell party groups, visits -------------------------------------


def _household_contacts(b: Builder, site: Site) -> None:
    """户联系: party members look after a few homes each, in their own building first."""
    demo = b.plan.accounts.get("partymember")
    contacts = [r for r in site.party if r.person is demo]
    share = 1.0 if site.spec.key == "fufeng" else 0.6
    contacts += [r for r in site.party if id(r.person) not in b.reserved and b.rng.random() < share]
    for r in contacts:
        block = r.flat.unit.block if r.flat else site.blocks[0]
        k = 5 if r.person is demo else b.rng.randint(3, 6)
        free = [f for f in block.flats if id(f.home) not in b._contact_homes and f is not r.flat]
        if len(free) < k:
            free += [f for f in site.flats if id(f.home) not in b._contact_homes and f is not r.flat and f not in free]
        for flat in b.rng.sample(free, min(k, len(free))):
            b._contact_homes.add(id(flat.home))
            b.plan.add(
                HouseholdContact(
                    party_member=b.party[id(r.person)], home=flat.home, start=b.date(datetime.date(2020, 6, 1))
                )
            )


def _party_groups(b: Builder, site: Site, *, limit: int) -> None:
    """楼道党小组 in the stairwells where at least two party members live."""
    by_unit = []
    for unit in site.units:
        members = [r for f in unit.flats for r in f.residents if b.is_party(r)]
        if len(members) >= 2:
            by_unit.append((unit, members))
    for unit, members in by_unit[:limit]:
        building = unit.block.building
        group = b.organisation(
            K.PARTY_GROUP,
            f"{site.compound.name}{building.name}{unit.stairwell.name}党小组",
            community=site.community,
            compound=site.compound,
            building=building,
            stairwell=unit.stairwell,
            parent=site.branch,
            founded=datetime.date(2019, 7, 1),
        )
        for i, r in enumerate(members):
            b.membership(group, r.person, R.LEADER if i == 0 else R.MEMBER, start=datetime.date(2019, 7, 1))


def _at(b: Builder, start: datetime.date, end: datetime.date) -> datetime.datetime:
    day = b.date(start, end)
    return datetime.datetime(
        day.year, day.month, day.day, b.rng.randint(9, 19), b.rng.choice((0, 15, 30, 45)), tzinfo=TZ
    )


def visits(b: Builder) -> None:
    """入户走访 at 富丰新城 since late February 2017, and care visits to elders living alone."""
    rng = b.rng
    fufeng = b.sites["fufeng"]
    party_leaders = [r.person for rs in fufeng.leaders.values() for r in rs if b.is_party(r)]
    visitors = b.workers["大新社区"] + party_leaders
    for flat in fufeng.flats:
        if rng.random() < 0.92:
            _visit(b, flat, rng.choice(visitors), _at(b, datetime.date(2017, 2, 20), datetime.date(2017, 7, 31)))
        if rng.random() < 0.2:
            _visit(b, flat, rng.choice(visitors), _at(b, datetime.date(2018, 1, 1), datetime.date(2026, 10, 31)))
    for site in b.sites.values():
        workers = b.workers[site.spec.community]
        for flat in site.flats:
            alone = [r for r in flat.residents if r.person.lives_alone]
            if not alone:
                continue
            leaders = site.leaders.get(id(flat.unit.block)) or []
            visitor = rng.choice(leaders).person if leaders else rng.choice(workers)
            for _ in range(rng.randint(1, 2)):
                _visit(b, flat, visitor, _at(b, datetime.date(2026, 1, 5), datetime.date(2026, 10, 31)), care=True)


def _visit(b: Builder, flat, visitor, when, *, care: bool = False) -> None:
    Outcome = Visit.Outcome
    if flat.home.is_vacant:
        outcome = Outcome.EMPTY
    else:
        outcome = (
            Outcome.REACHED
            if care
            else b.rng.choices((Outcome.REACHED, Outcome.NOT_HOME, Outcome.REFUSED), (0.78, 0.17, 0.05))[0]
        )
    found = sum(1 for r in flat.residents if b.is_party(r)) if outcome == Outcome.REACHED and not care else 0
    note = "关爱探访独居长者" if care else ""
    b.plan.add(
        Visit(home=flat.home, visitor=visitor, visited_at=when, outcome=outcome, party_members_found=found, note=note)
    )
