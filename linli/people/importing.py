"""Import of homes and residents from a spreadsheet (.xlsx) or CSV file.

Community workers keep their registers in Excel. One row is one person in one home; a row
without a name only fills the home. The file is read and every row checked first, then
matched against the database with a few bulk queries (never a query per row). Only when
the whole file is valid is anything written, in one transaction, so a file is either
imported completely or not at all. Natural keys make a second import of the same file a
no-op: a home is (compound, building, unit, number); a person is the ID number when given,
else (name, phone) within the home, else (name, home); a residence is (person, home, open).

The layout of the columns is documented in docs/import.md.
"""

from __future__ import annotations

import datetime
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.scope import Role, scope_for
from linli.lib.crypto import keyed_hash
from linli.lib.normalize import halfwidth
from linli.people.import_audit import ImportAudit
from linli.people.import_rows import (  # noqa: F401 - the pages and command use these from here
    COLUMNS,
    PERSON_ATTRS,
    TEMPLATE_HEADERS,
    ImportFileError,
    Row,
    RowError,
    RowErrors,
    check_file,
    map_headers,
    parse_row,
    read_table,
)
from linli.people.models import ImportJob, Occupancy, Person
from linli.places.models import Building, Compound, Home, Stairwell, sort_key_for

logger = logging.getLogger(__name__)

BATCH = 500  # rows per bulk query and per progress update
MAX_STORED_ERRORS = 1000
DEFAULT_STAIRWELL = "1单元"
IMPORTER_ROLES = {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}


# --- results ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    committed: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors


SUMMARY_KEYS = (
    ("buildings_created", gettext_lazy("buildings created")),
    ("stairwells_created", gettext_lazy("units created")),
    ("homes_created", gettext_lazy("homes created")),
    ("homes_updated", gettext_lazy("homes updated")),
    ("homes_unchanged", gettext_lazy("homes unchanged")),
    ("people_created", gettext_lazy("people created")),
    ("people_updated", gettext_lazy("people updated")),
    ("people_unchanged", gettext_lazy("people unchanged")),
    ("occupancies_created", gettext_lazy("residences created")),
    ("occupancies_updated", gettext_lazy("residences updated")),
)


def summary_rows(summary: dict) -> list[tuple[str, int]]:
    """The summary counts as (label, count) in a fixed order, for pages and the command."""
    return [(str(label), summary.get(key, 0)) for key, label in SUMMARY_KEYS]


# --- who may import where -----------------------------------------------------------------


def can_import(user) -> bool:
    return bool(scope_for(user).roles & IMPORTER_ROLES)


def importable_compounds(user):
    """Compounds the user may import into: only through staff roles (a community worker who
    also sits on an owners' committee elsewhere gets no import rights there)."""
    grants = [g for g in scope_for(user).grants if g.role in IMPORTER_ROLES]
    if any(g.level == "all" for g in grants):
        return Compound.objects.all()
    q = Q(pk__in=[])
    for grant in grants:
        q |= grant.place_q("compound")
    return Compound.objects.filter(q)


# --- the plan -----------------------------------------------------------------------------


@dataclass
class _HomePlan:
    key: tuple
    first_row: int
    compound: Compound
    building: str
    stairwell: str
    number: str
    home: Home | None = None
    values: dict = field(default_factory=dict)  # field -> (value, row)
    changed: bool = False
    old: dict = field(default_factory=dict)  # field -> value before this import, for the audit log
    floor_written: bool = False  # a floor cell was filled in, even if wrongly

    @property
    def label(self) -> str:
        """As str(home) reads, without fetching the stairwell, building and compound."""
        return f"{self.compound.name} {self.building} {self.stairwell} {self.number}"


@dataclass
class _PersonPlan:
    key: tuple
    first_row: int
    name: str
    person: Person | None = None
    values: dict = field(default_factory=dict)
    changed: bool = False
    old: dict = field(default_factory=dict)


