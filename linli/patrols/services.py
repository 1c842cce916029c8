"""Writes for patrols and hygiene inspections, and the score history. Plain functions; each
refusal is a PatrolError with a translated message, a status and a field, and nothing is
changed.

    start_patrol · end_patrol · add_participant · remove_participant · add_finding
    to_case (a finding or a low item score)
    create_checklist · rename_checklist · add_item · remove_item · move_item (versions)
    start_inspection · score · submit_inspection · score_history
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases import services as case_services
from linli.cases.models import Case, Category, Channel
from linli.lib.images import CleanPhoto, clean_photo
from linli.people.models import Organisation, Person, PropertyServicePeriod
from linli.places.models import Building, Compound, Home, Stairwell

from . import access, notify
from .models import Checklist, ChecklistItem, Finding, Inspection, ItemScore, Patrol, PatrolKind, Severity

TEXT_MAX, WHERE_MAX, NOTE_MAX, AREA_MAX = 2000, 120, 300, 120
# An item scoring below this share of its maximum may become a case.
LOW_SCORE_PERCENT = 60
# The case category for a finding of each kind of patrol (codes of linli/cases/taxonomy.py).
CATEGORY_FOR_KIND = {
    PatrolKind.STAIRWELL: "safety",
    PatrolKind.EBIKE: "e-bikes",
    PatrolKind.FIRE: "safety",
    PatrolKind.HYGIENE: "hygiene",
}
INSPECTION_CATEGORY = "hygiene"
FALLBACK_CATEGORY = "other"


class PatrolError(Exception):
    """A request the rules or the state do not allow. status_code: 403 not allowed for this
    user, 409 not in this state, 422 bad input."""

    def __init__(self, message: str, status_code: int = 422, field: str = ""):
        self.message, self.status_code, self.field = str(message), status_code, field
        super().__init__(self.message)


def _text(value: str, *, limit: int, field: str, required: bool = True, empty: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise PatrolError(empty, field=field)
    if len(value) > limit:
        raise PatrolError(_("This text can have at most %(n)s characters.") % {"n": limit}, field=field)
    return value


def _require_patroller(user, compound) -> None:
    if not access.may_patrol(user, compound):
        raise PatrolError(_("Only patrol volunteers, leaders and staff of this compound can do this."), 403)


# --- patrols -----------------------------------------------------------------------------


@transaction.atomic
def start_patrol(
    *,
    user,
    compound: Compound,
    kind: str,
    organisation: Organisation | None = None,
    participants=(),
    note: str = "",
    now: dt.datetime | None = None,
) -> Patrol:
    """A patrol begins: logged by the user, who is its first participant."""
    _require_patroller(user, compound)
    if kind not in PatrolKind.values:
        raise PatrolError(_("Choose the kind of patrol."), field="kind")
    if organisation is not None and not access.patrol_teams(user, compound).filter(pk=organisation.pk).exists():
        raise PatrolError(_("That team does not serve this compound."), field="organisation")
    note = _text(note, limit=NOTE_MAX, field="note", required=False)
    patrol = Patrol.objects.create(
        kind=kind,
        compound=compound,
        organisation=organisation,
        started_by=user,
        started_at=now or timezone.now(),
        note=note,
    )
    people = {p.pk for p in participants}
    if user.person_id:
        people.add(user.person_id)
    patrol.participants.set(Person.objects.filter(pk__in=people))
    return patrol


@transaction.atomic
def end_patrol(*, user, patrol: Patrol, now: dt.datetime | None = None) -> Patrol:
    _require_patroller(user, patrol.compound)
    # Locked: ending twice at once must not move the end time.
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if patrol.ended_at is not None:
        raise PatrolError(_("This patrol has already ended."), 409)
    now = now or timezone.now()
    if now < patrol.started_at:
        raise PatrolError(_("A patrol cannot end before it started."), field="ended_at")
    patrol.ended_at = now
    patrol.save(update_fields=["ended_at"])
    return patrol


def _lock_led(user, patrol: Patrol) -> Patrol:
    if not access.may_lead(user, patrol):
        raise PatrolError(_("Only the patrol's leader and the compound's organisers can change its participants."), 403)
    # Locked: two leaders changing the list at once each see the other's change.
    return Patrol.objects.select_for_update().select_related("compound").get(pk=patrol.pk)


@transaction.atomic
def add_participant(*, user, patrol: Patrol, person: Person) -> Patrol:
    """The patrol's leader adds a member of the compound's teams."""
    patrol = _lock_led(user, patrol)
    if not access.participant_candidates(user, patrol).filter(pk=person.pk).exists():
        if patrol.participants.filter(pk=person.pk).exists():
            raise PatrolError(_("%(name)s is already on this patrol.") % {"name": person.name}, 409)
        raise PatrolError(_("Only members of the teams of this compound can be added."), field="person")
    patrol.participants.add(person)
    return patrol


@transaction.atomic
def remove_participant(*, user, patrol: Patrol, person: Person) -> Patrol:
    patrol = _lock_led(user, patrol)
    if not patrol.participants.filter(pk=person.pk).exists():
        raise PatrolError(_("%(name)s is not on this patrol.") % {"name": person.name}, 409)
    patrol.participants.remove(person)
    return patrol


def _check_place(compound, building, stairwell, home):
    try:
        return case_services.check_place(compound=compound, building=building, stairwell=stairwell, home=home)
    except ValidationError as exc:
        raise PatrolError(exc.messages[0], field="place") from None


def _photo(upload) -> CleanPhoto | None:
    if upload is None:
        return None
    try:
        return clean_photo(upload)
    except ValidationError as exc:
        raise PatrolError(exc.messages[0], field="photo") from None


@transaction.atomic
def add_finding(
    *,
    user,
    patrol: Patrol,
    text: str,
    photo=None,
    building: Building | None = None,
    stairwell: Stairwell | None = None,
    home: Home | None = None,
    where: str = "",
    severity: str = Severity.MEDIUM,
    now: dt.datetime | None = None,
) -> Finding:
    """A finding of a patrol. `photo` is an uploaded file: it must be a photo within the size
    limit, and is stored re-encoded without its metadata (linli.lib.images)."""
    _require_patroller(user, patrol.compound)
    text = _text(text, limit=TEXT_MAX, field="text", empty=_("Describe what you found."))
    where = _text(where, limit=WHERE_MAX, field="where", required=False)
    if severity not in Severity.values:
        raise PatrolError(_("Choose how serious the finding is."), field="severity")
    building, stairwell, home = _check_place(patrol.compound, building, stairwell, home)
    cleaned = _photo(photo)
    finding = Finding(
        patrol=patrol,
        text=text,
        building=building,
        stairwell=stairwell,
        home=home,
        where=where,
        severity=severity,
        found_at=now or timezone.now(),
        recorded_by=user,
    )
    if cleaned is not None:
        finding.photo.save(cleaned.name, ContentFile(cleaned.content), save=False)
        finding.photo_width, finding.photo_height = cleaned.width, cleaned.height
    finding.save()
    if severity == Severity.HIGH:
        notify.urgent_finding(finding)
    return finding


# --- one tap: a case -----------------------------------------------------------------------


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        category = Category.objects.filter(code=FALLBACK_CATEGORY, active=True).first()
    if category is None:
        raise PatrolError(_("No case category is available. Ask an administrator."), 409)
    return category


def _title(prefix: str, text: str) -> str:
    title = f"{prefix}: {' '.join(text.split())}"
    return title if len(title) <= 80 else title[:79] + "…"


def _stored_photo(field, width, height) -> list[CleanPhoto]:
    if not field:
        return []
    with field.open("rb") as f:
        content = f.read()
    return [CleanPhoto(content=content, name=field.name.rsplit("/", 1)[-1], width=width or 0, height=height or 0)]


@transaction.atomic
def finding_to_case(*, user, finding: Finding) -> Case:
    """File the finding as a case (channel: patrol finding), with its photo. Once only: the
    finding's row is locked, so two taps at once (two phones, a double tap) file one case and
    the second is told it is already a case."""
    _require_patroller(user, finding.patrol.compound)
    finding = Finding.objects.select_for_update().select_related("patrol__compound").get(pk=finding.pk)
    if finding.case_id:
        raise PatrolError(_("This finding is already a case (%(code)s).") % {"code": finding.case.code}, 409)
    patrol = finding.patrol
    try:
        case, _secret = case_services.submit(
            compound=patrol.compound,
            category=_category(CATEGORY_FOR_KIND.get(patrol.kind, FALLBACK_CATEGORY)),
            title=_title(str(patrol.get_kind_display()), finding.text),
            description=finding.text,
            building=finding.building,
            stairwell=finding.stairwell,
            home=finding.home,
            location=finding.where,
            reporter=user.person,
            channel=Channel.PATROL,
            recorded_by=user,
            # A finding at someone's door (a home) is not put on the public board.
            on_public_board=finding.home_id is None,
            photos=_stored_photo(finding.photo, finding.photo_width, finding.photo_height),
        )
    except ValidationError as exc:
        raise PatrolError(exc.messages[0]) from None
    finding.case = case
    finding.save(update_fields=["case"])
    return case


@transaction.atomic
def score_to_case(*, user, item_score: ItemScore) -> Case:
    """A low item score of a submitted inspection filed as a hygiene case; once only, as for
    findings."""
    inspection = item_score.inspection
    _require_patroller(user, inspection.compound)
    item_score = ItemScore.objects.select_for_update().select_related("inspection", "item").get(pk=item_score.pk)
    inspection = item_score.inspection
    if item_score.case_id:
        raise PatrolError(_("This score is already a case (%(code)s).") % {"code": item_score.case.code}, 409)
    if not inspection.is_submitted:
        raise PatrolError(_("Submit the inspection before filing a case from it."), 409)
    if item_score.score * 100 >= item_score.max_score * LOW_SCORE_PERCENT:
        raise PatrolError(
            _("Only an item scoring below %(percent)s%% of its maximum can become a case.")
            % {"percent": LOW_SCORE_PERCENT},
            409,
        )
    text = _("Hygiene inspection of %(area)s on %(date)s: “%(item)s” scored %(score)s of %(max)s.") % {
        "area": inspection.area_label,
        "date": inspection.date.isoformat(),
        "item": item_score.item.text,
        "score": item_score.score,
        "max": item_score.max_score,
    }
    if item_score.note:
        text += "\n" + item_score.note
    try:
        case, _secret = case_services.submit(
            compound=inspection.compound,
            category=_category(INSPECTION_CATEGORY),
            title=_title(_("Hygiene inspection"), f"{item_score.item.text} {item_score.score}/{item_score.max_score}"),
            description=text,
            building=inspection.building,
            location=inspection.area,
            reporter=user.person,
            channel=Channel.PATROL,
            recorded_by=user,
        )
    except ValidationError as exc:
        raise PatrolError(exc.messages[0]) from None
    item_score.case = case
    item_score.save(update_fields=["case"])
    return case


# --- hygiene inspections -------------------------------------------------------------------


def checklist_for(compound: Compound) -> Checklist | None:
    """The compound's own checklist, else its community's, else the default one."""
    lists = Checklist.objects.filter(active=True).filter(
        Q(compound=compound) | Q(community_id=compound.community_id) | Q(compound__isnull=True, community__isnull=True)
    )
    ranked = sorted(lists, key=lambda c: 0 if c.compound_id else 1 if c.community_id else 2)
    return ranked[0] if ranked else None


def company_on(compound: Compound, day: dt.date) -> Organisation | None:
    """The property company serving the compound on that day, if any."""
    period = (
        PropertyServicePeriod.objects.filter(compound=compound, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("company")
        .order_by("-start")
        .first()
    )
    return period.company if period else None


@transaction.atomic
def start_inspection(
    *,
    user,
    compound: Compound,
    building: Building | None = None,
    area: str = "",
    date: dt.date | None = None,
    notes: str = "",
    checklist: Checklist | None = None,
) -> Inspection:
    _require_patroller(user, compound)
    area = _text(area, limit=AREA_MAX, field="area", required=False)
    if building is None and not area:
        raise PatrolError(_("Choose a building or name the area inspected."), field="area")
    if building is not None and building.compound_id != compound.pk:
        raise PatrolError(_("That building is not in that compound."), field="building")
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise PatrolError(_("An inspection cannot be dated in the future."), field="date")
    notes = _text(notes, limit=TEXT_MAX, field="notes", required=False)
    if checklist is None:
        # Locked, as editing locks it: a checklist being replaced is not picked up half-way.
        picked = checklist_for(compound)
        checklist = picked and Checklist.objects.select_for_update().get(pk=picked.pk)
        if checklist is not None and not checklist.active:  # replaced while we waited
            checklist = checklist_for(compound)
    if checklist is None or not checklist.items.exists():
        raise PatrolError(_("There is no hygiene checklist for this compound yet."), 409)
    return Inspection.objects.create(
        compound=compound,
        company=company_on(compound, date),
        checklist=checklist,
        building=building,
        area=area,
        date=date,
        inspector=user,
        notes=notes,
    )


# --- keeping the checklists ----------------------------------------------------------------

NAME_MAX, ITEM_MAX, ITEM_SCORE_MAX = 80, 120, 100


@transaction.atomic
def create_checklist(*, user, compound: Compound, name: str = "") -> Checklist:
    """The compound's own checklist, starting as a copy of the one it uses now."""
    if not access.organised_compounds(user).filter(pk=compound.pk).exists():
        raise PatrolError(_("Only the compound's organisers can keep its hygiene checklist."), 403)
    name = _text(name, limit=NAME_MAX, field="name", required=False) or _("Hygiene checklist of %(compound)s") % {
        "compound": compound.name
    }
    if Checklist.objects.filter(compound=compound, active=True).exists():
        raise PatrolError(_("This compound already has its own checklist: edit that one."), 409)
    base = checklist_for(compound)
    checklist = Checklist.objects.create(name=name, compound=compound)
    for n, item in enumerate(base.items.all() if base else [], 1):
        ChecklistItem.objects.create(checklist=checklist, text=item.text, max_score=item.max_score, order=n)
    return checklist


