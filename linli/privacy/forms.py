from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CorrectionRequest


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("Which field is wrong"), choices=CorrectionRequest.Field.choices)
    value = forms.CharField(label=_("The correct value"), max_length=50)
    note = forms.CharField(
        label=_("Note (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeletionForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("accept")), ("reject", _("reject"))])
    reason = forms.CharField(label=_("Reason (required to reject)"), max_length=300, required=False)
