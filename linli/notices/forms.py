"""The preferences form: one switch per event kind and personal channel, quiet hours, digest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import kinds
from .attachments import ACCEPT
from .models import PERSONAL, AudienceRole


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (notices.attachments)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class AnnouncementForm(forms.Form):
    """Compose an announcement; `places` are the (level, place) the author may publish to and
    `organisations` the organisations he may publish to."""

    place = forms.ChoiceField(label=_("To"))
    role = forms.ChoiceField(
        label=_("Who there"),
        required=False,
        choices=[("", _("everyone living there")), *AudienceRole.choices],
        help_text=_("For a place only: an organisation's announcement goes to its members."),
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 8}))
    files = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Optional: photos, PDF, Word or Excel files."),
    )
    pinned = forms.BooleanField(label=_("Pin it to the top"), required=False)
    expires = forms.DateField(
        label=_("Show until"),
        required=False,
        help_text=_("Optional: the last day it is shown."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, places, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {f"{level}:{place.pk}": (level, place) for level, place in places}
        groups: dict[str, list] = {}
        labels = {"community": _("Community"), "compound": _("Compound"), "building": _("Building")}
        labels["stairwell"] = _("Stairwell")
        for value, (level, place) in self.places.items():
            label = place.name if level in ("community", "compound") else str(place)
            groups.setdefault(str(labels[level]), []).append((value, label))
        for org in organisations:
            self.places[f"organisation:{org.pk}"] = ("organisation", org)
            groups.setdefault(str(_("Members of an organisation")), []).append((f"organisation:{org.pk}", org.name))
        self.fields["place"].choices = [("", "—"), *groups.items()]

    def clean_place(self):
        return self.places[self.cleaned_data["place"]]

    def clean(self):
        data = super().clean()
        place = data.get("place")
        if place and place[0] == "organisation" and data.get("role"):
            self.add_error("role", _("An organisation's announcement goes to all its members: leave this empty."))
        return data
