"""Forms for the elevator pages. Amounts are typed in yuan and kept in fen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.votes.models import RuleSet, Vote

from .models import MaintenancePlan, Milestone
from .sharing import SharingError, parse_coefficient, parse_yuan


class YuanField(forms.CharField):
    """Yuan with up to two decimals ("480000.00"), cleaned to integer fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            fen = parse_yuan(value)
        except SharingError as exc:
            raise forms.ValidationError(exc.message) from None
        if fen <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        return fen


class ProjectForm(forms.Form):
    stairwell = forms.ModelChoiceField(queryset=None, label=_("Stairwell"))
    consent_vote = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Consent vote"),
        help_text=_("The stairwell's published elevator consent vote, if it was held here."),
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    total = YuanField(label=_("Total cost (yuan)"), required=False)

    def __init__(self, *args, stairwells, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stairwell"].queryset = stairwells
        self.fields["consent_vote"].queryset = Vote.objects.filter(
            compound__in=compounds, rule_set__kind=RuleSet.Kind.ELEVATOR, status=Vote.Status.PUBLISHED
        ).select_related("stairwell__building")


class PlanForm(forms.Form):
    """The total and one coefficient per floor of the stairwell."""

    total = YuanField(label=_("Total cost (yuan)"))

    def __init__(self, *args, floors: list[int], initial_coefficients: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.floors = floors
        for floor in floors:
            self.fields[f"floor_{floor}"] = forms.CharField(
                label=_("Floor %(floor)s") % {"floor": floor},
                max_length=12,
                initial=initial_coefficients.get(str(floor), "0"),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6, "autocomplete": "off"}),
            )

    def clean(self):
        data = super().clean()
        coefficients = {}
        for floor in self.floors:
            value = data.get(f"floor_{floor}")
            if value is None:
                continue
            try:
                coefficients[str(floor)] = str(parse_coefficient(value, floor))
            except SharingError as exc:
                self.add_error(f"floor_{floor}", exc.message)
        data["coefficients"] = coefficients
        return data

    def coefficient_fields(self):
        return [self[f"floor_{floor}"] for floor in self.floors]


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(choices=Milestone.Kind.choices, widget=forms.HiddenInput)
    planned = forms.DateField(label=_("Planned"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actual = forms.DateField(label=_("Done on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence (permit, report, photo)"), required=False)

    MAX_EVIDENCE = 10 * 1024 * 1024

    def clean_evidence(self):
        f = self.cleaned_data.get("evidence")
        if f and f.size > self.MAX_EVIDENCE:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if f and evidence_type(f.name) is None:
            raise forms.ValidationError(_("Upload a PDF or a photo (JPEG, PNG or WebP)."))
        return f


# Evidence is served back from our own origin: only types a browser shows but never runs.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}


def evidence_type(name: str) -> str | None:
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EVIDENCE_TYPES.get(suffix)


class MaintenanceForm(forms.Form):
    yearly = YuanField(label=_("Yearly maintenance cost (yuan)"))
    sharing = forms.ChoiceField(label=_("Shared"), choices=MaintenancePlan.Sharing.choices)
    collector = forms.CharField(label=_("Collected by"), max_length=80)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
