"""Forms of the topic pages. They check the shape of the input; the rules are in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .access import place_from_key, place_key
from .models import Level


def place_label(place) -> str:
    level = Level(type(place).__name__.lower())
    name = str(place) if level in (Level.BUILDING, Level.STAIRWELL) else place.name
    return f"{name} ({level.label})"


class ProposeForm(forms.Form):
    place = forms.ChoiceField(
        label=_("For which place"), help_text=_("Who may support it: the residents living there.")
    )
    title = forms.CharField(label=_("Title"), max_length=80, help_text=_("In a few words, e.g. 楼道堆放杂物"))
    text = forms.CharField(
        label=_("What is the problem, and what would you like to discuss?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(place_key(p), place_label(p)) for p in places]

    def clean_place(self):
        place = place_from_key(self.cleaned_data["place"])
        if place is None:
            raise forms.ValidationError(_("Choose one of the places offered."))
        return place


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason for closing (shown to everyone)"), max_length=300)


class AgendaForm(forms.Form):
    meeting_title = forms.CharField(label=_("Meeting"), max_length=120, help_text=_("e.g. 1栋楼道会议 12月5日"))


class SettleForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome of the discussion"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