def _editable(user, checklist: Checklist) -> tuple[Checklist, list[ChecklistItem]]:
    """The checklist to change, locked, with its items in order. One already used by an
    inspection is not changed: it is retired and a new version (a copy) is returned instead,
    so the inspections done keep the items and maxima they were scored against."""
    if not access.may_keep_checklist(user, checklist):
        raise PatrolError(_("Only the compound's organisers can keep its hygiene checklist."), 403)
    # Locked, as start_inspection locks it: an inspection cannot start on it between the
    # "is it used?" check and the change.
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    if not checklist.active:
        raise PatrolError(_("This checklist was replaced by a newer version: edit the one in use."), 409)
    items = list(checklist.items.order_by("order", "pk"))
    if not Inspection.objects.filter(checklist=checklist).exists():
        return checklist, items
    checklist.active = False
    checklist.save(update_fields=["active"])
    new = Checklist.objects.create(
        name=checklist.name, compound=checklist.compound, community=checklist.community, replaces=checklist
    )
    copies = [
        ChecklistItem.objects.create(checklist=new, text=i.text, max_score=i.max_score, order=n)
        for n, i in enumerate(items, 1)
    ]
    return new, copies


def _renumber(items: list[ChecklistItem]) -> None:
    # The order is unique per checklist and checked row by row: move every item out of the
    # way first, then to its place.
    for n, item in enumerate(items, 1):
        ChecklistItem.objects.filter(pk=item.pk).update(order=20000 + n)
    for n, item in enumerate(items, 1):
        ChecklistItem.objects.filter(pk=item.pk).update(order=n)
        item.order = n


