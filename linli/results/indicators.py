"""The 创熟 indicators: each figure computed from what the other apps record, never typed in.

An indicator belongs to a *family*: the indicators of one family count the same rows (cases
received in the period, organisations founded by its end, ...), so `compute` asks the
database once per family, grouped by the place column of the level asked for. A community
page with thirty compounds is then one query per family, not thirty times as many.

- `value(level, place_ids, period)`: the figure over all those places together (distinct
  people are counted once even when they serve in two compounds).
- `rows(level, place_ids, period)`: the rows behind the figure (the drill-down).
- `compute(level, place_ids, period)`: {place_id: {key: figure}} for each place.

Kinds: a *stock* is counted as of the period's last day (organisations, leaders, homes); a
*flow* counts what happened within the period (cases received, hours served).

`compute` reads the summaries of closed periods where there are some (summaries.py) and counts
live only what has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.campaigns.models import Assignment, CampaignStatus, CampaignVisit, HomeState, Outcome
from linli.cases.models import Case, Mediation, Status
from linli.elevators.models import ElevatorProject, Milestone
from linli.people.models import LeaderAssignment, Membership, Occupancy, Organisation, Person, Visit
from linli.places.models import Community, Compound, Home
from linli.volunteers.models import HoursEntry
from linli.votes.models import Vote

from . import summaries
from .db import reading_alias
from .period import Period

LEVELS = ("subdistrict", "community", "compound")
CHILD = {"subdistrict": "community", "community": "compound"}
STOCK, FLOW = "stock", "flow"
KINDS = {STOCK: _("as of the period's last day"), FLOW: _("within the period")}
UNITS = {
    "count": _("number"),
    "people": _("people"),
    "percent": _("%"),
    "hours": _("hours"),
    "rating": _("stars (1–5)"),
}
OK = Organisation.Kind


def via(path: str) -> dict:
    """The place columns of rows that lead to a compound through `path`."""
    return {
        "compound": f"{path}_id",
        "community": f"{path}__community_id",
        "subdistrict": f"{path}__community__subdistrict_id",
    }


@dataclass(frozen=True)
class Family:
    """Rows counted together: the rows of a period, the column of each level's place, the
    columns of the drill-down."""

    key: str
    base: Callable[[Period, dt.datetime], QuerySet]
    places: dict  # level -> a column name or an expression giving the place's id
    columns: tuple = ()  # (label, function of a drill-down row -> text)

    def filtered(self, level: str, place_ids, period: Period, now: dt.datetime) -> QuerySet:
        column = self.places[level]
        expression = F(column) if isinstance(column, str) else column
        return self.base(period, now).annotate(place_key=expression).filter(place_key__in=list(place_ids))


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    family: Family
    unit: str  # a key of UNITS
    kind: str  # STOCK or FLOW
    public: bool  # may be shown on the public pages (aggregates only, never names)
    measure: Callable[[Period], dict]  # the period's aggregate expressions, named without the key
    finish: Callable[[dict], object] = field(default=lambda row: row["n"])
    where: Q | Callable[[Period], Q] = field(default_factory=Q)  # the family's rows behind the figure
    drill: Callable[[QuerySet], QuerySet] = field(default=lambda qs: qs)
    columns: tuple = ()  # when the drill-down lists other rows than the family's
    help: object = ""

    @property
    def levels(self):
        return tuple(level for level in LEVELS if level in self.family.places)

    @property
    def unit_label(self):
        return UNITS[self.unit]

    @property
    def kind_label(self):
        return KINDS[self.kind]

    @property
    def row_columns(self):
        return self.columns or self.family.columns

    def aggregates(self, period: Period) -> dict:
        return {f"{self.key}__{name}": expression for name, expression in self.measure(period).items()}

    def condition(self, period: Period) -> Q:
        return self.where(period) if callable(self.where) else self.where

    def result(self, row: dict):
        prefix = f"{self.key}__"
        return self.finish({name[len(prefix) :]: v for name, v in row.items() if name.startswith(prefix)})

    def value(self, level: str, place_ids, period: Period, now: dt.datetime | None = None):
        if level not in self.family.places:
            return None
        qs = self.family.filtered(level, place_ids, period, now or timezone.now()).using(reading_alias())
        return self.result(qs.aggregate(**self.aggregates(period)))

    def rows(self, level: str, place_ids, period: Period, now: dt.datetime | None = None) -> QuerySet:
        if level not in self.family.places:
            return self.family.base(period, now or timezone.now()).none()
        return self.drill(
            self.family.filtered(level, place_ids, period, now or timezone.now()).filter(self.condition(period))
        )


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _count(where: Q | None = None):
    return lambda period: {"n": Count("pk", filter=where)}


def _distinct(column, where: Q | None = None):
    return lambda period: {"n": Count(column, filter=where, distinct=True)}


def _as_of(qs: QuerySet, day: dt.date) -> QuerySet:
    return qs.filter(Q(start__isnull=True) | Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


def _people(column: str):
    def drill(qs):
        return Person.objects.filter(pk__in=qs.order_by().values(column)).order_by("name", "pk")

    return drill


def _place_of(obj) -> str:
    return str(getattr(obj, "place", "") or "")


# --- the families ----------------------------------------------------------------------

PERSON_COLUMNS = ((_("name"), lambda p: p.name), (_("phone"), lambda p: p.phone_masked))

COMMUNITIES = Family(
    "communities",
    base=lambda period, now: Community.objects.all(),
    places={"subdistrict": "subdistrict_id"},
    columns=((_("community"), lambda c: c.name),),
)

ORGANISATIONS = Family(
    "organisations",
    base=lambda period, now: (
        Organisation.objects.filter(Q(founded__isnull=True) | Q(founded__lte=period.end))
        .select_related("community", "compound")
        .order_by("kind", "name")
    ),
    places={"compound": "compound_id", "community": "community_id", "subdistrict": "subdistrict_id"},
    columns=(
        (_("organisation"), lambda o: o.name),
        (_("kind"), lambda o: o.get_kind_display()),
        (_("place"), lambda o: str(o.compound or o.community or "")),
    ),
)

# The organisations whose members the seeds count ("7,000+ people" in them).
MEMBER_KINDS = [OK.ASSOCIATION, OK.SELF_GOVERNANCE, OK.LEADER_TEAM, OK.CLUB]
MEMBERS = Family(
    "members",
    base=lambda period, now: _as_of(Membership.objects.filter(organisation__kind__in=MEMBER_KINDS), period.end),
    places={
        "compound": "organisation__compound_id",
        "community": "organisation__community_id",
        "subdistrict": "organisation__subdistrict_id",
    },
    columns=PERSON_COLUMNS,
)

LEADER_KINDS = [LeaderAssignment.Kind.BUILDING, LeaderAssignment.Kind.LANE, LeaderAssignment.Kind.STREET]
LEADERS = Family(
    "leaders",
    base=lambda period, now: _as_of(LeaderAssignment.objects.filter(kind__in=LEADER_KINDS), period.end),
    places=via("building__compound"),
    columns=PERSON_COLUMNS,
)


def _cases(period, now):
    return (
        Case.objects.exclude(status=Status.MERGED)
        .filter(submitted_at__gte=period.start_at, submitted_at__lt=period.end_before)
        .select_related("category", "compound")
        .order_by("-submitted_at", "-pk")
    )


CASE_COLUMNS = (
    (_("code"), lambda c: c.code),
    (_("title"), lambda c: c.title),
    (_("category"), lambda c: c.category.name),
    (_("status"), lambda c: c.get_status_display()),
    (_("submitted on"), lambda c: f"{timezone.localtime(c.submitted_at):%Y-%m-%d}"),
    (_("compound"), lambda c: c.compound.name),
)
CASES = Family("cases", base=_cases, places=via("compound"), columns=CASE_COLUMNS)


def _overdue(period, now):
    """Overdue now while the period runs; once it is over, overdue at its end as the
    timestamps tell (due before the end, neither resolved nor closed by then; a case rejected
    or merged away never owed the work), so a month's figure stays what it was
    (docs/decisions/0026-results-summaries.md)."""
    end = period.end_before
    if end > now:
        return Case.objects.overdue(now)
    return Case.objects.exclude(status__in=[Status.MERGED, Status.REJECTED]).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=end),
        Q(closed_at__isnull=True) | Q(closed_at__gte=end),
        submitted_at__lt=end,
        resolve_due__lt=end,
    )


OVERDUE = Family(
    "overdue",
    base=lambda period, now: _overdue(period, now).select_related("category", "compound").order_by("resolve_due"),
    places=via("compound"),
    columns=CASE_COLUMNS,
)

MEDIATIONS = Family(
    "mediations",
    base=lambda period, now: (
        Mediation.objects.filter(
            outcome=Mediation.Outcome.AGREED, concluded_at__gte=period.start_at, concluded_at__lt=period.end_before
        )
        .select_related("case", "case__compound")
        .order_by("-concluded_at")
    ),
    places=via("case__compound"),
    columns=(
        (_("code"), lambda m: m.case.code),
        (_("title"), lambda m: m.case.title),
        (_("concluded"), lambda m: f"{timezone.localtime(m.concluded_at):%Y-%m-%d}"),
        (_("compound"), lambda m: m.case.compound.name),
    ),
)

VOTES = Family(
    "votes",
    base=lambda period, now: (
        Vote.objects.filter(
            status__in=[Vote.Status.CLOSED, Vote.Status.PUBLISHED],
            closed_at__gte=period.start_at,
            closed_at__lt=period.end_before,
        )
        .select_related("compound")
        .order_by("-closed_at")
    ),
    places=via("compound"),
    columns=(
        (_("code"), lambda v: v.code),
        (_("title"), lambda v: v.title),
        (_("status"), lambda v: v.get_status_display()),
        (_("compound"), lambda v: v.compound.name),
    ),
)

ELEVATORS = Family(
    "elevators",
    base=lambda period, now: (
        ElevatorProject.objects.filter(
            pk__in=Milestone.objects.filter(
                kind=Milestone.Kind.IN_SERVICE, actual__gte=period.start, actual__lte=period.end
            ).values("project_id")
        )
        .select_related("stairwell__building__compound")
        .order_by("-pk")
    ),
    places=via("stairwell__building__compound"),
    columns=((_("project"), lambda p: p.title), (_("stairwell"), lambda p: str(p.stairwell))),
)

HOURS = Family(
    "hours",
    base=lambda period, now: (
        HoursEntry.objects.filter(on__gte=period.start, on__lte=period.end, activity__isnull=False)
        .select_related("person", "activity")
        .order_by("-on", "-pk")
    ),
    # An activity's own compound, else its team's place.
    places={
        "compound": Coalesce("activity__compound_id", "activity__organisation__compound_id"),
        "community": Coalesce("activity__compound__community_id", "activity__organisation__community_id"),
        "subdistrict": F("activity__organisation__subdistrict_id"),
    },
    columns=(
        (_("day"), lambda h: f"{h.on:%Y-%m-%d}"),
        (_("name"), lambda h: h.person.name),
        (_("activity"), lambda h: h.activity.title),
        (_("hours"), lambda h: f"{Decimal(h.minutes) / 60:.1f}"),
    ),
)


def _reach(period, now):
    """The campaigns' homes, each marked `reached`: its state now while the period runs; once
    it is over, whether a visit before its end reached it (a state has no history)."""
    end = period.end_before
    if end > now:
        reached = ExpressionWrapper(Q(state=HomeState.REACHED), output_field=BooleanField())
    else:
        reached = Exists(
            CampaignVisit.objects.filter(assignment_id=OuterRef("pk"), outcome=Outcome.REACHED, visited_at__lt=end)
        )
    return (
        Assignment.objects.filter(
            campaign__status__in=[CampaignStatus.RUNNING, CampaignStatus.ENDED],
            campaign__starts_on__lte=period.end,
            campaign__ends_on__gte=period.start,
        )
        .annotate(reached=reached)
        .select_related("campaign", "home__stairwell__building")
        .order_by("campaign_id", "home_id")
    )


REACH = Family(
    "reach",
    base=_reach,
    places=via("home__stairwell__building__compound"),
    columns=(
        (_("campaign"), lambda a: a.campaign.title),
        (_("home"), lambda a: str(a.home)),
        (_("state"), lambda a: a.get_state_display()),
    ),
)

HOME_COLUMNS = ((_("home"), lambda h: str(h)),)


def _homes(period, now):
    return Home.objects.select_related("stairwell__building__compound").order_by("stairwell_id", "floor", "number")


HOMES = Family("homes", base=_homes, places=via("stairwell__building__compound"), columns=HOME_COLUMNS)


def _visited(period):
    """Homes with a registry or a campaign visit in the period. EXISTS, not `pk IN (subquery)`:
    PostgreSQL cannot hash an IN list under OR once it outgrows work_mem, and then rescans the
    visits for every home (minutes at street scale); EXISTS probes the (home, visited_at) indexes."""
    return Exists(
        Visit.objects.filter(home_id=OuterRef("pk"), visited_at__gte=period.start_at, visited_at__lt=period.end_before)
    ) | Exists(
        CampaignVisit.objects.filter(
            home_id=OuterRef("pk"), visited_at__gte=period.start_at, visited_at__lt=period.end_before
        )
    )


def _occupied(period):
    return Exists(_as_of(Occupancy.objects.filter(home_id=OuterRef("pk")), period.end))


# --- the indicators --------------------------------------------------------------------


def _org(key, label, kind, help=""):
    return Indicator(
        key, label, ORGANISATIONS, "count", STOCK, True, _count(Q(kind=kind)), where=Q(kind=kind), help=help
    )


def _category(key, label, codes, help=""):
    where = Q(category__code__in=codes)
    return Indicator(key, label, CASES, "count", FLOW, True, _count(where), where=where, help=help)


_REPLIED = Q(first_reply_at__isnull=False, first_reply_at__lte=F("reply_due"))
_RESOLVED_ON_TIME = Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due"))
_SATISFIED = Q(rating__gte=4)
_PARTY = Q(person__party_member__isnull=False)

SECTIONS = {
    "organisation": _("Organisations and leaders"),
    "cases": _("Requests and disputes"),
    "action": _("Votes, elevators, volunteers and campaigns"),
    "registry": _("Registry"),
}

INDICATORS: list[Indicator] = [
    Indicator(
        "communities",
        _("Communities"),
        COMMUNITIES,
        "count",
        STOCK,
        True,
        _count(),
        help=_("Communities of the subdistrict (counted at the subdistrict only)."),
    ),
    _org("party_branches", _("Compound party branches"), OK.PARTY_BRANCH),
    _org("associations", _("Neighbourhood associations (街坊会)"), OK.ASSOCIATION),
    _org("self_governance_groups", _("Self-governance groups"), OK.SELF_GOVERNANCE),
    _org("leader_teams", _("Building leader teams"), OK.LEADER_TEAM),
    _org("clubs", _("Clubs"), OK.CLUB),
    Indicator(
        "organisation_members",
        _("People in them"),
        MEMBERS,
        "people",
        STOCK,
        True,
        _distinct("person_id"),
        drill=_people("person_id"),
        help=_(
            "Distinct people with an active membership of an association, self-governance group, leader "
            "team or club; someone in two counts once."
        ),
    ),
    Indicator(
        "building_leaders",
        _("Building, lane and street leaders"),
        LEADERS,
        "people",
        STOCK,
        True,
        _distinct("person_id"),
        drill=_people("person_id"),
        help=_("Distinct people with an active building, lane or street leader assignment."),
    ),
    Indicator(
        "party_member_leaders",
        _("Leaders who are party members"),
        LEADERS,
        "people",
        STOCK,
        False,
        _distinct("person_id", _PARTY),
        where=_PARTY,
        drill=_people("person_id"),
        help=_("Of the leaders, those recorded as party members. Not public: party membership is private."),
    ),
    Indicator(
        "compounds_with_leaders",
        _("Compounds covered by leaders"),
        LEADERS,
        "count",
        STOCK,
        True,
        _distinct("building__compound_id"),
        drill=lambda qs: Compound.objects.filter(pk__in=qs.order_by().values("building__compound_id")),
        columns=((_("compound"), lambda c: c.name),),
        help=_("Compounds with at least one building, lane or street leader."),
    ),
    Indicator(
        "cases_received",
        _("Cases received"),
        CASES,
        "count",
        FLOW,
        True,
        _count(),
        help=_("Requests and disputes submitted in the period (duplicates merged away not counted)."),
    ),
    Indicator(
        "cases_replied_on_time",
        _("First reply on time"),
        CASES,
        "count",
        FLOW,
        True,
        _count(_REPLIED),
        where=_REPLIED,
        help=_("Of the cases received, those first answered by the reply deadline."),
    ),
    Indicator(
        "cases_resolved_on_time",
        _("Resolved on time"),
        CASES,
        "count",
        FLOW,
        True,
        _count(_RESOLVED_ON_TIME),
        where=_RESOLVED_ON_TIME,
        help=_("Of the cases received, those resolved by the resolution deadline."),
    ),
    Indicator(
        "cases_resolution_rate",
        _("Resolution rate"),
        CASES,
        "percent",
        FLOW,
        True,
        lambda period: {
            "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
            "handled": Count("pk", filter=~Q(status=Status.REJECTED)),
        },
        finish=lambda r: percent(r["resolved"], r["handled"]),
        where=Q(resolved_at__isnull=False),
        help=_("Resolved ÷ received, rejected cases left out, as on the cases' figures page."),
    ),
    Indicator(
        "cases_rating",
        _("Satisfaction (mean rating)"),
        CASES,
        "rating",
        FLOW,
        True,
        lambda period: {"n": Avg("rating")},
        finish=lambda r: round(r["n"], 2) if r["n"] is not None else None,
        where=Q(rating__isnull=False),
        help=_("The residents' mean rating, 1 to 5 stars, of the rated cases received in the period."),
    ),
    Indicator(
        "cases_satisfied",
        _("Satisfied"),
        CASES,
        "percent",
        FLOW,
        True,
        lambda period: {"yes": Count("pk", filter=_SATISFIED), "rated": Count("rating")},
        finish=lambda r: percent(r["yes"], r["rated"]),
        where=_SATISFIED,
        help=_("Share of the rated cases with 4 or 5 stars."),
    ),
    Indicator(
        "cases_overdue",
        _("Overdue"),
        OVERDUE,
        "count",
        STOCK,
        True,
        _count(),
        help=_(
            "Cases past their resolution deadline and still worked on at the period's end (right now while the "
            "period runs)."
        ),
    ),
    _category(
        "cases_disputes",
        _("Neighbour disputes"),
        ["neighbour-dispute", "noise"],
        help=_("Cases received in the categories neighbour dispute and noise."),
    ),
    Indicator(
        "disputes_mediated",
        _("Disputes mediated to an agreement"),
        MEDIATIONS,
        "count",
        FLOW,
        True,
        _count(),
        help=_("Mediations concluded with an agreement in the period."),
    ),
    _category("cases_hygiene", _("Hygiene problems"), ["hygiene", "environment"]),
    _category("cases_public_order", _("Public-order cases"), ["public-order", "thrown-from-height"]),
    _category("cases_repairs", _("Facility repairs"), ["maintenance", "elevator"]),
    _category("cases_safety", _("Safety problems"), ["safety", "e-bikes"]),
    _category("cases_parking", _("Parking problems"), ["parking"]),
    Indicator(
        "votes_held",
        _("Owners' votes held"),
        VOTES,
        "count",
        FLOW,
        True,
        _count(),
        help=_("Votes whose voting closed and was counted in the period."),
    ),
    Indicator(
        "votes_passed",
        _("Owners' votes passed"),
        VOTES,
        "count",
        FLOW,
        True,
        _count(Q(result__matters__0__passed=True)),
        where=Q(result__matters__0__passed=True),
        help=_("Of the votes held, those whose first matter passed."),
    ),
    Indicator(
        "elevators_added",
        _("Elevators added"),
        ELEVATORS,
        "count",
        FLOW,
        True,
        _count(),
        help=_("Elevator projects whose in-service milestone was reached in the period."),
    ),
    Indicator(
        "volunteer_hours",
        _("Volunteer hours"),
        HOURS,
        "hours",
        FLOW,
        True,
        lambda period: {"n": Sum("minutes")},
        finish=lambda r: round(Decimal(r["n"] or 0) / 60, 1),
        help=_("The hours ledger's entries for days in the period, at the activity's compound (or its team's place)."),
    ),
    Indicator(
        "campaign_reach",
        _("Campaign reach"),
        REACH,
        "percent",
        STOCK,
        True,
        lambda period: {"reached": Count("pk", filter=Q(reached=True)), "assigned": Count("pk")},
        finish=lambda r: percent(r["reached"], r["assigned"]),
        help=_(
            "Homes reached ÷ homes assigned, over the campaigns running during the period: reached by its end "
            "(their state now while it runs)."
        ),
    ),
    Indicator("homes", _("Homes"), HOMES, "count", STOCK, False, _count(), help=_("Homes in the registry.")),
    Indicator(
        "homes_visited",
        _("Homes visited"),
        HOMES,
        "count",
        FLOW,
        False,
        lambda period: {"n": Count("pk", filter=_visited(period))},
        where=_visited,
        help=_("Homes with a door-to-door visit (registry or campaign) in the period."),
    ),
    Indicator(
        "residents_recorded",
        _("Homes with residents recorded"),
        HOMES,
        "percent",
        STOCK,
        False,
        lambda period: {"yes": Count("pk", filter=_occupied(period)), "all": Count("pk")},
        finish=lambda r: percent(r["yes"], r["all"]),
        where=_occupied,
        help=_("Homes with at least one resident living there on the period's last day ÷ all homes."),
    ),
]
SECTION_OF = {
    **dict.fromkeys(
        ["communities", "party_branches", "associations", "self_governance_groups", "leader_teams", "clubs",
         "organisation_members", "building_leaders", "party_member_leaders", "compounds_with_leaders"],
        "organisation",
    ),
    **dict.fromkeys(["votes_held", "votes_passed", "elevators_added", "volunteer_hours", "campaign_reach"], "action"),
    **dict.fromkeys(["homes", "homes_visited", "residents_recorded"], "registry"),
}  # fmt: skip
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


def section(indicator: Indicator) -> str:
    return SECTION_OF.get(indicator.key, "cases")


def get(key: str) -> Indicator | None:
    return BY_KEY.get(key)


def compute(
    level: str, place_ids, period: Period, *, keys=None, public_only: bool = False, now=None, stored: bool = True
) -> dict:
    """{place_id: {key: figure}} for each of `place_ids` (places of `level`): one query per
    family, grouped by the place column, whatever the number of places.

    A closed month, quarter or year of a subdistrict or community is read from its summary rows
    (one query; `summaries.py`) and only what has no row is counted live. `stored=False` counts
    everything live (the summariser does). Public pages count live: what they withhold is
    decided on the same rows as the figures."""
    now = now or timezone.now()
    place_ids = list(place_ids)
    chosen = [i for i in INDICATORS if (keys is None or i.key in keys) and (i.public or not public_only)]
    out = {pk: {i.key: None for i in chosen} for pk in place_ids}
    countable = [i for i in chosen if level in i.family.places]
    if not place_ids or not countable:
        return out
    todo = dict.fromkeys(place_ids, countable)
    if stored and not public_only and summaries.applies(level, period, timezone.localdate(now)):
        found = summaries.stored(level, place_ids, [period.code], [i.key for i in countable])
        for pk in place_ids:
            values = found.get((pk, period.code), {})
            out[pk].update(values)
            todo[pk] = [i for i in countable if i.key not in values]
    missing = [pk for pk in place_ids if todo[pk]]
    if missing:
        keys_missing = {i.key for pk in missing for i in todo[pk]}
        live = _live(level, missing, [i for i in countable if i.key in keys_missing], period, now)
        for pk in missing:
            for indicator in todo[pk]:
                out[pk][indicator.key] = live[pk][indicator.key]
    return out


def _live(level: str, place_ids: list, chosen: list[Indicator], period: Period, now) -> dict:
    """compute's figures counted from the records: one grouped query per family."""
    out: dict = {pk: {} for pk in place_ids}
    families: dict[str, list[Indicator]] = {}
    for indicator in chosen:
        families.setdefault(indicator.family.key, []).append(indicator)
    for members in families.values():
        family, aggregates = members[0].family, {}
        for indicator in members:
            aggregates.update(indicator.aggregates(period))
        rows = (
            family.filtered(level, place_ids, period, now)
            .using(reading_alias())
            .order_by()
            .values("place_key")
            .annotate(**aggregates)
        )
        seen = set()
        for row in rows:
            seen.add(row["place_key"])
            for indicator in members:
                out[row["place_key"]][indicator.key] = indicator.result(row)
        if missing := set(place_ids) - seen:  # no rows there: zero counts, no rates
            empty = family.base(period, now).none().aggregate(**aggregates)  # no query is sent
            for pk in missing:
                for indicator in members:
                    out[pk][indicator.key] = indicator.result(empty)
    return out
