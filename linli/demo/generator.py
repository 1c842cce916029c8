"""The demo data set, built in memory and then written with bulk_create.

`build(seed=, scale=)` makes every row as an unsaved model instance, drawing from one seeded
random generator (so a seed always gives the same data set), and `write(plan)` inserts them
in dependency order inside one transaction. bulk_create skips save() and signals, so what
save() would do is done here: Person hashes (refresh_hashes) and sort keys of buildings and
stairwells. Encryption of phones and ID numbers happens in the field's get_prep_value, which
bulk_create does call.

Unsaved model instances are unhashable, so the in-memory graph is held by small wrappers
(Site, Block, Unit, Flat, Resident) and sets of id().
"""

from __future__ import annotations

import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from linli.demo import data
from linli.demo.names import Faker
from linli.people.models import (
    HouseholdContact,
    LeaderAssignment,
    Membership,
    Occupancy,
    Organisation,
    PartyMember,
    Person,
    PropertyServicePeriod,
    Visit,
)
from linli.places.models import (
    Building,
    Community,
    Compound,
    GridCell,
    Home,
    Stairwell,
    Subdistrict,
    Venue,
    sort_key_for,
)

K, R = Organisation.Kind, Membership.Role
TZ = ZoneInfo("Asia/Shanghai")
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
HOUSEHOLD_WEIGHTS = (0.12, 0.17, 0.24, 0.27, 0.20)  # mean 3.26 people per occupied home
VACANT = 0.05


@dataclass(eq=False)
class Flat:
    home: Home
    unit: Unit
    residents: list[Resident] = field(default_factory=list)  # living here
    owner: Resident | None = None  # may live elsewhere (a landlord, a vacant home's owner)


@dataclass(eq=False)
class Unit:
    stairwell: Stairwell
    block: Block
    flats: list[Flat] = field(default_factory=list)


@dataclass(eq=False)
class Block:
    building: Building
    units: list[Unit] = field(default_factory=list)

    @property
    def flats(self) -> list[Flat]:
        return [f for u in self.units for f in u.flats]


@dataclass(eq=False)
class Resident:
    person: Person
    flat: Flat | None
    relation: str
    living: bool = True
    start: datetime.date | None = None

    @property
    def adult(self) -> bool:
        return (self.person.birth_year or 0) <= data.REFERENCE_YEAR - 18


@dataclass(eq=False)
class Site:
    spec: data.CompoundSpec
    compound: Compound
    community: Community
    blocks: list[Block] = field(default_factory=list)
    residents: list[Resident] = field(default_factory=list)
    branch: Organisation | None = None
    party: list[Resident] = field(default_factory=list)
    leaders: dict[int, list[Resident]] = field(default_factory=lambda: defaultdict(list))  # id(block) -> leaders

    @property
    def flats(self) -> list[Flat]:
        return [f for b in self.blocks for f in b.flats]

    @property
    def units(self) -> list[Unit]:
        return [u for b in self.blocks for u in b.units]


@dataclass
class Plan:
    """Unsaved rows by model, in insertion order, and what write() needs besides."""

    rows: dict[type, list] = field(default_factory=lambda: defaultdict(list))
    assignment_stairwells: list[tuple[LeaderAssignment, Stairwell]] = field(default_factory=list)
    cell_stairwells: list[tuple[GridCell, Stairwell]] = field(default_factory=list)
    accounts: dict[str, Person] = field(default_factory=dict)  # demo username -> person
    named: dict[str, Person] = field(default_factory=dict)  # people the seeds name

    def add(self, obj):
        self.rows[type(obj)].append(obj)
        return obj

    def people(self) -> list[Person]:
        return self.rows[Person]


