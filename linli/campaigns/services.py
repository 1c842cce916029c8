"""Writes and reads for campaigns: create one with its visit form, start it (assign every home
of its target), reassign and rebalance, record visits (idempotent by the phone's client id),
turn a need into a case, review the registry changes found on visits, and count progress.

Plain functions; each refusal is a CampaignError with a translated message, a status (403 not
for this user, 404 not found, 409 not in this state, 422 bad input) and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.people.models import HouseholdContact, LeaderAssignment, Occupancy, Person
from linli.places.models import Community, Compound, Home, Subdistrict

from . import access, notify
from .models import (
    OPEN_STATES,
    Assignment,
    Campaign,
    CampaignStatus,
    CampaignVisit,
    ChangeKind,
    ChangeStatus,
    HomeState,
    Level,
    Outcome,
    ProposedChange,
    Source,
    Target,
)

TITLE_MAX, DESCRIPTION_MAX, NOTE_MAX, TEXT_ANSWER_MAX, REASON_MAX = 80, 2000, 500, 500, 200
QUESTION_KINDS = ("yesno", "choice", "number", "text")
MAX_QUESTIONS, MAX_CHOICES, LABEL_MAX, CHOICE_MAX = 20, 12, 120, 40
BATCH = 2000  # rows per INSERT or UPDATE (Django lowers it to what SQLite can bind)


class CampaignError(Exception):
    def __init__(self, message: str, status_code: int = 422, field: str = ""):
        self.message, self.status_code, self.field = str(message), status_code, field
        super().__init__(self.message)


def revisit_days() -> int:
    return int(getattr(settings, "CAMPAIGNS_REVISIT_DAYS", 2))


# --- the visit form -----------------------------------------------------------------------


def clean_form(form) -> list[dict]:
    """A visit form: a list of questions {key, label, kind, choices, required}. Returns it
    normalised (keys q1, q2, … where missing) or raises CampaignError."""
    if not isinstance(form, list):
        raise CampaignError(_("The visit form must be a list of questions."), field="form")
    if len(form) > MAX_QUESTIONS:
        raise CampaignError(_("A visit form can have at most %(n)s questions.") % {"n": MAX_QUESTIONS}, field="form")
    cleaned, keys = [], set()
    for i, q in enumerate(form, start=1):
        if not isinstance(q, dict):
            raise CampaignError(_("Question %(n)s is not a question.") % {"n": i}, field="form")
        label = str(q.get("label") or "").strip()
        kind = q.get("kind")
        key = str(q.get("key") or f"q{i}").strip()
        if not label or len(label) > LABEL_MAX:
            raise CampaignError(
                _("Question %(n)s needs a label of at most %(max)s characters.") % {"n": i, "max": LABEL_MAX},
                field="form",
            )
        if kind not in QUESTION_KINDS:
            raise CampaignError(
                _("Question %(n)s: the kind must be yes/no, choice, number or text.") % {"n": i}, field="form"
            )
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,19}", key) or key in keys:
            raise CampaignError(
                _("Question %(n)s: its key must be short, unique and in a-z, 0-9.") % {"n": i}, field="form"
            )
        keys.add(key)
        item = {"key": key, "label": label, "kind": kind, "required": bool(q.get("required", kind != "text"))}
        if kind == "choice":
            choices = [str(c).strip() for c in (q.get("choices") or []) if str(c).strip()]
            if not 2 <= len(choices) <= MAX_CHOICES or len(set(choices)) != len(choices):
                raise CampaignError(
                    _("Question %(n)s: give between 2 and %(max)s different choices.") % {"n": i, "max": MAX_CHOICES},
                    field="form",
                )
            if any(len(c) > CHOICE_MAX for c in choices):
                raise CampaignError(
                    _("Question %(n)s: a choice can have at most %(max)s characters.") % {"n": i, "max": CHOICE_MAX},
                    field="form",
                )
            item["choices"] = choices
        cleaned.append(item)
    return cleaned


def parse_form_text(text: str) -> list[dict]:
    """The page's way to write a form, one question a line: `yesno: label`, `number: label`,
    `text: label` or `choice: label | first / second / third`."""
    form = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        kind, sep, rest = line.partition(":")
        if not sep:
            kind, sep, rest = line.partition("：")
        kind = kind.strip().lower().replace("/", "").replace("-", "")
        if not sep or kind not in QUESTION_KINDS:
            raise CampaignError(_("Line %(n)s: start with yesno:, choice:, number: or text:.") % {"n": n}, field="form")
        label, _bar, choices = rest.partition("|")
        question = {"label": label.strip(), "kind": kind}
        if kind == "choice":
            question["choices"] = [c for c in re.split(r"[/／]", choices)]
        form.append(question)
    return clean_form(form)


def clean_answers(form: list[dict], answers, *, outcome: str) -> dict:
    """Answers fitted to the form: only its questions, of their kind; the required ones when the
    home was reached, none at all otherwise."""
    if answers in (None, ""):
        answers = {}
    if not isinstance(answers, dict):
        raise CampaignError(_("The answers do not fit the visit form."), field="answers")
    questions = {q["key"]: q for q in form}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise CampaignError(_("The visit form has no question %(key)s.") % {"key": ", ".join(unknown)}, field="answers")
    given = {k: v for k, v in answers.items() if v not in (None, "")}
    if outcome != Outcome.REACHED:
        if given:
            raise CampaignError(_("Answers can be recorded only when the home was reached."), field="answers")
        return {}
    cleaned = {}
    for key, q in questions.items():
        if key not in given:
            if q["required"]:
                raise CampaignError(_("Answer the question: %(label)s") % {"label": q["label"]}, field=key)
            continue
        value = given[key]
        if q["kind"] == "yesno":
            if isinstance(value, str) and value.lower() in ("yes", "no", "true", "false"):
                value = value.lower() in ("yes", "true")
            if not isinstance(value, bool):
                raise CampaignError(_("Answer yes or no: %(label)s") % {"label": q["label"]}, field=key)
        elif q["kind"] == "choice":
            if value not in q["choices"]:
                raise CampaignError(_("Choose one of the given answers: %(label)s") % {"label": q["label"]}, field=key)
        elif q["kind"] == "number":
            if isinstance(value, bool):
                value = None
            elif isinstance(value, str):
                try:
                    value = float(value.strip()) if "." in value else int(value.strip())
                except ValueError:
                    value = None
            if not isinstance(value, int | float) or value < 0 or value > 100000:
                raise CampaignError(_("Give a number from 0 to 100000: %(label)s") % {"label": q["label"]}, field=key)
        else:
            value = str(value).strip()
            if len(value) > TEXT_ANSWER_MAX:
                raise CampaignError(
                    _("An answer can have at most %(n)s characters.") % {"n": TEXT_ANSWER_MAX}, field=key
                )
        cleaned[key] = value
    return cleaned


# --- campaigns ----------------------------------------------------------------------------


def _clean_text(value, *, limit, empty, field):
    value = (value or "").strip()
    if empty and not value:
        raise CampaignError(empty, field=field)
    if len(value) > limit:
        raise CampaignError(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return value


def create_campaign(
    *,
    user,
    place,
    title: str,
    form,
    starts_on: dt.date,
    ends_on: dt.date,
    target: str = Target.ALL,
    description: str = "",
) -> Campaign:
    """A draft campaign over a subdistrict, community or compound, by its staff."""
    title = _clean_text(title, limit=TITLE_MAX, empty=_("Give the campaign a title."), field="title")
    description = _clean_text(description, limit=DESCRIPTION_MAX, empty=None, field="description")
    form = clean_form(form)
    if target not in Target.values:
        raise CampaignError(_("Choose which homes the campaign visits."), field="target")
    if not starts_on or not ends_on or ends_on < starts_on:
        raise CampaignError(_("The campaign must end on or after the day it starts."), field="ends_on")
    if not isinstance(place, Subdistrict | Community | Compound):
        raise CampaignError(_("Choose a subdistrict, community or compound."), field="place")
    level = Level(type(place).__name__.lower())
    if not access.may_organise_place(user, level, place.pk):
        raise CampaignError(_("Only the staff of this place can run a campaign here."), 403)
    campaign = Campaign(
        title=title,
        description=description,
        level=level,
        target=target,
        form=form,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=user,
    )
    if isinstance(place, Compound):
        campaign.compound, campaign.community, campaign.subdistrict = (
            place,
            place.community,
            place.community.subdistrict,
        )
    elif isinstance(place, Community):
        campaign.community, campaign.subdistrict = place, place.subdistrict
    else:
        campaign.subdistrict = place
    with transaction.atomic():
        campaign.save()
    return campaign


def _require_organiser(user, campaign):
    if not access.may_organise(user, campaign):
        raise CampaignError(_("Only the organisers of this campaign can do this."), 403)


def target_homes(campaign: Campaign):
    """The homes the campaign visits: in its place, narrowed by its target filter."""
    path = "stairwell__building__compound"
    if campaign.level == Level.COMPOUND:
        homes = Home.objects.filter(**{f"{path}_id": campaign.compound_id})
    elif campaign.level == Level.COMMUNITY:
        homes = Home.objects.filter(**{f"{path}__community_id": campaign.community_id})
    else:
        homes = Home.objects.filter(**{f"{path}__community__subdistrict_id": campaign.subdistrict_id})
    if campaign.target == Target.ELDERLY_ALONE:
        born_by = timezone.localdate().year - 60
        homes = homes.filter(
            pk__in=Occupancy.objects.active()
            .filter(person__lives_alone=True, person__birth_year__lte=born_by)
            .values("home_id")
        )
    elif campaign.target == Target.NON_REGISTERED:
        homes = homes.filter(pk__in=Occupancy.objects.active().filter(person__hukou_registered=False).values("home_id"))
    return homes


def _visitors_by_rule(homes: list[tuple[int, int, int]], exclude: set[int] = frozenset()) -> dict[int, tuple]:
    """For (home, stairwell, building) triples: home -> (person id, source) by the rule:
    the home's household contact, else the stairwell's leader, else the building's leader.
    One query per level, whatever the number of homes."""
    home_ids = [h for h, _s, _b in homes]
    building_ids = {b for _h, _s, b in homes}
    contacts, stairwell_leaders, building_leaders = {}, {}, {}
    for i in range(0, len(home_ids), 20000):  # in chunks, for SQLite's bound-variable limit
        rows = (
            HouseholdContact.objects.active()
            .filter(home_id__in=home_ids[i : i + 20000])
            .exclude(party_member__person_id__in=exclude)
            .order_by("pk")
            .values_list("home_id", "party_member__person_id")
        )
        for home_id, person_id in rows:
            contacts.setdefault(home_id, person_id)
    leaders = (
        LeaderAssignment.objects.active()
        .exclude(kind=LeaderAssignment.Kind.GRID)
        .filter(building_id__in=building_ids)
        .exclude(person_id__in=exclude)
    )
    through = LeaderAssignment.stairwells.through
    for stairwell_id, person_id in (
        through.objects.filter(leaderassignment__in=leaders)
        .order_by("leaderassignment_id")
        .values_list("stairwell_id", "leaderassignment__person_id")
    ):
        stairwell_leaders.setdefault(stairwell_id, person_id)
    for building_id, person_id in (
        leaders.filter(stairwells__isnull=True).order_by("pk").values_list("building_id", "person_id")
    ):
        building_leaders.setdefault(building_id, person_id)
    chosen = {}
    for home_id, stairwell_id, building_id in homes:
        if home_id in contacts:
            chosen[home_id] = (contacts[home_id], Source.CONTACT)
        elif stairwell_id in stairwell_leaders:
            chosen[home_id] = (stairwell_leaders[stairwell_id], Source.STAIRWELL_LEADER)
        elif building_id in building_leaders:
            chosen[home_id] = (building_leaders[building_id], Source.BUILDING_LEADER)
        else:
            chosen[home_id] = (None, Source.NONE)
    return chosen


def assign(campaign: Campaign) -> int:
    """Assign every home of the target that has no assignment yet (so running it again after
    the registry grew adds only the new homes). Returns the number of homes added."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        done = set(Assignment.objects.filter(campaign=campaign).values_list("home_id", flat=True))
        homes = [
            row
            for row in target_homes(campaign).order_by().values_list("pk", "stairwell_id", "stairwell__building_id")
            if row[0] not in done
        ]
        chosen = _visitors_by_rule(homes)
        rows = [
            Assignment(campaign=campaign, home_id=home_id, visitor_id=person_id, source=source)
            for home_id, (person_id, source) in chosen.items()
        ]
        Assignment.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def start(*, user, campaign: Campaign) -> int:
    """Start a draft campaign: assign its homes, tell the visitors. Returns the homes assigned."""
    _require_organiser(user, campaign)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.DRAFT:
            raise CampaignError(_("Only a draft campaign can be started."), 409)
        locked.status = CampaignStatus.RUNNING
        locked.save(update_fields=["status"])
        added = assign(locked)
        visitors = set(
            Assignment.objects.filter(campaign=locked, visitor__isnull=False).values_list("visitor_id", flat=True)
        )
        transaction.on_commit(lambda: notify.assigned(locked, visitors))
    campaign.status = CampaignStatus.RUNNING
    return added


