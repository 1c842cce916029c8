"""The preferences form: one switch per event kind and personal channel, quiet hours, digest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import kinds
from .models import PERSONAL


def field_name(kind: str, channel: str) -> str:
    return f"{kind.replace('.', '__')}__{channel}"


class PreferencesForm(forms.Form):
    quiet_from = forms.TimeField(
        label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_until = forms.TimeField(
        label=_("Quiet until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    digest = forms.BooleanField(label=_("One message a day (at 8:00) instead of one for each event"), required=False)

    def __init__(self, *args, kind_codes, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind_codes = list(kind_codes)
        for code in self.kind_codes:
            for channel in PERSONAL:
                name = field_name(code, channel)
                self.fields[name] = forms.BooleanField(
                    label=f"{kinds.label(code)} · {channel.label}", required=False, initial=current[(code, channel)]
                )

    def clean(self):
        data = super().clean()
        if bool(data.get("quiet_from")) != bool(data.get("quiet_until")):
            raise forms.ValidationError(_("Give both the start and the end of the quiet hours, or neither."))
        return data

    def choices(self) -> dict[tuple[str, str], bool]:
        return {
            (code, channel): self.cleaned_data[field_name(code, channel)]
            for code in self.kind_codes
            for channel in PERSONAL
        }

    def rows(self):
        """[(group label, [(kind label, [bound field per channel])])] for the table."""
        groups: dict[str, list] = {}
        for code in self.kind_codes:
            kind = kinds.KINDS[code]
            cells = [self[field_name(code, channel)] for channel in PERSONAL]
            groups.setdefault(str(kind.group), []).append((kind.label, cells))
        return list(groups.items())


class AnnouncementForm(forms.Form):
    """Compose an announcement; `places` are the (level, place) the author may publish to."""

    place = forms.ChoiceField(label=_("To everyone living in"))
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 8}))
    pinned = forms.BooleanField(label=_("Pin it to the top"), required=False)
    expires = forms.DateField(
        label=_("Show until"),
        required=False,
        help_text=_("Optional: the last day it is shown."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {f"{level}:{place.pk}": (level, place) for level, place in places}
        groups: dict[str, list] = {}
        labels = {"community": _("Community"), "compound": _("Compound"), "building": _("Building")}
        labels["stairwell"] = _("Stairwell")
        for value, (level, place) in self.places.items():
            label = place.name if level in ("community", "compound") else str(place)
            groups.setdefault(str(labels[level]), []).append((value, label))
        self.fields["place"].choices = [("", "—"), *groups.items()]

    def clean_place(self):
        return self.places[self.cleaned_data["place"]]
