"""Forms of the pages for people who handle cases. They read and check what was typed; the
rules (who may do what, in which state) stay in lifecycle, services and access."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.scope import scope_for, visible_organisations, visible_people, visible_places
from linli.lib.images import clean_photo
from linli.people.models import Membership, Organisation, PropertyServicePeriod
from linli.places.models import Building, Community, Compound, Stairwell

from . import access
from .models import Case, Category, Channel, Kind, Status
from .services import MAX_PHOTOS

K = Organisation.Kind
# Organisations a case can be handed to: those that answer for a compound or its community.
DISPATCH_KINDS = [
    K.PROPERTY_COMPANY,
    K.OWNERS_COMMITTEE,
    K.ASSOCIATION,
    K.SELF_GOVERNANCE,
    K.RESIDENTS_COMMITTEE,
    K.PARTY_COMMITTEE,
    K.PARTY_BRANCH,
    K.DEPARTMENT,
]
RECORD_CHANNELS = [Channel.PHONE_CALL, Channel.MEETING, Channel.VISIT, Channel.WALK_IN]
BULK_ACTIONS = ["accept", "start", "dispatch", "hold"]
MAX_BULK = 200


def dispatch_organisations(user, case=None):
    """Organisations the user may pick when dispatching: those within his reach of the kinds
    that handle cases; for one case, only those serving its compound (the property company
    serving it now, its committees and association, the community's committees, the
    subdistrict's departments)."""
    qs = visible_organisations(user).filter(kind__in=DISPATCH_KINDS)
    if case is not None:
        serving = (
            Q(compound_id=case.compound_id, building__isnull=True, stairwell__isnull=True)
            | Q(community_id=case.community_id, compound__isnull=True)
            | Q(
                kind=K.DEPARTMENT,
                subdistrict_id__in=Community.objects.filter(pk=case.community_id).values("subdistrict_id"),
            )
            | Q(pk__in=PropertyServicePeriod.objects.active().filter(compound_id=case.compound_id).values("company_id"))
        )
        qs = qs.filter(serving)
    return qs.order_by("kind", "name")


def handler_users(organisations):
    """Users who handle cases for these organisations (for the assignee picker)."""
    from linli.accounts.models import User

    people = Membership.objects.active().filter(organisation__in=organisations, role__in=access.HANDLER_ROLES)
    return User.objects.filter(is_active=True, person__in=people.values("person_id")).select_related("person")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


class MonthField(forms.CharField):
    """A month as YYYY-MM (what <input type="month"> sends); cleaned to the first day."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}", "placeholder": "2026-11"})

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise ValidationError(_("Enter a month as year-month, e.g. 2026-11."), code="bad_month") from None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS photos, each checked and cleaned (EXIF dropped) by lib.images."""

    def __init__(self, **kw):
        kw.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kw.setdefault("required", False)
        super().__init__(**kw)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)s photos."), code="too_many_photos", params={"n": MAX_PHOTOS})
        return [clean_photo(f) for f in files]


# --- the queue -------------------------------------------------------------------------------


def _own_cases(user):
    """The cases the user reported or recorded: a few, found by their own indexes."""
    scope = scope_for(user)
    q = Q(recorded_by_id=scope.user_id)
    if scope.person_id:
        q |= Q(reporter_id=scope.person_id)
    return Case.objects.filter(q)


def filter_compounds(user):
    """The compounds of the cases the user can see, without reading those cases: his area's
    compounds (which hold his stairwells', buildings' and community's cases), those of the
    cases he reported or recorded, and those of his organisations' cases (an index-only scan
    of (organisation, compound))."""
    q = Q(pk__in=visible_places(user, "compound").values("pk")) | Q(pk__in=_own_cases(user).values("compound_id"))
    if orgs := access.handler_org_ids(user):
        q |= Q(pk__in=Case.objects.filter(organisation_id__in=orgs).values("compound_id"))
    return Compound.objects.filter(q).order_by("name")