class _Planner:
    """Matches parsed rows against the database: a few queries per compound and per batch."""

    def __init__(self, rows: list[Row], errors: RowErrors):
        self.rows = rows
        self.errors = errors
        self.buildings: dict[int, dict[str, Building]] = {}
        self.stairwells: dict[int, dict[str, Stairwell]] = {}
        self.homes: dict[tuple[int, str], Home] = {}
        self.residents: dict[int, list[dict]] = {}  # home id -> open occupancies with person keys
        self.homes_plan: dict[tuple, _HomePlan] = {}
        self.people: dict[tuple, _PersonPlan] = {}
        self.db_person_plan: dict[int, _PersonPlan] = {}
        self.links: dict[tuple, tuple[_PersonPlan, _HomePlan, str, int]] = {}
        self.to_load: set[int] = set()  # existing people matched within their home, fetched in bulk
        self.by_id_hash: dict[str, Person] = {}

    # places
    def load_compound(self, compound: Compound):
        if compound.pk in self.buildings:
            return
        buildings = list(Building.objects.filter(compound=compound))
        self.buildings[compound.pk] = {b.name: b for b in buildings}
        for b in buildings:
            self.stairwells[b.pk] = {}
        for s in Stairwell.objects.filter(building__compound=compound):
            self.stairwells[s.building_id][s.name] = s
        for home in Home.objects.filter(stairwell__building__compound=compound):
            self.homes[(home.stairwell_id, home.number)] = home
        occupancies = Occupancy.objects.filter(home__stairwell__building__compound=compound, end__isnull=True).values(
            "pk", "home_id", "relation", "person_id", "person__name", "person__phone_hash", "person__id_hash"
        )
        for occ in occupancies:
            self.residents.setdefault(occ["home_id"], []).append(occ)

    @staticmethod
    def _by_number(names, wanted: str):
        """'1' finds '1栋' or '1号楼' when exactly one name carries that number."""
        if not wanted.isdigit():
            return None
        found = [n for n in names if re.sub(r"\D", "", n) == wanted]
        return found[0] if len(found) == 1 else None

    @staticmethod
    def _new_name(compound: Compound, name: str, suffix: str) -> str:
        """A new building or unit given as a bare number is named as the others are: 3 -> 3栋."""
        return f"{name}{suffix}" if name.isdigit() and compound.kind == Compound.Kind.COMPOUND else name

    def resolve_home(self, row: Row) -> _HomePlan | None:
        compound = row.compound
        buildings = self.buildings[compound.pk]
        building_name = row.building if row.building in buildings else self._by_number(buildings, row.building)
        building = buildings.get(building_name) if building_name else None
        building_name = building_name or self._new_name(compound, row.building, "栋")
        stairwells = self.stairwells.get(building.pk, {}) if building else {}
        if row.stairwell:
            stairwell_name = (
                row.stairwell if row.stairwell in stairwells else self._by_number(stairwells, row.stairwell)
            )
            stairwell_name = stairwell_name or self._new_name(compound, row.stairwell, "单元")
        elif len(stairwells) == 1:
            stairwell_name = next(iter(stairwells))
        elif stairwells:
            self.errors.add(
                row.number,
                "stairwell",
                _("The unit is missing and building %(building)s has several units.") % {"building": building_name},
            )
            return None
        else:
            stairwell_name = DEFAULT_STAIRWELL
        key = (compound.pk, building_name, stairwell_name, row.home_number)
        plan = self.homes_plan.get(key)
        if plan is None:
            stairwell = stairwells.get(stairwell_name)
            home = self.homes.get((stairwell.pk, row.home_number)) if stairwell else None
            plan = _HomePlan(key, row.number, compound, building_name, stairwell_name, row.home_number, home)
            self.homes_plan[key] = plan
        plan.floor_written = plan.floor_written or bool(row.cells.get("floor"))
        self.merge_values(plan, row, ("floor", "area", "area_source"), _("Differs from row %(row)s for the same home."))
        return plan

    def merge_values(self, plan, row, names, conflict_message):
        """Gather a home's or person's values over the rows that name it; two rows that
        disagree on a value are an error on the later row."""
        for name in names:
            value = getattr(row, name)
            if value in (None, ""):
                continue
            if name in plan.values and plan.values[name][0] != value:
                self.errors.add(row.number, name, conflict_message % {"row": plan.values[name][1]}, str(value))
            else:
                plan.values.setdefault(name, (value, row.number))

    # people
    def load_people_by_id(self):
        hashes = sorted({keyed_hash(r.id_number) for r in self.rows if r.id_number})
        for start in range(0, len(hashes), BATCH):
            for person in Person.objects.filter(id_hash__in=hashes[start : start + BATCH]):
                self.by_id_hash[person.id_hash] = person

    def _in_home(self, plan: _HomePlan, row: Row, id_hash: str, phone_hash: str):
        """An existing resident of the home who is this row's person, by (name, phone) then name."""
        if plan.home is None:
            return None, False
        candidates = [
            o
            for o in self.residents.get(plan.home.pk, [])
            if o["person__name"] == row.name and (not id_hash or o["person__id_hash"] in ("", id_hash))
        ]
        if phone_hash:
            same_phone = [o for o in candidates if o["person__phone_hash"] == phone_hash]
            if same_phone:
                return same_phone[0]["person_id"], False
        if len(candidates) > 1:
            return None, True
        return (candidates[0]["person_id"] if candidates else None), False

    def resolve_person(self, row: Row, home: _HomePlan) -> None:
        id_hash = keyed_hash(row.id_number)
        phone_hash = keyed_hash(row.phone)
        if id_hash:
            key = ("id", id_hash)
        elif phone_hash:
            key = ("phone", home.key, row.name, phone_hash)
        else:
            key = ("name", home.key, row.name)
        plan = self.people.get(key)
        if plan is not None:
            if key[0] != "id":
                self.errors.add(
                    row.number,
                    "name",
                    _("This person is already listed for this home in row %(row)s.") % {"row": plan.first_row},
                    row.name,
                )
                return
            if plan.name != row.name or (plan.key, home.key) in self.links:
                self.errors.add(
                    row.number,
                    "id_number",
                    _("The same ID number is already in row %(row)s.") % {"row": plan.first_row},
                    row.id_number,
                )
                return
        else:
            plan = _PersonPlan(key, row.number, row.name)
            existing_id = None
            if id_hash and (found := self.by_id_hash.get(id_hash)):
                if found.name != row.name:
                    self.errors.add(
                        row.number,
                        "id_number",
                        _("This ID number already belongs to a person with a different name in linli."),
                        row.id_number,
                    )
                    return
                plan.person = found
                existing_id = found.pk
            else:
                existing_id, ambiguous = self._in_home(home, row, id_hash, phone_hash)
                if ambiguous:
                    self.errors.add(
                        row.number,
                        "name",
                        _("Several people with this name live in this home; add the phone or ID number."),
                        row.name,
                    )
                    return
            if existing_id is not None and existing_id in self.db_person_plan:
                plan = self.db_person_plan[existing_id]  # one person reached by two keys
                if (plan.key, home.key) in self.links:
                    self.errors.add(
                        row.number,
                        "name",
                        _("This person is already listed for this home in row %(row)s.") % {"row": plan.first_row},
                        row.name,
                    )
                    return
            elif existing_id is not None:
                if plan.person is None:
                    self.to_load.add(existing_id)
                self.db_person_plan[existing_id] = plan
            self.people[key] = plan
        self.merge_values(
            plan,
            row,
            ("gender", "birth_year", "phone", "id_number", "hukou", "lives_alone", "disabled"),
            _("Differs from row %(row)s for the same person."),
        )
        self.links[(plan.key, home.key)] = (plan, home, row.relation, row.number)

    def load_matched_people(self):
        """Existing people matched within their home were only ids so far: fetch them whole."""
        ids = sorted(self.to_load)
        loaded = {}
        for start in range(0, len(ids), BATCH):
            loaded.update(Person.objects.in_bulk(ids[start : start + BATCH]))
        for pk in ids:
            self.db_person_plan[pk].person = loaded[pk]