@transaction.atomic
def rename_checklist(*, user, checklist: Checklist, name: str) -> Checklist:
    name = _text(name, limit=NAME_MAX, field="name", empty=_("Give the checklist a name."))
    checklist, _items = _editable(user, checklist)
    checklist.name = name
    checklist.save(update_fields=["name"])
    return checklist


@transaction.atomic
def add_item(*, user, checklist: Checklist, text: str, max_score) -> Checklist:
    text = _text(text, limit=ITEM_MAX, field="text", empty=_("Say what is scored."))
    try:
        max_score = int(max_score)
    except (TypeError, ValueError):
        max_score = 0
    if not 1 <= max_score <= ITEM_SCORE_MAX:
        raise PatrolError(
            _("The maximum score must be between 1 and %(n)s.") % {"n": ITEM_SCORE_MAX}, field="max_score"
        )
    checklist, items = _editable(user, checklist)
    ChecklistItem.objects.create(checklist=checklist, text=text, max_score=max_score, order=len(items) + 1)
    return checklist


def _index(checklist: Checklist, item_id) -> int:
    ids = list(checklist.items.order_by("order", "pk").values_list("pk", flat=True))
    try:
        return ids.index(int(item_id))
    except (ValueError, TypeError):
        raise PatrolError(_("That item is not on this checklist."), field="item") from None