def filter_organisations(user):
    """The organisations the user's cases can be with: his own, those of the cases he
    reported or recorded, and for leaders and staff those that can be responsible in their
    area (its committees, departments and the property companies that serve or served it).
    Reading the organisations off the visible cases instead meant scanning every case of a
    community or a subdistrict (seconds at street size)."""
    q = Q(pk__in=access.handler_org_ids(user)) | Q(
        pk__in=_own_cases(user).exclude(organisation=None).values("organisation_id")
    )
    staff = access.staff_q(user)
    if staff == Q():
        return Organisation.objects.filter(kind__in=DISPATCH_KINDS).order_by("kind", "name")
    if staff is not None or access.leader_q(user) is not None:
        compounds = visible_places(user, "compound")
        q |= Q(kind__in=DISPATCH_KINDS) & (
            Q(pk__in=visible_organisations(user).values("pk"))
            | Q(kind=K.DEPARTMENT, subdistrict_id__in=compounds.values("community__subdistrict_id"))
            | Q(pk__in=PropertyServicePeriod.objects.filter(compound__in=compounds).values("company_id"))
        )
    return Organisation.objects.filter(q).order_by("kind", "name")


class CasesFilter(forms.Form):
    """What the queue's and the figures' filters share: a category, and a compound and an
    organisation among those the user's cases (and his area) hold."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False, empty_label=_("All categories")
    )
    compound = forms.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none(), required=False, empty_label=_("All compounds")
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All organisations"),
    )

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.fields["compound"].queryset = filter_compounds(user)
        self.fields["organisation"].queryset = filter_organisations(user)


class QueueFilter(CasesFilter):
    SHOW = [("mine", _("To act on")), ("all", _("Everything I can see"))]
    GROUPS = [
        ("open", _("Open (work to do)")),
        ("resolved", _("Resolved, waiting for the resident")),
        ("closed", _("Closed, rejected or merged")),
        ("all", _("All")),
    ]

    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)
    group = forms.ChoiceField(label=_("Cases"), choices=GROUPS, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any status")), *Status.choices], required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Code or title"), max_length=80, required=False)
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput())
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput())

    field_order = ["show", "group", "status", "category", "compound", "organisation"]

    def __init__(self, data=None, *, user, acting: bool):
        super().__init__(data, user=user)
        self.acting = acting
        if not acting:
            del self.fields["show"]

    def clean_q(self):
        return self.cleaned_data["q"].strip()


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("With the checked cases"), choices=())
    organisation = forms.ModelChoiceField(
        label=_("Dispatch to"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(the organisation already responsible)"),
    )
    note = forms.CharField(label=_("Note or reason"), max_length=500, required=False)

    def __init__(self, data=None, *, user, staff: bool):
        super().__init__(data)
        from .lifecycle import TRANSITIONS

        self.fields["action"].choices = [(a, TRANSITIONS[a].label) for a in BULK_ACTIONS]
        if staff:
            self.fields["organisation"].queryset = dispatch_organisations(user)
        else:
            del self.fields["organisation"]

    @staticmethod
    def picked(values) -> dict[str, int | None]:
        """The checked rows, each sent as CODE:VERSION (the version the user saw)."""
        picked: dict[str, int | None] = {}
        for value in values[:MAX_BULK]:
            code, _sep, version = str(value).partition(":")
            code = code.strip().upper()
            if code:
                picked[code] = int(version) if version.isdigit() else None
        return picked


# --- one case ------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """A transition: the version the page showed, and a note (required by some actions)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, user, action, **kw):
        self.case, self.user, self.action = case, user, action
        kw.setdefault("prefix", action)
        kw.setdefault("initial", {"version": case.version})
        super().__init__(*args, **kw)
        label = NOTE_LABELS.get(action)
        if label:
            self.fields["note"].label = label

    def perform_kwargs(self) -> dict:
        return {"note": self.cleaned_data["note"], "version": self.cleaned_data["version"]}


