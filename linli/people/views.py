"""Resident pages, the logged reveal of private values, the reveal log, organisations."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linli.accounts.scope import (
    Role,
    access_organisation,
    access_person,
    can_reveal,
    can_see_members,
    can_see_party,
    scope_for,
    visible_homes,
    visible_organisations,
    visible_people,
)
from linli.lib import exports
from linli.lib.api_support import client_ip
from linli.people import services
from linli.people.forms import OrganisationFilter, RevealForm
from linli.people.models import LeaderAssignment, Membership, Occupancy, Organisation, Person, RevealLog, Visit

PARTY_KINDS = {
    Organisation.Kind.PARTY_COMMITTEE,
    Organisation.Kind.PARTY_BRANCH,
    Organisation.Kind.PARTY_GROUP,
    Organisation.Kind.PARTY_BASE,
}
FIELDS = {"phone": RevealLog.Field.PHONE, "id_number": RevealLog.Field.ID_NUMBER}


def revealable_ids(user, people, field: str) -> set[int]:
    """The ids among `people` whose `field` the user may reveal: one query for a whole list."""
    ids = {p.pk for p in people}
    if not ids:
        return set()
    scope = scope_for(user)
    if scope.user_id is None:
        return set()
    allowed = set(Person.objects.filter(Q(pk__in=ids) & scope.people_q(reveal=field)).values_list("pk", flat=True))
    if scope.person_id in ids:
        allowed.add(scope.person_id)
    return allowed


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _client_ip(request) -> str | None:
    return client_ip(request)


@login_required
def person_detail(request, pk):
    user = request.user
    person = access_person(user, pk)
    own = person.pk == user.person_id
    homes = visible_homes(user)
    occupancies = (
        Occupancy.objects.active()
        .filter(person=person)
        .select_related("home__stairwell__building__compound")
        .order_by("home__stairwell__building__compound__name", "home__number")
    )
    if not own:
        occupancies = occupancies.filter(home__in=homes)
    occupancies = list(occupancies)
    party = can_see_party(user, person)
    memberships = (
        Membership.objects.active()
        .filter(person=person)
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name")
    )
    if not party:
        memberships = memberships.exclude(organisation__kind__in=PARTY_KINDS)
    assignments = (
        LeaderAssignment.objects.active()
        .filter(person=person)
        .select_related("building__compound", "grid_cell")
        .prefetch_related("stairwells")
    )
    visits = (
        Visit.objects.filter(home__in=[o.home_id for o in occupancies])
        .select_related("home__stairwell__building__compound", "visitor")
        .order_by("-visited_at")[:10]
    )
    ctx = {
        "person": person,
        "own": own,
        "occupancies": occupancies,
        "party_member": getattr(person, "party_member", None) if party else None,
        "can_see_party": party,
        "memberships": list(memberships),
        "assignments": list(assignments),
        "visits": list(visits),
        "can_reveal_phone": bool(person.phone) and can_reveal(user, person, "phone"),
        "can_reveal_id": bool(person.id_number) and can_reveal(user, person, "id_number"),
    }
    return render(request, "people/person_detail.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def reveal(request, pk, field):
    """GET: the small form asking why. POST: reveal (logged) and show the plain value.

    With HTMX the answer is a partial swapped in place of the masked value; without
    JavaScript the same partial is shown inside a full page."""
    user = request.user
    person = access_person(user, pk)
    if field not in FIELDS:
        raise Http404
    label = FIELDS[field].label
    ctx = {
        "person": person,
        "field": field,
        "field_label": label,
        # What people/_reveal.html asks and where it posts (the case pages give their own).
        "question": _("Why do you need the %(what)s of %(name)s?") % {"what": label, "name": person.name},
        "reveal_url": reverse("people:reveal", args=[person.pk, field]),
        "back_url": reverse("people:person", args=[person.pk]),
        "autofocus": True,
    }
    status = 200
    if request.method == "GET" and "cancel" in request.GET and _is_htmx(request):
        # The user changed his mind: put the masked value and its Show button back.
        masked = person.phone_masked if field == "phone" else person.id_number_masked
        ctx.update(masked=masked, can=can_reveal(user, person, field))
        return render(request, "people/_masked.html", ctx)
    if request.method == "GET":
        if not can_reveal(user, person, field):
            ctx["denied"] = _("Your role does not allow you to see this.")
            status = 403
        else:
            ctx["form"] = RevealForm(auto_id=f"id_{person.pk}_{field}_%s")
    else:
        form = RevealForm(request.POST, auto_id=f"id_{person.pk}_{field}_%s")
        ctx["form"] = form
        if form.is_valid():
            try:
                ctx["value"] = services.reveal(
                    user=user, person=person, field=field, reason=form.reason_text(), ip=_client_ip(request)
                )
            except PermissionDenied as exc:
                ctx["denied"] = str(exc) or _("Your role does not allow you to see this.")
                status = 403
            except ValueError as exc:
                form.add_error(None, str(exc))
                status = 422
        else:
            status = 422
    template = "people/_reveal.html" if _is_htmx(request) else "people/reveal_page.html"
    response = render(request, template, ctx, status=status)
    response["Cache-Control"] = "no-store"
    return response


def reveal_entries(user):
    """The reveal log entries the user may read (the page and its export): (entries, sees_others)."""
    scope = scope_for(user)
    entries = RevealLog.objects.select_related("user__person", "person").order_by("-at")
    sees_others = bool(scope.roles & {Role.COMMUNITY_WORKER, Role.PARTY_SECRETARY, Role.SUBDISTRICT_ADMIN}) or (
        user.is_superuser
    )
    if sees_others:
        return entries.filter(Q(user=user) | Q(person__in=visible_people(user))), True
    return entries.filter(user=user), False


@login_required
def reveal_log(request):
    entries, sees_others = reveal_entries(request.user)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "people/reveal_log.html", {"page": page, "sees_others": sees_others})


def _active_members():
    counted = (
        Membership.objects.active()
        .filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("person", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def listed_organisations(user, form):
    """The organisations list for the filter form (bound): the page and its export."""
    organisations = (
        visible_organisations(user)
        .select_related("subdistrict", "community", "compound", "building__compound", "stairwell__building__compound")
        .annotate(member_count=_active_members())
        .order_by("kind", "name")
    )
    if form.is_valid() and form.cleaned_data["kind"]:
        organisations = organisations.filter(kind=form.cleaned_data["kind"])
    return organisations


@login_required
def organisation_list(request):
    form = OrganisationFilter(request.GET or None)
    organisations = listed_organisations(request.user, form)
    query = urlencode({"kind": form.cleaned_data["kind"]}) if form.is_valid() and form.cleaned_data["kind"] else ""
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(request, "people/organisation_list.html", {"page": page, "form": form, "query": query})


@login_required
def organisation_list_export(request):
    kinds = dict(Organisation.Kind.choices)
    columns = [
        (_("Name"), lambda o: o.name),
        (_("Kind"), lambda o: str(kinds.get(o.kind, o.kind))),
        (_("Place"), lambda o: str(o.place)),
        (_("Members"), lambda o: o.member_count),
    ]
    return exports.export_list(
        request,
        key="organisations",
        title=_("Organisations"),
        queryset=listed_organisations(request.user, OrganisationFilter(request.GET or None)),
        columns=columns,
        back=reverse("people:organisations"),
    )


@login_required
def organisation_detail(request, pk):
    user = request.user
    organisation = access_organisation(user, pk)
    members, revealable = [], set()
    show_members = can_see_members(user, organisation)
    if show_members:
        members = list(
            Membership.objects.active()
            .filter(organisation=organisation)
            .select_related("person")
            .order_by("role", "person__name")
        )
        revealable = revealable_ids(user, [m.person for m in members], "phone")
    visible = set(visible_people(user).filter(pk__in=[m.person_id for m in members]).values_list("pk", flat=True))
    return render(
        request,
        "people/organisation_detail.html",
        {
            "organisation": organisation,
            "members": members,
            "show_members": show_members,
            "revealable": revealable,
            "linkable": visible,
        },
    )


@login_required
def organisation_members_export(request, pk):
    """The members as the organisation's page lists them, phones masked; a party
    organisation's members only for those the page shows them to."""
    organisation = access_organisation(request.user, pk)
    if not can_see_members(request.user, organisation):
        raise PermissionDenied
    roles = dict(Membership.Role.choices)
    columns = [
        (_("Name"), lambda m: m.person.name),
        (_("Role"), lambda m: str(roles.get(m.role, m.role))),
        (_("From"), lambda m: m.start),
        (_("Until"), lambda m: m.end),
        (_("Phone"), lambda m: m.person.phone_masked),
    ]
    members = (
        Membership.objects.active()
        .filter(organisation=organisation)
        .select_related("person")
        .order_by("role", "person__name")
    )
    return exports.export_list(
        request,
        key="organisation_members",
        title=f"{organisation.name} · {_('Members')}",
        queryset=members,
        columns=columns,
        back=reverse("people:organisation", args=[organisation.pk]),
        filters={"organisation": str(organisation.pk)},
    )


@login_required
def reveal_log_export(request):
    fields = dict(RevealLog.Field.choices)
    columns = [
        (_("When"), lambda e: e.at),
        (_("Who"), lambda e: e.user.display_name()),
        (_("Whose"), lambda e: e.person.name),
        (_("Field"), lambda e: str(fields.get(e.field, e.field))),
        (_("Reason"), lambda e: e.reason),
    ]
    return exports.export_list(
        request,
        key="reveal_log",
        title=_("Reveal log"),
        queryset=reveal_entries(request.user)[0],
        columns=columns,
        back=reverse("people:reveal_log"),
    )