def end(*, user, campaign: Campaign) -> None:
    _require_organiser(user, campaign)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.RUNNING:
            raise CampaignError(_("Only a running campaign can be ended."), 409)
        locked.status = CampaignStatus.ENDED
        locked.save(update_fields=["status"])
    campaign.status = CampaignStatus.ENDED


def reassign(*, user, campaign: Campaign, home_ids, person: Person | None) -> int:
    """Give these homes of the campaign to a person (None: unassigned). Returns the count."""
    _require_organiser(user, campaign)
    home_ids = {int(h) for h in home_ids}
    if not home_ids:
        raise CampaignError(_("Choose at least one home."), field="home_ids")
    if person is not None and not access.may_visit_for(user, campaign, person):
        raise CampaignError(_("This person is not within the campaign's area."), field="person")
    with transaction.atomic():
        rows = list(Assignment.objects.select_for_update().filter(campaign=campaign, home_id__in=home_ids))
        if len(rows) != len(home_ids):
            raise CampaignError(_("Some of these homes are not part of the campaign."), field="home_ids")
        for row in rows:
            row.visitor = person
            row.source = Source.MANUAL if person else Source.NONE
            row.save(update_fields=["visitor", "source"])
        if person is not None:
            transaction.on_commit(lambda: notify.assigned(campaign, {person.pk}))
    return len(rows)