NOTE_LABELS = {
    "hold": _("Why is it on hold?"),
    "return": _("Why is it not yours?"),
    "reject": _("Explanation for the resident"),
    "reopen": _("Why reopen it?"),
    "resolve": _("Reply to the resident: what was done (optional if you already replied)"),
    "dispatch": _("Note (needed when it goes to another organisation)"),
    "merge": _("Note"),
}


class DispatchForm(ActionForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=_("(choose)")
    )
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=None, required=False, empty_label=_("(no one in particular)")
    )

    def __init__(self, *args, staff: bool = False, **kw):
        super().__init__(*args, **kw)
        if staff:
            orgs = Organisation.objects.filter(
                Q(pk__in=dispatch_organisations(self.user, self.case).values("pk")) | Q(pk=self.case.organisation_id)
            )
        else:
            # Only staff hand a case to another organisation; a handler dispatches within his own.
            orgs = Organisation.objects.filter(pk=self.case.organisation_id)
        self.fields["organisation"].queryset = orgs.order_by("kind", "name")
        self.fields["organisation"].initial = self.case.organisation_id
        self.fields["assignee"].queryset = handler_users(self.fields["organisation"].queryset)
        self.fields["assignee"].label_from_instance = lambda u: u.display_name()
        self.fields["assignee"].initial = self.case.assignee_id

    def assignee_groups(self):
        """Assignee choices grouped by organisation, for <optgroup> (one query)."""
        orgs = list(self.fields["organisation"].queryset)
        members = Membership.objects.active().filter(
            organisation__in=orgs, role__in=access.HANDLER_ROLES, person__user__is_active=True
        )
        by_org: dict[int, list] = {}
        for m in members.select_related("person__user").order_by("person__name"):
            by_org.setdefault(m.organisation_id, []).append(m.person.user)
        return [(o, by_org[o.pk]) for o in orgs if o.pk in by_org]

    def perform_kwargs(self) -> dict:
        return {
            **super().perform_kwargs(),
            "organisation": self.cleaned_data["organisation"],
            "assignee": self.cleaned_data["assignee"],
        }


class MergeForm(ActionForm):
    target = forms.CharField(label=_("Code of the original case"), max_length=12)

    def clean_target(self):
        code = self.cleaned_data["target"].strip().upper()
        try:
            return access.access_case(self.user, code)
        except Http404:
            raise ValidationError(
                _("No case %(code)s among the cases you can see."), code="unknown_case", params={"code": code}
            ) from None

    def perform_kwargs(self) -> dict:
        return {**super().perform_kwargs(), "target": self.cleaned_data["target"]}


ACTION_FORMS = {"dispatch": DispatchForm, "merge": MergeForm}


