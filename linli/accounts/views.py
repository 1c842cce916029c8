"""Login, logout, the home page per role, and the elderly-friendly switch."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from linli.accounts.forms import LoginForm
from linli.accounts.scope import Role, scope_for, visible_places
from linli.people.models import HouseholdContact, LeaderAssignment, Membership, Occupancy, Organisation
from linli.people.views import revealable_ids
from linli.places.counts import with_counts
from linli.places.models import Building, Home, Stairwell


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


STAFF_ROLES = {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN, Role.SYSTEM_ADMIN}


def _homes_with_household(user, home_ids):
    residents = Occupancy.objects.active().select_related("person").order_by("relation", "person__name")
    homes = list(
        Home.objects.filter(pk__in=home_ids)
        .select_related("stairwell__building__compound")
        .prefetch_related(Prefetch("occupancies", queryset=residents, to_attr="residents"))
        .order_by("stairwell__building__compound__name", "stairwell__building__sort_key", "floor", "number")
    )
    people = [o.person for h in homes for o in h.residents]
    revealable = revealable_ids(user, people, "phone")
    return homes, revealable


@login_required
def home(request):
    user = request.user
    scope = scope_for(user)
    person = user.person
    ctx = {"roles": [Role(r) for r in Role.values if r in scope.roles]}

    if Role.RESIDENT in scope.roles:  # the scope has read his homes already
        own = {pk for g in scope.grants if g.role == Role.RESIDENT for pk in g.ids}
        ctx["own_homes"], ctx["own_revealable"] = _homes_with_household(user, list(own))

    if Role.BUILDING_LEADER in scope.roles:
        assignments = (
            LeaderAssignment.objects.active()
            .filter(person=person)
            .select_related("building__compound", "grid_cell")
            .prefetch_related("stairwells")
        )
        building_ids = {a.building_id for a in assignments if a.building_id}
        stairwell_ids = {s.pk for a in assignments for s in a.stairwells.all()}
        grid_stairwells = Stairwell.objects.filter(
            grid_cells__leader_assignments__in=[a for a in assignments if a.grid_cell_id]
        ).values_list("pk", flat=True)
        stairwell_ids |= set(grid_stairwells)
        whole = {a.building_id for a in assignments if a.building_id and not a.stairwells.all()}
        ctx["led_buildings"] = list(
            with_counts(Building.objects.filter(pk__in=whole), "building").select_related("compound")
        )
        ctx["led_stairwells"] = list(
            with_counts(Stairwell.objects.filter(pk__in=stairwell_ids), "stairwell").select_related(
                "building__compound"
            )
        )
        ctx["has_leader_section"] = bool(building_ids or stairwell_ids)

    if Role.HOUSEHOLD_CONTACT in scope.roles:
        contact = HouseholdContact.objects.active().filter(party_member__person=person).values_list("home", flat=True)
        ctx["contact_homes"], ctx["contact_revealable"] = _homes_with_household(user, list(contact))

    if person is not None:  # staff see their office in the top bar; the rest see their organisations here
        ctx["memberships"] = list(
            Membership.objects.active()
            .filter(person=person)
            .exclude(
                organisation__kind__in=[Organisation.Kind.RESIDENTS_COMMITTEE, Organisation.Kind.SUBDISTRICT_OFFICE]
            )
            .select_related("organisation__compound", "organisation__community")
            .order_by("organisation__kind", "organisation__name")
        )

    if Role.PROPERTY_CLERK in scope.roles:
        served = {pk for g in scope.grants if g.role == Role.PROPERTY_CLERK for pk in g.ids}
        ctx["is_clerk"] = True
        ctx["served_compounds"] = list(
            with_counts(visible_places(user, "compound").filter(pk__in=served), "compound").select_related("community")
        )

    if scope.roles & STAFF_ROLES:
        ctx["staff_communities"] = list(
            with_counts(visible_places(user, "community"), "community").select_related("subdistrict")
        )
        if len(ctx["staff_communities"]) <= 3:
            ctx["staff_compounds"] = list(
                with_counts(
                    visible_places(user, "compound").filter(community__in=[c.pk for c in ctx["staff_communities"]]),
                    "compound",
                ).select_related("community")
            )
    return render(request, "accounts/home.html", ctx)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_POST
def elderly(request):
    """Switch the elderly-friendly mode (适老化): a cookie for anyone, kept on the account too."""
    on = request.POST.get("on") == "1"
    response = HttpResponseRedirect(_safe_next(request, reverse("accounts:home")))
    if on:
        response.set_cookie("elderly", "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    else:
        response.delete_cookie("elderly", samesite="Lax")
    if request.user.is_authenticated and request.user.elderly_mode != on:
        request.user.elderly_mode = on
        request.user.save(update_fields=["elderly_mode"])
    return response