class Builder:
    def __init__(self, *, seed: int, scale: float):
        self.rng = random.Random(seed)
        self.fake = Faker(self.rng)
        self.scale = scale
        self.plan = Plan()
        self.reserved: set[int] = set()  # id(person) of demo-account people: no other roles
        self.party: dict[int, PartyMember] = {}
        self._memberships: set[tuple[int, int, str]] = set()
        self._contact_homes: set[int] = set()
        self.sites: dict[str, Site] = {}
        self.communities: dict[str, Community] = {}
        self.party_committees: dict[str, Organisation] = {}
        self.workers: dict[str, list[Person]] = {}

    # --- people -------------------------------------------------------------------------

    def person(
        self, *, gender: str | None = None, birth_year: int, local: bool, phone: float = 0.92, id_number: float = 0.7
    ) -> Person:
        rng = self.rng
        gender = gender or rng.choice("MF")
        adult = birth_year <= data.REFERENCE_YEAR - 18
        person = Person(
            name=self.fake.name(gender, birth_year),
            gender=gender,
            birth_year=birth_year,
            phone=self.fake.phone() if adult and rng.random() < phone else "",
            id_number=(
                self.fake.id_number(local=local, gender=gender, birth_year=birth_year)
                if adult and rng.random() < id_number
                else ""
            ),
            hukou_registered=local,
        )
        if rng.random() < 0.01:
            person.disabled = True
            person.care_note = rng.choice(data.DISABLED_NOTES)
        return self.plan.add(person)

    def staff(self, *, gender: str | None = None) -> Person:
        """Someone who works here but lives elsewhere: a worker, a secretary, a clerk."""
        return self.person(gender=gender, birth_year=self.rng.randint(1968, 1998), local=True, phone=1, id_number=1)

    def ensure_phone(self, person: Person) -> Person:
        if not person.phone:
            person.phone = self.fake.phone()
        return person

    def rename(self, resident: Resident, name: str, gender: str) -> Person:
        """Give a generated resident the name of a person the seeds name."""
        person = resident.person
        person.name, person.gender = name, gender
        if person.id_number:  # keep the ID number consistent with the gender
            person.id_number = self.fake.id_number(
                local=person.hukou_registered, gender=gender, birth_year=person.birth_year
            )
        self.plan.named[name] = person
        return person

    def membership(self, org: Organisation, person: Person, role: str = R.MEMBER, start=None) -> None:
        key = (id(org), id(person), role)
        if key not in self._memberships:
            self._memberships.add(key)
            self.plan.add(Membership(organisation=org, person=person, role=role, start=start))

    def make_party(self, resident_or_person, *, kind: str, organisation: Organisation | None) -> PartyMember:
        person = getattr(resident_or_person, "person", resident_or_person)
        if id(person) in self.party:
            return self.party[id(person)]
        member = PartyMember(person=person, kind=kind, organisation=organisation)
        if kind == PartyMember.Kind.REPORTED:
            member.workplace = self.rng.choice(data.WORKPLACES)
            member.reported_on = self.fake.date(datetime.date(2020, 5, 1), datetime.date(2023, 12, 31))
        self.party[id(person)] = self.plan.add(member)
        return member

    def is_party(self, resident: Resident) -> bool:
        return id(resident.person) in self.party

    def organisation(self, kind: str, name: str, *, community=None, compound=None, **kw) -> Organisation:
        return self.plan.add(
            Organisation(
                kind=kind,
                name=name,
                subdistrict=self.subdistrict,
                community=community,
                compound=compound,
                **kw,
            )
        )

    def date(self, start: datetime.date, end: datetime.date = data.LAST_DAY) -> datetime.date:
        return self.fake.date(start, end)

    # --- picking people for roles -------------------------------------------------------

    def pick(
        self,
        site: Site,
        k: int,
        *,
        within: list[Flat] | None = None,
        where=None,
        exclude: set[int] = frozenset(),
        top_up: bool = True,
    ) -> list[Resident]:
        """k distinct adults living within some flats of a site (default: the whole site),
        never a reserved demo person. At a small scale there may be too few: then new adults
        join households there (top_up), so published counts hold at any scale."""
        k = max(0, k)
        flats = within if within is not None else site.flats
        pool = [
            r
            for f in flats
            for r in f.residents
            if r.adult
            and id(r.person) not in self.reserved
            and id(r.person) not in exclude
            and (where is None or where(r))
        ]
        chosen = self.rng.sample(pool, min(k, len(pool)))
        attempts = 0
        while top_up and len(chosen) < k and attempts < 20 * k:
            attempts += 1
            occupied = [f for f in flats if not f.home.is_vacant] or flats
            flat = self.rng.choice(occupied)
            if flat.home.is_vacant:
                flat.home.is_vacant = False
            resident = self.add_resident(site, flat, birth_year=self.rng.randint(1958, 1995), relation="family")
            resident.start = self.date(datetime.date(2015, 1, 1))
            if where is None or where(resident):
                chosen.append(resident)
        return chosen

    def add_resident(self, site: Site, flat: Flat, *, birth_year: int, relation: str, gender=None, local=None):
        local = (self.rng.random() > site.spec.non_hukou) if local is None else local
        person = self.person(gender=gender, birth_year=birth_year, local=local)
        resident = Resident(person=person, flat=flat, relation=relation)
        flat.residents.append(resident)
        site.residents.append(resident)
        return resident

    # --- the whole set ------------------------------------------------------------------

    def build(self) -> Plan:
        from linli.demo import orgs

        self.subdistrict = self.plan.add(Subdistrict(name=data.SUBDISTRICT))
        for name in data.COMMUNITIES:
            self.communities[name] = self.plan.add(Community(subdistrict=self.subdistrict, name=name))
        for spec in data.COMPOUNDS:
            self.sites[spec.key] = self.build_site(spec)
        orgs.subdistrict_office(self)
        for name in data.COMMUNITIES:
            orgs.community_organisations(self, name)
        for site in self.sites.values():
            orgs.compound_organisations(self, site)
        orgs.visits(self)
        return self.plan

    # --- places and households ----------------------------------------------------------

    def build_site(self, spec: data.CompoundSpec) -> Site:
        compound = self.plan.add(
            Compound(
                community=self.communities[spec.community],
                name=spec.name,
                alias=spec.alias,
                kind=spec.kind,
                built_year=spec.built_year,
            )
        )
        site = Site(spec=spec, compound=compound, community=self.communities[spec.community])
        if spec.kind == "village":
            self._village(site)
        else:
            self._towers(site)
        for flat in site.flats:
            self._household(site, flat)
        return site

    def _target(self, spec: data.CompoundSpec, minimum: int) -> int:
        return max(round(spec.homes * self.scale), spec.min_homes, minimum)

    def _towers(self, site: Site) -> None:
        spec = site.spec
        per_building_min = min(spec.stairwells) if spec.fixed_stairwells else 1
        total = self._target(spec, spec.buildings * per_building_min)
        for n, target in enumerate(_split(total, spec.buildings, self.rng, per_building_min), start=1):
            name = spec.building_name.format(n)
            stairwells, per_floor, floors = self._layout(spec, target)
            building = self.plan.add(
                Building(compound=site.compound, name=name, floors=floors, sort_key=sort_key_for(name))
            )
            block = Block(building=building)
            site.blocks.append(block)
            for s in range(1, stairwells + 1):
                unit_name = f"{s}单元"
                stairwell = self.plan.add(
                    Stairwell(building=building, name=unit_name, sort_key=sort_key_for(unit_name))
                )
                block.units.append(Unit(stairwell=stairwell, block=block))
            # Floor 1 has fewer homes when the layout holds more than the target (a lobby).
            excess = stairwells * per_floor * floors - target
            missing = defaultdict(int)
            for i in range(excess):
                missing[i % stairwells] += 1
            large = per_floor <= 2
            for s, unit in enumerate(block.units):
                for floor in range(1, floors + 1):
                    first = 1 + (missing[s] if floor == 1 else 0)
                    for pos in range(first, per_floor + 1):
                        self._flat(unit, f"{floor}{pos:02d}", floor, large=large)

    def _layout(self, spec: data.CompoundSpec, target: int) -> tuple[int, int, int]:
        """Stairwells, homes per floor per stairwell, floors: a layout that holds the target
        within the spec's floor range (at a small scale, buildings are simply lower)."""
        low, high = spec.floors
        combos = [
            (s, p) for s in spec.stairwells for p in spec.per_floor if spec.fixed_stairwells or s <= max(1, target)
        ]
        fitting = [(s, p) for s, p in combos if low <= math.ceil(target / (s * p)) <= high]
        s, p = self.rng.choice(fitting or combos)
        return s, p, max(1, math.ceil(target / (s * p)))

    def _village(self, site: Site) -> None:
        spec = site.spec
        places = [(name, Building.Kind.LANE) for name in spec.lanes] + [
            (name, Building.Kind.STREET) for name in spec.streets
        ]
        total = self._target(spec, len(places))
        for (name, kind), houses in zip(places, _split(total, len(places), self.rng, 1), strict=True):
            building = self.plan.add(
                Building(compound=site.compound, name=name, kind=kind, sort_key=sort_key_for(name))
            )
            block = Block(building=building)
            site.blocks.append(block)
            # A lane or a street has no stairwells: one "stairwell" holds its houses.
            whole = "全巷" if kind == Building.Kind.LANE else "全街"
            stairwell = self.plan.add(Stairwell(building=building, name=whole, sort_key=0))
            unit = Unit(stairwell=stairwell, block=block)
            block.units.append(unit)
            for n in range(1, houses + 1):
                self._flat(unit, f"{n}号", 1, large=True)

    def _flat(self, unit: Unit, number: str, floor: int, *, large: bool) -> None:
        rng = self.rng
        source = rng.choices(
            (Home.AreaSource.REGISTER, Home.AreaSource.SURVEY, Home.AreaSource.CONTRACT, Home.AreaSource.UNKNOWN),
            (0.86, 0.07, 0.05, 0.02),
        )[0]
        area = None
        if source != Home.AreaSource.UNKNOWN:
            low, high = (95, 160) if large else (60, 125)
            area = Decimal(rng.randrange(low * 100, high * 100)) / 100
        home = self.plan.add(
            Home(
                stairwell=unit.stairwell,
                number=number,
                floor=floor,
                area=area,
                area_source=source,
                is_vacant=rng.random() < VACANT,
            )
        )
        unit.flats.append(Flat(home=home, unit=unit))

    def _household(self, site: Site, flat: Flat) -> None:
        rng, spec = self.rng, site.spec
        built = spec.built_year or 2008
        local = rng.random() > spec.non_hukou
        if flat.home.is_vacant:
            self._absent_owner(site, flat, built)
            return
        size = rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_WEIGHTS)[0]
        tenant = rng.random() < spec.tenants
        head_relation = Occupancy.Relation.TENANT if tenant else Occupancy.Relation.OWNER
        start = self.date(datetime.date(2018, 1, 1)) if tenant else self.date(datetime.date(built, 6, 1))
        if size == 1 and rng.random() < 0.8:
            # Most people living alone are elderly: the 关爱对象 the leaders look after.
            head = self.add_resident(
                site, flat, birth_year=rng.randint(1936, 1962), relation=head_relation, local=local
            )
            head.person.lives_alone = True
            if rng.random() < 0.4 and not head.person.care_note:
                head.person.care_note = rng.choice(data.CARE_NOTES)
        else:
            head_year = rng.randint(1955, 1998) if size > 1 else rng.randint(1975, 2002)
            head = self.add_resident(site, flat, birth_year=head_year, relation=head_relation, local=local)
            if size > 1:
                spouse_gender = "F" if head.person.gender == "M" else "M"
                spouse_year = min(data.REFERENCE_YEAR - 20, head_year + rng.randint(-4, 4))
                self.add_resident(
                    site, flat, birth_year=spouse_year, relation="family", gender=spouse_gender, local=local
                )
            others = size - 2
            if others >= 2 and head_year >= 1965 and rng.random() < 0.35:
                self.add_resident(
                    site, flat, birth_year=max(1930, head_year - rng.randint(24, 32)), relation="family", local=local
                )
                others -= 1
            for _ in range(max(0, others)):
                child_year = min(data.REFERENCE_YEAR - 1, head_year + rng.randint(22, 38))
                self.add_resident(site, flat, birth_year=child_year, relation="family", local=local)
        for resident in flat.residents:
            resident.start = start
        if tenant:
            self._absent_owner(site, flat, built)
        else:
            flat.owner = head

    def _absent_owner(self, site: Site, flat: Flat, built: int) -> None:
        """The owner of a rented or vacant home lives elsewhere but still votes as its owner."""
        person = self.person(birth_year=self.rng.randint(1950, 1990), local=self.rng.random() < 0.5)
        owner = Resident(person=person, flat=flat, relation=Occupancy.Relation.OWNER, living=False)
        owner.start = self.date(datetime.date(built, 6, 1))
        flat.owner = owner
        site.residents.append(owner)