def action_form(action, *args, case, user, staff=False, **kw):
    cls = ACTION_FORMS.get(action, ActionForm)
    if cls is DispatchForm:
        kw["staff"] = staff
    return cls(*args, case=case, user=user, action=action, **kw)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the resident (public)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label=_("Photos"))


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note (not shown to the resident)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReassignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    organisation = forms.ModelChoiceField(
        label=_("Hand to"), queryset=Organisation.objects.none(), empty_label=_("(choose)")
    )
    note = forms.CharField(label=_("Why?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, user, **kw):
        kw.setdefault("prefix", "reassign")
        kw.setdefault("initial", {"version": case.version})
        super().__init__(*args, **kw)
        self.fields["organisation"].queryset = dispatch_organisations(user, case).exclude(pk=case.organisation_id)


# --- recording on someone's behalf -----------------------------------------------------------


class RecordForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How did the resident tell you?"),
        choices=[(c.value, c.label) for c in RECORD_CHANNELS],
        widget=forms.RadioSelect,
        initial=Channel.PHONE_CALL,
    )
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=Compound.objects.none(), empty_label=_("(choose)"))
    place = forms.ChoiceField(label=_("Building or stairwell"), required=False)
    location = forms.CharField(label=_("Exact spot"), max_length=120, required=False)
    who = forms.CharField(label=_("Find the resident by name or phone"), max_length=50, required=False)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reporter_name = forms.CharField(label=_("Or type the resident's name"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("and phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(active=True), empty_label=_("(choose)")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("as the category says")), *Kind.choices], required=False)
    title = forms.CharField(label=_("Title"), max_length=80)
    description = forms.CharField(label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    photos = PhotosField(label=_("Photos"))
    on_public_board = forms.BooleanField(
        label=_("Show on the public board (without names)"), required=False, initial=True
    )

    def __init__(self, *args, user, compounds, **kw):
        super().__init__(*args, **kw)
        self.user = user
        self.fields["compound"].queryset = compounds
        self.fields["compound"].widget.attrs.update(
            {"hx-get": reverse("cases:new_places"), "hx-target": "#place-field", "hx-trigger": "change"}
        )
        self.fields["category"].label_from_instance = lambda c: c.name
        compound = self._chosen_compound(compounds)
        self.compound_chosen = compound
        self.fields["place"].choices = place_choices(compound)

    def _chosen_compound(self, compounds):
        raw = (self.data.get("compound") if self.is_bound else None) or self.initial.get("compound")
        if raw in (None, "") and len(compounds) == 1:
            only = compounds[0]
            self.initial.setdefault("compound", only.pk)
            return only
        try:
            return compounds.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            return None

    def clean_person(self):
        pk = self.cleaned_data.get("person")
        if not pk:
            return None
        person = visible_people(self.user).filter(pk=pk).first()
        if person is None:
            raise ValidationError(_("Choose the resident again."), code="unknown_person")
        return person

    def clean(self):
        data = super().clean()
        compound, place = data.get("compound"), data.get("place") or ""
        data["building"] = data["stairwell"] = None
        if compound and place:
            level, _sep, pk = place.partition("-")
            model = {"b": Building, "s": Stairwell}.get(level)
            field = "compound" if level == "b" else "building__compound"
            obj = model.objects.filter(pk=pk, **{field: compound}).first() if model and pk.isdigit() else None
            if obj is None:
                self.add_error("place", _("That place is not in the compound."))
            else:
                data["building" if level == "b" else "stairwell"] = obj
        if not data.get("person") and not (data.get("reporter_name") or "").strip():
            self.add_error("reporter_name", _("Find the resident, or type his name."))
        return data


def place_choices(compound):
    """The compound's buildings and stairwells, grouped by building, as one select."""
    choices = [("", _("the whole compound"))]
    if compound is None:
        return choices
    stairwells = Stairwell.objects.filter(building__compound=compound).order_by("sort_key", "name")
    by_building: dict[int, list] = {}
    for s in stairwells:
        by_building.setdefault(s.building_id, []).append((f"s-{s.pk}", s.name))
    for b in Building.objects.filter(compound=compound).order_by("sort_key", "name"):
        group = [(f"b-{b.pk}", _("%(building)s (whole building)") % {"building": b.name})]
        group += [(value, f"{b.name} {name}") for value, name in by_building.get(b.pk, [])]
        choices.append((b.name, group))
    return choices


# --- revisits and figures ----------------------------------------------------------------------


class RevisitForm(forms.Form):
    outcome = forms.CharField(
        label=_("What the resident said"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    stars = forms.TypedChoiceField(
        label=_("His rating, if he gave one"),
        choices=[("", _("no rating")), *[(str(n), "★" * n) for n in range(5, 0, -1)]],
        coerce=int,
        empty_value=None,
        required=False,
    )


class FiguresFilter(CasesFilter):
    month = MonthField(label=_("Month"), required=False, help_text=_("Empty for all time."))

    field_order = ["month", "compound", "organisation", "category"]

    def __init__(self, data=None, *, user):
        if data is not None and "month" not in data:
            data = data.copy()
            data["month"] = timezone.localdate().strftime("%Y-%m")  # this month unless asked otherwise
        super().__init__(data, user=user)


def month_bounds(first_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first_day, dt.time()))
    nxt = (first_day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, timezone.make_aware(dt.datetime.combine(nxt, dt.time()))
