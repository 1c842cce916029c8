"""Forms of the meeting pages. They read what a person typed into the shapes services.py takes;
the rules of a meeting (who may call it where, double bookings, the check-in window, frozen
minutes) stay in services.py and access.py, whose messages the pages show."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.people.models import Organisation
from linli.places.models import Building, Community, Compound, Stairwell

from . import access
from .models import Meeting
from .services import INVITE_ROLES

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def area_choices(user) -> list[tuple[str, str]]:
    """Where the user may call a meeting, as "community:<id>" or "compound:<id>"."""
    out = [(f"community:{c.pk}", _("%(name)s (the whole community)") % {"name": c.name})
           for c in access.wide_communities(user).order_by("name")]  # fmt: skip
    out += [(f"compound:{c.pk}", c.name) for c in access.organisable_compounds(user).order_by("name")]
    return out


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("What it is about"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    area = forms.ChoiceField(label=_("Meeting for"))
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.none(), required=False, empty_label=_("(the whole compound)")
    )
    stairwell = forms.ModelChoiceField(
        label=_("Stairwell"), queryset=Stairwell.objects.none(), required=False, empty_label=_("(the whole building)")
    )
    organiser = forms.ModelChoiceField(label=_("Called by"), queryset=None)
    mode = forms.ChoiceField(label=_("How"), choices=Meeting.Mode.choices, initial=Meeting.Mode.OFFLINE)
    venue = forms.ModelChoiceField(
        label=_("Venue"), queryset=None, required=False, empty_label=_("(no venue: say the place below)")
    )
    location = forms.CharField(
        label=_("Place"), max_length=120, required=False, help_text=_("Where, if not a venue: e.g. 1单元大堂.")
    )
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    starts = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends = forms.DateTimeField(label=_("Ends"), widget=DATETIME)

    def __init__(self, *args, user, **kw):
        super().__init__(*args, **kw)
        self.user = user
        self.fields["area"].choices = area_choices(user)
        raw = self.data.get("area") if self.is_bound else self.initial.get("area")
        keys = [k for k, _label in self.fields["area"].choices]
        self.area_key = raw if raw in keys else (keys[0] if keys else "")
        self.community, self.compound = self._place(self.area_key)
        if self.compound is not None:
            buildings = Building.objects.filter(compound=self.compound).order_by("name")
            self.fields["building"].queryset = buildings
            self.fields["stairwell"].queryset = (
                Stairwell.objects.filter(building__compound=self.compound)
                .select_related("building")
                .order_by("building__name", "name")
            )
            self.fields["stairwell"].label_from_instance = lambda s: f"{s.building.name} {s.name}"
        community = self.community
        self.fields["organiser"].queryset = (
            access.organisers_for(user, community) if community else Organisation.objects.none()
        )
        venues = access.venues_for(user)
        self.fields["venue"].queryset = (
            venues.filter(compound__community=community).order_by("compound__name", "name")
            if community
            else venues.none()
        )
        self.fields["venue"].label_from_instance = lambda v: f"{v.compound.name} {v.name}"

    def _place(self, key):
        kind, _sep, pk = (key or "").partition(":")
        if kind == "community" and pk.isdigit():
            community = Community.objects.filter(pk=int(pk)).first()
            return community, None
        if kind == "compound" and pk.isdigit():
            compound = Compound.objects.select_related("community").filter(pk=int(pk)).first()
            return (compound.community if compound else None), compound
        return None, None

    def plan_kwargs(self) -> dict:
        """The arguments of services.plan, from the cleaned form."""
        d = self.cleaned_data
        place = {"community": self.community} if self.compound is None else {"compound": self.compound}
        if self.compound is not None:
            place.update(building=d.get("building"), stairwell=d.get("stairwell"))
        return dict(
            kind=d["kind"], title=d["title"], description=d.get("description") or "", organiser=d["organiser"],
            mode=d["mode"], venue=d.get("venue"), location=d.get("location") or "",
            online_url=d.get("online_url") or "", starts=d["starts"], ends=d["ends"], **place,
        )  # fmt: skip


class TimesForm(forms.Form):
    starts = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends = forms.DateTimeField(label=_("Ends"), widget=DATETIME)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300)


class InviteForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Invite by role, in the meeting's place"), required=False, widget=forms.CheckboxSelectMultiple
    )
    people = forms.TypedMultipleChoiceField(
        label=_("People found"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, found=(), **kw):
        super().__init__(*args, **kw)
        self.fields["roles"].choices = [(k, v) for k, v in INVITE_ROLES.items()]
        self.fields["people"].choices = [(p.pk, p.name) for p in found]


class FindForm(forms.Form):
    q = forms.CharField(label=_("Find by name or mobile number"), max_length=50, required=False)


class AgendaForm(forms.Form):
    title = forms.CharField(label=_("Item"), max_length=200, required=False)
    text = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    topic = forms.ModelChoiceField(
        label=_("Or a topic residents raised"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("Topics of this community ready for an agenda come first."),
    )
    case = forms.CharField(
        label=_("Or a case, by its code"), max_length=12, required=False, help_text=_("The case's title is the item.")
    )

    def __init__(self, *args, user, meeting, **kw):
        from linli.topics.access import organised_topics
        from linli.topics.models import Status

        super().__init__(*args, **kw)
        open_ = [Status.READY, Status.OPEN]
        self.fields["topic"].queryset = (
            organised_topics(user)
            .filter(community_id=meeting.community_id, status__in=open_)
            .order_by("-status", "-pk")  # "ready" sorts after "open": ready first
        )
        self.fields["topic"].label_from_instance = lambda t: f"{t.title} ({t.get_status_display()})"


class MinutesForm(forms.Form):
    """The summary and, per agenda item, what was said, the positions and the decision."""

    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        required=False,
        help_text=_("The minutes are approved: say why they change. The approved text is kept."),
    )
    PARTS = (("summary", _("Discussion")), ("positions", _("Positions")), ("decision", _("Decision")))

    def __init__(self, *args, agenda, minutes=None, **kw):
        super().__init__(*args, **kw)
        self.agenda = list(agenda)
        said = {}
        if minutes is not None:
            self.fields["summary"].initial = minutes.summary
            said = {i.agenda_item_id: i for i in minutes.items.all()}
        for item in self.agenda:
            for part, label in self.PARTS:
                name = f"i{item.pk}_{part}"
                self.fields[name] = forms.CharField(
                    label=label, required=False, widget=forms.Textarea(attrs={"rows": 3 if part != "decision" else 2})
                )
                if item.pk in said:
                    self.fields[name].initial = getattr(said[item.pk], part)

    def item_fields(self):
        return [(item, [self[f"i{item.pk}_{part}"] for part, _label in self.PARTS]) for item in self.agenda]

    def items(self) -> dict:
        return {
            item.pk: {part: self.cleaned_data.get(f"i{item.pk}_{part}") or "" for part, _label in self.PARTS}
            for item in self.agenda
        }


class BookingForm(forms.Form):
    purpose = forms.CharField(label=_("What for"), max_length=120)
    starts = forms.DateTimeField(label=_("From"), widget=DATETIME)
    ends = forms.DateTimeField(label=_("Until"), widget=DATETIME)
