from django import forms
from django.utils.translation import gettext_lazy as _

from linli.meetings.models import Meeting
from linli.votes.models import Vote


class VersionForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
    meeting = forms.ModelChoiceField(label=_("Adopted at the meeting"), queryset=Meeting.objects.none(), required=False)
    vote = forms.ModelChoiceField(label=_("Adopted by the owners' vote"), queryset=Vote.objects.none(), required=False)


class NewConventionForm(VersionForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"))
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=None)

    field_order = ["title", "kind", "compound", "text", "note", "meeting", "vote"]

    def __init__(self, *args, compounds=None, **kwargs):
        from .models import Convention

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Convention.Kind.choices
        self.fields["compound"].queryset = compounds
        self.order_fields(self.field_order)