def _compare_home(plan: _HomePlan) -> None:
    if plan.home is None:
        return
    for name, (value, _row) in plan.values.items():
        if getattr(plan.home, name) != value:
            plan.old[name] = getattr(plan.home, name)
            setattr(plan.home, name, value)
            plan.changed = True


def _compare_person(plan: _PersonPlan) -> None:
    person = plan.person
    if person is None:
        return
    for name, (value, _row) in plan.values.items():
        attr = PERSON_ATTRS.get(name, name)
        if name == "phone":
            differs = person.phone_hash != keyed_hash(value)
        elif name == "id_number":
            differs = person.id_hash != keyed_hash(value)
        else:
            differs = getattr(person, attr) != value
        if differs:
            plan.old[attr] = getattr(person, attr)
            setattr(person, attr, value)
            plan.changed = True


def _resolve_compounds(user, rows: list[Row], errors: RowErrors, chosen: Compound | None) -> None:
    allowed = importable_compounds(user)
    if chosen is not None and not allowed.filter(pk=chosen.pk).exists():
        errors.add(None, "compound", _("You may not import into this compound."), chosen.name)
        return
    names = {halfwidth(r.cells.get("compound", "")) for r in rows} - {""}
    found: dict[str, list[Compound]] = {}
    for compound in allowed.filter(Q(name__in=names) | Q(alias__in=names)):
        for name in {compound.name, compound.alias} & names:
            found.setdefault(name, []).append(compound)
    for row in rows:
        name = halfwidth(row.cells.get("compound", ""))
        if not name:
            if chosen is None:
                errors.add(row.number, "compound", _("The compound is missing."))
            row.compound = chosen
            continue
        if chosen is not None:
            if name not in (chosen.name, chosen.alias):
                errors.add(
                    row.number,
                    "compound",
                    _("This file is being imported into %(compound)s, but the row names another compound.")
                    % {"compound": chosen.name},
                    name,
                )
            row.compound = chosen
            continue
        matches = found.get(name, [])
        if not matches:
            errors.add(
                row.number,
                "compound",
                _("Compound “%(name)s” was not found among the compounds you may import into.") % {"name": name},
                name,
            )
        elif len(matches) > 1:
            errors.add(
                row.number,
                "compound",
                _("Several compounds are called “%(name)s”; choose the compound on the upload form.") % {"name": name},
                name,
            )
        else:
            row.compound = matches[0]