def rebalance(*, user, campaign: Campaign, leaving: Person, to: Person | None = None) -> int:
    """Someone stops visiting: his open homes go to `to`, or back through the rule without him
    (household contact, stairwell leader, building leader, else unassigned)."""
    _require_organiser(user, campaign)
    if to is not None and to.pk == leaving.pk:
        raise CampaignError(_("Choose someone else to take over the homes."), field="to")
    if to is not None and not access.may_visit_for(user, campaign, to):
        raise CampaignError(_("This person is not within the campaign's area."), field="to")
    with transaction.atomic():
        rows = list(
            Assignment.objects.select_for_update(of=("self",))
            .filter(campaign=campaign, visitor=leaving, state__in=OPEN_STATES)
            .select_related("home__stairwell")
        )
        if to is not None:
            chosen = {r.home_id: (to.pk, Source.MANUAL) for r in rows}
        else:
            chosen = _visitors_by_rule(
                [(r.home_id, r.home.stairwell_id, r.home.stairwell.building_id) for r in rows], exclude={leaving.pk}
            )
        for row in rows:
            row.visitor_id, row.source = chosen[row.home_id]
        Assignment.objects.bulk_update(rows, ["visitor", "source"], batch_size=BATCH)
        visitors = {v for v, _s in chosen.values() if v}
        transaction.on_commit(lambda: notify.assigned(campaign, visitors))
    return len(rows)


