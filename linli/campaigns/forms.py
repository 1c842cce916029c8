"""The organisers' forms: a campaign with its visit form written one question a line."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Target

FORM_HELP = _(
    "One question a line, starting with its kind: “yesno: Is there an e-bike?”, “number: How many people "
    "live here?”, “text: Anything you need?” or “choice: Where is it charged? | garage / home / corridor”."
)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Campaign title"), max_length=80)
    place = forms.ChoiceField(label=_("Campaign area"))
    target = forms.ChoiceField(label=_("Homes to visit"), choices=Target.choices, initial=Target.ALL)
    description = forms.CharField(
        label=_("What the visitors say at the door"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    questions = forms.CharField(
        label=_("Visit form questions"), widget=forms.Textarea(attrs={"rows": 6}), help_text=FORM_HELP
    )
    starts_on = forms.DateField(label=_("Campaign starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Campaign ends on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for level in ("subdistrict", "community", "compound"):
            choices += [(f"{level}:{p.pk}", str(p)) for p in access.organisable(user, level)]
        self.fields["place"].choices = choices
        self.places = {key: key.split(":") for key, _label in choices}
