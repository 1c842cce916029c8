"""The place browser: community > compound > building > stairwell > home.

Every object comes through accounts.scope (outside the user's scope is a 404), and every
list is counted with annotations so a page costs the same number of queries for 3 rows or 300.
"""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.accounts.scope import (
    access_home,
    access_place,
    scope_for,
    visible_assignments,
    visible_homes,
    visible_organisations,
    visible_people,
    visible_places,
)
from linli.lib import exports
from linli.people.models import LeaderAssignment, Occupancy, Visit
from linli.people.views import revealable_ids
from linli.places.counts import with_counts


def _linkable(user, assignments) -> set[int]:
    """The leaders whose person page the user may open: a link only where it leads somewhere."""
    ids = {a.person_id for a in assignments}
    return set(visible_people(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()


@login_required
def community_list(request):
    communities = with_counts(visible_places(request.user, "community"), "community").select_related("subdistrict")
    return render(request, "places/community_list.html", {"communities": communities})


@login_required
def community_detail(request, pk):
    user = request.user
    community = access_place(user, "community", pk)
    compounds = with_counts(visible_places(user, "compound").filter(community=community), "compound")
    return render(request, "places/community_detail.html", {"community": community, "compounds": compounds})


@login_required
def compound_detail(request, pk):
    user = request.user
    compound = access_place(user, "compound", pk)
    buildings = with_counts(visible_places(user, "building").filter(compound=compound), "building")
    organisations = visible_organisations(user).filter(compound=compound).order_by("kind", "name")
    leaders = (
        visible_assignments(user)
        .filter(pk__in=LeaderAssignment.objects.active().filter(building__compound=compound).values("pk"))
        .select_related("person", "building")
        .prefetch_related("stairwells")
        .order_by("building__sort_key", "person__name")
    )
    leaders = list(leaders)
    return render(
        request,
        "places/compound_detail.html",
        {
            "compound": compound,
            "buildings": buildings,
            "venues": compound.venues.all(),
            "organisations": organisations,
            "leaders": leaders,
            "linkable": _linkable(user, leaders),
        },
    )


@login_required
def building_detail(request, pk):
    user = request.user
    building = access_place(user, "building", pk)
    stairwells = with_counts(visible_places(user, "stairwell").filter(building=building), "stairwell")
    leaders = (
        visible_assignments(user)
        .filter(pk__in=LeaderAssignment.objects.active().filter(building=building).values("pk"))
        .select_related("person")
        .prefetch_related("stairwells")
        .order_by("person__name")
    )
    leaders = list(leaders)
    return render(
        request,
        "places/building_detail.html",
        {"building": building, "stairwells": stairwells, "leaders": leaders, "linkable": _linkable(user, leaders)},
    )


def _homes_with_residents(user, homes):
    residents = Occupancy.objects.active().select_related("person").order_by("relation", "person__name")
    homes = list(homes.prefetch_related(Prefetch("occupancies", queryset=residents, to_attr="residents")))
    people = [o.person for h in homes for o in h.residents]
    return homes, revealable_ids(user, people, "phone")


@login_required
def stairwell_detail(request, pk):
    user = request.user
    # Its building and compound come along: the page names both.
    stairwell = get_object_or_404(visible_places(user, "stairwell").select_related("building__compound"), pk=pk)
    homes, revealable = _homes_with_residents(
        user, visible_homes(user).filter(stairwell=stairwell).order_by("-floor", "number")
    )
    floors = [(floor, list(rows)) for floor, rows in groupby(homes, key=lambda h: h.floor)]
    # Those who lead the whole building, and those who lead this stairwell: a union of two
    # index lookups (as one OR over a join, it read every assignment of the district).
    whole_building = LeaderAssignment.objects.active().filter(building=stairwell.building_id, stairwells=None)
    this_stairwell = LeaderAssignment.objects.active().filter(stairwells=stairwell)
    leaders = (
        visible_assignments(user)
        .filter(pk__in=whole_building.order_by().values("pk").union(this_stairwell.order_by().values("pk")))
        .select_related("person")
        .order_by("person__name")
    )
    return render(
        request,
        "places/stairwell_detail.html",
        {
            "stairwell": stairwell,
            "floors": floors,
            "home_total": len(homes),
            "revealable": revealable,
            "leader_names": "、".join(dict.fromkeys(a.person.name for a in leaders)),
            "sees_people": any(g.people for g in scope_for(user).grants),
        },
    )


@login_required
def home_detail(request, pk):
    user = request.user
    home = access_home(user, pk)
    homes, revealable = _homes_with_residents(
        user, visible_homes(user).filter(pk=home.pk).select_related("stairwell__building__compound")
    )
    visits = Visit.objects.filter(home=home).select_related("visitor").order_by("-visited_at")[:20]
    return render(
        request,
        "places/home_detail.html",
        {"home": homes[0], "revealable": revealable, "visits": visits},
    )


# --- the registry of a place's homes and residents, as Excel ------------------------------

PLACE_OF_HOME = {
    "compound": "stairwell__building__compound",
    "building": "stairwell__building",
    "stairwell": "stairwell",
}


def registry_homes(user, level: str, place):
    """The homes of a place the user may see, each with its current residents (prefetched):
    the rows the stairwell page shows, for a whole building or compound."""
    residents = Occupancy.objects.active().select_related("person").order_by("relation", "person__name")
    return (
        visible_homes(user)
        .filter(**{PLACE_OF_HOME[level]: place})
        .select_related("stairwell__building__compound")
        .prefetch_related(Prefetch("occupancies", queryset=residents, to_attr="residents"))
        .order_by(
            "stairwell__building__sort_key",
            "stairwell__building__name",
            "stairwell__sort_key",
            "stairwell__name",
            "-floor",
            "number",
        )
    )


def _home_lines(home):
    return [(home, occ) for occ in home.residents] or [(home, None)]


@login_required
def registry_export(request, level, pk):
    """Every home of the place with its residents, phones masked as on the stairwell page (an
    export never reveals: a phone is shown one at a time, logged, on the person's page)."""
    place = access_place(request.user, level, pk)
    relations = dict(Occupancy.Relation.choices)

    def resident(get):
        return lambda line: get(line[1]) if line[1] is not None else ""

    columns = [
        (_("Building"), lambda line: line[0].stairwell.building.name),
        (_("Stairwell"), lambda line: line[0].stairwell.name),
        (_("Floor"), lambda line: line[0].floor),
        (_("Home"), lambda line: line[0].number),
        (_("Area (m²)"), lambda line: line[0].area),
        (_("Vacant"), lambda line: _("yes") if line[0].is_vacant else ""),
        (_("Resident"), resident(lambda occ: occ.person.name)),
        (_("Relation"), resident(lambda occ: str(relations.get(occ.relation, occ.relation)))),
        (_("Needs care"), resident(lambda occ: _("yes") if occ.person.is_vulnerable else "")),
        (_("Phone"), resident(lambda occ: occ.person.phone_masked)),
    ]
    return exports.export_list(
        request,
        key=f"{level}_homes",
        title=f"{place} · {_('Homes and residents')}",
        queryset=registry_homes(request.user, level, place),
        columns=columns,
        lines=_home_lines,
        back=reverse(f"places:{level}", args=[place.pk]),
        filters={level: str(place.pk)},
    )