# --- visits -------------------------------------------------------------------------------


def _parse_client_id(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise CampaignError(_("The visit has no valid client id."), field="client_id") from None


def _clean_changes(changes, home: Home) -> list[dict]:
    if not changes:
        return []
    if not isinstance(changes, list) or len(changes) > 10:
        raise CampaignError(_("The registry changes are not in the expected form."), field="changes")
    residents = {o.person_id: o.person for o in Occupancy.objects.active().filter(home=home).select_related("person")}
    cleaned = []
    for change in changes:
        if not isinstance(change, dict) or change.get("kind") not in ChangeKind.values:
            raise CampaignError(_("The registry changes are not in the expected form."), field="changes")
        kind = change["kind"]
        item = {"kind": kind, "person": None, "name": "", "phone": "", "relation": ""}
        if kind in (ChangeKind.MOVED_OUT, ChangeKind.NEW_PHONE):
            try:
                item["person"] = residents[int(change.get("person_id"))]
            except (KeyError, TypeError, ValueError):
                raise CampaignError(_("Choose a resident of this home."), field="changes") from None
        if kind == ChangeKind.NEW_RESIDENT:
            item["name"] = _clean_text(
                change.get("name"), limit=50, empty=_("Give the new resident's name."), field="changes"
            )
            relation = change.get("relation") or Occupancy.Relation.TENANT
            if relation not in Occupancy.Relation.values:
                raise CampaignError(_("Choose owner, tenant or family member."), field="changes")
            item["relation"] = relation
        if kind == ChangeKind.NEW_PHONE or (kind == ChangeKind.NEW_RESIDENT and change.get("phone")):
            from linli.lib.normalize import normalize_phone

            try:
                item["phone"] = normalize_phone(change.get("phone") or "")
            except ValueError as exc:
                raise CampaignError(str(exc), field="changes") from None
        cleaned.append(item)
    return cleaned


def record_visit(
    *,
    user,
    campaign: Campaign,
    home_id,
    client_id,
    outcome: str,
    answers=None,
    note: str = "",
    visited_at: dt.datetime | None = None,
    changes=None,
    now: dt.datetime | None = None,
) -> tuple[CampaignVisit, bool]:
    """Record a visit. Returns (visit, created): a visit sent again with the same client id
    (a phone retrying after losing signal) is the visit already recorded, created False."""
    now = now or timezone.now()
    client_id = _parse_client_id(client_id)
    existing = _replay(user, client_id)
    if existing is not None:
        return existing, False
    if outcome not in Outcome.values:
        raise CampaignError(_("Choose the outcome of the visit."), field="outcome")
    visited_at = visited_at or now
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    if visited_at > now + dt.timedelta(minutes=10):
        raise CampaignError(_("The visit cannot be in the future."), field="visited_at")
    note = _clean_text(note, limit=NOTE_MAX, empty=None, field="note")
    answers = clean_answers(campaign.form, answers, outcome=outcome)
    with transaction.atomic():
        # The assignment row orders visits to one home: two visitors at the door at once are
        # both kept, and the home's state is the outcome of the later one, never a mix.
        try:
            assignment = (
                Assignment.objects.select_for_update(of=("self",))
                .select_related("home")
                .get(campaign=campaign, home_id=int(home_id))
            )
        except (Assignment.DoesNotExist, TypeError, ValueError):
            raise CampaignError(_("This home is not part of the campaign."), 404, field="home_id") from None
        existing = _replay(user, client_id)  # the same visit, sent twice at once, waited for the lock
        if existing is not None:
            return existing, False
        campaign = Campaign.objects.get(pk=campaign.pk)
        if campaign.status != CampaignStatus.RUNNING:
            raise CampaignError(_("This campaign is not running: visits cannot be recorded."), 409)
        if not access.may_visit(user, assignment):
            raise CampaignError(_("This home is not on your list for this campaign."), 403, field="home_id")
        cleaned_changes = _clean_changes(changes, assignment.home)
        visit = CampaignVisit(
            client_id=client_id,
            campaign=campaign,
            assignment=assignment,
            home_id=assignment.home_id,
            visitor=getattr(user, "person", None),
            recorded_by=user,
            outcome=outcome,
            answers=answers,
            note=note,
            visited_at=visited_at,
            received_at=now,
        )
        try:
            with transaction.atomic():
                visit.save()
        except IntegrityError:  # the unique client id: the same visit slipped past the check
            existing = _replay(user, client_id)
            if existing is None:
                raise
            return existing, False
        for item in cleaned_changes:
            ProposedChange.objects.create(campaign=campaign, visit=visit, home_id=assignment.home_id, **item)
        assignment.visits += 1
        if assignment.last_visited_at is None or visited_at >= assignment.last_visited_at:
            assignment.state = outcome
            assignment.last_visited_at = visited_at
            assignment.revisit_on = (
                timezone.localtime(visited_at).date() + dt.timedelta(days=revisit_days())
                if outcome == Outcome.NOT_HOME
                else None
            )
        assignment.save(update_fields=["visits", "state", "last_visited_at", "revisit_on"])
    return visit, True


def _replay(user, client_id) -> CampaignVisit | None:
    visit = CampaignVisit.objects.filter(client_id=client_id).first()
    if visit is None:
        return None
    if visit.recorded_by_id != user.pk:
        raise CampaignError(_("This client id belongs to another visit."), 409, field="client_id")
    return visit


def case_from_visit(*, user, visit: CampaignVisit, category, title: str, description: str):
    """A need found on a visit becomes a case (channel: door-to-door visit), once."""
    from linli.cases import services as cases
    from linli.cases.models import Channel

    if visit.recorded_by_id != user.pk and not access.may_organise(user, visit.campaign):
        raise CampaignError(_("Only the visitor or the organisers can do this."), 403)
    with transaction.atomic():
        visit = (
            CampaignVisit.objects.select_for_update(of=("self",))
            .select_related("home__stairwell__building")
            .get(pk=visit.pk)
        )
        if visit.case_id:
            raise CampaignError(_("This visit already has a case."), 409)
        home = visit.home
        try:
            case, _secret = cases.submit(
                compound=home.stairwell.building.compound,
                category=category,
                title=title,
                description=description,
                building=home.stairwell.building,
                stairwell=home.stairwell,
                home=home,
                channel=Channel.VISIT,
                recorded_by=user,
                on_public_board=False,
            )
        except ValidationError as exc:
            raise CampaignError(" ".join(exc.messages)) from None
        visit.case = case
        visit.save(update_fields=["case"])
    return case


# --- proposed registry changes -------------------------------------------------------------


def _lock_change(user, change: ProposedChange) -> ProposedChange:
    change = ProposedChange.objects.select_for_update(of=("self",)).select_related("person", "home").get(pk=change.pk)
    if not access.may_review(user, change):
        raise CampaignError(_("Only the community's workers can review registry changes."), 403)
    if change.status != ChangeStatus.PENDING:
        raise CampaignError(_("This change was already reviewed."), 409)
    return change


def accept_change(*, user, change: ProposedChange, now=None) -> ProposedChange:
    """Apply the change to the registry (logged by the audit log), in one transaction."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        change = _lock_change(user, change)
        if change.kind == ChangeKind.MOVED_OUT:
            occupancies = list(Occupancy.objects.filter(person=change.person, home=change.home, end__isnull=True))
            if not occupancies:
                raise CampaignError(_("This resident no longer lives in this home."), 409)
            for occ in occupancies:
                # Moved out before the visit found it: yesterday is the last day lived there.
                last_day = today - dt.timedelta(days=1)
                occ.end = max(last_day, occ.start) if occ.start else last_day
                occ.save(update_fields=["end"])
        elif change.kind == ChangeKind.NEW_PHONE:
            change.person.phone = change.phone
            change.person.save()
        else:
            person = Person.objects.create(name=change.name, phone=change.phone)
            Occupancy.objects.create(person=person, home=change.home, relation=change.relation, start=today)
            change.person = person
        change.status, change.decided_by, change.decided_at = ChangeStatus.ACCEPTED, user, now
        change.save()
    return change


def reject_change(*, user, change: ProposedChange, reason: str, now=None) -> ProposedChange:
    reason = _clean_text(reason, limit=REASON_MAX, empty=_("Say why the change is rejected."), field="reason")
    with transaction.atomic():
        change = _lock_change(user, change)
        change.status, change.decided_by, change.decided_at = ChangeStatus.REJECTED, user, now or timezone.now()
        change.reason = reason
        change.save()
    return change


# --- reading: lists and progress -------------------------------------------------------------


def _counts(prefix: str = "") -> dict:
    return {
        "total": Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in HomeState.values},
    }


def _with_share(row: dict) -> dict:
    row["share"] = round(100 * row["reached"] / row["total"]) if row["total"] else 0
    row["open"] = row["pending"] + row["not_home"]
    return row


def progress(campaign: Campaign, *, stairwells: bool = True) -> dict:
    """Reached share for the campaign, per building, per stairwell and per visitor: each one
    aggregate query, whatever the number of homes. The page shows no stairwells (the building's
    grid does): it passes stairwells=False and skips that query (bench/embedded.py)."""
    rows = Assignment.objects.filter(campaign=campaign).order_by()
    b = "home__stairwell__building"
    buildings = (
        rows.values(f"{b}_id", f"{b}__name", f"{b}__compound__name", f"{b}__sort_key")
        .annotate(**_counts())
        .order_by(f"{b}__compound__name", f"{b}__sort_key", f"{b}__name")
    )
    by_stairwell = (
        rows.values("home__stairwell_id", "home__stairwell__name", f"{b}__name", f"{b}__compound__name")
        .annotate(**_counts())
        .order_by(f"{b}__compound__name", f"{b}__sort_key", f"{b}__name", "home__stairwell__sort_key")
    )
    visitors = rows.values("visitor_id", "visitor__name").annotate(**_counts()).order_by("visitor__name")

    def rename(row, **names):
        return _with_share({names.get(k, k): v for k, v in row.items()})

    return {
        "total": _with_share(rows.aggregate(**_counts())),
        "buildings": [
            rename(
                r,
                **{
                    f"{b}_id": "id",
                    f"{b}__name": "name",
                    f"{b}__compound__name": "compound",
                    f"{b}__sort_key": "_sort",
                },
            )
            for r in buildings
        ],
        "stairwells": [
            rename(
                r,
                home__stairwell_id="id",
                home__stairwell__name="name",
                **{f"{b}__name": "building", f"{b}__compound__name": "compound"},
            )
            for r in (by_stairwell if stairwells else ())
        ],
        "visitors": [rename(r, visitor_id="id", visitor__name="name") for r in visitors],
        "pending_changes": ProposedChange.objects.filter(campaign=campaign, status=ChangeStatus.PENDING).count(),
    }


def stairwell_progress(campaign: Campaign, building_id: int) -> list[dict]:
    """Reached share per stairwell of one building (one aggregate query)."""
    rows = (
        Assignment.objects.filter(campaign=campaign, home__stairwell__building_id=building_id)
        .order_by()
        .values("home__stairwell_id", "home__stairwell__name", "home__stairwell__sort_key")
        .annotate(**_counts())
        .order_by("home__stairwell__sort_key", "home__stairwell__name")
    )
    return [
        _with_share({"id": r["home__stairwell_id"], "name": r["home__stairwell__name"], **{k: r[k] for k in _counts()}})
        for r in rows
    ]


def ordered_assignments(qs, *, open_first: bool = True):
    """Nearest first: by compound, building, stairwell; in each stairwell the open homes first
    (unless open_first is False), then by floor and number."""
    order = [
        "home__stairwell__building__compound__name",
        "home__stairwell__building__sort_key",
        "home__stairwell__building__name",
        "home__stairwell__sort_key",
        "home__stairwell__name",
    ]
    if open_first:
        order.append(Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()))
    return qs.select_related("home__stairwell__building__compound", "visitor").order_by(
        *order, "home__floor", "home__number"
    )


def not_reached(campaign: Campaign):
    return ordered_assignments(Assignment.objects.filter(campaign=campaign, state__in=OPEN_STATES))


def my_list(user, campaign: Campaign | None = None) -> list[dict]:
    """The visitor's homes in running campaigns, grouped by stairwell: stairwells with homes
    still to visit first, nearest first; in each, the homes still to visit first."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    qs = Assignment.objects.filter(visitor_id=person_id, campaign__status=CampaignStatus.RUNNING)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    groups: dict[tuple, dict] = {}
    for a in ordered_assignments(qs.select_related("campaign")):
        key = (a.campaign_id, a.home.stairwell_id)
        group = groups.setdefault(
            key, {"campaign": a.campaign, "stairwell": a.home.stairwell, "assignments": [], "open": 0}
        )
        group["assignments"].append(a)
        group["open"] += a.is_open
    return sorted(groups.values(), key=lambda g: (g["campaign"].pk, g["open"] == 0))


def grid(campaign: Campaign, building_id: int) -> list[dict]:
    """A building's homes of the campaign: per stairwell, floors from the top down."""
    rows = (
        Assignment.objects.filter(campaign=campaign, home__stairwell__building_id=building_id)
        .select_related("home__stairwell", "visitor")
        .order_by("home__stairwell__sort_key", "home__stairwell__name", "-home__floor", "home__number")
    )
    stairwells: dict[int, dict] = {}
    for a in rows:
        s = stairwells.setdefault(a.home.stairwell_id, {"stairwell": a.home.stairwell, "floors": {}})
        s["floors"].setdefault(a.home.floor, []).append(a)
    return [{"stairwell": s["stairwell"], "floors": list(s["floors"].items())} for s in stairwells.values()]