def _split(total: int, n: int, rng: random.Random, minimum: int) -> list[int]:
    """total split into n parts of at least `minimum`, each near total/n, summing exactly."""
    weights = [rng.uniform(0.85, 1.15) for _ in range(n)]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [max(minimum, int(r)) for r in raw]
    order = sorted(range(n), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(parts) < total:
        parts[order[i % n]] += 1
        i += 1
    while sum(parts) > total:
        j = max(range(n), key=lambda i: parts[i])
        parts[j] -= 1
    return parts


def occupancies(builder: Builder) -> None:
    """Occupancy rows for everyone who lives in or owns a home."""
    for site in builder.sites.values():
        for r in site.residents:
            builder.plan.add(Occupancy(person=r.person, home=r.flat.home, relation=r.relation, start=r.start))


def build(*, seed: int = 2021, scale: float = 1.0) -> Plan:
    builder = Builder(seed=seed, scale=scale)
    plan = builder.build()
    occupancies(builder)
    for person in plan.people():
        person.refresh_hashes()
    return plan


# Insertion order: every foreign key points to a row inserted earlier.
ORDER = (
    Subdistrict,
    Community,
    Compound,
    Building,
    Stairwell,
    Home,
    Venue,
    GridCell,
    Person,
    Occupancy,
    Organisation,
    Membership,
    PropertyServicePeriod,
    PartyMember,
    LeaderAssignment,
    HouseholdContact,
    Visit,
)
BATCH = 1000


def write(plan: Plan) -> dict[str, int]:
    """Insert the plan in one transaction; returns the number of rows per model."""
    counts = {}
    with transaction.atomic():
        for model in ORDER:
            rows = plan.rows.get(model, [])
            if model is Organisation:
                # Parents before children: a row's parent must have its primary key.
                for depth in sorted({_depth(o) for o in rows}):
                    model.objects.bulk_create([o for o in rows if _depth(o) == depth], batch_size=BATCH)
            else:
                model.objects.bulk_create(rows, batch_size=BATCH)
            counts[model._meta.verbose_name_plural] = len(rows)
        through = LeaderAssignment.stairwells.through
        through.objects.bulk_create(
            [through(leaderassignment_id=a.pk, stairwell_id=s.pk) for a, s in plan.assignment_stairwells],
            batch_size=BATCH,
        )
        through = GridCell.stairwells.through
        through.objects.bulk_create(
            [through(gridcell_id=c.pk, stairwell_id=s.pk) for c, s in plan.cell_stairwells], batch_size=BATCH
        )
        from linli.demo.accounts import User, create_accounts

        counts[User._meta.verbose_name_plural] = len(create_accounts(plan.accounts))
    return counts


def _depth(org: Organisation) -> int:
    depth = 0
    while org.parent is not None:
        org, depth = org.parent, depth + 1
    return depth