@transaction.atomic
def remove_item(*, user, checklist: Checklist, item_id: int) -> Checklist:
    n = _index(checklist, item_id)
    checklist, items = _editable(user, checklist)
    if len(items) <= 1:
        raise PatrolError(_("A checklist keeps at least one item."), 409)
    items.pop(n).delete()
    _renumber(items)
    return checklist


@transaction.atomic
def move_item(*, user, checklist: Checklist, item_id: int, up: bool) -> Checklist:
    n = _index(checklist, item_id)
    to = n - 1 if up else n + 1
    checklist, items = _editable(user, checklist)
    if 0 <= to < len(items):
        items[n], items[to] = items[to], items[n]
        _renumber(items)
    return checklist


def _lock_open(user, inspection: Inspection) -> Inspection:
    _require_patroller(user, inspection.compound)
    # Locked: a score saved while another tap submits would change a frozen inspection.
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.is_submitted:
        raise PatrolError(_("This inspection is submitted and can no longer be changed."), 409)
    return inspection


@transaction.atomic
def score(*, user, inspection: Inspection, scores: dict[int, int], notes: dict[int, str] | None = None) -> Inspection:
    """Save scores {item id: score} (and optional notes per item) of an unsubmitted inspection.
    All are checked first: one bad score saves none."""
    inspection = _lock_open(user, inspection)
    items = {item.pk: item for item in inspection.checklist.items.all()}
    notes = notes or {}
    cleaned = {}
    for item_id, value in scores.items():
        item = items.get(int(item_id))
        if item is None:
            raise PatrolError(_("That item is not on this inspection's checklist."), field=f"score_{item_id}")
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise PatrolError(_("A score must be a whole number."), field=f"score_{item_id}") from None
        if not 0 <= value <= item.max_score:
            raise PatrolError(
                _("The score for “%(item)s” must be between 0 and %(max)s.")
                % {"item": item.text, "max": item.max_score},
                field=f"score_{item_id}",
            )
        note = _text(
            notes.get(item_id, notes.get(str(item_id), "")), limit=NOTE_MAX, field=f"note_{item_id}", required=False
        )
        cleaned[item.pk] = (value, note)
    for item_id, (value, note) in cleaned.items():
        ItemScore.objects.update_or_create(
            inspection=inspection,
            item_id=item_id,
            defaults={"score": value, "max_score": items[item_id].max_score, "note": note},
        )
    return inspection