# --- the service --------------------------------------------------------------------------


def import_file(
    *,
    user,
    path: Path,
    file_name: str,
    compound: Compound | None = None,
    commit: bool,
    progress: Callable[[int, int], None] | None = None,
    job_id: int | None = None,
) -> ImportResult:
    """Check a file and, when `commit` and the whole file is valid, import it in one
    transaction, with an audit-log entry per row created or changed, in `user`'s name.
    Bad input never raises: it comes back as `errors`, nothing written."""
    result = ImportResult()
    if not can_import(user):
        result.errors.append(RowError(None, "", "", _("Your role does not allow importing homes and residents.")))
        return result
    try:
        table = read_table(Path(path), file_name)
    except ImportFileError as exc:
        result.errors.append(RowError(None, "", file_name, str(exc)))
        return result
    errors = RowErrors({})
    positions = map_headers(table, errors, compound_chosen=compound is not None)
    result.total_rows = len(table.rows)
    if not table.rows:
        errors.items.append(RowError(None, "", file_name, _("The file has a header row but no rows of data.")))
    if errors.items:
        result.errors = errors.items
        return result

    rows = []
    for count, (number, cells) in enumerate(table.rows, start=1):
        row = Row(number, {key: (halfwidth(cells[i]) if i < len(cells) else "") for key, i in positions.items()})
        parse_row(row, errors)
        rows.append(row)
        if progress and count % BATCH == 0:
            progress(count // 2, result.total_rows)
    _resolve_compounds(user, rows, errors, compound)

    planner = _Planner(rows, errors)
    for c in {r.compound.pk: r.compound for r in rows if r.compound}.values():
        planner.load_compound(c)
    planner.load_people_by_id()
    for count, row in enumerate(rows, start=1):
        if row.compound is not None and row.building and row.home_number:
            home = planner.resolve_home(row)
            if home is not None and row.name:
                planner.resolve_person(row, home)
        if progress and count % BATCH == 0:
            progress((len(rows) + count) // 2, result.total_rows)
    planner.load_matched_people()

    for home in planner.homes_plan.values():
        _compare_home(home)
        if home.home is None and not home.floor_written:
            match = re.fullmatch(r"(\d+)(\d{2})", home.number)
            if match:
                home.values["floor"] = (int(match.group(1)), None)
            else:
                errors.add(home.first_row, "floor", _("The floor is missing and cannot be read from the home number."))
    for person in planner.people.values():
        _compare_person(person)

    result.errors = sorted(errors.items, key=lambda e: e.row or 0)
    if result.errors:
        return result
    audit = ImportAudit(actor=user, data={"import_job": job_id, "file": file_name})
    result.summary = _write(planner, dry_run=not commit, audit=audit)
    result.committed = commit
    return result


def _write(planner: _Planner, *, dry_run: bool, audit: ImportAudit) -> dict[str, int]:
    homes = list(planner.homes_plan.values())
    people = list({id(p): p for p in planner.people.values()}.values())
    summary = {key: 0 for key, _label in SUMMARY_KEYS}
    summary["homes_created"] = sum(1 for h in homes if h.home is None)
    summary["homes_updated"] = sum(1 for h in homes if h.changed)
    summary["homes_unchanged"] = len(homes) - summary["homes_created"] - summary["homes_updated"]
    summary["people_created"] = sum(1 for p in people if p.person is None)
    summary["people_updated"] = sum(1 for p in people if p.changed)
    summary["people_unchanged"] = len(people) - summary["people_created"] - summary["people_updated"]

    new_buildings = {(h.compound.pk, h.building) for h in homes if h.building not in planner.buildings[h.compound.pk]}
    new_stairwells = set()
    for h in homes:
        building = planner.buildings[h.compound.pk].get(h.building)
        if building is None or h.stairwell not in planner.stairwells.get(building.pk, {}):
            new_stairwells.add((h.compound.pk, h.building, h.stairwell))
    summary["buildings_created"] = len(new_buildings)
    summary["stairwells_created"] = len(new_stairwells)

    occupancy_updates, occupancy_new = [], []
    for plan, home, relation, _row in planner.links.values():
        existing = None
        if plan.person is not None and home.home is not None:
            existing = next(
                (o for o in planner.residents.get(home.home.pk, []) if o["person_id"] == plan.person.pk), None
            )
        if existing is None:
            occupancy_new.append((plan, home, relation or Occupancy.Relation.FAMILY))
        elif relation and existing["relation"] != relation:
            occupancy_updates.append(
                (Occupancy(pk=existing["pk"], relation=relation), plan, home, existing["relation"])
            )
    summary["occupancies_created"] = len(occupancy_new)
    summary["occupancies_updated"] = len(occupancy_updates)
    if dry_run:
        return summary

    compounds = {h.compound.pk: h.compound for h in homes}
    with transaction.atomic():
        buildings = Building.objects.bulk_create(
            [Building(compound=compounds[c], name=n, sort_key=sort_key_for(n)) for c, n in sorted(new_buildings)]
        )
        for b in buildings:
            planner.buildings[b.compound_id][b.name] = b
            planner.stairwells[b.pk] = {}
        stairwells = Stairwell.objects.bulk_create(
            [
                Stairwell(building=planner.buildings[c][b], name=s, sort_key=sort_key_for(s))
                for c, b, s in sorted(new_stairwells)
            ]
        )
        for s in stairwells:
            planner.stairwells[s.building_id][s.name] = s
        new_homes = []
        for h in homes:
            if h.home is None:
                stairwell = planner.stairwells[planner.buildings[h.compound.pk][h.building].pk][h.stairwell]
                values = {name: value for name, (value, _row) in h.values.items()}
                h.home = Home(stairwell=stairwell, number=h.number, **values)
                new_homes.append(h.home)
        Home.objects.bulk_create(new_homes, batch_size=BATCH)
        Home.objects.bulk_update(
            [h.home for h in homes if h.changed], ["floor", "area", "area_source"], batch_size=BATCH
        )

        new_people = []
        for p in people:
            if p.person is None:
                values = {PERSON_ATTRS.get(name, name): value for name, (value, _row) in p.values.items()}
                p.person = Person(name=p.name, **values)
                new_people.append(p.person)
        now = timezone.now()
        changed_people = [p.person for p in people if p.changed]
        for person in new_people + changed_people:
            person.refresh_hashes()  # bulk writes skip save(), which sets the lookup hashes
            person.updated = now
        Person.objects.bulk_create(new_people, batch_size=BATCH)
        Person.objects.bulk_update(
            changed_people,
            ["gender", "birth_year", "phone", "phone_hash", "id_number", "id_hash"]
            + ["hukou_registered", "lives_alone", "disabled", "updated"],
            batch_size=BATCH,
        )
        occupancies = [
            (Occupancy(person=p.person, home=h.home, relation=relation), p, h) for p, h, relation in occupancy_new
        ]
        Occupancy.objects.bulk_create([o for o, _p, _h in occupancies], batch_size=BATCH)
        Occupancy.objects.bulk_update([o for o, *_rest in occupancy_updates], ["relation"], batch_size=BATCH)

        # Bulk writes send no signals, so auditlog saw none of these: log them in bulk, in the same transaction.
        created = {id(obj) for obj in new_homes + new_people}
        audit.log_places(buildings, stairwells, compounds)
        audit.log_homes(homes, created)
        audit.log_people(people, created)
        audit.log_occupancies(occupancies, occupancy_updates)
        audit.save()
    return summary


# --- jobs: the page's background work -----------------------------------------------------


def run_import(job_id: int, commit: bool) -> None:
    """Check (commit=False) or import (commit=True) the file of an ImportJob, updating the
    job's progress as it goes. Called in a thread after the job's transaction commits."""
    job = ImportJob.objects.select_related("user", "compound").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        job.status = ImportJob.Status.IMPORTING if commit else ImportJob.Status.VALIDATING
        job.processed_rows = 0
        job.started = timezone.now()
        job.save(update_fields=["status", "processed_rows", "started"])

        def progress(done: int, total: int) -> None:
            ImportJob.objects.filter(pk=job_id).update(processed_rows=done, total_rows=total)

        try:
            result = import_file(
                user=job.user,
                path=Path(job.file.path),
                file_name=job.file_name,
                compound=job.compound,
                commit=commit,
                progress=progress,
                job_id=job.pk,
            )
        except IntegrityError:
            logger.warning("import job %s hit a constraint", job_id, exc_info=True)
            message = _("The homes changed while importing. Nothing was imported; check the file again.")
            _finish(job, ImportJob.Status.FAILED, errors=[RowError(None, "", "", message).as_dict()])
            return
        except Exception:
            logger.exception("import job %s failed", job_id)
            message = _("The import failed unexpectedly; nothing was imported. Please tell the administrator.")
            _finish(job, ImportJob.Status.FAILED, errors=[RowError(None, "", "", message).as_dict()])
            return
        job.total_rows = result.total_rows
        if not result.valid:
            status = ImportJob.Status.INVALID
        else:
            status = ImportJob.Status.DONE if commit else ImportJob.Status.VALID
        _finish(
            job,
            status,
            errors=[e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]],
            summary={**result.summary, "error_count": len(result.errors)},
        )


def _finish(job: ImportJob, status: str, *, errors: list, summary: dict | None = None) -> None:
    job.status = status
    job.errors = errors
    job.summary = summary or {"error_count": len(errors)}
    job.processed_rows = job.total_rows
    job.finished = timezone.now()
    if status != ImportJob.Status.VALID and job.file:
        # The upload holds ID numbers in plain text: keep it only while it waits for confirmation.
        job.file.delete(save=False)
    job.save()


STALE_AFTER = datetime.timedelta(hours=1)
UPLOAD_FOLDER = "imports"  # ImportJob.file's upload_to


def fail_if_stale(job: ImportJob) -> None:
    """A job still "running" an hour after its check or import began lost its thread (the
    server restarted): mark it failed so the page stops waiting. Nothing was written: writes are
    one transaction. Timed from the start, not the upload: a preview may wait a day for "import"."""
    if job.is_running and (job.started or job.created) < timezone.now() - STALE_AFTER:
        message = _("The import stopped before it finished (the server restarted?). Nothing was imported.")
        _finish(job, ImportJob.Status.FAILED, errors=[RowError(None, "", "", message).as_dict()])


# --- cleanup of uploads: manage.py cleanup_imports ---------------------------------------


@dataclass
class Cleanup:
    finished: list[ImportJob] = field(default_factory=list)  # finished jobs whose file was still there
    abandoned: list[ImportJob] = field(default_factory=list)  # never confirmed, or their thread died
    stray_files: list[str] = field(default_factory=list)  # uploads no job refers to


def cleanup_imports(*, older_than: datetime.timedelta) -> Cleanup:
    """Delete the uploaded files no import needs any more: they hold phone and ID numbers in
    plain text. A finished job's file goes at once (normally _finish removed it already); a job
    left waiting for confirmation, or still "running", for longer than `older_than` is marked
    failed as abandoned and its file deleted. Running it twice changes nothing the second time."""
    done = Cleanup()
    now = timezone.now()
    cutoff = now - older_than
    storage = ImportJob._meta.get_field("file").storage
    finished = (ImportJob.Status.DONE, ImportJob.Status.INVALID, ImportJob.Status.FAILED)
    for job in ImportJob.objects.filter(status__in=finished).exclude(file=""):
        storage.delete(job.file.name)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        done.finished.append(job)

    # A preview waits from when its check finished; a running job counts from its upload.
    waiting = Q(status=ImportJob.Status.VALID) & (Q(finished__lt=cutoff) | Q(finished__isnull=True, created__lt=cutoff))
    running = Q(status__in=ImportJob.RUNNING, created__lt=cutoff)
    for job in ImportJob.objects.filter(waiting | running):
        with translation.override(job.language or settings.LANGUAGE_CODE):
            message = _(
                "Not imported: the file waited more than %(days)s days without being imported, so it was "
                "deleted. Upload it again to import it."
            ) % {"days": older_than.days}
        # Only if the status is still the one read: a job confirmed in the meantime is left alone
        # (confirm locks the row, so this update waits for it and then matches nothing).
        marked = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportJob.Status.FAILED,
            errors=[RowError(None, "", "", message).as_dict()],
            summary={"error_count": 1, "abandoned": True},
            finished=now,
            file="",
        )
        if marked:
            if job.file:
                storage.delete(job.file.name)
            done.abandoned.append(job)

    referenced = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    try:
        _folders, names = storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        names = []
    for name in sorted(names):
        path = f"{UPLOAD_FOLDER}/{name}"
        # Recent ones may belong to an upload whose job is not committed yet.
        if path not in referenced and storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            done.stray_files.append(path)
    return done


def _run_in_thread(job_id: int, commit: bool) -> None:
    close_old_connections()
    try:
        run_import(job_id, commit)
    finally:
        connection.close()


def start_job(job: ImportJob, *, commit: bool) -> None:
    """Run the job once the current transaction has committed: in a background thread in
    the embedded mode, inline when settings.IMPORT_IN_THREAD is False (tests, scripts)."""

    def launch():
        if getattr(settings, "IMPORT_IN_THREAD", True):
            threading.Thread(
                target=_run_in_thread, args=(job.pk, commit), name=f"linli-import-{job.pk}", daemon=True
            ).start()
        else:
            run_import(job.pk, commit)

    transaction.on_commit(launch)
