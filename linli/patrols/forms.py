"""Forms of the pages: they shape the input; the rules are checked in services.py."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.people.models import Organisation
from linli.places.models import Building, Home, Stairwell

from .models import PatrolKind, Severity


class StartForm(forms.Form):
    compound = forms.ModelChoiceField(queryset=None, label=_("compound"), empty_label=None)
    kind = forms.ChoiceField(choices=PatrolKind.choices, label=_("kind of patrol"), widget=forms.RadioSelect)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("patrolling team"),
        empty_label=_("No team (on my own)"),
    )
    note = forms.CharField(required=False, max_length=300, label=_("patrol note"))

    def __init__(self, *args, compounds, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds
        self.fields["organisation"].queryset = teams


class FindingForm(forms.Form):
    text = forms.CharField(
        label=_("what was found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
    photo = forms.FileField(
        label=_("finding photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
    )
    building = forms.ModelChoiceField(
        queryset=Building.objects.none(), required=False, label=_("building"), empty_label=_("Not in a building")
    )
    stairwell = forms.ModelChoiceField(
        queryset=Stairwell.objects.none(), required=False, label=_("stairwell"), empty_label=_("Not in a stairwell")
    )
    home = forms.ModelChoiceField(
        queryset=Home.objects.none(), required=False, label=_("home"), empty_label=_("Not at a home")
    )
    where = forms.CharField(
        required=False,
        max_length=120,
        label=_("where exactly"),
        help_text=_("Or in your own words, e.g. 地下车库入口."),
    )
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM, label=_("severity"))

    def __init__(self, *args, compound, **kwargs):
        """The places offered are those of the patrol's compound only."""
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(compound=compound).select_related("compound")
        self.fields["stairwell"].queryset = Stairwell.objects.filter(building__compound=compound).select_related(
            "building__compound"
        )
        self.fields["home"].queryset = Home.objects.filter(stairwell__building__compound=compound).select_related(
            "stairwell__building__compound"
        )


class ParticipantForm(forms.Form):
    person = forms.ModelChoiceField(queryset=None, label=_("Add a participant"), empty_label=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates


class InspectionForm(forms.Form):
    compound = forms.ModelChoiceField(queryset=None, label=_("compound"), empty_label=None)
    building = forms.ModelChoiceField(
        queryset=Building.objects.none(), required=False, label=_("building"), empty_label=_("A common area")
    )
    area = forms.CharField(
        required=False,
        max_length=120,
        label=_("area inspected"),
        help_text=_("A common area (e.g. 中心花园), or a part of the building chosen above."),
    )
    date = forms.DateField(
        label=_("inspection date"), initial=timezone.localdate, widget=forms.DateInput({"type": "date"})
    )
    notes = forms.CharField(
        required=False, max_length=2000, label=_("inspection notes"), widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds
        self.fields["building"].queryset = Building.objects.filter(compound__in=compounds).select_related("compound")

    def clean(self):
        data = super().clean()
        building = data.get("building")
        if building is not None and data.get("compound") and building.compound_id != data["compound"].pk:
            self.add_error("building", _("That building is not in that compound."))
        return data


class HistoryForm(forms.Form):
    compound = forms.ModelChoiceField(
        queryset=None, required=False, label=_("compound"), empty_label=_("All compounds within reach")
    )
    start = forms.DateField(label=_("from month"), widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label=_("to day"), widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period is before its start."))
        if start and end and end - start > dt.timedelta(days=3 * 366):
            raise forms.ValidationError(_("Ask for at most three years at a time."))
        return data