@transaction.atomic
def submit_inspection(*, user, inspection: Inspection, now: dt.datetime | None = None) -> Inspection:
    """Freeze the inspection with its total. Every item must be scored."""
    inspection = _lock_open(user, inspection)
    scored = {s.item_id: s for s in inspection.scores.all()}
    missing = [item.text for item in inspection.checklist.items.all() if item.pk not in scored]
    if missing:
        raise PatrolError(
            _("Score every item before submitting. Not yet scored: %(items)s") % {"items": "、".join(missing)},
            field="scores",
        )
    inspection.total = sum(s.score for s in scored.values())
    inspection.max_total = sum(s.max_score for s in scored.values())
    inspection.submitted_at = now or timezone.now()
    inspection.save(update_fields=["total", "max_total", "submitted_at"])
    notify.inspection_submitted(inspection)
    return inspection


# --- score history -------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyScore:
    """The average of the submitted inspections of one month, for a compound or a company."""

    month: dt.date  # the first day of the month
    key: int  # the compound's or the company's id
    name: str
    inspections: int
    average_percent: Decimal  # mean of the inspections' percentages, 1 decimal


@dataclass(frozen=True)
class ScoreHistory:
    start: dt.date
    end: dt.date
    months: list[dt.date]
    by_compound: list[MonthlyScore]
    by_company: list[MonthlyScore]


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, m = [], _month(start)
    while m <= end:
        months.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return months


def _averages(groups) -> list[MonthlyScore]:
    rows = []
    for (month, key, name), percents in groups.items():
        mean = (sum(percents) / len(percents)).quantize(Decimal("0.1"))
        rows.append(MonthlyScore(month=month, key=key, name=name, inspections=len(percents), average_percent=mean))
    return sorted(rows, key=lambda r: (r.name, r.key, r.month))


def score_history(*, compounds, start: dt.date, end: dt.date) -> ScoreHistory:
    """Monthly averages of submitted inspections dated start..end (inclusive) in these
    compounds (a queryset or ids), per compound and per property company. Each inspection
    counts once with its percentage (total / maximum × 100), whatever its checklist's size."""
    if end < start:
        raise PatrolError(_("The end of the period is before its start."), field="end")
    inspections = Inspection.objects.filter(
        compound__in=compounds, date__gte=start, date__lte=end, submitted_at__isnull=False
    ).select_related("compound", "company")
    per_compound, per_company = defaultdict(list), defaultdict(list)
    for i in inspections:
        percent = Decimal(100) * i.total / i.max_total
        per_compound[(_month(i.date), i.compound_id, i.compound.name)].append(percent)
        if i.company_id:
            per_company[(_month(i.date), i.company_id, i.company.name)].append(percent)
    return ScoreHistory(
        start=start,
        end=end,
        months=_months(start, end),
        by_compound=_averages(per_compound),
        by_company=_averages(per_company),
    )
